"""The three parts of a deployment are wired: security project outputs flow into Helm and Panorama."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.cli.main import main
from tests.helpers import ROOT, example_values


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    folder: Path = tmp_path_factory.mktemp("plans")
    for stack in (
        "gcp-dev",
        "gcp-prod",
        "azure-dev",
        "azure-prod",
        "aws-dev",
        "aws-prod",
        "openshift-dev",
        "rancher-prod",
    ):
        path = folder / f"{stack}.json"
        assert main(["--project", str(ROOT), "plan", "--stack", stack, "--json", str(path)]) == 0
        out[stack] = json.loads(path.read_text())
    return out


def _releases(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"]


def _panorama(plan: dict[str, Any], fragment: str) -> list[str]:
    return [p["element"] for p in plan["panorama"] if fragment in p["xpath"]]


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod", "azure-dev", "azure-prod"])
def test_ilb_ip_flows_into_helm_and_panorama(stack: str, plans: dict[str, dict[str, Any]]) -> None:
    plan = plans[stack]
    ilb = plan["outputs"]["loadBalancerIp"]
    releases = _releases(plan)
    assert releases
    for release in releases:
        assert release["inputs"]["values"]["endpoints"] == [{"ip": ilb}]
        assert release["inputs"]["values"]["fwtrustcidr"] == plan["outputs"]["trustCidr"]
    loopbacks = _panorama(plan, "/loopback/units/entry")
    assert len(loopbacks) == 1
    assert f'<entry name="{ilb}" />' in loopbacks[0]


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_gcp_pod_and_service_routes_via_trust_gateway(
    stack: str, plans: dict[str, dict[str, Any]]
) -> None:
    plan = plans[stack]
    (router,) = _panorama(plan, "/logical-router/entry")
    gateway = plan["outputs"]["trustGatewayIp"]
    values, _ = example_values(stack)
    # Every cluster's pod and service range, and the ILB health-check ranges, leave by the
    # trust gateway (the vendor page's static routes on the trust side).
    cidrs = [c[k] for c in values["clusters"].values() for k in ("podCidr", "serviceCidr")]
    assert len(cidrs) >= 2
    for cidr in [*cidrs, "35.191.0.0/16", "130.211.0.0/22"]:
        assert (
            f"<destination>{cidr}</destination><nexthop><ip-address>{gateway}</ip-address>"
            in router
        ), cidr


@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_azure_app_route_tables_point_at_the_ilb(
    stack: str, plans: dict[str, dict[str, Any]]
) -> None:
    plan = plans[stack]
    ilb = plan["outputs"]["loadBalancerIp"]
    tables = [r for r in plan["resources"] if r["type"] == "azure-native:network:RouteTable"]
    app_tables = [
        t
        for t in tables
        if any(
            route.get("addressPrefix") == "0.0.0.0/0" and route.get("nextHopIpAddress") == ilb
            for route in t["inputs"].get("routes", [])
        )
    ]
    assert app_tables, [t["inputs"] for t in tables]
    (vr_private,) = _panorama(plan, "/logical-router/entry[@name='vr-private']")
    assert "168.63.129.16/32" in vr_private


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_aws_one_helm_endpoint_per_zone(stack: str, plans: dict[str, dict[str, Any]]) -> None:
    plan = plans[stack]
    from tests.helpers import example_values

    values, _ = example_values(stack)
    for release in _releases(plan):
        key = release["name"].removeprefix(values["name"] + "-").removesuffix("-pan-cni")
        cluster = values["clusters"][key]
        endpoints = release["inputs"]["values"]["endpoints"]
        assert [e["zone"] for e in endpoints] == cluster["zones"]
        app = values["applications"][cluster["application"]]
        import ipaddress

        for endpoint in endpoints:
            subnet = ipaddress.ip_network(app["endpointSubnets"][endpoint["zone"]])
            assert ipaddress.ip_address(endpoint["ip"]) in subnet


@pytest.mark.parametrize(
    ("stack", "trust_ip"), [("openshift-dev", "10.101.255.253"), ("rancher-prod", "10.211.255.253")]
)
def test_private_cloud_sends_to_the_firewall_trust_ip(
    stack: str, trust_ip: str, plans: dict[str, dict[str, Any]]
) -> None:
    for release in _releases(plans[stack]):
        assert release["inputs"]["values"]["endpoints"] == [{"ip": trust_ip}]


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-prod", "aws-prod", "openshift-dev"])
def test_every_cluster_is_in_the_panorama_plugin(
    stack: str, plans: dict[str, dict[str, Any]]
) -> None:
    plan = plans[stack]
    names = {c["panoramaName"] for c in plan["outputs"]["clusters"].values()}
    entries = _panorama(plan, "/plugins/kubernetes/setup/cluster-credentials/entry")
    assert len(entries) == len(names)
    for name in names:
        assert any(f'name="{name}"' in e for e in entries)
    # the credential is a late-bound secret placeholder, never a value
    assert all("{{late:credential/" in e for e in entries)


def test_helm_manifests_in_json(plans: dict[str, dict[str, Any]]) -> None:
    manifests = plans["openshift-dev"]["helm"]["manifests"]
    kinds = {m["kind"] for m in manifests}
    assert {
        "ConfigMap",
        "DaemonSet",
        "Service",
        "EndpointSlice",
        "NetworkAttachmentDefinition",
        "CustomResourceDefinition",
    } <= kinds


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_aws_gives_pan_cni_no_trust_cidr(stack: str, plans: dict[str, dict[str, Any]]) -> None:
    """Behind the GWLB traffic returns through the endpoint, GENEVE-encapsulated: no firewall
    trust address is ever a source pods see, and each zone has its own trust subnet, so
    ``fwtrustcidr`` stays empty as in the vendor's AWS values (issue 15, defect 9)."""
    plan = plans[stack]
    releases = _releases(plan)
    assert releases
    assert plan["outputs"]["trustCidr"]  # still exported, for layered stacks and reviewers
    for release in releases:
        assert release["inputs"]["values"]["fwtrustcidr"] == ""
        assert len(release["inputs"]["values"]["endpoints"]) >= 2  # one per zone
