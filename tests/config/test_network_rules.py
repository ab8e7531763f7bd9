"""AWS per-zone subnets (NAT, overlaps, unknown zones) and Azure application VNet rules."""

from __future__ import annotations

from typing import Any

import pytest

from components.clouds import parse_stack_config
from components.clouds.azure.application import VnetRef
from components.config import Application, ConfigError
from tests.helpers import example_values

SUB_DEV = "00000000-0000-4000-8000-000000000001"
SUB_PROD = "00000000-0000-4000-8000-000000000002"
VNET = (
    f"/subscriptions/{SUB_DEV}/resourceGroups/rg-apps-dev"
    "/providers/Microsoft.Network/virtualNetworks/vnet-apps-dev"
)


def _problems(values: dict[str, Any], secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def _aws_with_zone_subnets(nat: bool) -> tuple[dict[str, Any], set[str]]:
    """aws-dev (natGateway true, two zones) with explicit per-zone subnets."""
    values, secret = example_values("aws-dev")
    values["securityProject"]["natGateway"] = nat
    values["securityProject"]["cidrs"]["zones"] = {
        "us-east-1a": {
            "mgmt": "10.70.0.0/28",
            "trust": "10.70.0.16/28",
            "gwlb": "10.70.0.32/28",
            "nat": "10.70.0.48/28",
        },
        "us-east-1b": {
            "mgmt": "10.70.1.0/28",
            "trust": "10.70.1.16/28",
            "gwlb": "10.70.1.32/28",
            "nat": "10.70.1.48/28",
        },
    }
    return values, secret


def test_aws_explicit_zone_subnets_with_nat_are_valid() -> None:
    values, secret = _aws_with_zone_subnets(nat=True)
    cfg = parse_stack_config(values, secret)
    assert cfg.security_project is not None


def test_aws_nat_subnet_required_in_every_zone_when_nat_gateway() -> None:
    values, secret = _aws_with_zone_subnets(nat=True)
    del values["securityProject"]["cidrs"]["zones"]["us-east-1b"]["nat"]
    assert _problems(values, secret) == [
        "airs:securityProject.cidrs.zones.us-east-1b.nat: <missing> — is required in every "
        "zone when airs:securityProject.natGateway is true"
    ]


def test_aws_nat_subnet_without_nat_gateway_is_reported_unused() -> None:
    values, secret = _aws_with_zone_subnets(nat=False)
    del values["securityProject"]["cidrs"]["zones"]["us-east-1b"]["nat"]
    assert _problems(values, secret) == [
        "airs:securityProject.cidrs.zones.us-east-1a.nat: 10.70.0.48/28 — is unused: "
        "airs:securityProject.natGateway is false"
    ]


def test_aws_zone_subnets_must_not_overlap() -> None:
    values, secret = _aws_with_zone_subnets(nat=True)
    values["securityProject"]["cidrs"]["zones"]["us-east-1b"]["trust"] = "10.70.0.0/27"
    assert _problems(values, secret) == [
        "airs:securityProject.cidrs.zones.us-east-1b.trust: 10.70.0.0/27 — overlaps "
        "airs:securityProject.cidrs.zones.us-east-1a.mgmt (10.70.0.0/28)",
        "airs:securityProject.cidrs.zones.us-east-1b.trust: 10.70.0.0/27 — overlaps "
        "airs:securityProject.cidrs.zones.us-east-1a.trust (10.70.0.16/28)",
    ]


def test_aws_zone_subnets_of_an_unlisted_zone() -> None:
    values, secret = _aws_with_zone_subnets(nat=True)
    zones = values["securityProject"]["cidrs"]["zones"]
    zones["us-east-1c"] = zones.pop("us-east-1b")
    assert _problems(values, secret) == [
        'airs:securityProject.cidrs.zones: ["us-east-1a","us-east-1c"] — has fewer subnets '
        "than zones: none for us-east-1b",
        "airs:securityProject.cidrs.zones.us-east-1c: us-east-1c — is not one of "
        "airs:securityProject.zones ['us-east-1a', 'us-east-1b']",
    ]


def _vnet_parts(app: Application) -> tuple[str, str, str, list[str]]:
    """Subscription, resource group, VNet name and subnet names the program reads."""
    assert app.network is not None
    ref = VnetRef.parse(app.network)
    return ref.subscription, ref.resource_group, ref.name, [ref.subnet_name(s) for s in app.subnets]


def test_azure_example_vnet_ids_are_valid() -> None:
    dev = parse_stack_config(*example_values("azure-dev")).applications
    assert {key: _vnet_parts(app) for key, app in dev.items()} == {
        "app-vnet": (SUB_DEV, "rg-apps-dev", "vnet-apps-dev", ["aks-nodes"]),
    }
    prod = parse_stack_config(*example_values("azure-prod")).applications
    assert {key: _vnet_parts(app) for key, app in prod.items()} == {
        "app-vnet": (SUB_PROD, "rg-apps-prod", "vnet-apps-prod", ["aks-nodes", "vms"]),
        "data-vnet": (SUB_PROD, "rg-data-prod", "vnet-data-prod", ["default"]),
    }


@pytest.mark.parametrize(
    "network",
    [
        "vnet-apps-dev",
        "/subscriptions/my-subscription/resourceGroups/rg/providers/Microsoft.Network/"
        "virtualNetworks/vnet-apps-dev",
        VNET.replace("virtualNetworks", "networkSecurityGroups"),
        VNET + "/subnets/aks-nodes",
    ],
)
def test_azure_network_must_be_a_vnet_id(network: str) -> None:
    values, secret = example_values("azure-dev")
    app = values["applications"]["app-vnet"]
    app["network"] = network
    app["subnets"] = []
    app["protection"] = "namespace"  # so no subnets is not a problem of its own
    assert _problems(values, secret) == [
        f"airs:applications.app-vnet.network: {network} — must be an Azure VNet resource id: "
        "/subscriptions/<subscription id>/resourceGroups/<group>/providers/"
        "Microsoft.Network/virtualNetworks/<name>"
    ]


def test_azure_vnet_id_is_case_insensitive() -> None:
    values, secret = example_values("azure-dev")
    app = values["applications"]["app-vnet"]
    app["network"] = VNET.replace("resourceGroups", "resourcegroups")
    app["subnets"] = [VNET.upper() + "/subnets/aks-nodes"]
    parsed = parse_stack_config(values, secret).applications["app-vnet"]
    assert parsed.network == VNET.replace("resourceGroups", "resourcegroups")  # kept as given
    # ...and read the same: the subnet, written in capitals, is found in the VNet.
    assert _vnet_parts(parsed) == (SUB_DEV, "rg-apps-dev", "vnet-apps-dev", ["aks-nodes"])


def test_azure_subnets_must_belong_to_the_vnet() -> None:
    values, secret = example_values("azure-dev")
    other = VNET.replace("vnet-apps-dev", "vnet-other")
    values["applications"]["app-vnet"]["subnets"] = [
        VNET + "/subnets/aks-nodes",
        other + "/subnets/aks-nodes",
        "aks-nodes",
        VNET + "/subnets/aks-nodes",
    ]
    assert _problems(values, secret) == [
        f"airs:applications.app-vnet.subnets[1]: {other}/subnets/aks-nodes — is not a subnet "
        "of airs:applications.app-vnet.network",
        "airs:applications.app-vnet.subnets[2]: aks-nodes — must be an Azure subnet resource "
        "id: <VNet resource id>/subnets/<name>",
        f"airs:applications.app-vnet.subnets[3]: {VNET}/subnets/aks-nodes — is listed twice",
    ]


def test_azure_network_unique_across_applications() -> None:
    values, secret = example_values("azure-prod")
    apps = values["applications"]
    apps["data-vnet"]["network"] = apps["app-vnet"]["network"].upper()
    apps["data-vnet"]["subnets"] = []
    apps["data-vnet"]["protection"] = "namespace"  # so no subnets is not a problem of its own
    assert _problems(values, secret) == [
        f"airs:applications.data-vnet.network: {apps['app-vnet']['network'].upper()} — must be "
        "unique (airs:applications.app-vnet uses it too)"
    ]


def test_azure_vnet_names_unique_across_resource_groups() -> None:
    values, secret = example_values("azure-prod")
    apps = values["applications"]
    same_name = apps["app-vnet"]["network"].replace("rg-apps-prod", "rg-data-prod")
    apps["data-vnet"]["network"] = same_name
    apps["data-vnet"]["subnets"] = []
    apps["data-vnet"]["protection"] = "namespace"  # so no subnets is not a problem of its own
    assert _problems(values, secret) == [
        f"airs:applications.data-vnet.network: {same_name} — VNet name vnet-apps-prod is also "
        "the name of airs:applications.app-vnet's VNet: the security VNet's peerings are named "
        "after the VNets, so their names must be unique"
    ]
