"""The guardrail checks: management exposure, health checks, secrets, release namespace,
cluster identity and the Panorama commit, and the pack that lists them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from components import network
from components.cluster.chart import RELEASE_NAMESPACE
from components.guardrails.model import (
    _CREDENTIAL_FIELD,
    _CREDENTIAL_PREFIX,
    _GCP_RULE_NAME,
    AWS_SECURITY_GROUP,
    AZURE_NSG,
    AZURE_SECURITY_RULE,
    BOOTSTRAP_PATHS,
    GCP_FIREWALL,
    GCP_INSTANCE_TYPES,
    GCP_SECRET_METADATA_KEYS,
    HELM_CLUSTER_ID_VALUE,
    HELM_RELEASE,
    PANORAMA_COMMIT,
    PANORAMA_OBJECT,
    PANORAMA_PLUGIN_CLUSTER_KIND,
    SECRETS_NOT_OBSERVED,
    UNKNOWN,
    Guardrail,
    PlannedResource,
    PropertyPath,
    Violation,
    _as_int,
    _aws_admits,
    _aws_every_port,
    _aws_ingress,
    _aws_protocol,
    _aws_sources,
    _azure_every_port,
    _azure_inbound_allow_rules,
    _azure_inbound_allows,
    _azure_rule_name,
    _azure_sources,
    _covers,
    _dotted,
    _gcp_allows_ingress,
    _gcp_every_port,
    _get,
    _is_anywhere,
    _strings,
    security_role,
)
from components.panorama.intent import LATE_BOUND_RE

# ------------------------------------------------------------------ 1. management exposure


def _open_to_internet(what: str, rules: list[tuple[str, list[str]]], scope: str = "") -> list[str]:
    """How the rules (``(name, sources)``, each a ``what``, admitting ``scope``) open to the
    internet: each source that is "anywhere" on its own, named with its rule; else all
    sources together, when their union holds too many public addresses. Empty when neither."""
    anywhere = [
        f"{what} {rule} admits {source}{scope}"
        for rule, sources in rules
        for source in sources
        if _is_anywhere(source)
    ]
    if anywhere:
        return anywhere
    every = [source for _, sources in rules for source in sources]
    why = network.too_public(every)
    if why is None:
        return []
    names = list(dict.fromkeys(rule for rule, _ in rules))
    named = f"{what} {names[0]} admits" if len(names) == 1 else f"{what}s {', '.join(names)} admit"
    return [f"{named} {', '.join(every)}{scope}: together {why}"]


def _aws_label(rule: Mapping[str, Any]) -> str:
    return str(rule.get("description") or f"{rule.get('protocol')} {rule.get('fromPort')}")


def check_mgmt_not_open(res: PlannedResource) -> list[str]:
    """Management interfaces must not be reachable from the internet, whole or in pieces."""
    if security_role(res) != "mgmt":
        return []
    fix = "admit only the admin networks (airs:securityProject.mgmtAllowedCidrs)"
    found: list[str] = []
    if res.type == GCP_FIREWALL:
        if not _gcp_allows_ingress(res):
            return []
        name = str(_get(res.props, "name") or res.name)
        sources = _strings(_get(res.props, "sourceRanges"))
        found = _open_to_internet("management firewall rule", [(name, sources)])
    elif res.type in (AZURE_NSG, AZURE_SECURITY_RULE):
        found = _open_to_internet("management NSG rule", _azure_inbound_allows(res))
    elif res.type == AWS_SECURITY_GROUP:
        rules = [(_aws_label(r), _aws_sources(r)) for r in _aws_ingress(res)]
        found = _open_to_internet("management security group rule", rules)
    return [f"{what}; {fix}" for what in found]


# ------------------------------------------------------------------ 1b. untrust (pack only)

EVERY_PORT = " on every port"


def check_untrust_not_open(res: PlannedResource) -> list[str]:
    """An untrust-side rule that admits every port must not admit the internet.

    The stack config accepts any ``airs:securityProject.untrustAllowedCidrs`` (the clients
    the firewalls serve on GCP); this organisation-level rule refuses a rule that admits the
    internet on every port, which exposes every service of the firewalls' public untrust
    interfaces (AWS: the untrust ENIs, which need no inbound rule at all). Rules limited to
    ports (Azure's published web ports) are not its concern.
    """
    if security_role(res) != "untrust":
        return []
    fix = (
        "admit only the client networks that need the firewalls "
        "(airs:securityProject.untrustAllowedCidrs)"
    )
    found: list[str] = []
    if res.type == GCP_FIREWALL:
        if not _gcp_allows_ingress(res) or not _gcp_every_port(res):
            return []
        name = str(_get(res.props, "name") or res.name)
        sources = _strings(_get(res.props, "sourceRanges"))
        found = _open_to_internet("untrust firewall rule", [(name, sources)], EVERY_PORT)
    elif res.type in (AZURE_NSG, AZURE_SECURITY_RULE):
        rules = [
            (_azure_rule_name(res, r), _azure_sources(r))
            for r in _azure_inbound_allow_rules(res)
            if _azure_every_port(r)
        ]
        found = _open_to_internet("untrust NSG rule", rules, EVERY_PORT)
    elif res.type == AWS_SECURITY_GROUP:
        opened = [(_aws_label(r), _aws_sources(r)) for r in _aws_ingress(res) if _aws_every_port(r)]
        found = _open_to_internet("untrust security group rule", opened, EVERY_PORT)
        # AWS has no such key: the program gives the untrust ENIs no inbound rule at all.
        fix = "remove it: replies to the firewalls' outbound sessions need no inbound rule"
    return [f"{what}; {fix}" for what in found]


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
        f"the internet: no 0.0.0.0/0, and its sources together no wider than a "
        f"/{network.WIDEST_PUBLIC_PREFIX} of public addresses.",
        resource_check=check_mgmt_not_open,
    ),
    Guardrail(
        "untrust-not-open-to-internet",
        "An untrust-side allow rule that admits every port (GCP firewall rule, Azure NSG, AWS "
        "security group) must "
        "not admit the internet (its sources together no wider than a "
        f"/{network.WIDEST_PUBLIC_PREFIX} of public addresses). Enforced by the pack only.",
        resource_check=check_untrust_not_open,
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
