"""GCP's section of the stack config (``airs:securityProject``) and its rules."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

from components import network
from components.config import Bootstrap, Cluster, Problems, StackConfig, TargetModel
from components.config.base import Cidr, IPv4, Model, Port, Replicas, ranged, rule
from components.config.checks import (
    firewall_group_checks,
    ilb_ip_checks,
    security_side_checks,
)
from components.config.stack import target_section
from components.panorama.intent import CLOUD_MONITORING_INTERVAL_RANGE


def _is_airs_gcp_image(image: str) -> bool:
    name = image.rsplit("/", 1)[-1]
    return name.startswith(("ai-runtime-security", "airs-"))


class GcpFirewall(Model):
    """The firewall managed instance group on GCP."""

    image: Annotated[
        str,
        rule(
            _is_airs_gcp_image,
            "is not an AIRS image (expected a name like ai-runtime-security-byol-1125h1)",
        ),
    ]
    """AIRS image name (or self-link) in ``imageProject``."""
    image_project: str = "paloaltonetworksgcp-public"
    """Project that publishes the image."""
    machine_type: str = "n2-standard-4"
    """Instance machine type (AIRS needs at least 4 vCPUs)."""
    min_replicas: Replicas = 1
    """Autoscaler minimum."""
    max_replicas: Replicas = 2
    """Autoscaler maximum."""
    mgmt_public_ip: bool = False
    """Give the management NIC a public IP; without one a Cloud NAT serves bootstrap."""
    ssh_keys: str | None = None
    """``admin:ssh-rsa …`` metadata for break-glass access."""
    metrics_interval: Annotated[int, ranged(*CLOUD_MONITORING_INTERVAL_RANGE)] = 1
    """Minutes between the firewalls' PAN-OS metric publications to Cloud Monitoring (1–5),
    which the autoscaler scales on; the Panorama template sets it. 1 lets the group react
    soonest, at the cost of more custom-metric writes."""
    bootstrap: Bootstrap
    """Bootstrap values."""


class GcpCidrs(Model):
    """The three security VPC subnets."""

    mgmt: Cidr
    """Management subnet of the firewalls."""
    untrust: Cidr
    """Untrust (internet-facing) subnet."""
    trust: Cidr
    """Trust subnet: the internal load balancer and pan-cni's ``fwtrustcidr``."""


GCP_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


class GcpSecurityProject(TargetModel):
    """``airs:securityProject`` on GCP: three VPCs, firewalls and the internal load balancer."""

    project: Annotated[str, rule(lambda v: bool(GCP_PROJECT.match(v)), "must be a GCP project id")]
    """GCP project id that holds the security project."""
    region: Annotated[
        str, rule(lambda v: bool(GCP_REGION.match(v)), "must be a GCP region like us-east1")
    ]
    """Region of the subnets, firewalls and load balancer."""
    zones: Annotated[list[str], Field(min_length=1)]
    """Zones of the firewall instance group (all in ``region``)."""
    cidrs: GcpCidrs
    """The three security VPC subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    untrust_allowed_cidrs: list[Cidr] = []
    """Clients allowed to the untrust network besides the health-check ranges."""
    ilb_ip: IPv4 | None = None
    """Internal load balancer address; defaults to the trust subnet's x.x.x.253."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the load balancer's health check probes on the firewalls (443, 80 or 22)."""
    firewall: GcpFirewall
    """The firewall managed instance group."""

    def trust_subnet(self) -> str:
        """The trust subnet."""
        return self.cidrs.trust

    def ilb_address(self) -> str | None:
        """The internal load balancer's address: given, or the trust subnet's default."""
        return self.ilb_ip or network.default_ilb_ip(self.trust_subnet())

    def security_ranges(self) -> list[tuple[str, str]]:
        """The three subnets."""
        return [
            (f"securityProject.cidrs.{k}", getattr(self.cidrs, k))
            for k in ("mgmt", "untrust", "trust")
        ]


def checks(cfg: StackConfig, problems: Problems) -> None:
    """Rules across ``airs:securityProject`` on GCP."""
    sp = target_section(cfg, GcpSecurityProject)
    security_side_checks(sp.mgmt_allowed_cidrs, sp.health_check_port, problems)
    fw = sp.firewall
    firewall_group_checks(fw.min_replicas, fw.max_replicas, fw.bootstrap, problems)
    for i, zone in enumerate(sp.zones):
        if not re.match(rf"^{re.escape(sp.region)}-[a-z]$", zone):
            problems.add(
                f"securityProject.zones[{i}]", zone, f"is not a zone of region {sp.region}"
            )
    ilb_ip_checks(sp.ilb_ip, sp.trust_subnet(), problems)


def application_checks(cfg: StackConfig, problems: Problems) -> None:
    """No GCP rules for applications beyond the common ones."""


def cluster_checks(cfg: StackConfig, key: str, cluster: Cluster, problems: Problems) -> None:
    """GKE's rules for cluster ``key``."""
    if cluster.type == "GKE" and cluster.autopilot:
        problems.add(
            f"clusters.{key}.autopilot",
            True,
            "GKE Autopilot is not supported: Helm cannot write to kube-system there, so "
            "pan-cni cannot be installed (use a GKE Standard cluster)",
        )


SECTION = GcpSecurityProject
"""The model of ``airs:securityProject`` on this cloud."""
