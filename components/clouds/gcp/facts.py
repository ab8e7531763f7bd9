"""GCP names, labels, source ranges and bootstrap metadata of the security project.

Pure functions of the stack config (no resources), so the security project, the application
connection and the tests share one answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import pulumi

from components import network
from components.clouds.gcp.config import GcpSecurityProject as GcpSecurityProjectConfig
from components.config import StackConfig, secret_output

RULE_PRIORITY = 1000
MGMT_PORTS: tuple[str, ...] = ("22", "443")
# Required by the product: GCP label keys (no dots allowed) and the trust network suffix.
LABEL_TRUST = "paloaltonetworks_com-trust"
LABEL_OCCUPIED = "paloaltonetworks_com-occupied"
# The load balancer's forwarding rule protocol. pan-cni sends its traffic to the load balancer
# IP over UDP 6080, which a TCP rule drops. As a route next hop, an internal passthrough load
# balancer delivers every protocol whatever its rule's protocol, so ONE UDP rule serves both
# the 0.0.0.0/0 route and pan-cni. A TCP + UDP pair on a shared VIP would need two backend
# services (a backend service carries one protocol) and five resources instead of two, for
# no traffic that the UDP rule does not already carry; L3_DEFAULT cannot be a next hop.
ILB_PROTOCOL = "UDP"
GCE_NAME_MAX = 63
_NAME_BAD = re.compile(r"[^a-z0-9-]+")


def gce_name(*parts: str) -> str:
    """A valid Compute Engine name from ``parts``: lowercase, hyphens, at most 63 characters.

    Args:
        parts: the pieces to join with hyphens (prefix, map key, role).
    """
    raw = "-".join(p for p in parts if p)
    name = _NAME_BAD.sub("-", raw.lower()).strip("-")
    if len(name) <= GCE_NAME_MAX:
        return name
    # Too long: keep a readable head and make it unique with a hash of the full name.
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{name[: GCE_NAME_MAX - 9].rstrip('-')}-{digest}"


def deployment_id(project: str, name: str) -> str:
    """The per-deployment id carried by the ``paloaltonetworks_com-*`` labels.

    ``pulumi_random`` is not a dependency, and a random id would only live in state anyway;
    a hash of project and ``airs:name`` is just as unique (two deployments cannot share both:
    their VPC names would clash) and is the same on every run, so labels never churn.

    Args:
        project: the security project id.
        name: the stack's ``airs:name``.
    """
    return hashlib.sha256(f"{project}/{name}".encode()).hexdigest()[:16]


def image_link(image: str, image_project: str) -> str:
    """The boot image as a partial URL, unless ``image`` already is a link.

    Args:
        image: image name or self-link.
        image_project: project publishing the image (used with a bare name).
    """
    if "/" in image:
        return image
    return f"projects/{image_project}/global/images/{image}"


def unique(values: Iterable[str]) -> list[str]:
    """``values`` without repeats, first occurrence kept (stable, readable diffs)."""
    return list(dict.fromkeys(values))


def trust_source_ranges(cfg: StackConfig) -> list[str]:
    """Sources the trust VPC admits: load balancer health checks and everything we protect.

    The health-check ranges first, then every application CIDR, then each cluster's node,
    pod and service range (the vendor bundle forgets the pods). Keys are sorted so that
    reordering the YAML does not change the rule.

    Args:
        cfg: the validated stack configuration.
    """
    ranges: list[str] = list(network.GCP_INTERNAL_HEALTH_CHECK_RANGES)
    for key in sorted(cfg.applications):
        ranges += cfg.applications[key].cidrs
    for key in sorted(cfg.clusters):
        cluster = cfg.clusters[key]
        if cluster.node_cidr:
            ranges.append(cluster.node_cidr)
        ranges += [cluster.pod_cidr, cluster.service_cidr]
    return unique(ranges)


def untrust_source_ranges(sp: GcpSecurityProjectConfig) -> list[str]:
    """Sources the untrust VPC admits: external health checks plus the allowed clients.

    Args:
        sp: the GCP security project configuration.
    """
    return unique([*network.GCP_EXTERNAL_HEALTH_CHECK_RANGES, *sp.untrust_allowed_cidrs])


def bootstrap_metadata(
    cfg: StackConfig, sp: GcpSecurityProjectConfig
) -> dict[str, pulumi.Input[str]]:
    """Instance metadata the AIRS image reads as its init-cfg; ``vm-auth-key`` stays secret.

    Args:
        cfg: the validated stack configuration (Panorama names).
        sp: the GCP security project configuration (firewall bootstrap values).
    """
    boot = sp.firewall.bootstrap
    meta: dict[str, pulumi.Input[str]] = {
        "type": "dhcp-client",
        "dhcp-send-hostname": "yes",
        "dhcp-send-client-id": "yes",
        "dhcp-accept-server-hostname": "yes",
        "dhcp-accept-server-domain": "yes",
        # Load balancers without a backend network deliver to nic0, so nic0 must be a
        # dataplane port (untrust); the swap makes nic1 the management interface.
        "mgmt-interface-swap": "enable",
        "panorama-server": boot.panorama_server or cfg.panorama.hostname,
        "tplname": cfg.template_stack,
        "dgname": cfg.device_group,
        "vm-auth-key": secret_output(boot.auth_key),
        "plugin-op-commands": boot.plugin_op_commands(),
    }
    if boot.auth_codes is not None:
        meta["authcodes"] = secret_output(boot.auth_codes)
    if boot.panorama_server2:
        meta["panorama-server-2"] = boot.panorama_server2
    if sp.firewall.ssh_keys:
        meta["ssh-keys"] = sp.firewall.ssh_keys
    return meta
