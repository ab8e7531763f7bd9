"""GcpSecurityProject under the mock engine: the exact resource graph of the GCP examples."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components import network
from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import Registration
from components.clouds.gcp import facts as gcp_facts
from components.clouds.gcp import security_project as sp_gcp
from tests.helpers import (
    by_type,
    example_values,
    is_secret,
    one,
    plan_example,
    settings_from,
    unwrap,
)

SP = "airs:index:GcpSecurityProject"
COMPUTE = "https://www.googleapis.com/compute/v1/projects"
T = {
    "provider": "pulumi:providers:gcp",
    "network": "gcp:compute/network:Network",
    "subnet": "gcp:compute/subnetwork:Subnetwork",
    "firewall": "gcp:compute/firewall:Firewall",
    "account": "gcp:serviceaccount/account:Account",
    "iam": "gcp:projects/iAMMember:IAMMember",
    "template": "gcp:compute/instanceTemplate:InstanceTemplate",
    "mig": "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
    "autoscaler": "gcp:compute/regionAutoscaler:RegionAutoscaler",
    "hc": "gcp:compute/healthCheck:HealthCheck",
    "backend": "gcp:compute/regionBackendService:RegionBackendService",
    "fr": "gcp:compute/forwardingRule:ForwardingRule",
    "route": "gcp:compute/route:Route",
    "router": "gcp:compute/router:Router",
    "nat": "gcp:compute/routerNat:RouterNat",
}


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan_example("gcp-dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan_example("gcp-prod")


@pytest.fixture(scope="module")
def runs(dev: ProgramRun, prod: ProgramRun) -> dict[str, ProgramRun]:
    return {"gcp-dev": dev, "gcp-prod": prod}


def _component(run: ProgramRun) -> Registration:
    return one(run, SP)


def _children(run: ProgramRun) -> list[Registration]:
    urn = _component(run).urn
    return [r for r in run.resources if r.parent == urn]


def _state(run: ProgramRun, reg: Registration, key: str) -> Any:
    """A computed value as the mock engine answered it (e.g. a selfLink)."""
    from pulumi.runtime.mocks import MockResourceArgs

    from components.clouds.gcp import mocks as mock_gcp

    args = MockResourceArgs(reg.type, reg.name, reg.inputs, "", "", True)
    return mock_gcp.new_resource(args, reg.name)[1][key]


def _variant(stack: str, **changes: Any) -> ProgramRun:
    """Run an example stack with ``securityProject`` keys changed (dotted paths)."""
    values, secret = example_values(stack)
    values = copy.deepcopy(values)
    for path, value in changes.items():
        cur = values["securityProject"]
        *head, last = path.split("__")
        for part in head:
            cur = cur[part]
        cur[last] = value
    return run_program(settings_from(values, secret, stack=stack))


# --------------------------------------------------------------------------- graph


def _expected(prefix: str, nat: bool = True) -> set[tuple[str, str]]:
    n = f"{prefix}-security"
    out = {
        (T["provider"], f"{n}-provider"),
        (T["account"], f"{n}-fw-sa"),
        (T["iam"], f"{n}-fw-sa-compute-networkviewer"),
        (T["iam"], f"{n}-fw-sa-logging-logwriter"),
        (T["iam"], f"{n}-fw-sa-monitoring-metricwriter"),
        (T["template"], f"{n}-fw-template"),
        (T["mig"], f"{n}-fw-mig"),
        (T["autoscaler"], f"{n}-fw-autoscaler"),
        (T["hc"], f"{n}-ilb-health-check"),
        (T["backend"], f"{n}-ilb-backend"),
        (T["fr"], f"{n}-ilb-rule"),
        (T["route"], f"{n}-trust-default-route"),
    }
    for role in ("mgmt", "untrust", "trust"):
        out |= {
            (T["network"], f"{n}-{role}-vpc"),
            (T["subnet"], f"{n}-{role}-subnet"),
            (T["firewall"], f"{n}-allow-{role}"),
        }
    if nat:
        out |= {(T["router"], f"{n}-mgmt-router"), (T["nat"], f"{n}-mgmt-nat")}
    return out


@pytest.mark.parametrize(
    ("stack", "prefix"), [("gcp-dev", "airs-gcp-dev"), ("gcp-prod", "airs-gcp-prod")]
)
def test_exact_resource_graph(runs: dict[str, ProgramRun], stack: str, prefix: str) -> None:
    run = runs[stack]
    got = [(r.type, r.name) for r in _children(run)]
    assert len(got) == len(set(got)) == 23
    assert set(got) == _expected(prefix)
    # Every GCP resource of the program lives in our two components.
    homes = {_component(run).urn, one(run, "airs:index:GcpApplicationConnection").urn}
    assert all(r.parent in homes for r in run.resources if r.type.startswith("gcp:"))


def test_component_is_child_of_the_deployment(dev: ProgramRun) -> None:
    comp = _component(dev)
    assert comp.name == "airs-gcp-dev-security"
    assert comp.parent is not None
    assert comp.parent.endswith("airs:index:AirsDeployment::airs-gcp-dev")


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_every_custom_resource_uses_the_explicit_provider(
    runs: dict[str, ProgramRun], stack: str
) -> None:
    run = runs[stack]
    provider = one(run, T["provider"])
    assert provider.inputs["project"] == (
        "example-airs-dev" if stack == "gcp-dev" else "example-airs-prod"
    )
    assert provider.inputs["region"] == "us-east1"
    customs = [r for r in _children(run) if r.custom and r.type != T["provider"]]
    assert customs
    for reg in customs:
        assert reg.provider, f"{reg.name} has no explicit provider"
        assert reg.provider.startswith(provider.urn + "::"), reg.name
    # Every gcp resource of the whole program uses an explicit provider (no default ones).
    assert all(r.provider for r in run.resources if r.type.startswith("gcp:"))


# --------------------------------------------------------------------------- networks


def test_networks_and_subnets(dev: ProgramRun) -> None:
    nets = {r.name.rsplit("-", 2)[-2]: r for r in by_type(dev, T["network"])}
    assert {k: v.inputs["name"] for k, v in nets.items()} == {
        "mgmt": "airs-gcp-dev-fw-mgmt-vpc",
        "untrust": "airs-gcp-dev-fw-untrust-vpc",
        "trust": "airs-gcp-dev-fw-trust-vpc",
    }
    assert nets["trust"].inputs["name"].endswith("-trust-vpc")
    assert nets["trust"].inputs["deleteDefaultRoutesOnCreate"] is True
    assert nets["mgmt"].inputs["deleteDefaultRoutesOnCreate"] is False
    assert all(n.inputs["autoCreateSubnetworks"] is False for n in nets.values())
    subnets = {r.inputs["name"]: r.inputs for r in by_type(dev, T["subnet"])}
    assert {k: v["ipCidrRange"] for k, v in subnets.items()} == {
        "airs-gcp-dev-fw-mgmt-sub": "10.10.0.0/24",
        "airs-gcp-dev-fw-untrust-sub": "10.10.1.0/24",
        "airs-gcp-dev-fw-trust-sub": "10.10.2.0/24",
    }
    assert subnets["airs-gcp-dev-fw-trust-sub"]["network"] == (
        f"{COMPUTE}/example-airs-dev/global/networks/airs-gcp-dev-fw-trust-vpc"
    )
    assert all(s["region"] == "us-east1" for s in subnets.values())


# --------------------------------------------------------------------------- rules


def _rules(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {
        r.inputs["name"]: r.inputs
        for r in by_type(run, T["firewall"])
        if r.parent == _component(run).urn
    }


def test_rule_source_ranges_dev(dev: ProgramRun) -> None:
    rules = _rules(dev)
    assert set(rules) == {
        "airs-gcp-dev-allow-mgmt-ingress",
        "airs-gcp-dev-allow-untrust-ingress",
        "airs-gcp-dev-allow-trust-ingress",
    }
    mgmt = rules["airs-gcp-dev-allow-mgmt-ingress"]
    assert mgmt["sourceRanges"] == ["198.51.100.0/24"]
    assert mgmt["allows"] == [{"protocol": "tcp", "ports": ["22", "443"]}]
    untrust = rules["airs-gcp-dev-allow-untrust-ingress"]
    assert untrust["sourceRanges"] == ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"]
    trust = rules["airs-gcp-dev-allow-trust-ingress"]
    assert trust["sourceRanges"] == [
        "35.191.0.0/16",
        "130.211.0.0/22",
        "10.20.0.0/16",  # app-vpc
        "10.20.0.0/20",  # gke-dev nodes
        "10.40.0.0/14",  # gke-dev pods (the vendor bundle forgets these)
        "10.44.0.0/20",  # gke-dev services
    ]
    for rule in rules.values():
        assert rule["direction"] == "INGRESS"
        assert rule["priority"] == 1000
    assert trust["allows"] == untrust["allows"] == [{"protocol": "all"}]
    assert trust["network"].endswith("/airs-gcp-dev-fw-trust-vpc")
    assert mgmt["network"].endswith("/airs-gcp-dev-fw-mgmt-vpc")


def test_rule_source_ranges_prod(prod: ProgramRun) -> None:
    rules = _rules(prod)
    assert rules["airs-gcp-prod-allow-mgmt-ingress"]["sourceRanges"] == ["198.51.100.0/24"]
    assert rules["airs-gcp-prod-allow-untrust-ingress"]["sourceRanges"] == [
        "35.191.0.0/16",
        "209.85.152.0/22",
        "209.85.204.0/22",
        "203.0.113.0/24",
    ]
    trust = rules["airs-gcp-prod-allow-trust-ingress"]["sourceRanges"]
    assert trust[:2] == ["35.191.0.0/16", "130.211.0.0/22"]
    assert len(trust) == len(set(trust))
    assert set(trust) == {
        "35.191.0.0/16",
        "130.211.0.0/22",
        "10.120.0.0/16",  # app-vpc
        "10.130.0.0/16",  # ml-vpc
        "10.120.0.0/20",  # gke-prod nodes, pods, services
        "10.140.0.0/14",
        "10.144.0.0/20",
        "10.130.0.0/20",  # gke-ml-prod nodes, pods, services
        "10.148.0.0/14",
        "10.152.0.0/20",
    }


def test_health_check_ranges_come_from_the_network_module(dev: ProgramRun) -> None:
    rules = _rules(dev)
    trust = rules["airs-gcp-dev-allow-trust-ingress"]["sourceRanges"]
    untrust = rules["airs-gcp-dev-allow-untrust-ingress"]["sourceRanges"]
    assert trust[:2] == list(network.GCP_INTERNAL_HEALTH_CHECK_RANGES)
    assert untrust[:3] == list(network.GCP_EXTERNAL_HEALTH_CHECK_RANGES)


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_no_rule_opens_any_to_mgmt(runs: dict[str, ProgramRun], stack: str) -> None:
    run = runs[stack]
    mgmt_vpc = [
        r for r in by_type(run, T["firewall"]) if r.inputs["network"].endswith("-fw-mgmt-vpc")
    ]
    assert len(mgmt_vpc) == 1
    for rule in mgmt_vpc:
        assert network.ANY_IPV4 not in rule.inputs["sourceRanges"]
        assert {a["protocol"] for a in rule.inputs["allows"]} == {"tcp"}
    # And no rule anywhere admits the whole internet.
    assert all(
        network.ANY_IPV4 not in r.inputs.get("sourceRanges", [])
        for r in by_type(run, T["firewall"])
    )


# --------------------------------------------------------------------------- firewalls


def test_service_account_has_only_the_needed_roles(dev: ProgramRun) -> None:
    account = one(dev, T["account"])
    assert account.inputs["accountId"] == "airs-gcp-dev-fw-sa"
    email = "airs-gcp-dev-fw-sa@example-airs-dev.iam.gserviceaccount.com"
    grants = by_type(dev, T["iam"])
    assert sorted(g.inputs["role"] for g in grants) == sorted(sp_gcp.FIREWALL_ROLES)
    assert all(g.inputs["member"] == f"serviceAccount:{email}" for g in grants)
    assert all(g.inputs["project"] == "example-airs-dev" for g in grants)
    assert not {"roles/viewer", "roles/editor", "roles/owner"} & {g.inputs["role"] for g in grants}
    template = one(dev, T["template"])
    assert template.inputs["serviceAccount"]["email"] == email
    # The template waits for the grants (firewalls must write metrics from their first boot).
    assert {g.urn for g in grants} <= set(template.dependencies)


def test_instance_template(dev: ProgramRun) -> None:
    t = one(dev, T["template"]).inputs
    assert t["canIpForward"] is True
    assert t["machineType"] == "n2-standard-4"
    assert t["namePrefix"] == "airs-gcp-dev-fw-"
    assert t["disks"] == [
        {
            "sourceImage": "projects/paloaltonetworksgcp-public/global/images/ai-runtime-security-byol-1125h1",
            "diskType": "pd-ssd",
            "autoDelete": True,
            "boot": True,
        }
    ]
    nics = t["networkInterfaces"]
    # NIC order untrust, mgmt, trust (with mgmt-interface-swap=enable).
    assert [n["network"].rsplit("/", 1)[-1] for n in nics] == [
        "airs-gcp-dev-fw-untrust-vpc",
        "airs-gcp-dev-fw-mgmt-vpc",
        "airs-gcp-dev-fw-trust-vpc",
    ]
    assert [n["subnetwork"].rsplit("/", 1)[-1] for n in nics] == [
        "airs-gcp-dev-fw-untrust-sub",
        "airs-gcp-dev-fw-mgmt-sub",
        "airs-gcp-dev-fw-trust-sub",
    ]
    assert nics[0]["accessConfigs"] == [{}]  # untrust: ephemeral public IP for outbound
    assert "accessConfigs" not in nics[1]  # mgmt: no public IP, the Cloud NAT serves it
    assert "accessConfigs" not in nics[2]


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_labels(runs: dict[str, ProgramRun], stack: str) -> None:
    labels = one(runs[stack], T["template"]).inputs["labels"]
    project = "example-airs-dev" if stack == "gcp-dev" else "example-airs-prod"
    name = "airs-gcp-dev" if stack == "gcp-dev" else "airs-gcp-prod"
    expected = gcp_facts.deployment_id(project, name)
    assert labels == {
        "paloaltonetworks_com-trust": expected,
        "paloaltonetworks_com-occupied": expected,
    }
    assert runs[stack].outputs["deploymentId"] == expected


def test_label_ids_are_unique_per_deployment_and_stable(dev: ProgramRun, prod: ProgramRun) -> None:
    a = one(dev, T["template"]).inputs["labels"]["paloaltonetworks_com-occupied"]
    b = one(prod, T["template"]).inputs["labels"]["paloaltonetworks_com-occupied"]
    assert a != b
    assert gcp_facts.deployment_id("example-airs-dev", "airs-gcp-dev") == a
    assert len(a) <= 63
    assert a.isalnum()
    assert a.islower()


def test_bootstrap_metadata_dev(dev: ProgramRun) -> None:
    meta = one(dev, T["template"]).inputs["metadata"]
    assert is_secret(meta)  # the map carries the auth key, so Pulumi holds it all as secret
    values = unwrap(meta)
    assert values["vm-auth-key"]  # opaque in this run: the stack's secrets are not decrypted
    assert {k: v for k, v in values.items() if k != "vm-auth-key"} == {
        "type": "dhcp-client",
        "dhcp-send-hostname": "yes",
        "dhcp-send-client-id": "yes",
        "dhcp-accept-server-hostname": "yes",
        "dhcp-accept-server-domain": "yes",
        "mgmt-interface-swap": "enable",
        "panorama-server": "203.0.113.10",
        "tplname": "airs-gcp-dev-stack",
        "dgname": "airs-gcp-dev-dg",
        "plugin-op-commands": "advance-routing:enable,panorama-licensing-mode-on",
    }


def test_bootstrap_metadata_prod_has_second_panorama(prod: ProgramRun) -> None:
    values = unwrap(one(prod, T["template"]).inputs["metadata"])
    assert values["panorama-server"] == "203.0.113.10"
    assert values["panorama-server-2"] == "203.0.113.11"


def test_auth_key_is_a_secret_and_never_plain() -> None:
    values, secret = example_values("gcp-dev")
    values = copy.deepcopy(values)
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = "plain-auth-key-123"
    values["panoramaApiKey"] = "api"
    for cluster in values["clusters"].values():
        cluster["kubeconfig"] = "kc"
    run = run_program(settings_from(values, secret | {"securityProject"}, stack="gcp-dev"))
    meta = one(run, T["template"]).inputs["metadata"]
    assert is_secret(meta)
    assert unwrap(meta)["vm-auth-key"] == "plain-auth-key-123"

    def plain_strings(value: Any) -> list[str]:
        if is_secret(value):
            return []
        if isinstance(value, dict):
            return [s for v in value.values() for s in plain_strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in plain_strings(v)]
        return [value] if isinstance(value, str) else []

    for reg in run.resources:
        assert not any("plain-auth-key-123" in s for s in plain_strings(reg.inputs)), reg.name


def test_mig_and_autoscaler(dev: ProgramRun, prod: ProgramRun) -> None:
    mig = one(prod, T["mig"])
    assert mig.inputs["distributionPolicyZones"] == ["us-east1-b", "us-east1-c", "us-east1-d"]
    assert mig.inputs["baseInstanceName"] == "airs-gcp-prod-fw"
    assert mig.inputs["region"] == "us-east1"
    template_link = _state(prod, one(prod, T["template"]), "selfLink")
    assert mig.inputs["versions"] == [{"name": "airs", "instanceTemplate": template_link}]
    assert mig.inputs["updatePolicy"]["type"] == "OPPORTUNISTIC"
    assert mig.inputs["updatePolicy"]["maxSurgeFixed"] == 3
    assert "targetSize" not in mig.inputs  # the autoscaler owns the size
    for run, lo, hi in ((dev, 1, 2), (prod, 2, 6)):
        scaler = one(run, T["autoscaler"]).inputs
        policy = scaler["autoscalingPolicy"]
        assert (policy["minReplicas"], policy["maxReplicas"]) == (lo, hi)
        assert [m["name"] for m in policy["metrics"]] == [
            "custom.googleapis.com/VMSeries/panSessionUtilization",
            "custom.googleapis.com/VMSeries/panSessionThroughputKbps",
        ]
        assert all(m["filter"] == 'resource.type = "gce_instance"' for m in policy["metrics"])
        assert scaler["target"] == _state(run, one(run, T["mig"]), "selfLink")


PLUGIN_XPATH = (
    "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='{template}']"
    "/config/devices/entry[@name='localhost.localdomain']/deviceconfig/plugins/vm_series"
    "/gcp-cloudwatch"
)


def _published(run: ProgramRun) -> list[Registration]:
    """The Panorama objects turning on the VM-Series plugin's Cloud Monitoring publishing."""
    objects = by_type(run, "pulumi-python:dynamic/panorama:Object")
    return [o for o in objects if o.inputs["kind"] == "gcp-cloudwatch"]


def test_firewalls_publish_the_metrics_the_autoscaler_scales_on(dev: ProgramRun) -> None:
    """Issue 15, defect 7: the autoscaler reads custom.googleapis.com/VMSeries/* metrics, which
    exist only once the template turns on the plugin's Cloud Monitoring publishing (and the
    firewalls may write them), or the group never scales."""
    policy = one(dev, T["autoscaler"]).inputs["autoscalingPolicy"]
    assert all(m["name"].startswith("custom.googleapis.com/VMSeries/") for m in policy["metrics"])
    (published,) = _published(dev)
    assert published.inputs["xpath"] == PLUGIN_XPATH.format(template="airs-gcp-dev-tpl")
    assert published.inputs["element"] == (
        "<gcp-cloudwatch><enabled>yes</enabled><update-interval>1</update-interval>"
        "</gcp-cloudwatch>"
    )
    # Writing custom metrics takes the metric writer role and the monitoring write scope.
    assert "roles/monitoring.metricWriter" in {g.inputs["role"] for g in by_type(dev, T["iam"])}
    scopes = one(dev, T["template"]).inputs["serviceAccount"]["scopes"]
    assert "https://www.googleapis.com/auth/monitoring.write" in scopes


def test_metrics_interval_reaches_the_template() -> None:
    run = _variant("gcp-dev", firewall__metricsInterval=3)
    (published,) = _published(run)
    assert "<update-interval>3</update-interval>" in published.inputs["element"]


# --------------------------------------------------------------------------- load balancer, route, NAT


def test_internal_load_balancer(dev: ProgramRun) -> None:
    hc = one(dev, T["hc"]).inputs
    assert hc["tcpHealthCheck"] == {"port": 443}
    backend = one(dev, T["backend"]).inputs
    assert backend["loadBalancingScheme"] == "INTERNAL"
    assert backend["protocol"] == "UDP"
    assert backend["network"].endswith("/global/networks/airs-gcp-dev-fw-trust-vpc")
    assert (
        backend["healthChecks"]
        == f"{COMPUTE}/example-airs-dev/global/healthChecks/airs-gcp-dev-ilb-tcp443"
    )
    assert backend["backends"] == [
        {
            "group": f"{COMPUTE}/example-airs-dev/regions/us-east1/instanceGroups/airs-gcp-dev-fw-mig",
            "balancingMode": "CONNECTION",
        }
    ]
    rules = by_type(dev, T["fr"])
    assert len(rules) == 1  # one UDP rule: pan-cni's UDP 6080 and the route next hop
    fr = rules[0].inputs
    assert fr["loadBalancingScheme"] == "INTERNAL"
    assert fr["ipProtocol"] == "UDP"  # TCP drops pan-cni; L3_DEFAULT cannot be a next hop
    assert fr["allPorts"] is True
    assert fr["allowGlobalAccess"] is True
    assert fr["ipAddress"] == "10.10.2.253"
    assert fr["subnetwork"].endswith("/subnetworks/airs-gcp-dev-fw-trust-sub")
    assert (
        fr["backendService"]
        == f"{COMPUTE}/example-airs-dev/regions/us-east1/backendServices/airs-gcp-dev-ilb"
    )


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_trust_default_route(runs: dict[str, ProgramRun], stack: str) -> None:
    run = runs[stack]
    routes = by_type(run, T["route"])
    assert len(routes) == 1  # and in particular no bypass route to the internet gateway
    route = routes[0].inputs
    assert route["destRange"] == "0.0.0.0/0"
    assert route["priority"] == 900
    assert route["network"].endswith("-fw-trust-vpc")
    assert route["nextHopIlb"] == _state(run, one(run, T["fr"]), "selfLink")
    assert "nextHopGateway" not in route


def test_mgmt_cloud_nat(dev: ProgramRun) -> None:
    router = one(dev, T["router"]).inputs
    assert router["network"].endswith("/airs-gcp-dev-fw-mgmt-vpc")
    nat = one(dev, T["nat"]).inputs
    assert nat["router"] == "airs-gcp-dev-fw-mgmt-router"
    assert nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert nat["subnetworks"] == [
        {
            "name": f"{COMPUTE}/example-airs-dev/regions/us-east1/subnetworks/airs-gcp-dev-fw-mgmt-sub",
            "sourceIpRangesToNats": ["ALL_IP_RANGES"],
        }
    ]


def test_mgmt_public_ip_replaces_the_nat_and_custom_lb_settings() -> None:
    run = _variant(
        "gcp-dev",
        firewall__mgmtPublicIp=True,
        ilbIp="10.10.2.10",
        healthCheckPort=80,
    )
    got = {(r.type, r.name) for r in _children(run)}
    assert got == _expected("airs-gcp-dev", nat=False)
    nics = one(run, T["template"]).inputs["networkInterfaces"]
    assert nics[1]["accessConfigs"] == [{}]
    assert one(run, T["fr"]).inputs["ipAddress"] == "10.10.2.10"
    assert one(run, T["hc"]).inputs["tcpHealthCheck"] == {"port": 80}
    assert run.outputs["loadBalancerIp"] == "10.10.2.10"


# --------------------------------------------------------------------------- outputs


def test_outputs_dev(dev: ProgramRun) -> None:
    out = dev.outputs
    assert out["loadBalancerIp"] == "10.10.2.253"
    assert out["trustCidr"] == "10.10.2.0/24"
    assert out["trustGatewayIp"] == "10.10.2.1"
    assert out["untrustGatewayIp"] == "10.10.1.1"
    assert (
        out["firewallGroup"]
        == "projects/example-airs-dev/regions/us-east1/instanceGroupManagers/airs-gcp-dev-fw-mig"
    )
    assert out["networks"] == {
        role: f"{COMPUTE}/example-airs-dev/global/networks/airs-gcp-dev-fw-{role}-vpc"
        for role in ("mgmt", "untrust", "trust")
    }


def test_outputs_prod(prod: ProgramRun) -> None:
    assert prod.outputs["loadBalancerIp"] == "10.110.2.253"
    assert prod.outputs["trustGatewayIp"] == "10.110.2.1"


# --------------------------------------------------------------------------- helpers


def test_gce_name() -> None:
    assert (
        gcp_facts.gce_name("airs-gcp-dev", "App_VPC", "to-trust") == "airs-gcp-dev-app-vpc-to-trust"
    )
    long_a = gcp_facts.gce_name("airs-gcp-prod", "x" * 80, "a")
    long_b = gcp_facts.gce_name("airs-gcp-prod", "x" * 80, "b")
    assert len(long_a) <= 63
    assert len(long_b) <= 63
    assert long_a != long_b


def test_image_link() -> None:
    assert gcp_facts.image_link("img", "proj") == "projects/proj/global/images/img"
    link = "projects/other/global/images/ai-runtime-security-byol-11211"
    assert gcp_facts.image_link(link, "proj") == link
