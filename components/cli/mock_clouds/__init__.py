"""Realistic mock answers per cloud provider (loaded only for that provider's resources)."""
