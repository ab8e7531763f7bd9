"""AwsApplicationConnection under the mock engine: GWLB endpoints per zone, routes, TGW."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pulumi
import pytest

from components import network
from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import stable_hex
from components.clouds import load_stack_config
from components.clouds.aws.application import AwsApplicationConnection, _pick
from components.clouds.aws.security_project import AwsSecurityProject
from tests.clouds.aws.test_security_project import cached_plan
from tests.helpers import (
    by_type,
    example_problems,
    example_values,
    load_example,
    one,
    settings_from,
)

SUBNET = "aws:ec2/subnet:Subnet"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
RT = "aws:ec2/routeTable:RouteTable"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
TGW_ATTACH = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
RELEASE = "kubernetes:helm.sh/v3:Release"


def _endpoints_program() -> None:
    """Just the two AWS components, exporting ``AwsApplicationConnection.endpoints``."""
    cfg = load_stack_config()
    # Same logical names as AirsDeployment, so the mock ids (and IPs) match a full plan.
    project = AwsSecurityProject(f"{cfg.name}-security", cfg)
    apps = AwsApplicationConnection(f"{cfg.name}-apps", cfg, project)
    for key, endpoints in apps.endpoints.items():
        zones = [e.zone for e in endpoints]
        pulumi.export(
            key,
            pulumi.Output.all(*[e.ip for e in endpoints]).apply(functools.partial(_pairs, zones)),
        )


def _pairs(zones: list[str | None], ips: list[str]) -> list[list[str | None]]:
    return [[ip, z] for ip, z in zip(ips, zones, strict=True)]


@pytest.fixture
def prod() -> ProgramRun:
    return cached_plan("aws-prod")


@pytest.fixture(scope="module")
def prod_endpoints() -> ProgramRun:
    return run_program(load_example("aws-prod"), program=_endpoints_program)


def _apps(stack: str) -> dict[str, Any]:
    values, _ = example_values(stack)
    apps: dict[str, Any] = values["applications"]
    return apps


def _endpoint_id(reg_name: str) -> str:
    # The mock derives VPC endpoint ids from the type and logical name.
    return f"vpce-{stable_hex(ENDPOINT, reg_name, length=17)}"


# --------------------------------------------------------------------------- endpoints


def test_one_endpoint_per_app_and_zone(prod: ProgramRun) -> None:
    apps = _apps("aws-prod")
    service_name = prod.outputs["endpointServiceName"]
    endpoints = by_type(prod, ENDPOINT)
    assert len(endpoints) == sum(len(a["endpointSubnets"]) for a in apps.values())
    for key, app in apps.items():
        mine = [e for e in endpoints if e.name.startswith(f"airs-aws-prod-apps-{key}-")]
        zones = sorted(e.name.rsplit("-gwlbe-", 1)[1] for e in mine)
        assert zones == sorted(app["endpointSubnets"])
        for ep in mine:
            assert ep.inputs["vpcEndpointType"] == "GatewayLoadBalancer"
            assert ep.inputs["vpcId"] == app["network"]
            assert ep.inputs["serviceName"] == service_name
            (subnet_id,) = ep.inputs["subnetIds"]
            assert subnet_id.startswith("subnet-")
        subnets = {
            s.inputs["availabilityZone"]: s.inputs["cidrBlock"]
            for s in by_type(prod, SUBNET)
            if s.name.startswith(f"airs-aws-prod-apps-{key}-gwlbe-")
        }
        assert subnets == app["endpointSubnets"]


def test_endpoint_ips_and_zones_are_exposed(prod_endpoints: ProgramRun) -> None:
    apps = _apps("aws-prod")
    zone_order = ["us-west-2a", "us-west-2b", "us-west-2c"]
    for key, app in apps.items():
        pairs = prod_endpoints.outputs[key]
        assert [z for _, z in pairs] == [z for z in zone_order if z in app["endpointSubnets"]]
        for ip, zone in pairs:
            assert network.contains(app["endpointSubnets"][zone], ip), (key, zone, ip)
        assert len({ip for ip, _ in pairs}) == len(pairs)


def test_helm_release_gets_its_vpc_endpoints(prod: ProgramRun, prod_endpoints: ProgramRun) -> None:
    """Each EKS release uses its own VPC's endpoints (and two programs agree on the IPs)."""
    values, _ = example_values("aws-prod")
    app_of = {c["clusterId"]: c["application"] for c in values["clusters"].values()}
    releases = by_type(prod, RELEASE)
    assert len(releases) == len(app_of)
    for release in releases:
        app = app_of[release.inputs["values"]["clusterid"]]
        got = {(e["ip"], e["zone"]) for e in release.inputs["values"]["endpoints"]}
        assert got == {(ip, z) for ip, z in prod_endpoints.outputs[app]}


# --------------------------------------------------------------------------- routes


def test_endpoint_subnets_route_to_the_internet_gateway(prod: ProgramRun) -> None:
    apps = _apps("aws-prod")
    igw_lookups = [
        a for t, a in prod.invokes if t == "aws:ec2/getInternetGateway:getInternetGateway"
    ]
    assert sorted(a["filters"][0]["values"][0] for a in igw_lookups) == sorted(
        a["network"] for a in apps.values()
    )
    for key, app in apps.items():
        for zone in app["endpointSubnets"]:
            table = one(prod, RT, f"airs-aws-prod-apps-{key}-gwlbe-rt-{zone}")
            assert table.inputs["vpcId"] == app["network"]
            (route,) = table.inputs["routes"]
            assert route["cidrBlock"] == "0.0.0.0/0"
            assert route["gatewayId"].startswith("igw-")
            one(prod, RTA, f"airs-aws-prod-apps-{key}-gwlbe-rta-{zone}")


def test_vpc_protection_routes_each_subnet_through_its_zone_endpoint(prod: ProgramRun) -> None:
    app = _apps("aws-prod")["app-vpc"]
    zones = list(app["endpointSubnets"])
    routes = {r.name: r for r in by_type(prod, ROUTE) if "-app-vpc-" in r.name}
    assert len(routes) == len(app["subnets"])
    for i, subnet_id in enumerate(app["subnets"]):
        route = routes[f"airs-aws-prod-apps-app-vpc-{subnet_id}-default"]
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert route.inputs["routeTableId"].startswith("rtb-")
        # The mock puts the n-th listed subnet in the n-th endpoint zone.
        zone = zones[i % len(zones)]
        assert route.inputs["vpcEndpointId"] == _endpoint_id(
            f"airs-aws-prod-apps-app-vpc-gwlbe-{zone}"
        )


def test_vpc_protection_return_path_through_the_igw_edge(prod: ProgramRun) -> None:
    app = _apps("aws-prod")["app-vpc"]
    zones = list(app["endpointSubnets"])
    edge = one(prod, RT, "airs-aws-prod-apps-app-vpc-igw-edge-rt")
    assert edge.inputs["vpcId"] == app["network"]
    routes = edge.inputs["routes"]
    assert len(routes) == len(app["subnets"])
    for i, route in enumerate(routes):
        assert network.subnet_within(route["cidrBlock"], app["cidrs"][0])
        zone = zones[i % len(zones)]
        assert route["vpcEndpointId"] == _endpoint_id(f"airs-aws-prod-apps-app-vpc-gwlbe-{zone}")
    assoc = one(prod, RTA, "airs-aws-prod-apps-app-vpc-igw-edge-rta")
    assert assoc.inputs["gatewayId"].startswith("igw-")
    assert "subnetId" not in assoc.inputs


def test_namespace_protection_leaves_subnet_routes_alone(prod: ProgramRun) -> None:
    assert not [r for r in by_type(prod, ROUTE) if "-ml-vpc-" in r.name]
    assert not [r for r in by_type(prod, RT) if r.name.endswith("ml-vpc-igw-edge-rt")]
    # …but its endpoints exist, one per zone, for pan-cni.
    assert len([e for e in by_type(prod, ENDPOINT) if "-ml-vpc-" in e.name]) == 2


def test_transit_gateway_attachment_and_route() -> None:
    values, secret = example_values("aws-dev")
    values = copy.deepcopy(values)
    values["applications"]["app-vpc"]["transitGatewayId"] = "tgw-0123456789abcdef0"
    values["applications"]["app-vpc"]["transitGatewaySubnets"] = {
        "us-east-1a": "10.80.254.0/28",
        "us-east-1b": "10.80.254.16/28",
    }
    run = run_program(settings_from(values, secret, stack="aws-tgw"))
    attach = one(run, TGW_ATTACH)
    assert attach.inputs["transitGatewayId"] == "tgw-0123456789abcdef0"
    assert attach.inputs["vpcId"] == values["applications"]["app-vpc"]["network"]
    # The attachment has subnets of its own (issue 15, defect 4), not the endpoint subnets.
    endpoint_subnets = {e.inputs["subnetIds"][0] for e in by_type(run, ENDPOINT)}
    tgw_subnets = {
        r.urn: r.inputs["cidrBlock"] for r in by_type(run, SUBNET) if "-tgw-us-east-1" in r.name
    }
    assert sorted(tgw_subnets.values()) == ["10.80.254.0/28", "10.80.254.16/28"]
    assert not set(attach.inputs["subnetIds"]) & endpoint_subnets
    assert len(attach.inputs["subnetIds"]) == 2
    # Replies arriving from the transit gateway go to each subnet's zone endpoint first.
    returns = [r for r in by_type(run, ROUTE) if r.name.endswith("-tgw-return")]
    assert len(returns) == len(values["applications"]["app-vpc"]["subnets"])
    zones = list(values["applications"]["app-vpc"]["endpointSubnets"])
    for i, route in enumerate(returns):
        zone = zones[i % len(zones)]
        assert route.inputs["vpcEndpointId"] == _endpoint_id(
            f"airs-aws-dev-apps-app-vpc-gwlbe-{zone}"
        )
        assert route.inputs["destinationCidrBlock"].startswith("10.80.")
    for zone in ("us-east-1a", "us-east-1b"):
        (route,) = one(run, RT, f"airs-aws-dev-apps-app-vpc-gwlbe-rt-{zone}").inputs["routes"]
        assert route == {"cidrBlock": "0.0.0.0/0", "transitGatewayId": "tgw-0123456789abcdef0"}
    assert not any(t == "aws:ec2/getInternetGateway:getInternetGateway" for t, _ in run.invokes)
    assert not [r for r in by_type(run, RT) if r.name.endswith("-igw-edge-rt")]
    # VPC protection still sends the app subnets to their zone's endpoint.
    assert len([r for r in by_type(run, ROUTE) if r.name.endswith("-default")]) == 2


def test_no_tgw_attachment_by_default(prod: ProgramRun) -> None:
    assert by_type(prod, TGW_ATTACH) == []


def test_subnet_in_a_zone_without_endpoint_is_refused() -> None:
    with pytest.raises(pulumi.RunError, match=r"airs:applications\.web\.subnets: subnet-1"):
        _pick("subnet-1", "web", ["us-east-1c", {"us-east-1a": "vpce-1"}])
    assert _pick("subnet-1", "web", ["us-east-1a", {"us-east-1a": "vpce-1"}]) == "vpce-1"


# --------------------------------------------------------------------------- config rules


def _eks(values: dict[str, Any], protection: str) -> str:
    """Key of the example's EKS cluster whose application VPC has ``protection``."""
    apps = values["applications"]
    key: str = next(
        k
        for k, c in values["clusters"].items()
        if c["type"] == "EKS" and apps[c["application"]].get("protection", "vpc") == protection
    )
    return key


def test_rule_eks_zone_without_endpoint() -> None:
    values, _ = example_values("aws-dev")
    key = _eks(values, "vpc")
    app = values["clusters"][key]["application"]
    zones = values["clusters"][key]["zones"]

    def mutate(v: dict[str, Any]) -> None:
        del v["applications"][app]["endpointSubnets"][zones[1]]

    problems = example_problems("aws-dev", mutate)
    assert any(
        p.startswith(f"airs:clusters.{key}.zones[1]: {zones[1]}") and "has no GWLB endpoint" in p
        for p in problems
    ), problems


def test_rule_one_endpoint_cannot_serve_vpc_and_namespace_protection() -> None:
    key = _eks(example_values("aws-prod")[0], "vpc")

    def mutate(v: dict[str, Any]) -> None:
        v["clusters"][key]["protect"]["chat"] = "namespace"

    problems = example_problems("aws-prod", mutate)
    assert any(
        p.startswith(f"airs:clusters.{key}.protect:")
        and "cannot serve both VPC-level and namespace-level protection" in p
        for p in problems
    ), problems


def test_rule_endpoint_subnet_outside_application_cidrs() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v["applications"]["app-vpc"]["endpointSubnets"]["us-east-1a"] = "10.81.255.0/28"

    problems = example_problems("aws-dev", mutate)
    assert any(
        p.startswith("airs:applications.app-vpc.endpointSubnets.us-east-1a: 10.81.255.0/28")
        for p in problems
    ), problems


def test_rule_endpoint_zone_not_in_security_zones() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v["applications"]["app-vpc"]["endpointSubnets"]["us-east-1c"] = "10.80.255.32/28"

    problems = example_problems("aws-dev", mutate)
    assert any(
        p.startswith("airs:applications.app-vpc.endpointSubnets.us-east-1c")
        and "is not one of airs:securityProject.zones" in p
        for p in problems
    ), problems


def test_rule_endpoint_subnets_required_on_aws() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v["applications"]["app-vpc"]["endpointSubnets"] = {}

    problems = example_problems("aws-dev", mutate)
    assert any(p.startswith("airs:applications.app-vpc.endpointSubnets:") for p in problems), (
        problems
    )


# --------------------------------------------------------------------------- existing tables

SUBNETS = ["subnet-0b1c2d3e4f5061729", "subnet-0b1c2d3e4f506172a", "subnet-0b1c2d3e4f506172b"]


def _with_tables(monkeypatch: pytest.MonkeyPatch, tables: dict[str, dict[str, Any]]) -> None:
    """The AWS mock answers ``getRouteTable`` for these subnets with these tables."""
    from components.clouds.aws import mocks

    answer = mocks.call

    def call(args: Any) -> dict[str, Any]:
        subnet = dict(args.args).get("subnetId")
        if args.token == "aws:ec2/getRouteTable:getRouteTable" and subnet in tables:
            return {"subnetId": subnet, **tables[subnet]}
        return answer(args)

    monkeypatch.setattr(mocks, "call", call)


def _plan_prod(extra_subnet: str | None = None) -> ProgramRun:
    values, secret = example_values("aws-prod")
    values = copy.deepcopy(values)
    if extra_subnet is not None:
        values["applications"]["app-vpc"]["subnets"].append(extra_subnet)
    return run_program(settings_from(values, secret, stack="aws-prod"))


def test_a_table_shared_by_subnets_of_one_zone_gets_one_default_route(monkeypatch) -> None:
    shared = {"id": "rtb-shared", "routeTableId": "rtb-shared", "routes": []}
    # The mock puts the n-th listed subnet in the n-th endpoint zone (of three): the fourth
    # lies in the first one's zone, and both use one table.
    fourth = "subnet-0b1c2d3e4f506172c"
    _with_tables(monkeypatch, {SUBNETS[0]: shared, fourth: shared})
    run = _plan_prod(fourth)
    routes = [r for r in by_type(run, ROUTE) if r.inputs.get("routeTableId") == "rtb-shared"]
    assert [r.name for r in routes] == [f"airs-aws-prod-apps-app-vpc-{SUBNETS[0]}-default"]
    # Both subnets' replies still come back through the endpoint (IGW edge routes).
    edge = one(run, RT, "airs-aws-prod-apps-app-vpc-igw-edge-rt")
    assert len(edge.inputs["routes"]) == 4


def test_a_table_shared_across_zones_is_refused(monkeypatch) -> None:
    shared = {"id": "rtb-shared", "routeTableId": "rtb-shared", "routes": []}
    _with_tables(monkeypatch, {SUBNETS[0]: shared, SUBNETS[1]: shared})
    with pytest.raises(pulumi.RunError) as err:
        _plan_prod()
    message = str(err.value)
    assert "airs:applications.app-vpc.subnets[1]: subnet-0b1c2d3e4f506172a" in message
    assert "shares route table rtb-shared with subnet-0b1c2d3e4f5061729" in message
    assert "give each zone's subnets a route table of their own" in message


def test_an_existing_default_route_is_never_doubled(monkeypatch) -> None:
    to_igw = {
        "id": "rtb-public",
        "routeTableId": "rtb-public",
        "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0123456789abcdef0"}],
    }
    _with_tables(monkeypatch, {SUBNETS[2]: to_igw})
    with pytest.raises(pulumi.RunError) as err:
        _plan_prod()
    message = str(err.value)
    assert "airs:applications.app-vpc.subnets[2]: subnet-0b1c2d3e4f506172b" in message
    assert "already sends 0.0.0.0/0 to igw-0123456789abcdef0" in message
    assert "pulumi import aws:ec2/route:Route <stack resource name> rtb-public_0.0.0.0/0" in message


def test_a_default_route_to_a_gwlb_endpoint_is_ours_and_kept(monkeypatch) -> None:
    ours = {
        "id": "rtb-app",
        "routeTableId": "rtb-app",
        "routes": [{"cidrBlock": "0.0.0.0/0", "vpcEndpointId": "vpce-0123456789abcdef0"}],
    }
    _with_tables(monkeypatch, {SUBNETS[0]: ours})
    run = _plan_prod()
    (route,) = [r for r in by_type(run, ROUTE) if r.inputs.get("routeTableId") == "rtb-app"]
    assert route.name == f"airs-aws-prod-apps-app-vpc-{SUBNETS[0]}-default"


def test_transit_gateway_needs_subnets_of_its_own() -> None:
    def mutate(values: dict[str, Any]) -> None:
        values["applications"]["app-vpc"]["transitGatewayId"] = "tgw-0123456789abcdef0"

    assert example_problems("aws-dev", mutate) == [
        "airs:applications.app-vpc.transitGatewaySubnets: [] — is required with transitGatewayId: "
        "one subnet per zone of endpointSubnets (us-east-1a, us-east-1b), so traffic from the "
        "transit gateway reaches the zone's endpoint before the workloads"
    ]


def test_transit_gateway_subnets_are_checked() -> None:
    def mutate(values: dict[str, Any]) -> None:
        app = values["applications"]["app-vpc"]
        app["transitGatewayId"] = "tgw-0123456789abcdef0"
        app["transitGatewaySubnets"] = {
            "us-east-1a": "10.80.255.0/28",
            "us-east-1b": "10.99.0.0/28",
        }

    assert example_problems("aws-dev", mutate) == [
        "airs:applications.app-vpc.transitGatewaySubnets.us-east-1a: 10.80.255.0/28 — overlaps "
        "airs:applications.app-vpc.endpointSubnets.us-east-1a (10.80.255.0/28)",
        "airs:applications.app-vpc.transitGatewaySubnets.us-east-1b: 10.99.0.0/28 — must lie "
        "inside one of the application's cidrs",
    ]


NATS = {"us-east-1a": "nat-0123456789abcdef0", "us-east-1b": "nat-0123456789abcdef1"}


def test_private_subnets_keep_nat_egress_and_both_directions_are_inspected() -> None:
    """Issue 15, defect 4: private subnets' inspected traffic leaves by their NAT gateway
    (an internet gateway drops private addresses), and the NAT gateways' replies come back
    through each subnet's zone endpoint."""
    values, secret = example_values("aws-dev")
    values = copy.deepcopy(values)
    values["applications"]["app-vpc"]["natGateways"] = NATS
    run = run_program(settings_from(values, secret, stack="aws-dev"))
    for zone, nat in NATS.items():
        (route,) = one(run, RT, f"airs-aws-dev-apps-app-vpc-gwlbe-rt-{zone}").inputs["routes"]
        assert route == {"cidrBlock": "0.0.0.0/0", "natGatewayId": nat}
    returns = [r for r in by_type(run, ROUTE) if "-nat-return-" in r.name]
    subnets = values["applications"]["app-vpc"]["subnets"]
    tables = {r.inputs["routeTableId"] for r in returns}
    assert len(returns) == len(subnets) * len(tables)
    zones = list(values["applications"]["app-vpc"]["endpointSubnets"])
    for route in returns:
        i = next(i for i, s in enumerate(subnets) if f"-{s}-nat-return-" in route.name)
        assert route.inputs["vpcEndpointId"] == _endpoint_id(
            f"airs-aws-dev-apps-app-vpc-gwlbe-{zones[i % len(zones)]}"
        )
    # The NAT gateways' own subnets were looked up, and no IGW edge table is made.
    assert sum(1 for t, _ in run.invokes if t == "aws:ec2/getNatGateway:getNatGateway") == 2
    assert not [r for r in by_type(run, RT) if r.name.endswith("-igw-edge-rt")]


def test_nat_gateways_are_checked() -> None:
    def mutate(values: dict[str, Any]) -> None:
        values["applications"]["app-vpc"]["natGateways"] = {"us-east-1a": "igw-0123456789"}

    assert example_problems("aws-dev", mutate) == [
        'airs:applications.app-vpc.natGateways: ["us-east-1a"] — must name one NAT gateway per '
        "zone of endpointSubnets (us-east-1a, us-east-1b)",
        "airs:applications.app-vpc.natGateways.us-east-1a: igw-0123456789 — must be a NAT "
        "gateway id (nat-…)",
    ]
