"""Azure: a security VNet, a firewall scale set (or VMs) behind internal and public LBs."""

from components.clouds.azure import config, panorama
from components.clouds.base import public_cloud

AZURE = public_cloud(
    "azure",
    config,
    panorama,
    ("AKS",),
    provider_prefix="azure-native",
    endpoint_output="loadBalancerIp",
    routes_protected_ranges=True,
)
"""The Azure target."""
