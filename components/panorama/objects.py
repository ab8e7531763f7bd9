"""The Panorama objects an intent is made of, as plain frozen dataclasses.

One per PAN-OS object this project writes: management profile, interfaces, zones, routers
and static routes, NAT, security and decryption rules, profiles, the Kubernetes plugin.
:class:`~components.panorama.intent.PanoramaIntent` holds them and checks them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NexthopType = Literal["ip-address", "next-router", "none"]
RouterKind = Literal["logical", "virtual"]


@dataclass(frozen=True)
class ManagementProfile:
    """Interface management profile (``allow-health-checks``: HTTPS on)."""

    name: str
    https: bool = True
    ping: bool = False
    permitted_ips: tuple[str, ...] = ()
    http: bool = False
    ssh: bool = False


@dataclass(frozen=True)
class EthernetInterface:
    """A layer-3 ethernet interface, DHCP client or static."""

    name: str
    zone: str
    router: str
    dhcp: bool = True
    static_ips: tuple[str, ...] = ()
    create_default_route: bool = False
    management_profile: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class LoopbackInterface:
    """Loopback that answers load balancer health checks on the ILB address."""

    name: str
    ips: tuple[str, ...]
    zone: str
    router: str
    management_profile: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Zone:
    """A layer-3 security zone."""

    name: str
    interfaces: tuple[str, ...]


@dataclass(frozen=True)
class StaticRoute:
    """IPv4 static route; ``next-router`` is next-lr / next-vr depending on the router."""

    name: str
    destination: str
    nexthop_type: NexthopType
    nexthop: str | None = None
    interface: str | None = None
    metric: int = 10


@dataclass(frozen=True)
class Router:
    """A logical router (advanced routing, one VRF) or a legacy virtual router."""

    name: str
    kind: RouterKind
    interfaces: tuple[str, ...]
    routes: tuple[StaticRoute, ...] = ()
    vrf: str = "default"


@dataclass(frozen=True)
class NatRule:
    """Source NAT (dynamic IP and port on an interface address) and/or static DNAT."""

    name: str
    from_zones: tuple[str, ...]
    to_zone: str
    source: tuple[str, ...] = ("any",)
    destination: tuple[str, ...] = ("any",)
    service: str = "any"
    to_interface: str = "any"
    snat_interface: str | None = None
    dnat_address: str | None = None
    dnat_port: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class SecurityRule:
    """An allow rule, optionally carrying the AI security profile group."""

    name: str
    from_zones: tuple[str, ...]
    to_zones: tuple[str, ...]
    source: tuple[str, ...] = ("any",)
    destination: tuple[str, ...] = ("any",)
    application: tuple[str, ...] = ("any",)
    service: tuple[str, ...] = ("application-default",)
    action: Literal["allow"] = "allow"
    profile_group: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AiSecurityProfile:
    """The AI security profile (created if missing, never overwritten)."""

    name: str
    description: str | None = None


@dataclass(frozen=True)
class ProfileGroup:
    """Security profile group whose ai-security member is the AI security profile."""

    name: str
    ai_security: str


@dataclass(frozen=True)
class CloudWatchMetrics:
    """The VM-Series plugin publishing PAN-OS metrics (``panSessionActive``…) to CloudWatch,
    which the auto scaling group's target-tracking policy scales on."""

    namespace: str
    interval_minutes: int = 1


@dataclass(frozen=True)
class CloudMonitoringMetrics:
    """The VM-Series plugin publishing PAN-OS metrics to Google Cloud Monitoring (formerly
    Stackdriver) as ``custom.googleapis.com/VMSeries/*``, which the instance group's
    autoscaler scales on. The plugin offers an update interval of 1 to 5 minutes."""

    interval_minutes: int = 1


@dataclass(frozen=True)
class SslDecrypt:
    """The template's forward-proxy certificates (``shared/ssl-decrypt``): the CA the firewall
    signs impersonated server certificates with, and the one for servers it does not trust."""

    forward_trust: str
    forward_untrust: str | None = None


@dataclass(frozen=True)
class DecryptionProfile:
    """Decryption profile referenced by the decryption rule: forward-proxy checks that fail
    closed (expired or untrusted server certificates, old protocols, weak ciphers)."""

    name: str
    min_version: str = "tls1-2"
    max_version: str = "max"


@dataclass(frozen=True)
class DecryptionRule:
    """SSL forward-proxy decryption rule for AI traffic."""

    name: str
    from_zones: tuple[str, ...]
    to_zones: tuple[str, ...]
    profile: str
    source: tuple[str, ...] = ("any",)
    destination: tuple[str, ...] = ("any",)
    service: tuple[str, ...] = ("any",)
    category: tuple[str, ...] = ("any",)
    description: str | None = None


@dataclass(frozen=True)
class KubernetesCluster:
    """One cluster in the Panorama Kubernetes plugin."""

    name: str
    api_server: str
    cluster_type: str
    credential: str
    label_filter: str | None = None
    label_selector: str | None = None


@dataclass(frozen=True)
class KubernetesPlugin:
    """Kubernetes plugin setup: clusters, monitoring interval, notify device group."""

    clusters: tuple[KubernetesCluster, ...]
    monitoring_interval: int = 30
    notify_group: str = "airs-notify"
    device_group: str = ""
