"""AwsSecurityProject under the mock engine: VPC, GWLB, firewalls, tags, secrets, providers."""

from __future__ import annotations

import base64
import copy
import functools
import ipaddress
import sys
import types
from typing import Any
from unittest.mock import MagicMock

import pulumi
import pytest

from components import network
from components.cli.engine import ProgramRun, run_program
from components.cli.mocks import stable_hex
from components.clouds import parse_stack_config
from components.clouds.aws.bootstrap import OCCUPIED_TAG, TRUST_TAG
from tests.helpers import (
    by_type,
    example_problems,
    example_values,
    is_secret,
    one,
    plan_example,
    settings_from,
    unwrap,
)

SP = "airs:index:AwsSecurityProject"
APPS = "airs:index:AwsApplicationConnection"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
RT = "aws:ec2/routeTable:RouteTable"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
TG = "aws:lb/targetGroup:TargetGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
NAT = "aws:ec2/natGateway:NatGateway"
PROVIDER = "pulumi:providers:aws"
AUTH_KEY = "_AQ__test-auth-key"


@functools.cache
def cached_plan(stack: str) -> ProgramRun:
    """One plan per example stack and test session (shared with tests/application)."""
    return plan_example(stack)


@pytest.fixture
def dev() -> ProgramRun:
    return cached_plan("aws-dev")


@pytest.fixture
def prod() -> ProgramRun:
    return cached_plan("aws-prod")


def _values(stack: str) -> tuple[dict[str, Any], set[str]]:
    values, secret = example_values(stack)
    return copy.deepcopy(values), secret


def _run(values: dict[str, Any], secret: set[str]) -> ProgramRun:
    return run_program(settings_from(values, secret, stack="aws-test"))


def _cfg(stack: str) -> Any:
    values, secret = example_values(stack)
    return parse_stack_config(values, secret).security_project


def _user_data(run: ProgramRun) -> list[str]:
    data = one(run, LT).inputs["userData"]
    assert is_secret(data), "user data carries the auth key: it must stay a secret"
    return base64.b64decode(unwrap(data)).decode().splitlines()


def _flags(lines: list[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in lines)


# --------------------------------------------------------------------------- network


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_vpc_and_subnets_per_zone(stack: str, request: pytest.FixtureRequest) -> None:
    run = request.getfixturevalue(stack.removeprefix("aws-"))
    sp = _cfg(stack)
    vpc = one(run, VPC)
    assert vpc.inputs["cidrBlock"] == sp.cidrs.vpc
    subnets = {
        (s.inputs["availabilityZone"], s.inputs["tags"]["airs-subnet"]): s
        for s in by_type(run, SUBNET)
        if "airs-subnet" in s.inputs["tags"]
    }
    expected = sp.zone_subnets()
    # Overlay routing (aws-prod) adds the untrust subnets; aws-dev has none.
    groups = ("mgmt", "trust", "gwlb", "nat") + (("untrust",) if sp.overlay_routing else ())
    assert set(subnets) == {(z, g) for z in sp.zones for g in groups}
    for zone in sp.zones:
        for group in groups:
            assert subnets[(zone, group)].inputs["cidrBlock"] == getattr(expected[zone], group)
            assert subnets[(zone, group)].inputs["mapPublicIpOnLaunch"] is False
            assert network.subnet_within(subnets[(zone, group)].inputs["cidrBlock"], sp.cidrs.vpc)
    # Independent of the carving code: /28 each, and no two overlap.
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets.values()]
    assert {b.prefixlen for b in blocks} == {28}
    assert not [(a, b) for i, a in enumerate(blocks) for b in blocks[i + 1 :] if a.overlaps(b)]


def test_route_tables_per_group(prod: ProgramRun) -> None:
    sp = _cfg("aws-prod")
    run = prod
    prefix = "airs-aws-prod-security-"
    tables = {r.name.removeprefix(prefix): r for r in by_type(run, RT) if r.name.startswith(prefix)}
    igw_id = tables["mgmt-rt"].inputs["routes"][0]["gatewayId"]
    assert igw_id.startswith("igw-")
    assert tables["mgmt-rt"].inputs["routes"] == [{"cidrBlock": "0.0.0.0/0", "gatewayId": igw_id}]
    assert tables["nat-rt"].inputs["routes"] == [{"cidrBlock": "0.0.0.0/0", "gatewayId": igw_id}]
    assert tables["gwlb-rt"].inputs["routes"] == []
    nat_ids = {n.name.rsplit("-nat-", 1)[1]: n for n in by_type(run, NAT)}
    assert set(nat_ids) == set(sp.zones)
    for zone in sp.zones:
        (route,) = tables[f"trust-rt-{zone}"].inputs["routes"]
        assert route["cidrBlock"] == "0.0.0.0/0"
        assert route["natGatewayId"].startswith("nat-")
    # Every security subnet (mgmt, trust, gwlb, nat, untrust) is associated with one table.
    assocs = [a for a in by_type(run, RTA) if a.name.startswith("airs-aws-prod-security-")]
    assert len(assocs) == 5 * len(sp.zones)
    assert len({a.inputs["subnetId"] for a in assocs}) == len(assocs)


def test_no_nat_gateway_means_no_nat_subnets_or_routes() -> None:
    values, secret = _values("aws-dev")
    values["securityProject"]["natGateway"] = False
    run = _run(values, secret)
    assert by_type(run, NAT) == []
    groups = {s.inputs["tags"].get("airs-subnet") for s in by_type(run, SUBNET)}
    assert "nat" not in groups
    for table in by_type(run, RT):
        if "-security-trust-rt-" in table.name:
            assert table.inputs["routes"] == []


def test_explicit_zone_subnets_are_used() -> None:
    values, secret = _values("aws-dev")
    values["securityProject"]["natGateway"] = False
    values["securityProject"]["cidrs"]["zones"] = {
        "us-east-1a": {"mgmt": "10.70.1.0/28", "trust": "10.70.1.16/28", "gwlb": "10.70.1.32/28"},
        "us-east-1b": {"mgmt": "10.70.1.64/28", "trust": "10.70.1.80/28", "gwlb": "10.70.1.96/28"},
    }
    run = _run(values, secret)
    cidrs = {s.inputs["cidrBlock"] for s in by_type(run, SUBNET) if "-security-" in s.name}
    assert cidrs == {f"10.70.1.{n}/28" for n in (0, 16, 32, 64, 80, 96)}
    assert run.outputs["trustCidr"] == "10.70.1.16/28"
    assert run.outputs["trustGatewayIp"] == "10.70.1.17"


def test_nat_gateway_with_explicit_zones_needs_nat_subnets() -> None:
    # Not (yet) a config rule: the component refuses it by key before creating anything.
    values, secret = _values("aws-dev")
    values["securityProject"]["cidrs"]["zones"] = {
        "us-east-1a": {"mgmt": "10.70.1.0/28", "trust": "10.70.1.16/28", "gwlb": "10.70.1.32/28"},
        "us-east-1b": {"mgmt": "10.70.1.64/28", "trust": "10.70.1.80/28", "gwlb": "10.70.1.96/28"},
    }
    with pytest.raises(pulumi.RunError, match=r"cidrs\.zones\.us-east-1a\.nat: <missing>"):
        _run(values, secret)


# --------------------------------------------------------------------------- security groups


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_security_groups(stack: str, request: pytest.FixtureRequest) -> None:
    run = request.getfixturevalue(stack.removeprefix("aws-"))
    sp = _cfg(stack)
    gwlb_cidrs = sorted(sp.zone_subnets()[z].gwlb for z in sp.zones)
    groups = {g.name.rsplit("-", 2)[-2]: g for g in by_type(run, SG)}
    data = groups["data"].inputs["ingress"]
    assert {(r["protocol"], r["fromPort"], r["toPort"]) for r in data} == {
        ("udp", network.GENEVE_UDP_PORT, network.GENEVE_UDP_PORT),
        ("tcp", sp.health_check_port, sp.health_check_port),
    }
    for rule in data:
        assert sorted(rule["cidrBlocks"]) == gwlb_cidrs, "only the GWLB subnets reach data"
    mgmt = groups["mgmt"].inputs["ingress"]
    assert {(r["protocol"], r["fromPort"], r["toPort"]) for r in mgmt} == {
        ("tcp", 22, 22),
        ("tcp", 443, 443),
    }
    for rule in mgmt:
        assert rule["cidrBlocks"] == list(sp.mgmt_allowed_cidrs)
        assert "0.0.0.0/0" not in rule["cidrBlocks"]


def test_health_check_port_follows_config() -> None:
    values, secret = _values("aws-dev")
    values["securityProject"]["healthCheckPort"] = 80
    run = _run(values, secret)
    assert one(run, TG).inputs["healthCheck"]["port"] == "80"
    data = next(g for g in by_type(run, SG) if g.name.endswith("-data-sg"))
    assert {r["fromPort"] for r in data.inputs["ingress"]} == {network.GENEVE_UDP_PORT, 80}


# --------------------------------------------------------------------------- GWLB


def test_gwlb_target_group_listener_and_service(prod: ProgramRun) -> None:
    sp = _cfg("aws-prod")
    lb = one(prod, LB)
    assert lb.inputs["loadBalancerType"] == "gateway"
    assert lb.inputs["enableCrossZoneLoadBalancing"] is True
    assert len(lb.inputs["subnets"]) == len(sp.zones)
    assert len(lb.inputs["name"]) <= 32
    tg = one(prod, TG)
    assert tg.inputs["protocol"] == "GENEVE"
    assert tg.inputs["port"] == network.GENEVE_UDP_PORT == 6081
    assert tg.inputs["targetType"] == "instance"
    hc = tg.inputs["healthCheck"]
    assert hc["protocol"] == "TCP"
    assert hc["port"] == "443"
    assert hc["enabled"] is True
    assert tg.inputs["targetFailovers"] == [
        {"onDeregistration": "rebalance", "onUnhealthy": "rebalance"}
    ]
    assert len(tg.inputs["name"]) <= 32
    listener = one(prod, LISTENER)
    assert listener.inputs["loadBalancerArn"].startswith("arn:aws:elasticloadbalancing:us-west-2:")
    (action,) = listener.inputs["defaultActions"]
    assert action["type"] == "forward"
    assert action["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:")
    service = one(prod, SERVICE)
    assert service.inputs["gatewayLoadBalancerArns"] == [listener.inputs["loadBalancerArn"]]
    assert service.inputs["allowedPrincipals"] == list(sp.allowed_principals)
    assert service.inputs["acceptanceRequired"] is False
    assert prod.outputs["endpointServiceName"].startswith("com.amazonaws.vpce.us-west-2.vpce-svc-")


def test_endpoint_service_defaults_to_the_deploying_account(dev: ProgramRun) -> None:
    assert one(dev, SERVICE).inputs["allowedPrincipals"] == ["arn:aws:iam::123456789012:root"]
    assert any(token == "aws:index/getCallerIdentity:getCallerIdentity" for token, _ in dev.invokes)


# --------------------------------------------------------------------------- firewalls


def test_user_data_flags_without_overlay_routing(dev: ProgramRun) -> None:
    flags = _flags(_user_data(dev))
    assert flags["mgmt-interface-swap"] == "enable"
    plugins = flags["plugin-op-commands"].split(",")
    assert set(plugins) == {
        "aws-gwlb-inspect:enable",
        "advance-routing:enable",
        "panorama-licensing-mode-on",
    }
    assert flags["panorama-server"] == "203.0.113.10"
    assert "panorama-server-2" not in flags
    assert flags["tplname"] == "airs-aws-dev-stack"
    assert flags["dgname"] == "airs-aws-dev-dg"
    assert "auth-key" in flags


def test_user_data_flags_with_overlay_routing(prod: ProgramRun) -> None:
    flags = _flags(_user_data(prod))
    plugins = flags["plugin-op-commands"].split(",")
    assert set(plugins) == {
        "aws-gwlb-inspect:enable",
        "aws-gwlb-overlay-routing:enable",
        "advance-routing:enable",
        "panorama-licensing-mode-on",
    }
    assert flags["panorama-server-2"] == "203.0.113.11"


def test_auth_key_only_inside_the_secret_user_data() -> None:
    values, secret = _values("aws-dev")
    values["securityProject"]["firewall"]["bootstrap"]["authKey"] = AUTH_KEY
    run = _run(values, secret | {"securityProject"})
    assert _flags(_user_data(run))["auth-key"] == AUTH_KEY
    for reg in run.resources:
        if reg.type != LT:
            assert AUTH_KEY not in repr(reg.inputs), f"auth key leaked into {reg.name}"


def test_ami_lookup_by_name_filter_and_product_code(dev: ProgramRun) -> None:
    ((_, args),) = [(t, a) for t, a in dev.invokes if t == "aws:ec2/getAmi:getAmi"]
    filters = {f["name"]: f["values"] for f in args["filters"]}
    assert filters == {
        "name": ["PA-AI-Runtime-Security-AWS-*"],
        "product-code": ["b261y39exndwe1ltro1tqpeog"],
    }
    assert args["owners"] == ["aws-marketplace"]
    assert args["mostRecent"] is True
    assert one(dev, LT).inputs["imageId"].startswith("ami-")


def test_pinned_ami_skips_the_lookup() -> None:
    values, secret = _values("aws-dev")
    values["securityProject"]["firewall"]["amiId"] = "ami-0123456789abcdef0"
    run = _run(values, secret)
    assert one(run, LT).inputs["imageId"] == "ami-0123456789abcdef0"
    assert not any(t == "aws:ec2/getAmi:getAmi" for t, _ in run.invokes)


def test_launch_template_and_asg(prod: ProgramRun) -> None:
    sp = _cfg("aws-prod")
    lt = one(prod, LT)
    assert lt.inputs["instanceType"] == "c6in.2xlarge"
    (nic,) = lt.inputs["networkInterfaces"]
    assert nic["deviceIndex"] == 0
    data_sg = next(g for g in by_type(prod, SG) if g.name.endswith("-data-sg"))
    # The mock's security group id is derived from the type and name.
    assert nic["securityGroups"] == [f"sg-{stable_hex(SG, data_sg.name, length=17)}"]
    asg = one(prod, ASG)
    assert asg.inputs["minSize"] == 2
    assert asg.inputs["maxSize"] == 6
    assert asg.inputs["healthCheckType"] == "ELB"
    assert len(asg.inputs["targetGroupArns"]) == 1
    assert asg.inputs["targetGroupArns"][0].startswith("arn:aws:elasticloadbalancing:")
    assert len(asg.inputs["vpcZoneIdentifiers"]) == len(sp.zones)
    hooks = {h["lifecycleTransition"]: h for h in asg.inputs["initialLifecycleHooks"]}
    assert set(hooks) == {
        "autoscaling:EC2_INSTANCE_LAUNCHING",
        "autoscaling:EC2_INSTANCE_TERMINATING",
    }
    assert prod.outputs["firewallGroup"] == asg.inputs["name"]
    # The lifecycle Lambda (mgmt and, with overlay routing, untrust ENIs) exists before the
    # ASG; its environment without overlay routing: tests/clouds/aws/test_overlay_routing.py.
    function = one(prod, "aws:lambda/function:Function")
    assert function.urn in asg.dependencies
    code_env = function.inputs["environment"]["variables"]
    assert set(code_env) == {"MGMT_SUBNETS", "MGMT_SG", "TAGS", "UNTRUST_SUBNETS", "UNTRUST_SG"}


def _lambda_module(
    monkeypatch: pytest.MonkeyPatch, ec2: MagicMock, asg: MagicMock
) -> dict[str, Any]:
    """Execute the Lambda source with fake boto3 clients; returns its globals."""
    from components.clouds.aws.lifecycle import LIFECYCLE_LAMBDA

    fake_boto3 = types.ModuleType("boto3")
    fake_boto3.client = lambda name: {"ec2": ec2, "autoscaling": asg}[name]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    monkeypatch.setenv("MGMT_SUBNETS", '{"us-east-1a": "subnet-a", "us-east-1b": "subnet-b"}')
    monkeypatch.setenv("MGMT_SG", "sg-mgmt")
    monkeypatch.setenv("TAGS", '{"paloaltonetworks.com-trust": "x"}')
    module: dict[str, Any] = {}
    exec(compile(LIFECYCLE_LAMBDA, "index.py", "exec"), module)
    return module


def _event(transition: str) -> dict[str, Any]:
    return {
        "detail": {
            "LifecycleTransition": transition,
            "EC2InstanceId": "i-0abc",
            "LifecycleHookName": "airs-launch",
            "AutoScalingGroupName": "airs-aws-dev-fw",
            "LifecycleActionToken": "tok",
        }
    }


def test_lifecycle_lambda_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    ec2, asg = MagicMock(), MagicMock()
    ec2.describe_instances.return_value = {
        "Reservations": [
            {
                "Instances": [
                    {
                        "Placement": {"AvailabilityZone": "us-east-1b"},
                        "NetworkInterfaces": [
                            {"NetworkInterfaceId": "eni-data", "Attachment": {"DeviceIndex": 0}}
                        ],
                    }
                ]
            }
        ]
    }
    ec2.create_network_interface.return_value = {
        "NetworkInterface": {"NetworkInterfaceId": "eni-m"}
    }
    ec2.attach_network_interface.return_value = {"AttachmentId": "att-1"}
    ec2.allocate_address.return_value = {"AllocationId": "eipalloc-1"}
    module = _lambda_module(monkeypatch, ec2, asg)
    module["handler"](_event("autoscaling:EC2_INSTANCE_LAUNCHING"), None)
    ec2.modify_network_interface_attribute.assert_any_call(
        NetworkInterfaceId="eni-data", SourceDestCheck={"Value": False}
    )
    create = ec2.create_network_interface.call_args.kwargs
    assert create["SubnetId"] == "subnet-b"  # the instance's own zone
    assert create["Groups"] == ["sg-mgmt"]
    ec2.attach_network_interface.assert_called_once_with(
        NetworkInterfaceId="eni-m", InstanceId="i-0abc", DeviceIndex=1
    )
    ec2.associate_address.assert_called_once_with(
        AllocationId="eipalloc-1", NetworkInterfaceId="eni-m"
    )
    assert asg.complete_lifecycle_action.call_args.kwargs["LifecycleActionResult"] == "CONTINUE"


def test_lifecycle_lambda_abandons_a_failed_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    ec2, asg = MagicMock(), MagicMock()
    ec2.describe_instances.side_effect = RuntimeError("throttled")
    module = _lambda_module(monkeypatch, ec2, asg)
    module["handler"](_event("autoscaling:EC2_INSTANCE_LAUNCHING"), None)
    assert asg.complete_lifecycle_action.call_args.kwargs["LifecycleActionResult"] == "ABANDON"


def test_lifecycle_lambda_releases_addresses_on_terminate(monkeypatch: pytest.MonkeyPatch) -> None:
    ec2, asg = MagicMock(), MagicMock()
    ec2.describe_addresses.return_value = {
        "Addresses": [{"AllocationId": "eipalloc-1", "AssociationId": "eipassoc-1"}]
    }
    module = _lambda_module(monkeypatch, ec2, asg)
    module["handler"](_event("autoscaling:EC2_INSTANCE_TERMINATING"), None)
    ec2.disassociate_address.assert_called_once_with(AssociationId="eipassoc-1")
    ec2.release_address.assert_called_once_with(AllocationId="eipalloc-1")
    assert asg.complete_lifecycle_action.call_args.kwargs["LifecycleActionResult"] == "CONTINUE"


def test_scaling_policy_and_instance_profile(prod: ProgramRun) -> None:
    asg = one(prod, ASG)
    policy = one(prod, "aws:autoscaling/policy:Policy")
    assert policy.inputs["autoscalingGroupName"] == asg.inputs["name"]
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    metric = policy.inputs["targetTrackingConfiguration"]["customizedMetricSpecification"]
    assert metric["metricName"] == "panSessionActive"
    assert metric["namespace"] == prod.outputs["cloudwatchNamespace"] == "airs-aws-prod-airs"
    assert metric["metricDimensions"] == [
        {"name": "AutoScalingGroupName", "value": asg.inputs["name"]}
    ]
    profile = one(prod, "aws:iam/instanceProfile:InstanceProfile")
    assert one(prod, LT).inputs["iamInstanceProfile"]["arn"].endswith(f"/{profile.name}")
    metrics = one(prod, "aws:iam/rolePolicy:RolePolicy", "airs-aws-prod-security-fw-metrics")
    assert "cloudwatch:PutMetricData" in metrics.inputs["policy"]
    assert "airs-aws-prod-airs" in metrics.inputs["policy"]


# --------------------------------------------------------------------------- tags, providers, parents


def _tag_values(reg: Any) -> dict[str, str] | None:
    tags = reg.inputs.get("tags")
    if isinstance(tags, list):  # ASG tags are a list of {key, value, propagateAtLaunch}
        return {t["key"]: t["value"] for t in tags}
    return tags if isinstance(tags, dict) else None


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_airs_tags_on_everything_tagged(stack: str, request: pytest.FixtureRequest) -> None:
    run = request.getfixturevalue(stack.removeprefix("aws-"))
    ident = run.outputs["deploymentId"]
    assert len(ident) == 16
    tagged = 0
    for reg in run.resources:
        if not reg.type.startswith("aws:"):
            continue
        tags = _tag_values(reg)
        if tags is None:
            continue
        tagged += 1
        assert tags[TRUST_TAG] == ident, reg.name
        assert tags[OCCUPIED_TAG] == ident, reg.name
    for token in (VPC, SUBNET, LB, TG, SERVICE, LT, ASG, "aws:ec2/vpcEndpoint:VpcEndpoint"):
        assert all(_tag_values(r) for r in by_type(run, token)), token
    assert tagged > 20
    asg_tags = one(run, ASG).inputs["tags"]
    assert all(t["propagateAtLaunch"] for t in asg_tags)


def test_deployment_id_is_stable_and_unique(dev: ProgramRun, prod: ProgramRun) -> None:
    again = plan_example("aws-dev")
    assert again.outputs["deploymentId"] == dev.outputs["deploymentId"]
    assert dev.outputs["deploymentId"] != prod.outputs["deploymentId"]


@pytest.mark.parametrize("stack", ["aws-dev", "aws-prod"])
def test_explicit_provider_and_parents(stack: str, request: pytest.FixtureRequest) -> None:
    run = request.getfixturevalue(stack.removeprefix("aws-"))
    project = one(run, SP)
    apps = one(run, APPS)
    provider = one(run, PROVIDER)
    assert provider.parent == project.urn
    assert provider.inputs["region"] == _cfg(stack).region
    aws_resources = [r for r in run.resources if r.type.startswith("aws:")]
    assert aws_resources
    for reg in aws_resources:
        assert reg.custom
        assert reg.provider is not None, reg.name
        assert reg.provider.rsplit("::", 1)[0] == provider.urn, reg.name
        assert reg.parent in (project.urn, apps.urn), reg.name


def test_resource_counts_stay_small(dev: ProgramRun, prod: ProgramRun) -> None:
    def count(run: ProgramRun) -> int:
        return sum(1 for r in run.resources if r.type.startswith(("aws:", "pulumi:providers:aws")))

    assert count(dev) <= 60
    assert count(prod) <= 90


# --------------------------------------------------------------------------- config rules


def _zone_cidrs(values: dict[str, Any], zones: dict[str, dict[str, str]]) -> None:
    values["securityProject"]["natGateway"] = False
    values["securityProject"]["cidrs"]["zones"] = zones


def test_rule_fewer_subnets_than_zones() -> None:
    problems = example_problems(
        "aws-dev",
        lambda v: _zone_cidrs(
            v,
            {
                "us-east-1a": {
                    "mgmt": "10.70.0.0/28",
                    "trust": "10.70.0.16/28",
                    "gwlb": "10.70.0.32/28",
                }
            },
        ),
    )
    assert any(
        p.startswith("airs:securityProject.cidrs.zones:")
        and "fewer subnets than zones" in p
        and "us-east-1b" in p
        for p in problems
    ), problems


def test_rule_subnets_outside_the_vpc() -> None:
    problems = example_problems(
        "aws-dev",
        lambda v: _zone_cidrs(
            v,
            {
                "us-east-1a": {
                    "mgmt": "10.70.0.0/28",
                    "trust": "10.99.0.16/28",
                    "gwlb": "10.70.0.32/28",
                },
                "us-east-1b": {
                    "mgmt": "10.70.0.64/28",
                    "trust": "10.70.0.80/28",
                    "gwlb": "10.70.0.96/28",
                },
            },
        ),
    )
    assert any(
        p.startswith("airs:securityProject.cidrs.zones.us-east-1a.trust: 10.99.0.16/28")
        and "outside the VPC 10.70.0.0/23" in p
        for p in problems
    ), problems


def test_rule_zone_given_twice() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v["securityProject"]["zones"] = ["us-east-1a", "us-east-1b", "us-east-1a"]

    problems = example_problems("aws-dev", mutate)
    assert any(
        p.startswith("airs:securityProject.zones[2]: us-east-1a") and "given twice" in p
        for p in problems
    ), problems


def test_rule_vpc_too_small_for_the_subnets() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v["securityProject"]["cidrs"]["vpc"] = "10.70.0.0/26"

    problems = example_problems("aws-dev", mutate)
    assert any(
        p.startswith("airs:securityProject.cidrs.vpc: 10.70.0.0/26") and "too small" in p
        for p in problems
    ), problems


def test_firewalls_publish_the_metric_the_scaling_policy_watches(dev: ProgramRun) -> None:
    """Issue 15, defect 7: the template turns on CloudWatch publishing to the namespace the
    target-tracking policy reads, or the group never scales."""
    policy = one(dev, "aws:autoscaling/policy:Policy")
    spec = policy.inputs["targetTrackingConfiguration"]["customizedMetricSpecification"]
    objects = [r for r in dev.resources if r.type == "pulumi-python:dynamic/panorama:Object"]
    (cloudwatch,) = [o for o in objects if o.inputs["kind"] == "aws-cloudwatch"]
    assert cloudwatch.inputs["xpath"].endswith("/deviceconfig/plugins/vm_series/aws-cloudwatch")
    assert cloudwatch.inputs["element"] == (
        f"<aws-cloudwatch><enabled>yes</enabled><name>{spec['namespace']}</name>"
        "<timeout>1</timeout></aws-cloudwatch>"
    )
    assert spec["metricName"] == "panSessionActive"
