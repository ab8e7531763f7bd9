"""AWS: a security VPC, firewall auto scaling group behind a Gateway Load Balancer."""

from components.clouds.aws import config, panorama
from components.clouds.base import public_cloud

AWS = public_cloud(
    "aws",
    config,
    panorama,
    ("EKS",),
    provider_prefix="aws",
    layered_cluster_checks=config.layered_cluster_checks,
    cni_trust_cidr=False,
)
"""The AWS target."""
