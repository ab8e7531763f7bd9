"""Azure application connection under the mock engine: peerings, route tables, associations."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import Registration
from components.clouds import load_stack_config, parse_stack_config
from components.clouds.azure import application as app_az
from tests.helpers import by_type, example_values, load_example, one, plan_example, settings_from

NET = "azure-native:network:"
APPS = "airs:index:AzureApplicationConnection"
DEPLOYMENT = "azure-native:resources:Deployment"
SUB2 = "00000000-0000-4000-8000-000000000002"
APP_VNET = (
    f"/subscriptions/{SUB2}/resourceGroups/rg-apps-prod/providers/Microsoft.Network/"
    "virtualNetworks/vnet-apps-prod"
)


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan_example("azure-prod")


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan_example("azure-dev")


def _named(run: ProgramRun, token: str, suffix: str) -> Registration:
    found = [r for r in by_type(run, token) if r.name.endswith(suffix)]
    assert len(found) == 1, [r.name for r in by_type(run, token)]
    return found[0]


def test_graph_per_application(prod: ProgramRun) -> None:
    component = one(prod, APPS)
    children = [r for r in prod.resources if r.parent == component.urn]
    counts: dict[str, int] = {}
    for r in children:
        counts[r.type] = counts.get(r.type, 0) + 1
    # Two spokes, one subscription: 2 peerings, 1 route table, 1 deployment each.
    assert counts == {
        f"{NET}VirtualNetworkPeering": 4,
        f"{NET}RouteTable": 2,
        DEPLOYMENT: 2,
    }
    security_provider = one(prod, "pulumi:providers:azure-native")
    for r in children:
        assert r.provider is not None
        assert r.provider.rsplit("::", 1)[0] == security_provider.urn, r.name
    assert component.parent == one(prod, "airs:index:AirsDeployment").urn


def test_peering_both_ways_with_forwarded_traffic(prod: ProgramRun) -> None:
    to_app = _named(prod, f"{NET}VirtualNetworkPeering", "app-vnet-sec-to-app").inputs
    to_sec = _named(prod, f"{NET}VirtualNetworkPeering", "app-vnet-app-to-sec").inputs
    assert to_app["resourceGroupName"] == "rg-airs-prod"
    assert to_app["virtualNetworkName"] == "airs-az-prod-vnet"
    assert to_app["remoteVirtualNetwork"] == {"id": APP_VNET}
    assert to_sec["resourceGroupName"] == "rg-apps-prod"
    assert to_sec["virtualNetworkName"] == "vnet-apps-prod"
    assert to_sec["remoteVirtualNetwork"]["id"].endswith("/virtualNetworks/airs-az-prod-vnet")
    for peering in (to_app, to_sec):
        assert peering["allowForwardedTraffic"] is True
        assert peering["allowVirtualNetworkAccess"] is True


def test_security_vnet_peerings_are_created_one_at_a_time(prod: ProgramRun) -> None:
    first = _named(prod, f"{NET}VirtualNetworkPeering", "app-vnet-sec-to-app")
    second = _named(prod, f"{NET}VirtualNetworkPeering", "data-vnet-sec-to-app")
    assert first.urn in second.dependencies
    assert second.urn not in first.dependencies


def test_route_table_default_and_other_spokes_to_the_ilb(prod: ProgramRun) -> None:
    table = _named(prod, f"{NET}RouteTable", "app-vnet-rt").inputs
    assert table["resourceGroupName"] == "rg-apps-prod"
    assert table["location"] == "westeurope"  # read from the live VNet
    routes = {r["addressPrefix"]: r for r in table["routes"]}
    assert set(routes) == {"0.0.0.0/0", "10.170.0.0/16"}  # not its own 10.160.0.0/16
    for route in routes.values():
        assert route["nextHopType"] == "VirtualAppliance"
        assert route["nextHopIpAddress"] == "10.150.0.190"
    other = _named(prod, f"{NET}RouteTable", "data-vnet-rt").inputs
    assert {r["addressPrefix"] for r in other["routes"]} == {"0.0.0.0/0", "10.160.0.0/16"}


def test_route_table_is_associated_with_the_application_subnets(prod: ProgramRun) -> None:
    deployment = _named(prod, DEPLOYMENT, "app-vnet-subnet-routes").inputs
    assert deployment["resourceGroupName"] == "rg-apps-prod"
    props = deployment["properties"]
    assert props["mode"] == "Incremental"
    table = _named(prod, f"{NET}RouteTable", "app-vnet-rt")
    table_id = (
        f"/subscriptions/{SUB2}/resourceGroups/rg-apps-prod/providers/Microsoft.Network/"
        "routeTables/airs-az-prod-app-vnet-rt"
    )
    assert props["parameters"] == {"routeTableId": {"value": table_id}}
    assert table.urn in _named(prod, DEPLOYMENT, "app-vnet-subnet-routes").dependencies
    items = props["template"]["resources"]
    assert [i["name"] for i in items] == ["vnet-apps-prod/aks-nodes", "vnet-apps-prod/vms"]
    for item in items:
        assert item["type"] == "Microsoft.Network/virtualNetworks/subnets"
        subnet = item["properties"]
        assert subnet["routeTable"] == {"id": "[parameters('routeTableId')]"}
        # The subnet is rewritten as it is: live prefix and NSG kept, read-only fields dropped.
        assert subnet["addressPrefix"].startswith("10.160.")
        assert subnet["networkSecurityGroup"]["id"].endswith("-nsg")
        assert "ipConfigurations" not in subnet
        assert "provisioningState" not in subnet
    # Subnets of one VNet are written one at a time.
    assert "dependsOn" not in items[0]
    assert items[1]["dependsOn"] == [
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-apps-prod', 'aks-nodes')]"
    ]


def test_association_waits_for_the_application_side_peering(prod: ProgramRun) -> None:
    deployment = _named(prod, DEPLOYMENT, "app-vnet-subnet-routes")
    peering = _named(prod, f"{NET}VirtualNetworkPeering", "app-vnet-app-to-sec")
    assert peering.urn in deployment.dependencies


def test_live_vnet_and_subnets_are_read_before_the_association(prod: ProgramRun) -> None:
    vnets = sorted(
        (a["resourceGroupName"], a["virtualNetworkName"])
        for token, a in prod.invokes
        if token == "azure-native:network:getVirtualNetwork"
    )
    assert vnets == [("rg-apps-prod", "vnet-apps-prod"), ("rg-data-prod", "vnet-data-prod")]
    subnets = sorted(
        (a["resourceGroupName"], a["parentResourcePath"], a["resourceType"], a["resourceName"])
        for token, a in prod.invokes
        if token == "azure-native:resources:getResource"
    )
    assert subnets == [
        ("rg-apps-prod", "virtualNetworks/vnet-apps-prod", "subnets", "aks-nodes"),
        ("rg-apps-prod", "virtualNetworks/vnet-apps-prod", "subnets", "vms"),
        ("rg-data-prod", "virtualNetworks/vnet-data-prod", "subnets", "default"),
    ]


def test_spoke_in_another_subscription_gets_its_own_provider() -> None:
    values, secret = example_values("azure-prod")
    values = copy.deepcopy(values)
    other = "11111111-1111-4111-8111-111111111111"
    data = values["applications"]["data-vnet"]
    data["network"] = data["network"].replace(SUB2, other)
    data["subnets"] = [s.replace(SUB2, other) for s in data["subnets"]]
    values["clusters"] = {}
    run = run_program(settings_from(values, set(secret), stack="azure-test"))
    providers = {r.urn: r for r in by_type(run, "pulumi:providers:azure-native")}
    assert sorted(p.inputs["subscriptionId"] for p in providers.values()) == [SUB2, other]
    for suffix in ("data-vnet-app-to-sec", "data-vnet-rt", "data-vnet-subnet-routes"):
        token = {
            "app-to-sec": f"{NET}VirtualNetworkPeering",
            "rt": f"{NET}RouteTable",
            "subnet-routes": DEPLOYMENT,
        }[suffix.split("data-vnet-", 1)[1]]
        r = _named(run, token, suffix)
        assert r.provider is not None
        assert providers[r.provider.rsplit("::", 1)[0]].inputs["subscriptionId"] == other
    # The security side of the peering stays in the security subscription.
    sec_side = _named(run, f"{NET}VirtualNetworkPeering", "data-vnet-sec-to-app")
    assert sec_side.provider is not None
    assert providers[sec_side.provider.rsplit("::", 1)[0]].inputs["subscriptionId"] == SUB2
    assert sec_side.inputs["remoteVirtualNetwork"]["id"].startswith(f"/subscriptions/{other}/")


def test_namespace_protection_without_subnets_gets_no_association() -> None:
    # With protection vpc, no subnets is refused
    # (tests/bad_inputs/Pulumi.azure-vpc-protection-without-subnets.yaml).
    values, secret = example_values("azure-dev")
    values = copy.deepcopy(values)
    values["applications"]["app-vnet"]["subnets"] = []
    values["applications"]["app-vnet"]["protection"] = "namespace"
    values["clusters"] = {}
    run = run_program(settings_from(values, set(secret), stack="azure-test"))
    assert len(by_type(run, f"{NET}RouteTable")) == 1
    assert not by_type(run, DEPLOYMENT)


def test_endpoints_are_empty_on_azure() -> None:
    from components.deployment import AirsDeployment

    built: list[Any] = []

    def program() -> None:
        built.append(AirsDeployment("airs-az-dev", load_stack_config()))

    run_program(load_example("azure-dev"), program=program)
    connection = built[0].application
    assert isinstance(connection, app_az.AzureApplicationConnection)
    assert connection.endpoints == {}
    assert set(connection.route_tables) == {"app-vnet"}


def test_ilb_ip_reaches_the_outputs(dev: ProgramRun) -> None:
    assert dev.outputs["loadBalancerIp"] == "10.50.0.189"
    table = _named(dev, f"{NET}RouteTable", "app-vnet-rt").inputs
    assert table["routes"] == [
        {
            "name": "default-via-airs",
            "addressPrefix": "0.0.0.0/0",
            "nextHopType": "VirtualAppliance",
            "nextHopIpAddress": "10.50.0.189",
        }
    ]


# --------------------------------------------------------------------------- pure helpers


def test_vnet_ref_parses_ids_and_subnets() -> None:
    ref = app_az.VnetRef.parse(APP_VNET)
    assert (ref.subscription, ref.resource_group, ref.name) == (
        SUB2,
        "rg-apps-prod",
        "vnet-apps-prod",
    )
    assert ref.subnet_name(f"{APP_VNET}/subnets/aks-nodes") == "aks-nodes"
    with pytest.raises(ValueError, match="not in the VNet"):
        ref.subnet_name(APP_VNET.replace("vnet-apps-prod", "other") + "/subnets/x")
    with pytest.raises(ValueError, match="not a virtual network resource id"):
        app_az.VnetRef.parse("vnet-apps-prod")


def test_spoke_routes_skip_the_spoke_itself() -> None:
    values, secret = example_values("azure-prod")
    cfg = parse_stack_config(values, secret)
    routes = app_az.spoke_routes("data-vnet", cfg.applications, "10.150.0.190")
    assert [(r["name"], r["address_prefix"]) for r in routes] == [
        ("default-via-airs", "0.0.0.0/0"),
        ("app-vnet-0-via-airs", "10.160.0.0/16"),
    ]


def test_writable_subnet_properties_drop_what_azure_computes() -> None:
    live = {
        "addressPrefix": "10.1.0.0/24",
        "delegations": [{"name": "aks", "properties": {"serviceName": "Microsoft.X"}}],
        "provisioningState": "Succeeded",
        "ipConfigurations": [{"id": "x"}],
        "routeTable": {"id": "old"},
        "serviceAssociationLinks": [],
    }
    assert app_az.writable_subnet_properties(live) == {
        "addressPrefix": "10.1.0.0/24",
        "delegations": [{"name": "aks", "properties": {"serviceName": "Microsoft.X"}}],
    }
    assert app_az.writable_subnet_properties(None) == {}
