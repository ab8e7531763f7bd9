"""The parts of a Panorama profile every target shares, and its inputs.

Each target builds its own intent in ``components/clouds/<target>/panorama.py`` (interfaces,
zones, routers, routes, NAT, the way the vendor's post-deployment pages describe it for that
cloud) from these pieces: the management profile, the AI security profile group, decryption,
the health-check and AI rules, inbound NAT and the Kubernetes plugin.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from components.panorama.intent import (
    AiSecurityProfile,
    DecryptionProfile,
    DecryptionRule,
    KubernetesCluster,
    KubernetesPlugin,
    ManagementProfile,
    NatRule,
    PanoramaIntent,
    ProfileGroup,
    RouterKind,
    SecurityRule,
    SslDecrypt,
    StaticRoute,
    credential_key,
    late_bound,
)

MGMT_PROFILE = "allow-health-checks"
TRUST, UNTRUST = "trust", "untrust"
ETH1, ETH2, LOOPBACK = "ethernet1/1", "ethernet1/2", "loopback.1"
# Placeholder for the Azure public load balancer address (known after deploy).
PUBLIC_LB_ADDRESS = late_bound("public-lb-address")
# Azure and AWS keep the page's router names vr-private / vr-public, as logical routers:
# every cloud's bootstrap sets `plugin-op-commands=advance-routing:enable` (and the AIRS image
# has it on by default), and the page itself picks them under "Logical Routers". Legacy
# virtual routers would need advanced routing off, a firewall reboot and a bootstrap that
# contradicts the template. "virtual" renders them as legacy routers (next-vr hops).
VR_CLOUDS_ROUTER_KIND: RouterKind = "logical"
# Rancher runs upstream Kubernetes, which the plugin calls "Native Kubernetes".
_CLUSTER_TYPE_ALIASES = {"Rancher": "Native"}


@dataclass(frozen=True)
class ClusterEntry:
    """One Kubernetes cluster to register in the Panorama Kubernetes plugin."""

    name: str  # Panorama cluster name, <= 20 chars
    api_server: str  # host, host:port or https URL
    cluster_type: str  # "GKE" | "AKS" | "EKS" | "OpenShift" | "Native" | "Other"
    pod_cidr: str
    service_cidr: str
    label_filter: str | None = None
    label_selector: str | None = None


@dataclass(frozen=True)
class InboundNat:
    """Inbound static destination NAT (``inbound-web``)."""

    name: str
    destination: str  # original destination; may be PUBLIC_LB_ADDRESS
    translated_address: str
    service: str = "any"
    translated_port: int | None = None


@dataclass(frozen=True)
class Decryption:
    """Optional SSL/TLS decryption of AI traffic (forward proxy)."""

    certificate: str  # forward-trust CA (with its key) in the template
    untrust_certificate: str | None = None  # forward-untrust CA, for untrusted servers
    decryption_profile: str = "airs-decryption"


@dataclass(frozen=True)
class PanoramaInputs:
    """Everything :func:`build_intent` needs, built by the lead from the stack config."""

    cloud: str  # "gcp" | "azure" | "aws" | "private"
    name: str  # deployment prefix, used in object names/descriptions
    template: str
    template_stack: str
    device_group: str
    ai_security_profile_group: str
    ai_security_profile: str
    trust_cidr: str
    trust_gateway: str
    untrust_gateway: str | None
    ilb_ip: str | None
    trust_ip: str | None
    app_cidrs: Mapping[str, tuple[str, ...]]
    clusters: tuple[ClusterEntry, ...]
    monitoring_interval: int
    health_check_ranges: tuple[str, ...]
    outbound_nat: bool = True
    inbound_nat: tuple[InboundNat, ...] = ()
    decryption: Decryption | None = None
    health_check_service: str = "https"  # management-profile service answering LB health checks
    devices: tuple[str, ...] = ()  # firewall serials in the template stack and device group
    cloudwatch_namespace: str | None = None  # AWS: where the firewalls publish PAN-OS metrics
    cloud_monitoring_interval: int | None = None  # GCP: minutes between metric publications
    overlay_routing: bool = False  # AWS: egress leaves by ethernet1/2 (zone untrust)
    zone_trust_gateways: tuple[str, ...] = ()  # AWS: each zone's trust gateway (see PanoramaFacts)


# The plugin rejects credential files above 32 KB (CN-Series docs).
MAX_CREDENTIAL_BYTES = 32 * 1024


def encode_plugin_credential(service_account_json: str | bytes) -> str:
    """gzip + base64 of ``plugin-svc-acct.json``, as the API wants it; deterministic.

    ``mtime=0`` keeps the gzip header stable, so an unchanged token never shows a diff.
    Raises ``ValueError`` above the plugin's 32 KB limit (keep only the top CA certificate).
    """
    raw = (
        service_account_json.encode()
        if isinstance(service_account_json, str)
        else service_account_json
    )
    if len(raw) > MAX_CREDENTIAL_BYTES:
        raise ValueError(
            f"service account credential is {len(raw)} bytes; the Kubernetes plugin accepts "
            f"{MAX_CREDENTIAL_BYTES} (keep only the top CA certificate)"
        )
    return base64.b64encode(gzip.compress(raw, mtime=0)).decode()


# ----------------------------------------------------------------------------- helpers


def route_name(*parts: str) -> str:
    """A route/rule-safe name from ``parts``, at most 31 characters, stable."""
    raw = "-".join(parts)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-") or "route"
    if len(safe) <= 31:
        return safe
    digest = hashlib.sha256(raw.encode()).hexdigest()[:6]
    return f"{safe[:24].rstrip('-')}-{digest}"


def app_cidrs(inputs: PanoramaInputs) -> list[tuple[str, str]]:
    """(route name, CIDR) per application network CIDR, sorted by network name."""
    out: list[tuple[str, str]] = []
    for app in sorted(inputs.app_cidrs):
        cidrs = inputs.app_cidrs[app]
        for i, cidr in enumerate(cidrs):
            suffix = (str(i),) if len(cidrs) > 1 else ()
            out.append((route_name("app", app, *suffix), cidr))
    return out


def cluster_cidrs(inputs: PanoramaInputs) -> list[tuple[str, str]]:
    """(route name, CIDR) of every cluster's pod and service range."""
    out: list[tuple[str, str]] = []
    for c in inputs.clusters:
        out.append((route_name("pod", c.name), c.pod_cidr))
        out.append((route_name("svc", c.name), c.service_cidr))
    return out


def via(name: str, cidr: str, gateway: str, iface: str) -> StaticRoute:
    """A static route to ``cidr`` via ``gateway`` out of ``iface``."""
    return StaticRoute(name, cidr, "ip-address", gateway, iface)


def next_router(name: str, cidr: str, router: str) -> StaticRoute:
    """A static route to ``cidr`` handed to the other router ``router``."""
    return StaticRoute(name, cidr, "next-router", router, None)


def probe_names(ranges: tuple[str, ...], base: str) -> list[tuple[str, str]]:
    """(route name, CIDR) of the health-check ranges, numbered when there are several."""
    if len(ranges) == 1:
        return [(base, ranges[0])]
    return [(f"{base}-{i}", r) for i, r in enumerate(ranges)]


def protected_sources(inputs: PanoramaInputs) -> tuple[str, ...]:
    """The protected workloads' ranges (applications and pods), or ``any``."""
    cidrs = [c for _, c in app_cidrs(inputs)] + [c.pod_cidr for c in inputs.clusters]
    return tuple(cidrs) or ("any",)


def mgmt_profile(inputs: PanoramaInputs) -> str | None:
    """The management profile the trust-side interfaces carry: none without health checks."""
    return MGMT_PROFILE if inputs.health_check_ranges else None


def notify_group_name(name: str) -> str:
    """The Kubernetes plugin notify group of deployment ``name`` (it names the device group)."""
    return route_name(name, "notify")


def kubernetes_plugin(
    clusters: tuple[ClusterEntry, ...],
    *,
    monitoring_interval: int,
    notify_group: str,
    device_group: str,
) -> KubernetesPlugin:
    """The Kubernetes plugin set-up: ``clusters`` registered, their tags sent to ``device_group``.

    Each cluster's credential is late-bound (the cluster's ``pan-plugin-user`` token).
    """
    return KubernetesPlugin(
        clusters=tuple(
            KubernetesCluster(
                name=c.name,
                api_server=c.api_server,
                cluster_type=_CLUSTER_TYPE_ALIASES.get(c.cluster_type, c.cluster_type),
                credential=late_bound(credential_key(c.name)),
                label_filter=c.label_filter,
                label_selector=c.label_selector,
            )
            for c in clusters
        ),
        monitoring_interval=monitoring_interval,
        notify_group=notify_group,
        device_group=device_group,
    )


def base_intent(inputs: PanoramaInputs, decrypt_to: tuple[str, ...]) -> PanoramaIntent:
    """Objects every cloud shares: profile, AI profile group, decryption, k8s plugin.

    The plugin's general settings and notify group exist even without clusters of this
    stack: layered cluster stacks register their clusters into them.
    """
    kubernetes = kubernetes_plugin(
        inputs.clusters,
        monitoring_interval=inputs.monitoring_interval,
        notify_group=notify_group_name(inputs.name),
        device_group=inputs.device_group,
    )
    base = PanoramaIntent(
        cloud=inputs.cloud,
        name=inputs.name,
        template=inputs.template,
        template_stack=inputs.template_stack,
        device_group=inputs.device_group,
        advanced_routing=False,
        # Only the health-check sources may reach the firewall's management services on the
        # trust side; without health checks there is no profile (an empty permitted-ip list
        # would admit every workload).
        management_profiles=(
            (
                ManagementProfile(
                    MGMT_PROFILE,
                    https=True,
                    http=inputs.health_check_service == "http",
                    ssh=inputs.health_check_service == "ssh",
                    permitted_ips=inputs.health_check_ranges,
                ),
            )
            if inputs.health_check_ranges
            else ()
        ),
        ai_security_profile=AiSecurityProfile(
            inputs.ai_security_profile, f"{inputs.name}: AI Runtime network intercept"
        ),
        profile_group=ProfileGroup(inputs.ai_security_profile_group, inputs.ai_security_profile),
        kubernetes=kubernetes,
        description=f"{inputs.name}: Prisma AIRS AI Runtime network intercept",
        devices=inputs.devices,
    )
    d = inputs.decryption
    if d is None:
        return base
    return dataclasses.replace(
        base,
        ssl_decrypt=SslDecrypt(d.certificate, d.untrust_certificate),
        decryption_profile=DecryptionProfile(d.decryption_profile),
        decryption_rules=(
            DecryptionRule(
                name=f"{inputs.name}-decrypt-ai",
                from_zones=(TRUST,),
                to_zones=decrypt_to,
                profile=d.decryption_profile,
                description="decrypt AI traffic for inspection",
            ),
        ),
    )


def outbound_nat(
    inputs: PanoramaInputs,
    rule: str,
    *,
    to_zone: str,
    interface: str,
    description: str,
    source: tuple[str, ...] = ("any",),
) -> list[NatRule]:
    """The protected workloads' source NAT out of ``interface`` (none if turned off)."""
    if not inputs.outbound_nat:
        return []
    return [
        NatRule(
            name=f"{inputs.name}-{rule}",
            from_zones=(TRUST,),
            to_zone=to_zone,
            source=source,
            snat_interface=interface,
            description=description,
        )
    ]


def security_rules(
    inputs: PanoramaInputs, to_zones: tuple[str, ...], probe_dest: tuple[str, ...]
) -> tuple[SecurityRule, ...]:
    """The health-check allow rule (where there are health checks) and the AI rule."""
    rules: list[SecurityRule] = []
    if inputs.health_check_ranges:
        rules.append(
            SecurityRule(
                name=f"{inputs.name}-allow-health-checks",
                from_zones=(TRUST,),
                to_zones=(TRUST,),
                source=inputs.health_check_ranges,
                destination=probe_dest,
                application=("any",),
                service=("any",),
                description="load balancer health checks",
            )
        )
    rules.append(
        SecurityRule(
            name=f"{inputs.name}-allow-ai",
            from_zones=(TRUST,),
            to_zones=to_zones,
            profile_group=inputs.ai_security_profile_group,
            description="AI traffic, inspected by the AI security profile",
        )
    )
    return tuple(rules)


def inbound_nat_rules(
    inputs: PanoramaInputs, zone: str, snat_interface: str | None
) -> tuple[NatRule, ...]:
    """The inbound destination NAT rules of ``inputs``, in ``zone``."""
    return tuple(
        NatRule(
            name=n.name,
            from_zones=(zone,),
            to_zone=zone,
            destination=(n.destination,),
            service=n.service,
            snat_interface=snat_interface,
            dnat_address=n.translated_address,
            dnat_port=n.translated_port,
            description="inbound static destination NAT",
        )
        for n in inputs.inbound_nat
    )
