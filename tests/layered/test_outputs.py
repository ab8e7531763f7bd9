"""A cluster stack checked against its security stack's outputs (`layered_problems`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from components.cli.engine import outputs_of_run
from components.clouds import parse_stack_config
from components.config import StackConfig
from components.layered import SECURITY_STACK_OUTPUTS, layered_problems, refers_to
from tests.helpers import example_values, plan_example

Outputs = dict[str, Any]


@pytest.fixture(scope="module")
def security() -> Outputs:
    """The outputs of the example security stack's offline plan."""
    return dict(outputs_of_run(plan_example("gcp-security-dev")).values)


def _cfg(
    stack: str = "gcp-apps-dev", change: Callable[[dict[str, Any]], None] | None = None
) -> StackConfig:
    values, secret = example_values(stack)
    if change is not None:
        change(values)
    return parse_stack_config(values, secret)


def _problems(
    outputs: Outputs, cfg: StackConfig | None = None, secret: frozenset[str] = frozenset()
) -> list[str]:
    return [str(p) for p in layered_problems(cfg or _cfg(), outputs, secret)]


def test_security_stack_exports_every_stable_name(security: Outputs) -> None:
    # Every name but the private cloud's endpoint, which only an on-prem firewall has.
    assert set(SECURITY_STACK_OUTPUTS) - {"firewallTrustIp"} <= set(security)
    assert security["cloud"] == "gcp"
    assert security["panoramaDeviceGroup"] == "airs-gcp-sec-dev-dg"
    assert security["panoramaNotifyGroup"] == "airs-gcp-sec-dev-notify"
    assert security["panoramaMonitoringInterval"] == 30
    assert security["applications"]["ml-vpc"]["cidrs"] == [
        "10.41.0.0/16",
        "10.48.0.0/14",
        "10.52.0.0/20",
    ]
    assert "securityStack" not in security


def test_private_stack_exports_its_firewall_as_the_endpoint() -> None:
    values = outputs_of_run(plan_example("rancher-dev")).values
    assert set(SECURITY_STACK_OUTPUTS) - {"loadBalancerIp", "applications"} <= set(values)
    assert values["firewallTrustIp"] == "10.111.255.253"


def test_both_example_cluster_stacks_agree_with_it(security: Outputs) -> None:
    assert _problems(security) == []
    assert _problems(security, _cfg("gcp-ml-dev")) == []


def test_missing_outputs_mean_deploy_the_security_stack_first(security: Outputs) -> None:
    partial = {
        k: v for k, v in security.items() if k not in ("loadBalancerIp", "panoramaNotifyGroup")
    }
    (problem,) = _problems(partial)
    assert problem.startswith("airs:securityStack: gcp-security-dev — the stack exports no ")
    assert "panoramaNotifyGroup, loadBalancerIp" in problem
    assert "run `pulumi up` on it" in problem


def test_an_empty_reference_is_refused(security: Outputs) -> None:
    (problem,) = _problems({})
    assert "the stack exports no cloud, trustCidr" in problem


def test_pod_range_outside_the_routed_ranges(security: Outputs) -> None:
    outputs = copy.deepcopy(security)
    outputs["applications"]["app-vpc"]["cidrs"] = ["10.31.0.0/16", "10.36.0.0/20"]
    (problem,) = _problems(outputs)
    assert problem.startswith("airs:clusters.apps.podCidr: 10.32.0.0/14 — is not inside the ")
    assert "10.31.0.0/16, 10.36.0.0/20, 10.41.0.0/16" in problem
    assert "airs:applications.<app>.cidrs" in problem


def test_cloud_must_match(security: Outputs) -> None:
    outputs = dict(security, cloud="azure")
    assert _problems(outputs) == ["airs:cloud: gcp — must be the security stack's cloud (azure)"]


def test_panorama_must_be_the_same(security: Outputs) -> None:
    outputs = dict(security, panoramaHostname="panorama.example.net")
    (problem,) = _problems(outputs)
    assert problem.startswith("airs:panorama.hostname: 203.0.113.10 — must be the security ")
    assert "(panorama.example.net)" in problem


def test_secret_outputs_are_not_shown_in_problems(security: Outputs) -> None:
    outputs = dict(security, panoramaHostname="MARKER.example.net")
    (problem,) = _problems(outputs, secret=frozenset({"panoramaHostname"}))
    assert "MARKER" not in problem
    assert "([secret])" in problem


def test_one_monitoring_interval(security: Outputs) -> None:
    cfg = _cfg(change=lambda v: v["clusters"]["apps"].update(monitoringInterval=60))
    (problem,) = _problems(security, cfg)
    assert problem.startswith("airs:clusters.apps.monitoringInterval: 60 — must be 30, ")


def test_names_and_ids_of_the_security_stacks_own_clusters_are_taken(security: Outputs) -> None:
    outputs = dict(
        security,
        clusters={"core": {"panoramaName": "gke-apps-dev", "clusterId": 11, "platform": "gke"}},
    )
    problems = _problems(outputs)
    assert [p.split(" — ")[0] for p in problems] == [
        "airs:clusters.apps.panoramaName: gke-apps-dev",
        "airs:clusters.apps.clusterId: 11",
    ]


def test_unknown_application(security: Outputs) -> None:
    cfg = _cfg(change=lambda v: v["clusters"]["apps"].update(application="web-vpc"))
    assert _problems(security, cfg) == [
        "airs:clusters.apps.application: web-vpc — is not an application of security stack "
        "gcp-security-dev (app-vpc, ml-vpc)"
    ]


def test_a_cluster_stack_is_not_a_security_stack(security: Outputs) -> None:
    cluster_stack_outputs = {"cloud": "gcp", "securityStack": "gcp-security-dev", "clusters": {}}
    (problem,) = _problems(cluster_stack_outputs)
    assert problem.startswith("airs:securityStack: gcp-security-dev — is itself a cluster stack")


def _aws_outputs() -> Outputs:
    return {
        "cloud": "aws",
        "trustCidr": "10.70.0.16/28",
        "trustGatewayIp": "10.70.0.17",
        "panoramaHostname": "203.0.113.10",
        "panoramaTemplate": "t",
        "panoramaTemplateStack": "ts",
        "panoramaDeviceGroup": "dg",
        "panoramaNotifyGroup": "n",
        "panoramaMonitoringInterval": 30,
        "applications": {
            "app-vpc": {
                "cidrs": ["10.80.0.0/16"],
                "protection": "vpc",
                "endpoints": [{"zone": "us-east-1a", "ip": "10.80.255.13"}],
            }
        },
    }


def _aws_cluster(**changes: Any) -> StackConfig:
    cluster = {
        "type": "EKS",
        "clusterId": 42,
        "apiServer": "https://198.51.100.60",
        "podCidr": "10.90.0.0/16",
        "serviceCidr": "172.20.0.0/16",
        "context": "eks-edge",
        "application": "app-vpc",
        "zones": ["us-east-1a", "us-east-1b"],
        **changes,
    }
    values = {
        "cloud": "aws",
        "name": "aws-edge",
        "securityStack": "acme/airs/aws-security",
        "panorama": {"hostname": "203.0.113.10", "username": "edge"},
        "panoramaApiKey": "k",
        "clusters": {"edge": cluster},
    }
    return parse_stack_config(values, {"panoramaApiKey"})


def test_aws_zone_without_endpoint() -> None:
    (problem,) = _problems(_aws_outputs(), _aws_cluster())
    assert problem.startswith("airs:clusters.edge.zones[1]: us-east-1b — has no GWLB endpoint")
    assert "airs:applications.app-vpc.endpointSubnets" in problem


def test_aws_namespace_protection_needs_a_namespace_application() -> None:
    cfg = _aws_cluster(zones=["us-east-1a"], protect={"ai": "namespace"})
    (problem,) = _problems(_aws_outputs(), cfg)
    assert problem.startswith("airs:clusters.edge.protect: ")
    assert "is protection vpc" in problem


def test_aws_needs_no_routed_ranges() -> None:
    # The GWLB overlay has no Panorama routes: pod ranges need not be listed.
    assert _problems(_aws_outputs(), _aws_cluster(zones=["us-east-1a"])) == []


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("gcp-apps-dev", True),
        ("acme/airs/gcp-apps-dev", True),
        ("acme/other/gcp-apps-dev", False),
        ("gcp-security-dev", False),
    ],
)
def test_refers_to(reference: str, expected: bool) -> None:
    assert refers_to(reference, "gcp-apps-dev", "airs") is expected
