"""Panorama configuration as code: intent, PAN-OS XML, dynamic providers, commit and push."""
