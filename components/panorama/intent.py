"""What Panorama must contain, as plain frozen dataclasses: no I/O, no pan-os-python.

``PanoramaIntent.problems()`` lists every problem at once; ``validate()`` raises
:class:`IntentError` carrying all of them. Values known only after deployment (the Azure
public load balancer address, each cluster's plugin credential) are written as named
placeholders (:func:`late_bound`) and substituted when the configuration is applied, so
the set of objects never depends on them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Final

from components.panorama import xpaths
from components.panorama.objects import (
    AiSecurityProfile,
    CloudMonitoringMetrics,
    CloudWatchMetrics,
    DecryptionProfile,
    DecryptionRule,
    EthernetInterface,
    KubernetesCluster,
    KubernetesPlugin,
    LoopbackInterface,
    ManagementProfile,
    NatRule,
    NexthopType,
    ProfileGroup,
    Router,
    RouterKind,
    SecurityRule,
    SslDecrypt,
    StaticRoute,
    Zone,
)

__all__ = [
    "LATE_BOUND_RE",
    "AiSecurityProfile",
    "CloudMonitoringMetrics",
    "CloudWatchMetrics",
    "DecryptionProfile",
    "DecryptionRule",
    "EthernetInterface",
    "IntentError",
    "KubernetesCluster",
    "KubernetesPlugin",
    "LoopbackInterface",
    "ManagementProfile",
    "NatRule",
    "NexthopType",
    "PanoramaIntent",
    "ProfileGroup",
    "Router",
    "RouterKind",
    "SecurityRule",
    "SslDecrypt",
    "StaticRoute",
    "Zone",
    "credential_key",
    "late_bound",
    "late_keys_in",
    "to_plain",
]

LATE_BOUND_RE: Final[re.Pattern[str]] = re.compile(r"\{\{late:([A-Za-z0-9_./-]+)\}\}")


# PAN-OS object names: 31 characters for most objects, 63 for policy rules.
_NAME_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
_K8S_NAME_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_IFACE_RE: Final[re.Pattern[str]] = re.compile(r"^(ethernet\d+/\d+|loopback\.\d+)$")
_HOST_RE: Final[re.Pattern[str]] = re.compile(
    r"^(https://)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?(/.*)?$"
)
_SERIAL_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9]{6,32}$")
MAX_NAME: Final[int] = 31
MAX_RULE_NAME: Final[int] = 63
MAX_K8S_CLUSTER_NAME: Final[int] = 20
MONITORING_INTERVAL_RANGE: Final[tuple[int, int]] = (30, 300)
# Minutes between the VM-Series plugin's Cloud Monitoring publications (its GUI allows 1-5).
CLOUD_MONITORING_INTERVAL_RANGE: Final[tuple[int, int]] = (1, 5)


def late_bound(key: str) -> str:
    """The placeholder for a value known only after deploy (``{{late:<key>}}``)."""
    return "{{late:" + key + "}}"


def credential_key(cluster: str) -> str:
    """Late-bound key of a Kubernetes cluster's plugin credential."""
    return f"credential/{cluster}"


def late_keys_in(text: str) -> set[str]:
    """Late-bound keys referenced in ``text``."""
    return set(LATE_BOUND_RE.findall(text))


class IntentError(ValueError):
    """The intent is inconsistent; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid Panorama intent:\n  - " + "\n  - ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PanoramaIntent:
    """Everything this deployment owns in Panorama."""

    cloud: str
    name: str
    template: str
    template_stack: str
    device_group: str
    advanced_routing: bool
    management_profiles: tuple[ManagementProfile, ...] = ()
    ethernet: tuple[EthernetInterface, ...] = ()
    loopbacks: tuple[LoopbackInterface, ...] = ()
    zones: tuple[Zone, ...] = ()
    routers: tuple[Router, ...] = ()
    ai_security_profile: AiSecurityProfile | None = None
    profile_group: ProfileGroup | None = None
    security_rules: tuple[SecurityRule, ...] = ()
    nat_rules: tuple[NatRule, ...] = ()
    ssl_decrypt: SslDecrypt | None = None
    decryption_profile: DecryptionProfile | None = None
    decryption_rules: tuple[DecryptionRule, ...] = ()
    kubernetes: KubernetesPlugin | None = None
    vsys: str = "vsys1"
    description: str = field(default="")
    cloudwatch: CloudWatchMetrics | None = None
    """AWS: the firewalls' metric publishing the auto scaling policy needs."""
    cloud_monitoring: CloudMonitoringMetrics | None = None
    """GCP: the firewalls' metric publishing the instance group's autoscaler needs."""
    devices: tuple[str, ...] = ()
    """Serial numbers of firewalls put in the template stack and device group (private
    clouds); cloud firewalls join them themselves when they bootstrap."""

    def interfaces(self) -> list[EthernetInterface | LoopbackInterface]:
        """Ethernet and loopback interfaces, in that order."""
        return [*self.ethernet, *self.loopbacks]

    def late_keys(self) -> set[str]:
        """Every late-bound key the intent references."""
        return late_keys_in(repr(self))

    def validate(self) -> None:
        """Raise :class:`IntentError` listing every problem, if there is any."""
        problems = self.problems()
        if problems:
            raise IntentError(problems)

    def problems(self) -> list[str]:
        """Every inconsistency in the intent (empty when valid)."""
        p: list[str] = []
        for label, value in (
            ("template", self.template),
            ("template_stack", self.template_stack),
            ("device_group", self.device_group),
        ):
            _check_name(p, label, value)
        _unique(p, "device", self.devices)
        for serial in self.devices:
            if not _SERIAL_RE.match(serial):
                p.append(f"device {serial!r}: not a firewall serial number")
        ifaces = _interfaces(self)
        _unique(p, "interface", [i.name for i in self.interfaces()])
        profiles = {m.name for m in self.management_profiles}
        zones = {z.name: z for z in self.zones}
        routers = {r.name: r for r in self.routers}
        for m in self.management_profiles:
            _check_name(p, "management profile", m.name)
            for ip in m.permitted_ips:
                _check_network(p, f"management profile {m.name}: permitted ip", ip)
        has_untrust = any(e.zone == "untrust" for e in self.ethernet)  # AWS GWLB: trust only
        if sum(e.create_default_route for e in self.ethernet) > 1:
            p.append("interfaces: only one may take its DHCP default route")
        for e in self.ethernet:
            where = f"interface {e.name}"
            if not _IFACE_RE.match(e.name) or not e.name.startswith("ethernet"):
                p.append(f"{where}: not an ethernetN/M name")
            if e.dhcp == bool(e.static_ips):
                p.append(f"{where}: use either DHCP or static addresses, not both or neither")
            for ip in e.static_ips:
                _check_interface_ip(p, where, ip)
            if e.create_default_route and (not e.dhcp or (e.zone != "untrust" and has_untrust)):
                p.append(f"{where}: 'create default route' is for DHCP on untrust, if there is one")
            _iface_refs(p, where, e.zone, e.router, e.management_profile, zones, routers, profiles)
        for lb in self.loopbacks:
            where = f"interface {lb.name}"
            if not lb.name.startswith("loopback.") or not _IFACE_RE.match(lb.name):
                p.append(f"{where}: not a loopback.N name")
            if not lb.ips:
                p.append(f"{where}: needs at least one address")
            for ip in lb.ips:
                _check_interface_ip(p, where, ip)
            _iface_refs(
                p, where, lb.zone, lb.router, lb.management_profile, zones, routers, profiles
            )
        _unique(p, "zone", [z.name for z in self.zones])
        for z in self.zones:
            _check_name(p, "zone", z.name)
            for i in z.interfaces:
                if i not in ifaces:
                    p.append(f"zone {z.name}: unknown interface {i}")
                elif ifaces[i] != z.name:
                    p.append(f"zone {z.name}: interface {i} declares zone {ifaces[i]}")
        _unique(p, "router", [r.name for r in self.routers])
        owner: dict[str, str] = {}
        for r in self.routers:
            self._check_router(p, r, routers, ifaces, owner)
        for iface in self.interfaces():
            name, zone, router = iface.name, iface.zone, iface.router
            if router in routers and name not in routers[router].interfaces:
                p.append(f"interface {name}: router {router} does not list it")
            if zone in zones and name not in zones[zone].interfaces:
                p.append(f"interface {name}: zone {zone} does not list it")
        self._check_policies(p, zones, set(ifaces))
        self._check_kubernetes(p)
        return p

    def _check_router(
        self,
        p: list[str],
        r: Router,
        routers: dict[str, Router],
        ifaces: dict[str, str],
        owner: dict[str, str],
    ) -> None:
        where = f"router {r.name}"
        _check_name(p, "router", r.name)
        if r.kind == "logical" and not self.advanced_routing:
            p.append(f"{where}: logical routers need advanced routing on the template")
        if r.kind == "virtual" and self.advanced_routing:
            p.append(f"{where}: legacy virtual routers need advanced routing off")
        for i in r.interfaces:
            if i not in ifaces:
                p.append(f"{where}: unknown interface {i}")
            elif i in owner:
                p.append(f"{where}: interface {i} already belongs to router {owner[i]}")
            else:
                owner[i] = r.name
        _unique(p, f"{where}: route", [s.name for s in r.routes])
        for s in r.routes:
            rw = f"{where}: route {s.name}"
            _check_name(p, f"{where}: route", s.name)
            _check_network(p, rw + ": destination", s.destination)
            if not 1 <= s.metric <= 65535:
                p.append(f"{rw}: metric {s.metric} outside 1..65535")
            if s.nexthop_type == "ip-address":
                if s.nexthop is None or not _is_ip(s.nexthop):
                    p.append(f"{rw}: next hop {s.nexthop!r} is not an IPv4 address")
            elif s.nexthop_type == "next-router":
                if s.nexthop not in routers or s.nexthop == r.name:
                    p.append(f"{rw}: next router {s.nexthop!r} is not another router here")
                elif routers[s.nexthop].kind != r.kind:
                    p.append(f"{rw}: next router {s.nexthop} is a different router kind")
            elif s.nexthop is not None:
                p.append(f"{rw}: next hop given for type 'none'")
            if s.interface is not None and s.interface not in r.interfaces:
                p.append(f"{rw}: interface {s.interface} is not in router {r.name}")

    def _check_policies(self, p: list[str], zones: dict[str, Zone], ifaces: set[str]) -> None:
        group = self.profile_group
        if group is not None:
            _check_name(p, "profile group", group.name)
            if (
                self.ai_security_profile is None
                or group.ai_security != self.ai_security_profile.name
            ):
                missing = group.ai_security
                p.append(
                    f"profile group {group.name}: AI security profile {missing} is not defined"
                )
        if self.ai_security_profile is not None:
            _check_name(p, "AI security profile", self.ai_security_profile.name)
        _unique(p, "security rule", [r.name for r in self.security_rules])
        for s in self.security_rules:
            where = f"security rule {s.name}"
            _check_name(p, "security rule", s.name, MAX_RULE_NAME)
            _zone_refs(p, where, (*s.from_zones, *s.to_zones), zones)
            _addresses(p, where, (*s.source, *s.destination))
            if s.profile_group is not None and (group is None or s.profile_group != group.name):
                p.append(f"{where}: profile group {s.profile_group} is not defined")
        _unique(p, "NAT rule", [n.name for n in self.nat_rules])
        for n in self.nat_rules:
            where = f"NAT rule {n.name}"
            _check_name(p, "NAT rule", n.name, MAX_RULE_NAME)
            _zone_refs(p, where, (*n.from_zones, n.to_zone), zones)
            _addresses(p, where, (*n.source, *n.destination))
            if n.snat_interface is None and n.dnat_address is None:
                p.append(f"{where}: translates nothing")
            if n.snat_interface is not None and n.snat_interface not in ifaces:
                p.append(f"{where}: unknown source NAT interface {n.snat_interface}")
            if n.dnat_address is not None:
                _addresses(p, where + ": translated address", (n.dnat_address,))
            if n.dnat_port is not None and not 1 <= n.dnat_port <= 65535:
                p.append(f"{where}: translated port {n.dnat_port} outside 1..65535")
        _unique(p, "decryption rule", [d.name for d in self.decryption_rules])
        for d in self.decryption_rules:
            where = f"decryption rule {d.name}"
            _check_name(p, "decryption rule", d.name, MAX_RULE_NAME)
            _zone_refs(p, where, (*d.from_zones, *d.to_zones), zones)
            if self.decryption_profile is None or d.profile != self.decryption_profile.name:
                p.append(f"{where}: decryption profile {d.profile} is not defined")
        if self.cloudwatch is not None and not 1 <= self.cloudwatch.interval_minutes <= 60:
            p.append("cloudwatch: the update interval must be 1 to 60 minutes")
        if self.cloud_monitoring is not None:
            lo, hi = CLOUD_MONITORING_INTERVAL_RANGE
            if not lo <= self.cloud_monitoring.interval_minutes <= hi:
                p.append(
                    f"cloud monitoring: update interval {self.cloud_monitoring.interval_minutes}"
                    f" outside {lo}..{hi} minutes"
                )
        if self.decryption_rules and self.ssl_decrypt is None:
            p.append("decryption: a forward-trust certificate is required to decrypt")
        if self.ssl_decrypt is not None:
            for label, cert in (
                ("forward-trust", self.ssl_decrypt.forward_trust),
                ("forward-untrust", self.ssl_decrypt.forward_untrust),
            ):
                if cert is not None:
                    _check_name(p, f"{label} certificate", cert, 63)
        _unique(
            p,
            "rule",
            [r.name for r in self.security_rules]
            + [r.name for r in self.nat_rules]
            + [r.name for r in self.decryption_rules],
        )

    def _check_kubernetes(self, p: list[str]) -> None:
        k8s = self.kubernetes
        if k8s is None:
            return
        lo, hi = MONITORING_INTERVAL_RANGE
        if not lo <= k8s.monitoring_interval <= hi:
            p.append(
                f"kubernetes: monitoring interval {k8s.monitoring_interval} outside {lo}..{hi} s"
            )
        if k8s.device_group != self.device_group:
            p.append(
                f"kubernetes: notify device group {k8s.device_group} is not {self.device_group}"
            )
        _check_name(p, "kubernetes notify group", k8s.notify_group)
        _unique(p, "kubernetes cluster", [c.name for c in k8s.clusters])
        for c in k8s.clusters:
            where = f"kubernetes cluster {c.name}"
            if not 1 <= len(c.name) <= MAX_K8S_CLUSTER_NAME or not _K8S_NAME_RE.match(c.name):
                p.append(f"{where}: name must be 1..{MAX_K8S_CLUSTER_NAME} letters, digits, - or _")
            if not _HOST_RE.match(c.api_server):
                p.append(
                    f"{where}: API server {c.api_server!r} is not host, host:port or https URL"
                )
            if c.cluster_type not in xpaths.K8S_CLUSTER_TYPES:
                p.append(
                    f"{where}: type {c.cluster_type!r} not in {sorted(xpaths.K8S_CLUSTER_TYPES)}"
                )
            if not c.credential:
                p.append(f"{where}: credential is required")
            if c.label_filter is not None and c.label_selector is not None:
                p.append(f"{where}: give a label filter or a label selector, not both")


def _interfaces(intent: PanoramaIntent) -> dict[str, str]:
    return {i.name: i.zone for i in intent.interfaces()}


def _check_name(p: list[str], label: str, value: str, limit: int = MAX_NAME) -> None:
    if not value or len(value) > limit or not _NAME_RE.match(value):
        p.append(f"{label} {value!r}: names are 1..{limit} letters, digits, space, . _ -")


def _unique(p: list[str], label: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            p.append(f"{label} {n}: defined twice")
        seen.add(n)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _check_network(p: list[str], where: str, value: str) -> None:
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        p.append(f"{where}: {value!r} is not an IPv4 network")


def _check_interface_ip(p: list[str], where: str, value: str) -> None:
    try:
        ipaddress.IPv4Interface(value)
    except ValueError:
        p.append(f"{where}: {value!r} is not an IPv4 address or address/prefix")


def _addresses(p: list[str], where: str, values: Iterable[str]) -> None:
    for v in values:
        if v == "any" or LATE_BOUND_RE.fullmatch(v):
            continue
        try:
            ipaddress.IPv4Network(v, strict=False)
        except ValueError:
            p.append(f"{where}: address {v!r} is not any, an IPv4 address or CIDR")


def _zone_refs(p: list[str], where: str, names: Iterable[str], zones: dict[str, Zone]) -> None:
    for z in names:
        if z not in zones:
            p.append(f"{where}: unknown zone {z}")


def _iface_refs(
    p: list[str],
    where: str,
    zone: str,
    router: str,
    profile: str | None,
    zones: dict[str, Zone],
    routers: dict[str, Router],
    profiles: set[str],
) -> None:
    if zone not in zones:
        p.append(f"{where}: unknown zone {zone}")
    if router not in routers:
        p.append(f"{where}: unknown router {router}")
    if profile is not None and profile not in profiles:
        p.append(f"{where}: unknown management profile {profile}")


def to_plain(value: Any) -> Any:
    """The intent as JSON-able dicts and lists (for golden files and ``airs plan``)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    return value
