"""GcpApplicationConnection under the mock engine: peerings and return-path rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import Registration
from components.clouds.gcp import application as app_gcp
from components.config import Application
from tests.helpers import by_type, example_values, one, plan_example, settings_from

APP = "airs:index:GcpApplicationConnection"
PEERING = "gcp:compute/networkPeering:NetworkPeering"
FIREWALL = "gcp:compute/firewall:Firewall"
COMPUTE = "https://www.googleapis.com/compute/v1/projects"


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan_example("gcp-dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan_example("gcp-prod")


def _children(run: ProgramRun) -> list[Registration]:
    urn = one(run, APP).urn
    return [r for r in run.resources if r.parent == urn]


def _peerings(run: ProgramRun) -> dict[str, Registration]:
    return {r.name: r for r in by_type(run, PEERING)}


TRUST_DEV = f"{COMPUTE}/example-airs-dev/global/networks/airs-gcp-dev-fw-trust-vpc"
TRUST_PROD = f"{COMPUTE}/example-airs-prod/global/networks/airs-gcp-prod-fw-trust-vpc"


def test_exact_graph_dev(dev: ProgramRun) -> None:
    comp = one(dev, APP)
    assert comp.name == "airs-gcp-dev-apps"
    assert comp.parent is not None
    assert comp.parent.endswith("airs:index:AirsDeployment::airs-gcp-dev")
    assert sorted((r.type, r.name) for r in _children(dev)) == [
        (FIREWALL, "airs-gcp-dev-apps-app-vpc-allow-from-trust"),
        (PEERING, "airs-gcp-dev-apps-app-vpc-app-to-trust"),
        (PEERING, "airs-gcp-dev-apps-app-vpc-trust-to-app"),
    ]


def test_peering_both_ways_with_custom_routes(dev: ProgramRun) -> None:
    peerings = _peerings(dev)
    app_link = f"{COMPUTE}/example-airs-dev/global/networks/example-app-vpc"
    to_app = peerings["airs-gcp-dev-apps-app-vpc-trust-to-app"]
    to_trust = peerings["airs-gcp-dev-apps-app-vpc-app-to-trust"]
    assert (to_app.inputs["network"], to_app.inputs["peerNetwork"]) == (TRUST_DEV, app_link)
    assert (to_trust.inputs["network"], to_trust.inputs["peerNetwork"]) == (app_link, TRUST_DEV)
    assert to_app.inputs["name"] == "airs-gcp-dev-trust-to-app-vpc"
    assert to_trust.inputs["name"] == "airs-gcp-dev-app-vpc-to-trust"
    for p in (to_app, to_trust):
        assert p.inputs["exportCustomRoutes"] is True
        assert p.inputs["importCustomRoutes"] is True
    # One peering operation at a time per network (GCP's "Error 400" otherwise).
    assert to_app.urn in to_trust.dependencies


def test_return_path_rule(dev: ProgramRun) -> None:
    rule = one(dev, FIREWALL, "airs-gcp-dev-apps-app-vpc-allow-from-trust").inputs
    assert rule["network"] == f"{COMPUTE}/example-airs-dev/global/networks/example-app-vpc"
    assert rule["project"] == "example-airs-dev"
    assert rule["sourceRanges"] == ["10.10.2.0/24"]
    assert rule["direction"] == "INGRESS"
    assert rule["priority"] == 1000


def test_prod_two_apps_in_their_own_project_peered_one_after_another(prod: ProgramRun) -> None:
    peerings = _peerings(prod)
    assert sorted(peerings) == [
        "airs-gcp-prod-apps-app-vpc-app-to-trust",
        "airs-gcp-prod-apps-app-vpc-trust-to-app",
        "airs-gcp-prod-apps-ml-vpc-app-to-trust",
        "airs-gcp-prod-apps-ml-vpc-trust-to-app",
    ]
    ml = peerings["airs-gcp-prod-apps-ml-vpc-trust-to-app"]
    assert ml.inputs["network"] == TRUST_PROD
    assert ml.inputs["peerNetwork"] == f"{COMPUTE}/example-apps-prod/global/networks/example-ml-vpc"
    # The whole chain is serialised: ml-vpc waits for app-vpc's second peering.
    assert peerings["airs-gcp-prod-apps-app-vpc-app-to-trust"].urn in ml.dependencies
    rules = {r.name: r.inputs for r in by_type(prod, FIREWALL) if r.parent == one(prod, APP).urn}
    assert {n: (r["project"], r["sourceRanges"]) for n, r in rules.items()} == {
        "airs-gcp-prod-apps-app-vpc-allow-from-trust": ("example-apps-prod", ["10.110.2.0/24"]),
        "airs-gcp-prod-apps-ml-vpc-allow-from-trust": ("example-apps-prod", ["10.110.2.0/24"]),
    }


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_parents_and_explicit_provider(dev: ProgramRun, prod: ProgramRun, stack: str) -> None:
    run = dev if stack == "gcp-dev" else prod
    provider = one(run, "pulumi:providers:gcp")
    children = _children(run)
    assert children
    for reg in children:
        assert reg.provider, f"{reg.name} has no explicit provider"
        assert reg.provider.startswith(provider.urn + "::"), reg.name


def test_network_link_forms() -> None:
    by_name = Application(cidrs=["10.0.0.0/16"], network="vpc-a")
    assert app_gcp.network_link(by_name, "sec") == f"{COMPUTE}/sec/global/networks/vpc-a"
    other = Application(cidrs=["10.0.0.0/16"], network="vpc-a", project="apps")
    assert app_gcp.network_link(other, "sec") == f"{COMPUTE}/apps/global/networks/vpc-a"
    partial = Application(cidrs=["10.0.0.0/16"], network="projects/p2/global/networks/v")
    assert app_gcp.network_link(partial, "sec") == f"{COMPUTE}/p2/global/networks/v"
    full = f"{COMPUTE}/p3/global/networks/v"
    assert app_gcp.network_link(Application(cidrs=["10.0.0.0/16"], network=full), "sec") == full
    with pytest.raises(ValueError, match="not a Compute Engine network link"):
        app_gcp.network_link(Application(cidrs=["10.0.0.0/16"], network="https://x/y"), "sec")
    assert app_gcp.network_project(full) == "p3"


def test_endpoints_are_empty_and_self_link_network() -> None:
    """Built directly: GCP has no per-zone endpoints; a self-link network keeps its project."""
    from components.clouds import load_stack_config
    from components.clouds.gcp.security_project import GcpSecurityProject

    values, secret = example_values("gcp-dev")
    values = copy.deepcopy(values)
    link = f"{COMPUTE}/shared-vpc-host/global/networks/shared"
    values["applications"]["app-vpc"]["network"] = link
    built: dict[str, Any] = {}

    def program() -> None:
        cfg = load_stack_config()
        project = GcpSecurityProject("sec", cfg)
        built["app"] = app_gcp.GcpApplicationConnection("apps", cfg, project)

    run = run_program(settings_from(values, secret, stack="gcp-dev"), program=program)
    assert built["app"].endpoints == {}
    assert set(built["app"].peerings) == {"app-vpc"}
    peer = one(run, PEERING, "apps-app-vpc-app-to-trust")
    assert peer.inputs["network"] == link
    assert (
        one(run, FIREWALL, "apps-app-vpc-allow-from-trust").inputs["project"] == "shared-vpc-host"
    )
