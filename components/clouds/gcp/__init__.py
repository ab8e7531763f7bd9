"""GCP: three VPCs, a firewall managed instance group behind an internal load balancer."""

from components.clouds.base import public_cloud
from components.clouds.gcp import config, panorama

GCP = public_cloud(
    "gcp",
    config,
    panorama,
    ("GKE",),
    provider_prefix="gcp",
    endpoint_output="loadBalancerIp",
    routes_protected_ranges=True,
)
"""The GCP target."""
