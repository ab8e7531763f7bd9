"""Per-cloud connection of application networks and clusters to the security project."""
