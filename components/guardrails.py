"""Guardrail policies of an AIRS deployment, as pure functions.

The Pulumi policy pack (``policy/__main__.py``, run by ``pulumi preview --policy-pack policy``)
and ``airs plan --policy`` (the offline plan) evaluate these same checks. A resource check sees
one resource the way the engine hands it to a policy: type token, URN, logical name, input
properties under their wire (camelCase) names, and which of those properties are Pulumi
secrets. It returns violation messages. A stack check sees every resource, with the URNs each
one depends on, and returns ``(urn, message)`` pairs.

This module imports nothing from Pulumi: the pack runs it inside the policy analyzer, the CLI
inside the mock engine. Values not known during a preview are :data:`UNKNOWN`; a check skips
what it cannot know (the engine runs resource policies again at ``pulumi up``, when the values
are known), except secrecy, which is known even for unknown values.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from components import network
from components.cluster.chart import RELEASE_NAMESPACE
from components.panorama.intent import LATE_BOUND_RE, credential_key
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

# Physical names the security projects give their rule sets (components/security_project/):
# GCP `<prefix>-allow-<role>-ingress` on VPC `<prefix>-fw-<role>-vpc`, Azure NSG
# `<prefix>-<role>-nsg`, AWS security groups `<component>-mgmt-sg` / `<component>-data-sg`.
_GCP_RULE_NAME = re.compile(r"-allow-(mgmt|untrust|trust)-ingress$")
_GCP_VPC_NAME = re.compile(r"-fw-(mgmt|untrust|trust)-vpc$")
_AZURE_NSG_NAME = re.compile(r"-(mgmt|untrust|trust)-nsg$")
_AWS_MGMT_SG_NAME = re.compile(r"-mgmt-sg$")

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
    """Whether some source range contains the whole of ``target``."""
    wanted = _network(target)
    for source in sources:
        if _is_anywhere(source):
            return True
        net = _network(source)
        if (
            net is not None
            and wanted is not None
            and net.version == wanted.version
            and wanted.subnet_of(net)  # type: ignore[arg-type]
        ):
            return True
    return False


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
    ``-mgmt-sg`` group is mgmt; the group that admits GENEVE from the GWLB guards the
    firewalls' data ENIs, which sit in the trust subnets.
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
        if any(_aws_admits(rule, "udp", network.GENEVE_UDP_PORT) for rule in _aws_ingress(res)):
            return "trust"
    return None


# ------------------------------------------------------------------ per-cloud rule views


def _gcp_allows_ingress(res: PlannedResource) -> bool:
    direction = _get(res.props, "direction")
    allows = _get(res.props, "allows")
    return direction in (None, "INGRESS") and (allows is UNKNOWN or bool(_rules(allows)))


def _azure_inbound_allows(res: PlannedResource) -> list[tuple[str, list[str]]]:
    """``(rule name, sources)`` of every inbound Allow rule of an NSG or a standalone rule."""
    rules = _rules(_get(res.props, "securityRules")) if res.type == AZURE_NSG else [res.props]
    out = []
    for rule in rules:
        access, direction = rule.get("access"), rule.get("direction")
        if not (isinstance(access, str) and access.lower() == "allow"):
            continue
        if not (isinstance(direction, str) and direction.lower() == "inbound"):
            continue
        sources = _strings(rule.get("sourceAddressPrefix")) + _strings(
            rule.get("sourceAddressPrefixes")
        )
        name = rule.get("name") or _get(res.props, "securityRuleName") or res.name
        out.append((str(name), sources))
    return out


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


def _aws_sources(rule: Mapping[str, Any]) -> list[str]:
    return _strings(rule.get("cidrBlocks")) + _strings(rule.get("ipv6CidrBlocks"))


# ------------------------------------------------------------------ 1. management exposure


def check_mgmt_not_open(res: PlannedResource) -> list[str]:
    """Management interfaces must not be reachable from the whole internet."""
    if security_role(res) != "mgmt":
        return []
    fix = "admit only the admin networks (airs:securityProject.mgmtAllowedCidrs)"
    out: list[str] = []
    if res.type == GCP_FIREWALL:
        if not _gcp_allows_ingress(res):
            return []
        for source in _strings(_get(res.props, "sourceRanges")):
            if _is_anywhere(source):
                rule = _get(res.props, "name") or res.name
                out.append(f"management firewall rule {rule} admits {source}; {fix}")
    elif res.type in (AZURE_NSG, AZURE_SECURITY_RULE):
        for rule_name, sources in _azure_inbound_allows(res):
            for source in sources:
                if _is_anywhere(source):
                    out.append(
                        f"management NSG rule {rule_name} allows inbound from {source}; {fix}"
                    )
    elif res.type == AWS_SECURITY_GROUP:
        for rule in _aws_ingress(res):
            for source in _aws_sources(rule):
                if _is_anywhere(source):
                    what = (
                        rule.get("description") or f"{rule.get('protocol')} {rule.get('fromPort')}"
                    )
                    out.append(f"management security group admits {source} ({what}); {fix}")
    return out


# ------------------------------------------------------------------ 2. health checks on trust


def check_trust_admits_health_checks(res: PlannedResource) -> list[str]:
    """The trust side must admit the load balancer health checks, or every firewall is down."""
    if security_role(res) != "trust":
        return []
    if res.type == GCP_FIREWALL:
        # Only the trust rule the program writes; other rules on the trust VPC may be narrower.
        rule = _get(res.props, "name")
        if not (isinstance(rule, str) and _GCP_RULE_NAME.search(rule)):
            return []
        sources = _get(res.props, "sourceRanges")
        if sources is UNKNOWN or not _gcp_allows_ingress(res):
            return []
        missing = [
            r for r in network.GCP_INTERNAL_HEALTH_CHECK_RANGES if not _covers(_strings(sources), r)
        ]
        if missing:
            return [
                f"trust firewall rule {rule} does not admit the load balancer health-check "
                f"range(s) {', '.join(missing)}; the internal load balancer would mark every "
                "firewall unhealthy"
            ]
        return []
    if res.type == AZURE_NSG:
        if _get(res.props, "securityRules") is UNKNOWN:
            return []
        for _, sources in _azure_inbound_allows(res):
            tags = {s.strip().lower() for s in sources}
            if network.AZURE_LOAD_BALANCER_TAG.lower() in tags or _covers(
                sources, network.AZURE_PROBE_CIDR
            ):
                return []
        nsg = _get(res.props, "networkSecurityGroupName") or res.name
        return [
            f"trust NSG {nsg} has no inbound Allow rule for the load balancer probes "
            f"({network.AZURE_LOAD_BALANCER_TAG}, {network.AZURE_PROBE_IP}); the internal load "
            "balancer would mark every firewall unhealthy"
        ]
    if res.type == AWS_SECURITY_GROUP:
        ingress = _aws_ingress(res)
        tcp_sources = [
            s for rule in ingress if _aws_protocol(rule, "tcp") for s in _aws_sources(rule)
        ]
        out = []
        for rule in ingress:
            if not _aws_admits(rule, "udp", network.GENEVE_UDP_PORT):
                continue
            for source in _aws_sources(rule):
                if not _covers(tcp_sources, source):
                    out.append(
                        f"data security group {res.name} admits GENEVE from {source} but no TCP "
                        "health check from it; the Gateway Load Balancer would mark every "
                        "firewall unhealthy"
                    )
        return out
    return []


# ------------------------------------------------------------------ 3. secrets


def sensitive_values(res: PlannedResource) -> Iterator[tuple[PropertyPath, str]]:
    """``(path, what)`` of every input of ``res`` that must be a Pulumi secret."""
    if res.type in GCP_INSTANCE_TYPES:
        metadata = _get(res.props, "metadata")
        if isinstance(metadata, Mapping):
            for key in GCP_SECRET_METADATA_KEYS:
                if key in metadata:
                    yield ("metadata", key), f"firewall bootstrap metadata {key}"
    yield from BOOTSTRAP_PATHS.get(res.type, ())
    if res.type in (PANORAMA_OBJECT, PANORAMA_COMMIT):
        late = _get(res.props, "late")
        if isinstance(late, Mapping):
            for key in late:
                if str(key).startswith(_CREDENTIAL_PREFIX):
                    yield ("late", key), "Panorama Kubernetes plugin credential"
    if "kubeconfig" in res.props:
        yield ("kubeconfig",), "kubeconfig"


def _inline_plugin_credential(res: PlannedResource) -> list[str]:
    """A plugin cluster entry must take its credential late-bound, never inline in the XML."""
    if res.type != PANORAMA_OBJECT or _get(res.props, "kind") != PANORAMA_PLUGIN_CLUSTER_KIND:
        return []
    credential = _get(res.props, "fields", _CREDENTIAL_FIELD)
    if not isinstance(credential, str) or not credential or LATE_BOUND_RE.fullmatch(credential):
        return []
    exposed = [p for p in ("element", "fields") if res.is_secret((p,)) is False]
    if not exposed:
        return []
    return [
        f"the Kubernetes plugin credential of {_get(res.props, 'name')} is written inline in "
        f"{' and '.join(exposed)}, in plaintext; pass it as a late-bound secret value"
    ]


def check_secrets(res: PlannedResource) -> list[str]:
    """Bootstrap values, Panorama credentials and kubeconfigs must be Pulumi secrets."""
    out = []
    for path, what in sensitive_values(res):
        value = _get(res.props, *path)
        if value is None or value == "" or value == {}:
            continue
        secret = res.is_secret(path)
        if secret is None:
            out.append(f"{what} ({_dotted(path)}): {SECRETS_NOT_OBSERVED}")
        elif not secret:
            out.append(
                f"{what} ({_dotted(path)}) is not a Pulumi secret: the state would hold it in "
                "plaintext; take it from secret config (pulumi config set --secret)"
            )
    return out + _inline_plugin_credential(res)


# ------------------------------------------------------------------ 4. Helm release namespace


def check_release_namespace(res: PlannedResource) -> list[str]:
    """pan-cni's release must live in kube-system, where the CNI and plugin secret live."""
    if res.type != HELM_RELEASE:
        return []
    namespace = _get(res.props, "namespace")
    release = _get(res.props, "name") or res.name
    if namespace is UNKNOWN:
        return []
    if not namespace:
        return [
            f"Helm release {release} sets no namespace, so it would land in the provider's "
            f"default namespace; it must be {RELEASE_NAMESPACE}"
        ]
    if namespace != RELEASE_NAMESPACE:
        return [
            f"Helm release {release} installs into namespace {namespace}; pan-cni (a CNI "
            f"DaemonSet with the plugin's service-account secret) must be in {RELEASE_NAMESPACE}"
        ]
    return []


# ------------------------------------------------------------------ 5. unique cluster identity


def cluster_identities(resources: Sequence[PlannedResource]) -> list[tuple[str, Any, str]]:
    """``(what, value, urn)`` for each cluster ID (Helm values) and Panorama plugin name."""
    found: list[tuple[str, Any, str]] = []
    for res in resources:
        if res.type == HELM_RELEASE:
            cluster_id = _as_int(_get(res.props, "values", HELM_CLUSTER_ID_VALUE))
            if cluster_id is not None:
                found.append(("clusterId", cluster_id, res.urn))
        elif res.type == PANORAMA_OBJECT:
            name = _get(res.props, "name")
            if _get(res.props, "kind") == PANORAMA_PLUGIN_CLUSTER_KIND and isinstance(name, str):
                found.append(("panoramaName", name, res.urn))
    return found


def check_cluster_identity(resources: Sequence[PlannedResource]) -> list[tuple[str, str]]:
    """No two clusters may share a cluster ID or a Panorama plugin name."""
    groups: dict[tuple[str, Any], list[str]] = defaultdict(list)
    for what, value, urn in cluster_identities(resources):
        groups[(what, value)].append(urn)
    names = {r.urn: r.name for r in resources}
    out = []
    for (what, value), urns in groups.items():
        if len(urns) < 2:
            continue
        for urn in urns:
            others = ", ".join(names[u] for u in urns if u != urn)
            out.append(
                (
                    urn,
                    f"{what} {value} is also used by {others}; every cluster needs its own "
                    "(Panorama and pan-cni tell clusters apart by it)",
                )
            )
    return out


# ------------------------------------------------------------------ 6. Panorama commit


def check_panorama_committed(resources: Sequence[PlannedResource]) -> list[tuple[str, str]]:
    """Every Panorama object needs a PanoramaCommit that depends on it, or nothing commits it."""
    commits = [r for r in resources if r.type == PANORAMA_COMMIT]
    out = []
    for obj in resources:
        if obj.type != PANORAMA_OBJECT:
            continue
        host = _get(obj.props, "hostname")
        if any(
            obj.urn in commit.dependencies
            and (
                not isinstance(host, str)
                or not isinstance(_get(commit.props, "hostname"), str)
                or _get(commit.props, "hostname") == host
            )
            for commit in commits
        ):
            continue
        out.append(
            (
                obj.urn,
                f"Panorama object {_get(obj.props, 'kind')} {_get(obj.props, 'name')} has no "
                "PanoramaCommit depending on it: it would stay an uncommitted candidate "
                "change, never pushed to the firewalls",
            )
        )
    return out


GUARDRAILS: Final[tuple[Guardrail, ...]] = (
    Guardrail(
        "mgmt-not-open-to-internet",
        "Firewall management (GCP firewall rule, Azure NSG, AWS security group) must not admit "
        "0.0.0.0/0.",
        resource_check=check_mgmt_not_open,
    ),
    Guardrail(
        "trust-admits-health-checks",
        "The trust-side allow rules must admit the load balancer health-check ranges.",
        resource_check=check_trust_admits_health_checks,
    ),
    Guardrail(
        "sensitive-values-are-secret",
        "Firewall bootstrap values, Panorama credentials and kubeconfigs must be Pulumi secrets.",
        resource_check=check_secrets,
        needs_secrets=True,
    ),
    Guardrail(
        "helm-release-in-kube-system",
        f"The pan-cni Helm release must be installed in {RELEASE_NAMESPACE}.",
        resource_check=check_release_namespace,
    ),
    Guardrail(
        "cluster-identity-unique",
        "No two clusters may share a clusterId or a panoramaName.",
        stack_check=check_cluster_identity,
    ),
    Guardrail(
        "panorama-objects-committed",
        "Every Panorama object must have a PanoramaCommit depending on it.",
        stack_check=check_panorama_committed,
    ),
)


def evaluate(resources: Sequence[PlannedResource]) -> list[Violation]:
    """Every violation of every guardrail, in guardrail order then resource order."""
    out: list[Violation] = []
    for guardrail in GUARDRAILS:
        if guardrail.resource_check is not None:
            for res in resources:
                out += [
                    Violation(guardrail.name, res.urn, m) for m in guardrail.resource_check(res)
                ]
        if guardrail.stack_check is not None:
            out += [Violation(guardrail.name, u, m) for u, m in guardrail.stack_check(resources)]
    return out
