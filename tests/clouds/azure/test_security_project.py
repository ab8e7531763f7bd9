"""Azure security project under the mock engine: the resource graph, and the config rules."""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
from typing import Any

import pytest

from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import Registration
from components.clouds import parse_stack_config
from components.clouds.azure import facts as azure_facts
from components.config import ConfigError
from tests.helpers import (
    by_type,
    example_values,
    fresh_python,
    is_secret,
    one,
    plan_example,
    settings_from,
    unwrap,
)

NET = "azure-native:network:"
SECURITY = "airs:index:AzureSecurityProject"
PROVIDER = "pulumi:providers:azure-native"


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan_example("azure-dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan_example("azure-prod")


def _plain(value: Any) -> Any:
    return unwrap(value) if is_secret(value) else value


def _azure(run: ProgramRun) -> list[Registration]:
    return [r for r in run.resources if r.type.startswith("azure-native:")]


def _values(stack: str) -> tuple[dict[str, Any], set[str]]:
    values, secret = example_values(stack)
    return copy.deepcopy(values), set(secret)


def _run_values(values: dict[str, Any], secret: set[str]) -> ProgramRun:
    # Clusters (Helm, Kubernetes provider) are not under test here and cost plan time.
    values = {**values, "clusters": {}}
    return run_program(settings_from(values, secret, stack="azure-test"))


# --------------------------------------------------------------------------- graph


def test_dev_graph_is_minimal_and_inline(dev: ProgramRun) -> None:
    counts: dict[str, int] = {}
    component = one(dev, SECURITY)
    for r in dev.resources:
        if r.parent == component.urn:
            counts[r.type] = counts.get(r.type, 0) + 1
    assert counts == {
        PROVIDER: 1,
        "azure-native:resources:ResourceGroup": 1,
        f"{NET}NetworkSecurityGroup": 3,
        f"{NET}VirtualNetwork": 1,
        f"{NET}PublicIPAddress": 1,
        f"{NET}LoadBalancer": 2,
        "azure-native:compute:VirtualMachineScaleSet": 1,
    }
    # Children are inline properties, never resources of their own.
    for token in ("Subnet", "SecurityRule", "Route", "LoadBalancerBackendAddressPool"):
        assert not by_type(dev, f"{NET}{token}")


def test_every_custom_resource_has_the_explicit_provider_and_a_component_parent(
    dev: ProgramRun, prod: ProgramRun
) -> None:
    for run in (dev, prod):
        providers = {r.urn: r for r in by_type(run, PROVIDER)}
        components = {r.urn for r in run.resources if not r.custom}
        for r in _azure(run):
            assert r.provider is not None, r.name
            urn = r.provider.rsplit("::", 1)[0]
            assert urn in providers, (r.name, r.provider)
            assert r.parent in components, r.name
        sec = providers[next(iter(providers))]
        assert sec.inputs["subscriptionId"] in sec.name


def test_provider_targets_the_configured_subscription_and_location(prod: ProgramRun) -> None:
    provider = one(prod, PROVIDER)
    assert provider.inputs["subscriptionId"] == "00000000-0000-4000-8000-000000000002"
    assert provider.inputs["location"] == "westeurope"
    assert provider.parent == one(prod, SECURITY).urn


def test_vnet_subnets_are_quarters_of_the_vnet_with_their_nsgs(dev: ProgramRun) -> None:
    vnet = one(dev, f"{NET}VirtualNetwork")
    assert vnet.inputs["addressSpace"] == {"addressPrefixes": ["10.50.0.0/24"]}
    subnets = {s["name"]: s for s in vnet.inputs["subnets"]}
    assert {n: s["addressPrefix"] for n, s in subnets.items()} == {
        "mgmt-snet": "10.50.0.0/26",
        "public-snet": "10.50.0.64/26",
        "private-snet": "10.50.0.128/26",
    }
    nsg_names = {
        "mgmt-snet": "airs-az-dev-mgmt-nsg",
        "public-snet": "airs-az-dev-untrust-nsg",
        "private-snet": "airs-az-dev-trust-nsg",
    }
    for name, subnet in subnets.items():
        assert subnet["networkSecurityGroup"]["id"].endswith(
            f"/networkSecurityGroups/{nsg_names[name]}"
        )


def test_explicit_subnets_are_used_as_given(prod: ProgramRun) -> None:
    subnets = one(prod, f"{NET}VirtualNetwork").inputs["subnets"]
    assert [s["addressPrefix"] for s in subnets] == [
        "10.150.0.0/26",
        "10.150.0.64/26",
        "10.150.0.128/26",
    ]


def _rules(run: ProgramRun, role: str) -> dict[str, dict[str, Any]]:
    nsg = one(run, f"{NET}NetworkSecurityGroup", f"airs-az-dev-security-{role}-nsg")
    return {r["name"]: r for r in nsg.inputs["securityRules"]}


def test_mgmt_nsg_allows_only_ssh_and_https_from_the_admins(dev: ProgramRun) -> None:
    rules = _rules(dev, "mgmt")
    assert set(rules) == {"allow-mgmt-admin", "deny-other-inbound"}
    admin = rules["allow-mgmt-admin"]
    assert admin["access"] == "Allow"
    assert admin["direction"] == "Inbound"
    assert admin["protocol"] == "Tcp"
    assert admin["destinationPortRanges"] == ["22", "443"]
    assert admin["sourceAddressPrefix"] == "198.51.100.0/24"
    deny = rules["deny-other-inbound"]
    assert (deny["access"], deny["sourceAddressPrefix"], deny["destinationPortRange"]) == (
        "Deny",
        "*",
        "*",
    )
    assert deny["priority"] > admin["priority"]


def test_several_admin_ranges_become_prefix_lists() -> None:
    values, secret = _values("azure-dev")
    values["securityProject"]["mgmtAllowedCidrs"] = ["198.51.100.0/24", "192.0.2.0/24"]
    run = _run_values(values, secret)
    nsg = one(run, f"{NET}NetworkSecurityGroup", "airs-az-dev-security-mgmt-nsg")
    admin = next(r for r in nsg.inputs["securityRules"] if r["name"] == "allow-mgmt-admin")
    assert admin["sourceAddressPrefixes"] == ["198.51.100.0/24", "192.0.2.0/24"]


@pytest.mark.parametrize("role", ["trust", "untrust"])
def test_data_nsgs_admit_the_azure_load_balancer_probe(dev: ProgramRun, role: str) -> None:
    probe = _rules(dev, role)["allow-azure-lb-probe"]
    assert probe["sourceAddressPrefix"] == "AzureLoadBalancer"
    assert probe["access"] == "Allow"
    assert "168.63.129.16" in probe["description"]


def test_untrust_nsg_publishes_web_ports(dev: ProgramRun) -> None:
    rule = _rules(dev, "untrust")["allow-inbound-web"]
    assert rule["sourceAddressPrefix"] == "Internet"
    assert rule["destinationPortRanges"] == ["80", "443"]


# airs:name of each example stack (logical names start with it).
NAMES = {"azure-dev": "airs-az-dev", "azure-prod": "airs-az-prod"}


def _lb(run: ProgramRun, which: str) -> dict[str, Any]:
    return dict(one(run, f"{NET}LoadBalancer", f"{NAMES[run.stack]}-security-{which}").inputs)


def test_ilb_has_ha_ports_static_frontend_and_tcp_probe(dev: ProgramRun) -> None:
    ilb = _lb(dev, "ilb")
    assert ilb["sku"] == {"name": "Standard", "tier": "Regional"}
    (frontend,) = ilb["frontendIPConfigurations"]
    assert frontend["privateIPAddress"] == "10.50.0.189"  # default: x.x.x.253-equivalent
    assert frontend["privateIPAllocationMethod"] == "Static"
    assert frontend["subnet"]["id"].endswith(
        "/virtualNetworks/airs-az-dev-vnet/subnets/private-snet"
    )
    assert frontend["zones"] == ["1", "2"]
    (rule,) = ilb["loadBalancingRules"]
    assert (rule["name"], rule["protocol"], rule["frontendPort"], rule["backendPort"]) == (
        "HA-ports",
        "All",
        0,
        0,
    )
    assert rule["enableFloatingIP"] is True
    (probe,) = ilb["probes"]
    assert (probe["protocol"], probe["port"]) == ("Tcp", 443)
    assert "requestPath" not in probe
    assert rule["probe"]["id"].endswith("/loadBalancers/airs-az-dev-ilb/probes/fw-health")
    assert rule["backendAddressPool"]["id"].endswith("/backendAddressPools/trust-backend")


def test_prod_ilb_uses_configured_ip_and_the_http_health_page(prod: ProgramRun) -> None:
    ilb = _lb(prod, "ilb")
    assert ilb["frontendIPConfigurations"][0]["privateIPAddress"] == "10.150.0.190"
    (probe,) = ilb["probes"]
    # healthProbe http on 443: HTTPS, the only service the management profile enables.
    assert probe == {
        "name": "fw-health",
        "protocol": "Https",
        "port": 443,
        "requestPath": "/unauth/php/health.php",
        "intervalInSeconds": 5,
        "numberOfProbes": 1,
    }


@pytest.mark.parametrize(
    ("port", "protocol", "path"),
    [(80, "Http", "/unauth/php/health.php"), (22, "Tcp", None)],
)
def test_http_probe_follows_the_service_on_the_port(
    port: int, protocol: str, path: str | None
) -> None:
    values, secret = _values("azure-dev")
    values["securityProject"].update(healthProbe="http", healthCheckPort=port)
    run = _run_values(values, secret)
    for lb in by_type(run, f"{NET}LoadBalancer"):
        (probe,) = lb.inputs["probes"]
        assert (probe["protocol"], probe["port"], probe.get("requestPath")) == (
            protocol,
            port,
            path,
        )


def test_public_lb_publishes_web_with_floating_ip_and_outbound_snat(dev: ProgramRun) -> None:
    plb = _lb(dev, "public-lb")
    pip = one(dev, f"{NET}PublicIPAddress")
    assert pip.inputs["sku"]["name"] == "Standard"
    assert pip.inputs["publicIPAllocationMethod"] == "Static"
    (frontend,) = plb["frontendIPConfigurations"]
    assert frontend["publicIPAddress"]["id"].endswith("/publicIPAddresses/airs-az-dev-public-lb-ip")
    rules = {r["name"]: r for r in plb["loadBalancingRules"]}
    assert {r["frontendPort"] for r in rules.values()} == {80, 443}
    assert all(r["enableFloatingIP"] and r["disableOutboundSnat"] for r in rules.values())
    (outbound,) = plb["outboundRules"]
    assert outbound["protocol"] == "All"
    assert outbound["backendAddressPool"]["id"].endswith("/backendAddressPools/untrust-backend")


def _profile(run: ProgramRun) -> tuple[Registration, dict[str, Any]]:
    vmss = one(run, "azure-native:compute:VirtualMachineScaleSet")
    return vmss, _plain(vmss.inputs["virtualMachineProfile"])


def test_scale_set_uses_the_airs_marketplace_image_and_plan(dev: ProgramRun) -> None:
    vmss, profile = _profile(dev)
    assert vmss.inputs["plan"] == {
        "publisher": "paloaltonetworks",
        "product": "airs-flex",
        "name": "airs-byol",
    }
    assert profile["storageProfile"]["imageReference"] == {
        "publisher": "paloaltonetworks",
        "offer": "airs-flex",
        "sku": "airs-byol",
        "version": "latest",
    }
    assert vmss.inputs["zones"] == ["1", "2"]
    assert vmss.inputs["sku"] == {"name": "Standard_D3_v2", "tier": "Standard", "capacity": 1}
    assert vmss.inputs["overprovision"] is False
    assert profile["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True


def test_scale_set_nics_mgmt_trust_untrust(dev: ProgramRun) -> None:
    _, profile = _profile(dev)
    nics = profile["networkProfile"]["networkInterfaceConfigurations"]
    assert [n["name"] for n in nics] == [
        "airs-az-dev-mgmt-nic",
        "airs-az-dev-trust-vpc",
        "airs-az-dev-untrust-nic",
    ]
    mgmt, trust, untrust = nics
    assert mgmt["primary"] is True
    assert not mgmt["enableIPForwarding"]
    assert not mgmt["enableAcceleratedNetworking"]
    assert "publicIPAddressConfiguration" in mgmt["ipConfigurations"][0]
    for nic in (trust, untrust):
        assert nic["primary"] is False
        assert nic["enableIPForwarding"] is True
        assert nic["enableAcceleratedNetworking"] is True
    subnet_of = {
        n["name"]: n["ipConfigurations"][0]["subnet"]["id"].rsplit("/", 1)[-1] for n in nics
    }
    assert list(subnet_of.values()) == ["mgmt-snet", "private-snet", "public-snet"]
    pools = [n["ipConfigurations"][0]["loadBalancerBackendAddressPools"] for n in nics]
    assert pools[0] == []
    assert pools[1][0]["id"].endswith(
        "/loadBalancers/airs-az-dev-ilb/backendAddressPools/trust-backend"
    )
    assert pools[2][0]["id"].endswith(
        "/loadBalancers/airs-az-dev-public-lb/backendAddressPools/untrust-backend"
    )


def test_custom_data_is_a_secret_input(dev: ProgramRun) -> None:
    vmss = one(dev, "azure-native:compute:VirtualMachineScaleSet")
    assert is_secret(vmss.inputs["virtualMachineProfile"])
    # The example stack's secrets are opaque here: the key shows as the placeholder.
    data = _plain(vmss.inputs["virtualMachineProfile"])["osProfile"]["customData"]
    assert base64.b64decode(data).decode().endswith("auth-key=[secret]")


def test_bootstrap_custom_data_content() -> None:
    values, secret = _values("azure-prod")
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = "_AQ__example"
    run = _run_values(values, secret)
    vmss = one(run, "azure-native:compute:VirtualMachineScaleSet")
    data = _plain(vmss.inputs["virtualMachineProfile"])["osProfile"]["customData"]
    pairs = [p.split("=", 1) for p in base64.b64decode(data).decode().split(";")]
    assert pairs == [
        ["type", "dhcp-client"],
        ["plugin-op-commands", "advance-routing:enable,panorama-licensing-mode-on"],
        ["panorama-server", "203.0.113.10"],
        ["panorama-server-2", "203.0.113.11"],
        ["tplname", "airs-az-prod-stack"],
        ["dgname", "airs-az-prod-dg"],
        ["auth-key", "_AQ__example"],
    ]
    # Nothing of the key leaks into a plain input anywhere.
    for r in run.resources:
        for key, value in r.inputs.items():
            if not is_secret(value):
                assert "_AQ__example" not in json.dumps(value, default=str), (r.name, key)


def test_panorama_server_defaults_to_the_panorama_hostname() -> None:
    values, secret = _values("azure-dev")
    del values["securityProject"]["firewall"]["bootstrap"]["panoramaServer"]
    values["panorama"]["hostname"] = "panorama.example.com"
    cfg = parse_stack_config(values, secret)
    assert "panorama-server=panorama.example.com;" in azure_facts.bootstrap_string(cfg, "k")


def test_tags_carry_one_stable_deployment_id(dev: ProgramRun) -> None:
    values, secret = _values("azure-dev")
    cfg = parse_stack_config(values, secret)
    expected = azure_facts.deployment_id(cfg)
    assert expected == azure_facts.deployment_id(parse_stack_config(*_values("azure-dev")))
    taggable = [r for r in _azure(dev) if not r.type.endswith(":VirtualNetworkPeering")]
    tagged = [r for r in taggable if "tags" in r.inputs]
    assert tagged == taggable  # every resource that takes tags has them (peerings take none)
    for r in tagged:
        assert r.inputs["tags"] == {
            "paloaltonetworks.com-trust": expected,
            "paloaltonetworks.com-occupied": expected,
        }, r.name
    # Another deployment (name, group or subscription) gets another id.
    values["name"] = "airs-az-dev2"
    assert azure_facts.deployment_id(parse_stack_config(values, secret)) != expected


def test_adopted_resource_group_is_referenced_not_created(prod: ProgramRun) -> None:
    assert not by_type(prod, "azure-native:resources:ResourceGroup")
    sec = one(prod, SECURITY)
    for r in _azure(prod):
        if r.parent == sec.urn:
            assert r.inputs["resourceGroupName"] == "rg-airs-prod", r.name


def test_created_resource_group(dev: ProgramRun) -> None:
    group = one(dev, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == "rg-airs-dev"
    assert group.inputs["location"] == "eastus2"


def test_outputs_of_the_common_shape(dev: ProgramRun, prod: ProgramRun) -> None:
    out = dev.outputs
    assert out["trustCidr"] == "10.50.0.128/26"
    assert out["trustGatewayIp"] == "10.50.0.129"
    assert out["untrustGatewayIp"] == "10.50.0.65"
    assert out["loadBalancerIp"] == "10.50.0.189"
    assert ipaddress.IPv4Address(out["publicLoadBalancerIp"]) in ipaddress.IPv4Network(
        "203.0.113.0/24"
    )
    assert out["firewallGroup"].endswith("/virtualMachineScaleSets/airs-az-dev-vmss")
    assert set(out["networks"]) == {"vnet", "mgmt", "untrust", "trust"}
    assert prod.outputs["loadBalancerIp"] == "10.150.0.190"
    assert prod.outputs["trustGatewayIp"] == "10.150.0.129"
    # Deterministic: a second plan shows the same public address.
    assert plan_example("azure-dev").outputs["publicLoadBalancerIp"] == out["publicLoadBalancerIp"]


def test_vm_mode_builds_standalone_firewalls_across_zones() -> None:
    values, secret = _values("azure-prod")
    values["securityProject"]["firewall"].update(mode="vm", minReplicas=2)
    run = _run_values(values, secret)
    assert not by_type(run, "azure-native:compute:VirtualMachineScaleSet")
    vms = sorted(by_type(run, "azure-native:compute:VirtualMachine"), key=lambda v: v.name)
    assert [(v.inputs["vmName"], v.inputs["zones"]) for v in vms] == [
        ("airs-az-prod-fw1", ["1"]),
        ("airs-az-prod-fw2", ["2"]),
    ]
    nics = by_type(run, f"{NET}NetworkInterface")
    assert len(nics) == 6
    assert len(by_type(run, f"{NET}PublicIPAddress")) == 3  # public LB + one mgmt IP per VM
    for vm in vms:
        assert vm.inputs["plan"]["product"] == "airs-flex"
        assert is_secret(vm.inputs["osProfile"])
        refs = vm.inputs["networkProfile"]["networkInterfaces"]
        assert [r["primary"] for r in refs] == [True, False, False]
        assert [r["id"].rsplit("/", 1)[-1] for r in refs] == [
            f"{vm.inputs['vmName']}-mgmt-nic",
            f"{vm.inputs['vmName']}-trust-vpc",
            f"{vm.inputs['vmName']}-untrust-nic",
        ]
    for nic in nics:
        data = not nic.inputs["networkInterfaceName"].endswith("mgmt-nic")
        assert nic.inputs["enableIPForwarding"] is data
        assert nic.inputs["enableAcceleratedNetworking"] is data
    assert run.outputs["firewallGroup"].endswith(
        "/loadBalancers/airs-az-prod-ilb/backendAddressPools/trust-backend"
    )


# --------------------------------------------------------------------------- config rules


def _problems(values: dict[str, Any], secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def _set(values: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    cur: Any = values
    for key in keys[:-1]:
        cur = cur[key]
    cur[keys[-1]] = value


CONFIG_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "azure-prod",
        {"securityProject.cidrs.trust": "10.151.0.0/26"},
        "airs:securityProject.cidrs.trust: 10.151.0.0/26 — does not fit in the VNet 10.150.0.0/24",
    ),
    (
        "azure-prod",
        {"securityProject.cidrs.mgmt": "10.150.0.0/23"},
        "airs:securityProject.cidrs.mgmt: 10.150.0.0/23 — does not fit in the VNet",
    ),
    (
        "azure-dev",
        {"securityProject.cidrs.trust": "10.50.0.128/26"},
        "airs:securityProject.cidrs: partial — give all of mgmt, untrust and trust, or none",
    ),
    (
        "azure-dev",
        {"securityProject.cidrs.vnet": "10.50.0.0/27"},
        "airs:securityProject.cidrs.vnet: 10.50.0.0/27 — must be /26 or larger",
    ),
    (
        "azure-prod",
        {"securityProject.ilbIp": "10.150.0.10"},
        "airs:securityProject.ilbIp: 10.150.0.10 — must lie inside the trust subnet 10.150.0.128/26",
    ),
    (
        "azure-dev",
        {"securityProject.ilbIp": "10.50.0.129"},
        "airs:securityProject.ilbIp: 10.50.0.129 — is reserved in the trust subnet 10.50.0.128/26",
    ),
    (
        "azure-prod",
        {"applications.data-vnet.cidrs": ["10.160.128.0/17"]},
        "airs:applications.data-vnet.cidrs[0]: 10.160.128.0/17 — overlaps "
        "airs:applications.app-vnet.cidrs[0] (10.160.0.0/16)",
    ),
    (
        "azure-dev",
        {"applications.app-vnet.cidrs": ["10.50.0.0/16"]},
        "airs:applications.app-vnet.cidrs[0]: 10.50.0.0/16 — overlaps "
        "airs:securityProject.cidrs.vnet",
    ),
    (
        "azure-dev",
        {"securityProject.zones": ["1", "4"]},
        "airs:securityProject.zones[1]: 4 — must be one of '1', '2' or '3'",
    ),
    (
        "azure-dev",
        {"securityProject.zones": ["1", "1"]},
        'airs:securityProject.zones: ["1","1"] — lists a zone twice',
    ),
    (
        "azure-dev",
        {"securityProject.firewall.imageOffer": "vmseries-flex"},
        "airs:securityProject.firewall.imageOffer: vmseries-flex — is not an AIRS offer",
    ),
    (
        "azure-dev",
        {"securityProject.subscriptionId": "not-a-uuid"},
        "airs:securityProject.subscriptionId: not-a-uuid — must be a subscription id",
    ),
    (
        "azure-dev",
        {"securityProject.healthCheckPort": 8443},
        "airs:securityProject.healthCheckPort: 8443 — must be 443, 80 or 22",
    ),
    (
        "azure-dev",
        {"securityProject.mgmtAllowedCidrs": ["0.0.0.0/0"]},
        "airs:securityProject.mgmtAllowedCidrs[0]: 0.0.0.0/0 — must not open",
    ),
    (
        "azure-dev",
        {"securityProject.firewall.mode": "aks"},
        "airs:securityProject.firewall.mode: aks — must be one of 'vmss' or 'vm'",
    ),
]


@pytest.mark.parametrize(("stack", "changes", "expected"), CONFIG_CASES)
def test_config_rules(stack: str, changes: dict[str, Any], expected: str) -> None:
    values, secret = _values(stack)
    for path, value in changes.items():
        _set(values, path, value)
    problems = _problems(values, secret)
    assert any(p.startswith(expected) for p in problems), problems


def test_zones_given_as_yaml_integers_are_accepted() -> None:
    values, secret = _values("azure-dev")
    values["securityProject"]["zones"] = [1, 2, 3]
    cfg = parse_stack_config(values, secret)
    assert cfg.security_project.zones == ["1", "2", "3"]  # type: ignore[union-attr]


# --------------------------------------------------------------------------- imports and speed

PROBE = """
import json, sys
from tests.helpers import plan_example
for stack in ("azure-dev", "azure-prod"):
    plan_example(stack)
# Subpackages the SDK registers lazily stay _LazyModule stubs until first used.
executed = sorted(
    m for m, mod in list(sys.modules.items())
    if m.split(".")[0] in ("pulumi_azure_native", "pulumi_gcp", "pulumi_aws")
    and type(mod).__name__ != "_LazyModule"
)
print(json.dumps({"modules": executed}))
"""


def test_an_azure_plan_imports_only_the_submodules_it_uses() -> None:
    report = json.loads(fresh_python(PROBE).splitlines()[-1])
    loaded: list[str] = report["modules"]
    assert all(m.split(".")[0] == "pulumi_azure_native" for m in loaded), loaded
    first_level = {m.split(".")[1] for m in loaded if "." in m}
    services = {m for m in first_level if not m.startswith("_") and m != "provider"}
    assert services == {"network", "compute", "resources"}, services
    assert first_level - services <= {"_utilities", "provider"}, first_level


# --------------------------------------------------------------------------- mock answers


def test_mock_ids_and_addresses_are_realistic_and_deterministic() -> None:
    from pulumi.runtime.mocks import MockResourceArgs

    from components.clouds.azure import mocks as mock

    sub = "00000000-0000-4000-8000-000000000001"
    args = MockResourceArgs(
        typ="azure-native:network:PublicIPAddress",
        name="x",
        inputs={"resourceGroupName": "rg", "publicIpAddressName": "pip"},
        provider=f"urn:pulumi:s::airs::pulumi:providers:azure-native::p-azure-{sub}::id",
    )
    rid, state = mock.new_resource(args, "fallback")
    assert rid == (
        f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip"
    )
    assert state["id"] == rid
    assert ipaddress.IPv4Address(state["ipAddress"]) in ipaddress.IPv4Network("203.0.113.0/24")
    assert mock.new_resource(args, "fallback") == (rid, state)
    peering = MockResourceArgs(
        typ="azure-native:network:VirtualNetworkPeering",
        name="y",
        inputs={
            "resourceGroupName": "rg",
            "virtualNetworkName": "vnet",
            "virtualNetworkPeeringName": "to-app",
        },
        provider=args.provider,
    )
    assert mock.new_resource(peering, "fallback")[0].endswith(
        "/virtualNetworks/vnet/virtualNetworkPeerings/to-app"
    )
