"""Config rules of layered stacks: `airs:securityStack` and what must not come with it."""

from __future__ import annotations

from typing import Any

import pytest

from components.clouds import parse_stack_config
from components.config import ConfigError, StackConfig
from components.layered import layered_problems
from tests.helpers import example_values

Values = dict[str, Any]


def _cluster_stack() -> tuple[Values, set[str]]:
    return example_values("gcp-apps-dev")


def _problems(values: Values, secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def test_example_cluster_stacks_are_valid() -> None:
    for stack in ("gcp-apps-dev", "gcp-ml-dev"):
        values, secret = example_values(stack)
        cfg = parse_stack_config(values, secret)
        assert isinstance(cfg, StackConfig)
        assert cfg.security_stack == "gcp-security-dev"
        assert cfg.security_project is None
        assert not cfg.applications


@pytest.mark.parametrize("reference", ["gcp-security-dev", "acme/airs/gcp-security-dev", "a_b.c"])
def test_stack_names_and_fully_qualified_names_are_accepted(reference: str) -> None:
    values, secret = _cluster_stack()
    values["securityStack"] = reference
    assert parse_stack_config(values, secret).security_stack == reference


@pytest.mark.parametrize("reference", ["acme/gcp-security-dev", "a/b/c/d", "bad name", "x/"])
def test_malformed_reference_names_the_key_value_and_rule(reference: str) -> None:
    values, secret = _cluster_stack()
    values["securityStack"] = reference
    (problem,) = _problems(values, secret)
    assert problem.startswith(f"airs:securityStack: {reference} — must be a stack name")
    assert "<organization>/<project>/<stack>" in problem


def test_security_project_contradicts_security_stack() -> None:
    values, secret = _cluster_stack()
    sec, _ = example_values("gcp-security-dev")
    values["securityProject"] = sec["securityProject"]
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = "MARKER-auth-key"
    problems = _problems(values, secret | {"securityProject"})
    (problem,) = problems
    assert problem.startswith("airs:securityProject: ")
    assert problem.endswith(
        "must not be set with airs:securityStack (gcp-security-dev): that stack owns the "
        "security project"
    )
    # The bootstrap auth key inside is never echoed.
    assert "MARKER" not in problem


def test_applications_belong_to_the_security_stack() -> None:
    values, secret = _cluster_stack()
    values["applications"] = {"app-vpc": {"network": "n", "cidrs": ["10.31.0.0/16"]}}
    (problem,) = _problems(values, secret)
    assert problem.startswith("airs:applications: ")
    assert "must not be set with airs:securityStack (gcp-security-dev)" in problem
    assert "its airs:applications" in problem


def test_a_cluster_stack_needs_clusters() -> None:
    values, secret = _cluster_stack()
    del values["clusters"]
    (problem,) = _problems(values, secret - {"clusters"})
    assert problem == (
        "airs:clusters: <missing> — is required with airs:securityStack (gcp-security-dev): "
        "a cluster stack deploys clusters"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("deviceGroup", "other-dg"),
        ("template", "other-tpl"),
        ("push", False),
        ("natRules", {"outbound": False}),
    ],
)
def test_panorama_settings_of_the_security_stack_are_refused(key: str, value: Any) -> None:
    values, secret = _cluster_stack()
    values["panorama"][key] = value
    (problem,) = _problems(values, secret)
    assert problem.startswith(f"airs:panorama.{key}: ")
    assert "the security stack owns Panorama's template, device group" in problem


def test_cluster_stack_may_set_how_to_reach_panorama() -> None:
    values, secret = _cluster_stack()
    values["panorama"].update(verifyTls=False, caBundle="/etc/ssl/panorama.pem")
    cfg = parse_stack_config(values, secret)
    assert cfg.panorama.verify_tls is False


def _private_cluster_stack() -> tuple[dict[str, Any], set[str]]:
    """rancher-dev as a cluster stack of a private security stack."""
    values, secret = example_values("rancher-dev")
    del values["firewall"], values["applications"]
    values["securityStack"] = "rancher-security"
    return values, secret


def test_private_cloud_cluster_stack() -> None:
    """An on-prem firewall's stack can own Panorama while cluster teams own their clusters."""
    values, secret = _private_cluster_stack()
    cfg = parse_stack_config(values, secret)
    assert (cfg.security_stack, cfg.firewall) == ("rancher-security", None)
    values["firewall"] = {"trustIp": "10.111.255.253"}
    assert _problems(values, secret) == [
        'airs:firewall: {"trustIp":"10.111.255.253"} — must not be set with airs:securityStack '
        "(rancher-security): that stack owns the firewall's configuration"
    ]


def test_private_cloud_without_firewall_suggests_security_stack() -> None:
    values, secret = example_values("rancher-dev")
    del values["firewall"]
    assert _problems(values, secret) == [
        "airs:firewall: <missing> — is required when airs:cloud is private (or set "
        "airs:securityStack to use the firewall of another stack)"
    ]


def test_private_security_stack_must_export_the_firewall_trust_ip() -> None:
    values, secret = _private_cluster_stack()
    cfg = parse_stack_config(values, secret)
    outputs = {
        "cloud": "private",
        "trustCidr": "10.111.255.0/24",
        "trustGatewayIp": "10.111.255.1",
        "panoramaHostname": "203.0.113.10",
        "panoramaTemplate": "airs-rke-sec-tpl",
        "panoramaTemplateStack": "airs-rke-sec-stack",
        "panoramaDeviceGroup": "airs-rke-sec-dg",
        "panoramaNotifyGroup": "airs-rke-sec-notify",
        "panoramaMonitoringInterval": 30,
    }
    (problem,) = layered_problems(cfg, outputs)
    assert "exports no firewallTrustIp" in str(problem)
    assert layered_problems(cfg, {**outputs, "firewallTrustIp": "10.111.255.253"}) == []


def test_missing_security_project_suggests_security_stack() -> None:
    values, secret = example_values("gcp-security-dev")
    del values["securityProject"]
    (problem,) = _problems(values, secret - {"securityProject"})
    assert problem.startswith("airs:securityProject: <missing> — is required when airs:cloud")
    assert "airs:securityStack" in problem


def test_cluster_application_is_not_checked_against_the_own_stack() -> None:
    # The cluster stack has no airs:applications: `application` names one of the security
    # stack's, checked against its outputs (tests/layered/test_outputs.py).
    values, secret = _cluster_stack()
    values["clusters"]["apps"]["application"] = "not-here"
    assert parse_stack_config(values, secret).clusters["apps"].application == "not-here"
