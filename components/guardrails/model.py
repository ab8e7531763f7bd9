"""What the guardrails read: the planned resource, violations, and helpers over its inputs.

The resource types, names and properties the checks look at (per cloud: GCP firewall rules,
Azure NSGs, AWS security groups; Helm releases; Panorama objects), as pure functions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from components import network
from components.panorama.intent import credential_key
from components.panorama.xpaths import K8S_CREDENTIAL_PATH

PropertyPath = tuple[str | int, ...]
"""Where a value sits in a resource's inputs: keys and list indexes from the top."""


class _Unknown:
    """A value the engine does not know yet (computed by a resource still to be created)."""

    def __repr__(self) -> str:
        return "[unknown]"


UNKNOWN: Final = _Unknown()

# Type tokens, exactly as the program registers them.
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
AZURE_NSG = "azure-native:network:NetworkSecurityGroup"
AZURE_SECURITY_RULE = "azure-native:network:SecurityRule"
AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
PANORAMA_OBJECT = "pulumi-python:dynamic/panorama:Object"
PANORAMA_COMMIT = "pulumi-python:dynamic/panorama:Commit"

# Physical names the security projects give their rule sets (clouds/<cloud>/security_project.py):
# GCP `<prefix>-allow-<role>-ingress` on VPC `<prefix>-fw-<role>-vpc`, Azure NSG
# `<prefix>-<role>-nsg`, AWS security groups `<component>-mgmt-sg` / `<component>-data-sg`.
_GCP_RULE_NAME = re.compile(r"-allow-(mgmt|untrust|trust)-ingress$")
_GCP_VPC_NAME = re.compile(r"-fw-(mgmt|untrust|trust)-vpc$")
_AZURE_NSG_NAME = re.compile(r"-(mgmt|untrust|trust)-nsg$")
_AWS_MGMT_SG_NAME = re.compile(r"-mgmt-sg$")
_AWS_UNTRUST_SG_NAME = re.compile(r"-untrust-sg$")

# Azure source prefixes that mean "any address".
_AZURE_ANYWHERE: Final[frozenset[str]] = frozenset({"*", "any", "internet"})

# GCP metadata keys of the firewall bootstrap (init-cfg) that carry credentials: the Panorama
# auth key, and for SCM the licence auth codes and the device-certificate registration PIN.
GCP_SECRET_METADATA_KEYS: Final[tuple[str, ...]] = (
    "vm-auth-key",
    "authcodes",
    "vm-series-auto-registration-pin-id",
    "vm-series-auto-registration-pin-value",
)
GCP_INSTANCE_TYPES: Final[frozenset[str]] = frozenset(
    {
        "gcp:compute/instanceTemplate:InstanceTemplate",
        "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
        "gcp:compute/instance:Instance",
    }
)
# Where Azure and AWS carry the firewall bootstrap string (it holds the auth key).
BOOTSTRAP_PATHS: Final[dict[str, tuple[tuple[PropertyPath, str], ...]]] = {
    "azure-native:compute:VirtualMachine": (
        (("osProfile", "customData"), "firewall bootstrap custom data"),
        (("userData",), "firewall bootstrap user data"),
    ),
    "azure-native:compute:VirtualMachineScaleSet": (
        (("virtualMachineProfile", "osProfile", "customData"), "firewall bootstrap custom data"),
        (("virtualMachineProfile", "userData"), "firewall bootstrap user data"),
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": ((("userData",), "firewall bootstrap user data"),),
    "aws:ec2/instance:Instance": (
        (("userData",), "firewall bootstrap user data"),
        (("userDataBase64",), "firewall bootstrap user data"),
    ),
}
# Late-bound keys that hold a Kubernetes plugin credential (``credential/<cluster>``).
_CREDENTIAL_PREFIX: Final[str] = credential_key("")
# The plugin credential's leaf in a ``k8s-cluster`` object's flattened fields.
_CREDENTIAL_FIELD: Final[str] = "/".join(K8S_CREDENTIAL_PATH)
PANORAMA_PLUGIN_CLUSTER_KIND = "k8s-cluster"
# The chart value holding a cluster's ID (components/cluster/chart.py, helm/values.yaml).
HELM_CLUSTER_ID_VALUE = "clusterid"

SECRETS_NOT_OBSERVED = (
    "could not see whether it is a secret; the pack learns which inputs are secret only "
    "while this policy runs at enforcement level 'remediate' (see policy/README.md)"
)


@dataclass(frozen=True)
class PlannedResource:
    """One resource as a policy sees it."""

    urn: str
    type: str
    name: str
    """Logical (Pulumi) name, the last part of the URN."""
    props: Mapping[str, Any]
    """Input properties, wire (camelCase) names, secrets unwrapped, unknowns :data:`UNKNOWN`."""
    secret_paths: frozenset[PropertyPath] | None = frozenset()
    """Paths of the inputs that are secrets; ``None`` when secrecy could not be observed."""
    dependencies: frozenset[str] = frozenset()
    """URNs of the resources this one depends on (``depends_on`` and property inputs)."""

    def is_secret(self, path: PropertyPath) -> bool | None:
        """Whether the value at ``path`` is a secret (it, or a value holding it, is marked)."""
        if self.secret_paths is None:
            return None
        return any(path[:i] in self.secret_paths for i in range(1, len(path) + 1))


@dataclass(frozen=True)
class Violation:
    """One mandatory policy that fired on one resource."""

    policy: str
    urn: str
    message: str


ResourceCheck = Callable[[PlannedResource], list[str]]
StackCheck = Callable[[Sequence[PlannedResource]], list[tuple[str, str]]]


@dataclass(frozen=True)
class Guardrail:
    """A mandatory policy: a resource check or a stack check, and what it protects."""

    name: str
    description: str
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    needs_secrets: bool = False
    """The check reads :meth:`PlannedResource.is_secret`."""


# ------------------------------------------------------------------ value helpers


def _get(value: Any, *path: str | int) -> Any:
    """The value at ``path`` (``None`` if absent, :data:`UNKNOWN` if a step is unknown)."""
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list | tuple) and isinstance(key, int):
            value = value[key] if 0 <= key < len(value) else None
        else:
            return None
    return value


def _strings(value: Any) -> list[str]:
    """A property that is a string or a list of strings, as a list (unknowns dropped)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _rules(value: Any) -> list[Mapping[str, Any]]:
    """A list of rule objects (unknown entries dropped)."""
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _is_anywhere(source: str) -> bool:
    """Whether a source admits every address (``0.0.0.0/0``, ``::/0``, Azure ``*``/Internet)."""
    if source.strip().lower() in _AZURE_ANYWHERE:
        return True
    net = _network(source)
    return net is not None and net.prefixlen == 0


def _covers(sources: Sequence[str], target: str) -> bool:
    """Whether the union of the source ranges contains the whole of ``target``.

    Ranges are judged together: ``35.191.0.0/17`` and ``35.191.128.0/17`` cover
    ``35.191.0.0/16``; a ``/24`` inside it does not.
    """
    wanted = _network(target)
    if wanted is None:
        return False
    if any(_is_anywhere(source) for source in sources):
        return True
    left: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = [wanted]
    for source in sources:
        net = _network(source)
        if net is None or net.version != wanted.version:
            continue
        left = network.subtract(left, net)
    return not left


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _dotted(path: PropertyPath) -> str:
    return ".".join(str(p) for p in path)


def _last_segment(value: Any) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1] if isinstance(value, str) else ""


def security_role(res: PlannedResource) -> str | None:
    """Which network of the security project a rule set guards: mgmt, untrust or trust.

    GCP: by the rule's name, else its VPC's name. Azure: by the NSG's name. AWS: the
    ``-mgmt-sg`` group is mgmt, ``-untrust-sg`` (overlay routing's egress ENIs) untrust; the
    group that admits GENEVE from the GWLB guards the firewalls' data ENIs, which sit in the
    trust subnets.
    """
    if res.type == GCP_FIREWALL:
        for text, pattern in (
            (_get(res.props, "name"), _GCP_RULE_NAME),
            (_last_segment(_get(res.props, "network")), _GCP_VPC_NAME),
        ):
            found = pattern.search(text) if isinstance(text, str) else None
            if found:
                return found.group(1)
        return None
    if res.type in (AZURE_NSG, AZURE_SECURITY_RULE):
        name = _get(res.props, "networkSecurityGroupName")
        texts = [name] if isinstance(name, str) else []
        if res.type == AZURE_NSG:
            texts.append(res.name)
        for text in texts:
            found = _AZURE_NSG_NAME.search(text)
            if found:
                return found.group(1)
        return None
    if res.type == AWS_SECURITY_GROUP:
        if _AWS_MGMT_SG_NAME.search(res.name):
            return "mgmt"
        if _AWS_UNTRUST_SG_NAME.search(res.name):
            return "untrust"
        if any(_aws_admits(rule, "udp", network.GENEVE_UDP_PORT) for rule in _aws_ingress(res)):
            return "trust"
    return None


# ------------------------------------------------------------------ per-cloud rule views


def _gcp_allows_ingress(res: PlannedResource) -> bool:
    direction = _get(res.props, "direction")
    allows = _get(res.props, "allows")
    return direction in (None, "INGRESS") and (allows is UNKNOWN or bool(_rules(allows)))


def _azure_inbound_allow_rules(res: PlannedResource) -> list[Mapping[str, Any]]:
    """Every inbound Allow rule of an NSG (its inline rules) or a standalone rule."""
    rules = _rules(_get(res.props, "securityRules")) if res.type == AZURE_NSG else [res.props]
    out = []
    for rule in rules:
        access, direction = rule.get("access"), rule.get("direction")
        if not (isinstance(access, str) and access.lower() == "allow"):
            continue
        if not (isinstance(direction, str) and direction.lower() == "inbound"):
            continue
        out.append(rule)
    return out


def _azure_rule_name(res: PlannedResource, rule: Mapping[str, Any]) -> str:
    return str(rule.get("name") or _get(res.props, "securityRuleName") or res.name)


def _azure_sources(rule: Mapping[str, Any]) -> list[str]:
    return _strings(rule.get("sourceAddressPrefix")) + _strings(rule.get("sourceAddressPrefixes"))


def _azure_inbound_allows(res: PlannedResource) -> list[tuple[str, list[str]]]:
    """``(rule name, sources)`` of every inbound Allow rule of an NSG or a standalone rule."""
    return [
        (_azure_rule_name(res, rule), _azure_sources(rule))
        for rule in _azure_inbound_allow_rules(res)
    ]


def _azure_every_port(rule: Mapping[str, Any]) -> bool:
    """Whether an Azure rule admits every destination port."""
    ports = _strings(rule.get("destinationPortRange")) + _strings(rule.get("destinationPortRanges"))
    return not ports or any(p.strip() in ("*", "0-65535") for p in ports)


# GCP protocols with ports: an allow of one of these with no port list admits every port.
_PORTED_PROTOCOLS: Final[frozenset[str]] = frozenset({"tcp", "udp", "sctp", "6", "17", "132"})


def _gcp_every_port(res: PlannedResource) -> bool:
    """Whether a GCP rule allows some protocol on every port (``all``, or no port list)."""
    for allow in _rules(_get(res.props, "allows")):
        protocol = str(allow.get("protocol", "")).lower()
        if protocol == "all" or (
            protocol in _PORTED_PROTOCOLS and not _strings(allow.get("ports"))
        ):
            return True
    return False


def _aws_ingress(res: PlannedResource) -> list[Mapping[str, Any]]:
    return _rules(_get(res.props, "ingress"))


_AWS_PROTOCOL_NUMBERS: Final[dict[str, str]] = {"tcp": "6", "udp": "17"}


def _aws_protocol(rule: Mapping[str, Any], protocol: str) -> bool:
    value = str(rule.get("protocol", "")).lower()
    return value in ("-1", "all", protocol, _AWS_PROTOCOL_NUMBERS[protocol])


def _aws_admits(rule: Mapping[str, Any], protocol: str, port: int) -> bool:
    """Whether an ingress rule admits ``protocol`` on ``port``."""
    if not _aws_protocol(rule, protocol):
        return False
    if str(rule.get("protocol", "")).lower() in ("-1", "all"):
        return True
    low, high = _as_int(rule.get("fromPort")), _as_int(rule.get("toPort"))
    return low is not None and high is not None and low <= port <= high


def _aws_every_port(rule: Mapping[str, Any]) -> bool:
    """Whether an ingress rule admits every port (all protocols, or a whole port range)."""
    if str(rule.get("protocol", "")).lower() in ("-1", "all"):
        return True
    low, high = _as_int(rule.get("fromPort")), _as_int(rule.get("toPort"))
    return low is not None and high is not None and low <= 1 and high >= 65535


def _aws_sources(rule: Mapping[str, Any]) -> list[str]:
    return _strings(rule.get("cidrBlocks")) + _strings(rule.get("ipv6CidrBlocks"))
