"""Every validation rule of the airs:* contract, one mutation at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from components.clouds import parse_stack_config
from components.config import ConfigError, StackConfig
from tests.helpers import EXAMPLE_STACKS, example_values

Values = dict[str, Any]


def _problems(values: Values, secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def _parse(values: Values, secret: set[str]) -> StackConfig:
    return parse_stack_config(values, secret)


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_is_valid(stack: str) -> None:
    values, secret = example_values(stack)
    cfg = parse_stack_config(values, secret)
    assert isinstance(cfg, StackConfig)
    assert cfg.name == values["name"]


def _set(path: str, value: Any) -> Callable[[Values], None]:
    def mutate(values: Values) -> None:
        keys = path.split(".")
        cur: Any = values
        for key in keys[:-1]:
            cur = cur[int(key)] if isinstance(cur, list) else cur[key]
        if value is _DELETE:
            del cur[keys[-1]]
        elif isinstance(cur, list):
            cur[int(keys[-1])] = value
        else:
            cur[keys[-1]] = value

    return mutate


_DELETE = object()

# (stack, mutation, expected error line prefix, rule fragment)
CASES: list[tuple[str, Callable[[Values], None], str, str]] = [
    (
        "gcp-dev",
        _set("name", "Airs_GCP"),
        "airs:name: Airs_GCP",
        "lowercase letters, digits and hyphens",
    ),
    ("gcp-dev", _set("name", "a" * 20), "airs:name: " + "a" * 20, "1–19 characters"),
    ("gcp-dev", _set("cloud", "gpc"), "airs:cloud: gpc", "must be one of gcp, azure, aws, private"),
    (
        "gcp-dev",
        _set("securityProject.cidrs.trust", "10.10.2.5/24"),
        "airs:securityProject.cidrs.trust: 10.10.2.5/24",
        "no host bits",
    ),
    (
        "gcp-dev",
        _set("securityProject.cidrs.trust", "10.10.1.0/24"),
        "airs:securityProject.cidrs.trust: 10.10.1.0/24",
        "overlaps airs:securityProject.cidrs.untrust",
    ),
    (
        "gcp-dev",
        _set("applications.app-vpc.cidrs", ["10.10.0.0/16"]),
        "airs:applications.app-vpc.cidrs[0]: 10.10.0.0/16",
        "overlaps airs:securityProject.cidrs.mgmt",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.podCidr", "10.20.0.0/14"),
        "airs:clusters.apps.podCidr: 10.20.0.0/14",
        "overlaps airs:applications.app-vpc.cidrs[0]",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.serviceCidr", "10.40.0.0/20"),
        "airs:clusters.apps.serviceCidr: 10.40.0.0/20",
        "overlaps airs:clusters.apps.podCidr",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.clusterId", 0),
        "airs:clusters.apps.clusterId: 0",
        "between 1 and 2048",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.clusterId", 2049),
        "airs:clusters.apps.clusterId: 2049",
        "between 1 and 2048",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.panoramaName", "a-cluster-name-too-long"),
        "airs:clusters.apps.panoramaName: a-cluster-name-too-long",
        "at most 20 characters",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.monitoringInterval", 29),
        "airs:clusters.apps.monitoringInterval: 29",
        "between 30 and 300",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.monitoringInterval", 301),
        "airs:clusters.apps.monitoringInterval: 301",
        "between 30 and 300",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.autopilot", True),
        "airs:clusters.apps.autopilot: true",
        "Helm cannot write to kube-system",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.type", "EKS"),
        "airs:clusters.apps.type: EKS",
        "supports cluster types GKE",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.protect", {"ai-apps": "steer"}),
        "airs:clusters.apps.protect.ai-apps: steer",
        "must be one of 'vpc' or 'namespace'",
    ),
    (
        "gcp-dev",
        _set("clusters.apps.clusterid", 3),
        "airs:clusters.apps.clusterid: [not shown]",
        "unknown key (did you mean `clusterId`?)",
    ),
    (
        "gcp-dev",
        _set("securityProject", None),
        "airs:securityProject: <missing>",
        "is required when airs:cloud is gcp",
    ),
    (
        "gcp-dev",
        _set("securityProject.zones", ["us-west1-a"]),
        "airs:securityProject.zones[0]: us-west1-a",
        "is not a zone of region us-east1",
    ),
    (
        "gcp-dev",
        _set("securityProject.firewall.minReplicas", 3),
        "airs:securityProject.firewall.minReplicas: 3",
        "must not exceed",
    ),
    (
        "gcp-dev",
        _set("securityProject.firewall.image", "vmseries-flex-byol-1110"),
        "airs:securityProject.firewall.image: vmseries-flex-byol-1110",
        "is not an AIRS image",
    ),
    (
        "gcp-dev",
        _set("securityProject.ilbIp", "10.10.3.9"),
        "airs:securityProject.ilbIp: 10.10.3.9",
        "must lie inside the trust subnet 10.10.2.0/24",
    ),
    (
        "gcp-dev",
        _set("securityProject.healthCheckPort", "https"),
        "airs:securityProject.healthCheckPort: https",
        "must be an integer",
    ),
    ("gcp-dev", _set("panorama", None), "airs:panorama: <missing>", "is required"),
    (
        "openshift-dev",
        _set("firewall.trustIp", "10.101.254.9"),
        "airs:firewall.trustIp: 10.101.254.9",
        "must lie inside airs:firewall.trustCidr 10.101.255.0/24",
    ),
    (
        "openshift-dev",
        _set("firewall", None),
        "airs:firewall: <missing>",
        "is required when airs:cloud is private",
    ),
    (
        "openshift-dev",
        _set("clusters.apps.type", "GKE"),
        "airs:clusters.apps.type: GKE",
        "supports cluster types OpenShift, Rancher, Native",
    ),
    (
        "azure-dev",
        _set("clusters.apps.networkPlugin", "kubenet"),
        "airs:clusters.apps.networkPlugin: kubenet",
        "Azure CNI",
    ),
    (
        "azure-dev",
        _set("clusters.apps.byoVnet", False),
        "airs:clusters.apps.byoVnet: false",
        "bring your own virtual network",
    ),
    (
        "azure-dev",
        _set("securityProject.zones", ["1", "4"]),
        "airs:securityProject.zones[1]: 4",
        "must be one of '1', '2' or '3'",
    ),
    (
        "aws-dev",
        _set("securityProject.zones", ["us-east-1a", "us-east-1a"]),
        "airs:securityProject.zones[1]: us-east-1a",
        "is given twice",
    ),
    (
        "aws-dev",
        _set("clusters.apps.zones", ["us-east-1a", "us-east-1c"]),
        "airs:clusters.apps.zones[1]: us-east-1c",
        "has no GWLB endpoint",
    ),
    (
        "aws-prod",
        _set("clusters.apps.protect", {"ai-apps": "namespace"}),
        "airs:clusters.apps.protect:",
        "one GWLB endpoint cannot serve both",
    ),
    (
        "openshift-prod",
        _set("firewall.haPeerTrustIp", "10.201.255.252"),
        "airs:firewall.haPeerTrustIp: 10.201.255.252",
        "active/active pairs are not built yet",
    ),
    (
        "azure-prod",
        _set("securityProject.firewall.maxReplicas", 6),
        "airs:securityProject.firewall.maxReplicas: 6",
        "must equal airs:securityProject.firewall.minReplicas (2) on Azure",
    ),
]


@pytest.mark.parametrize(("stack", "mutate", "prefix", "rule"), CASES, ids=[c[2] for c in CASES])
def test_rule(stack: str, mutate: Callable[[Values], None], prefix: str, rule: str) -> None:
    values, secret = example_values(stack)
    values = copy.deepcopy(values)
    mutate(values)
    lines = _problems(values, secret)
    matching = [line for line in lines if line.startswith(prefix)]
    assert matching, f"no line starts with {prefix!r}: {lines}"
    assert any(rule in line for line in matching), f"{rule!r} not in {matching}"


def test_error_line_format() -> None:
    values, secret = example_values("gcp-dev")
    values["clusters"]["apps"]["clusterId"] = 0
    (line,) = _problems(values, secret)
    assert line == "airs:clusters.apps.clusterId: 0 — must be between 1 and 2048"


def test_five_mistakes_five_lines() -> None:
    values, secret = example_values("gcp-dev")
    values["name"] = "Bad Name"
    values["clusters"]["apps"]["clusterId"] = 5000
    values["clusters"]["apps"]["monitoringInterval"] = 10
    values["securityProject"]["cidrs"]["mgmt"] = "10.10.0.0/33"
    values["securityProject"]["firewall"]["maxReplicas"] = "many"
    lines = _problems(values, secret)
    keys = {line.split(":", 2)[1].split(" ")[0] for line in lines}
    assert len(lines) == 5, lines
    assert keys == {
        "name",
        "clusters.apps.clusterId",
        "clusters.apps.monitoringInterval",
        "securityProject.cidrs.mgmt",
        "securityProject.firewall.maxReplicas",
    }


def test_cluster_ids_and_panorama_names_unique() -> None:
    values, secret = example_values("gcp-prod")
    values["clusters"]["ml"]["clusterId"] = 11
    values["clusters"]["ml"]["panoramaName"] = "gke-prod"
    lines = _problems(values, secret)
    assert any(line.startswith("airs:clusters.ml.clusterId: 11 — must be unique") for line in lines)
    assert any(
        line.startswith("airs:clusters.ml.panoramaName: gke-prod — must be unique")
        for line in lines
    )


def test_public_cloud_refuses_private_firewall_and_vice_versa() -> None:
    values, secret = example_values("gcp-dev")
    values["firewall"] = {
        "trustIp": "10.0.0.5",
        "trustCidr": "10.0.0.0/24",
        "trustGatewayIp": "10.0.0.1",
    }
    assert any(
        line.startswith("airs:firewall:") and "only for airs:cloud private" in line
        for line in _problems(values, secret)
    )
    values, secret = example_values("openshift-dev")
    gcp, _ = example_values("gcp-dev")
    values["securityProject"] = gcp["securityProject"]
    lines = _problems(values, secret)
    assert any(
        line.startswith("airs:securityProject:") and "only for airs:cloud gcp, azure or aws" in line
        for line in lines
    )
    assert all("example:" not in line for line in lines)


def test_secrets_must_be_secret_and_never_echoed() -> None:
    values, secret = example_values("gcp-dev")
    values["panoramaApiKey"] = "plaintext-key-MARKER"
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = "auth-MARKER"
    lines = _problems(values, secret - {"panoramaApiKey", "securityProject"})
    text = "\n".join(lines)
    assert "MARKER" not in text
    assert "airs:panoramaApiKey: plaintext — must be a secret" in text
    assert "airs:securityProject.firewall.bootstrap.authKey: plaintext — must be a secret" in text


def test_secret_field_type_error_is_masked() -> None:
    values, secret = example_values("gcp-dev")
    values["clusters"]["apps"]["kubeconfig"] = ["not", "a", "string"]
    lines = _problems(values, secret)
    assert any(line.startswith("airs:clusters.apps.kubeconfig: [secret]") for line in lines), lines


def test_panorama_credential_required() -> None:
    values, secret = example_values("gcp-dev")
    del values["panoramaApiKey"]
    lines = _problems(values, secret)
    assert any(
        line.startswith("airs:panoramaApiKey: <missing> — Panorama needs a credential")
        for line in lines
    )


def test_unknown_top_level_key_suggests() -> None:
    values, secret = example_values("gcp-dev")
    values["cluster"] = values.pop("clusters")
    lines = _problems(values, secret)
    assert any("airs:cluster:" in line and "did you mean `airs:clusters`" in line for line in lines)


def test_secrets_are_secretstr() -> None:
    values, secret = example_values("gcp-dev")
    values["panoramaApiKey"] = "MARKER-api"
    values["clusters"]["apps"]["kubeconfig"] = "MARKER-kube"
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = "MARKER-auth"
    cfg = parse_stack_config(values, secret)
    assert cfg.panorama_api_key is not None
    assert cfg.panorama_api_key.get_secret_value() == "MARKER-api"
    for text in (repr(cfg), str(cfg), repr(cfg.clusters["apps"]), repr(cfg.security_project)):
        assert "MARKER" not in text


def test_derived_panorama_names() -> None:
    values, secret = example_values("rancher-dev")
    cfg = parse_stack_config(values, secret)
    assert (cfg.template, cfg.template_stack, cfg.device_group) == (
        "airs-rke-dev-tpl",
        "airs-rke-dev-stack",
        "airs-rke-dev-dg",
    )


def test_decryption_needs_certificate() -> None:
    values, secret = example_values("gcp-dev")
    values["panorama"]["decryption"] = {"enabled": True}
    lines = _problems(values, secret)
    assert any(
        line.startswith(
            "airs:panorama.decryption.certificate: <missing> — is required when decryption"
        )
        for line in lines
    )


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev", "aws-dev"])
def test_mgmt_never_open_to_the_internet(stack: str) -> None:
    values, secret = example_values(stack)
    values["securityProject"]["mgmtAllowedCidrs"] = ["198.51.100.0/24", "0.0.0.0/0"]
    lines = _problems(values, secret)
    assert (
        "airs:securityProject.mgmtAllowedCidrs[1]: 0.0.0.0/0 — must not open the firewalls' management to the whole internet"
        in lines
    )


def test_health_check_port_must_be_https() -> None:
    values, secret = example_values("gcp-dev")
    values["securityProject"]["healthCheckPort"] = 8443
    lines = _problems(values, secret)
    assert any(
        line.startswith("airs:securityProject.healthCheckPort: 8443 — must be 443, 80 or 22")
        for line in lines
    )


def test_map_keys_are_resource_name_safe() -> None:
    values, secret = example_values("gcp-dev")
    values["applications"]["App_VPC"] = values["applications"].pop("app-vpc")
    values["clusters"]["apps"]["application"] = "App_VPC"
    lines = _problems(values, secret)
    assert any(
        line.startswith("airs:applications.App_VPC: App_VPC — names must be") for line in lines
    )


def test_panorama_admin_required_for_partial_commits() -> None:
    values, secret = example_values("rancher-dev")
    del values["panorama"]["username"]
    lines = _problems(values, secret)
    assert any(
        line.startswith(
            "airs:panorama.username: <missing> — is required: the admin whose changes are committed"
        )
        for line in lines
    )


def test_monitoring_interval_is_one_per_stack_and_inherited() -> None:
    from components.config import monitoring_interval

    values, secret = example_values("gcp-prod")
    values = copy.deepcopy(values)
    clusters = values["clusters"]
    for cluster in clusters.values():
        cluster.pop("monitoringInterval", None)
    first = next(iter(clusters))
    # No interval anywhere: Panorama's default.
    assert monitoring_interval(_parse(values, secret)) == 30
    # One cluster sets it: the others inherit it, no problem reported.
    clusters[first]["monitoringInterval"] = 90
    assert monitoring_interval(_parse(values, secret)) == 90
    # The stack-wide key wins, and a cluster that says otherwise is refused by name.
    values["panorama"]["monitoringInterval"] = 120
    lines = _problems(values, secret)
    assert lines == [
        f"airs:clusters.{first}.monitoringInterval: 90 — must equal "
        "airs:panorama.monitoringInterval (120) (Panorama's Kubernetes plugin has one interval)"
    ]
    del clusters[first]["monitoringInterval"]
    assert monitoring_interval(_parse(values, secret)) == 120
    values["panorama"]["monitoringInterval"] = 301
    assert _problems(values, secret) == [
        "airs:panorama.monitoringInterval: 301 — must be between 30 and 300"
    ]


def test_panorama_api_port() -> None:
    """The XML API's port: 443 leaves the address alone; another port is added; 0 is refused."""
    values, secret = example_values("openshift-dev")
    assert _parse(values, secret).panorama.api_address == "203.0.113.10"
    values["panorama"]["apiPort"] = 8443
    assert _parse(values, secret).panorama.api_address == "203.0.113.10:8443"
    values["panorama"]["apiPort"] = 0
    assert _problems(values, secret) == ["airs:panorama.apiPort: 0 — must be between 1 and 65535"]


def test_an_unquoted_serial_is_refused_with_the_reason() -> None:
    """YAML turns ``serials: [007951000123456]`` into a number without its leading zeros."""
    values, secret = example_values("openshift-dev")
    values["firewall"]["serials"] = [7951000123456]
    with pytest.raises(ConfigError) as err:
        parse_stack_config(values, secret)
    (problem,) = err.value.problems
    assert problem.key == "firewall.serials[0]"
    assert problem.value == "7951000123456"
    assert problem.rule.startswith('must be quoted ("007951…")')
