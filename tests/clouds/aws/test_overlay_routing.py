"""GWLB overlay routing (issue 15, defect 3): its egress interface is built end to end.

``overlayRouting: true`` (aws-prod) used to set only the bootstrap flag: no second data ENI, no
untrust zone, no default route, no NAT, no allow rule, so egress was black-holed. Pinned here:
the untrust subnets and their route to the internet gateway, the untrust security group, the
lifecycle Lambda's third ENI (run against a fake boto3), its environment and IAM policy, the
Panorama XML of ethernet1/2, zone untrust, the NAT and allow rules; and aws-dev (overlay off)
has none of it.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import types
import xml.etree.ElementTree as ET
from typing import Any
from unittest.mock import MagicMock

import pytest

from components import network
from components.cli.engine import run_program
from components.clouds import parse_stack_config
from components.clouds.aws.lifecycle import LAMBDA_ACTIONS, LIFECYCLE_LAMBDA
from tests.clouds.aws.test_security_project import cached_plan
from tests.helpers import by_type, example_problems, example_values, one, settings_from

SUBNET = "aws:ec2/subnet:Subnet"
RT = "aws:ec2/routeTable:RouteTable"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
IGW = "aws:ec2/internetGateway:InternetGateway"
FUNCTION = "aws:lambda/function:Function"
POLICY = "aws:iam/rolePolicy:RolePolicy"
PANORAMA_OBJECT = "pulumi-python:dynamic/panorama:Object"


def _cfg(stack: str) -> Any:
    values, secret = example_values(stack)
    return parse_stack_config(values, secret)


def _id(reg: Any) -> str:
    """The id the offline engine's mock cloud gave resource ``reg``."""
    assert reg.id, reg.name
    return str(reg.id)


# --------------------------------------------------------------------------- the VPC side


def test_prod_untrust_subnets_route_to_the_internet_gateway() -> None:
    run, sp = cached_plan("aws-prod"), _cfg("aws-prod").security_project
    assert sp.overlay_routing
    untrust = {
        s.inputs["availabilityZone"]: s
        for s in by_type(run, SUBNET)
        if s.inputs["tags"].get("airs-subnet") == "untrust"
    }
    assert set(untrust) == set(sp.zones)
    for zone, subnet in untrust.items():
        assert subnet.inputs["cidrBlock"] == sp.zone_subnets()[zone].untrust
        # Public addresses come only from the Lambda's EIPs, never by default.
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
    table = one(run, RT, "airs-aws-prod-security-untrust-rt")
    (route,) = table.inputs["routes"]
    igw = one(run, IGW)
    assert route == {"cidrBlock": "0.0.0.0/0", "gatewayId": _id(igw)}
    assocs = [a for a in by_type(run, RTA) if "-security-untrust-rta-" in a.name]
    assert sorted(a.inputs["subnetId"] for a in assocs) == sorted(_id(s) for s in untrust.values())
    assert {a.inputs["routeTableId"] for a in assocs} == {_id(table)}


def test_untrust_subnets_follow_the_others_so_existing_ones_stay() -> None:
    """Turning overlay routing on adds the untrust /28s after every other subnet: the mgmt,
    trust, gwlb and nat subnets keep their addresses (a new CIDR would replace them all)."""
    sp = _cfg("aws-prod").security_project
    off = sp.model_copy(update={"overlay_routing": False})
    on, before = sp.zone_subnets(), off.zone_subnets()
    for zone in sp.zones:
        assert on[zone].model_copy(update={"untrust": None}) == before[zone]
        assert before[zone].untrust is None
    taken = [c for z in before.values() for c in (z.mgmt, z.trust, z.gwlb, z.nat) if c]
    new = [on[z].untrust for z in sp.zones]
    assert all(c is not None for c in new)
    assert not list(network.overlapping_pairs([(c, c) for c in [*taken, *new] if c]))


def test_prod_untrust_security_group_is_outbound_only() -> None:
    """Security groups are stateful: replies to the firewalls' outbound (source-NATed)
    sessions return without an ingress rule, and nothing may open one from the internet."""
    sg = one(cached_plan("aws-prod"), SG, "airs-aws-prod-security-untrust-sg")
    assert sg.inputs["ingress"] == []
    assert sg.inputs["egress"] == [
        {
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlocks": ["0.0.0.0/0"],
            "description": "overlay-routed egress",
        }
    ]


def test_dev_without_overlay_routing_builds_no_untrust_side() -> None:
    run = cached_plan("aws-dev")
    assert not _cfg("aws-dev").security_project.overlay_routing
    assert not [r.name for r in run.resources if "untrust" in r.name]
    env = one(run, FUNCTION).inputs["environment"]["variables"]
    assert set(env) == {"MGMT_SUBNETS", "MGMT_SG", "TAGS"}


# --------------------------------------------------------------------------- the Lambda


def test_prod_lambda_environment_names_the_untrust_subnets_and_group() -> None:
    run = cached_plan("aws-prod")
    env = one(run, FUNCTION).inputs["environment"]["variables"]
    subnets = {
        s.inputs["availabilityZone"]: _id(s)
        for s in by_type(run, SUBNET)
        if s.inputs["tags"].get("airs-subnet") == "untrust"
    }
    assert json.loads(env["UNTRUST_SUBNETS"]) == subnets
    untrust_sg = one(run, SG, "airs-aws-prod-security-untrust-sg")
    assert env["UNTRUST_SG"] == _id(untrust_sg)
    assert env["UNTRUST_SG"] != env["MGMT_SG"]


def _lambda_calls() -> set[str]:
    """The IAM actions of the AWS API calls the Lambda source makes (``ec2.x_y(`` → X Y)."""
    calls = re.findall(r"\b(ec2|asg)\.([a-z_]+)\(", LIFECYCLE_LAMBDA)
    service = {"ec2": "ec2", "asg": "autoscaling"}
    return {
        f"{service[client]}:{''.join(w.title() for w in name.split('_'))}" for client, name in calls
    }


def test_lambda_policy_allows_exactly_what_the_lambda_calls() -> None:
    calls = _lambda_calls()
    # The regex found the calls (an empty set would make the comparison below vacuous).
    assert {"ec2:CreateNetworkInterface", "ec2:AllocateAddress"} <= calls
    # Tagging on create needs CreateTags; the logs actions are the function's own logging.
    extra = {"ec2:CreateTags", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    assert set(LAMBDA_ACTIONS) == calls | extra
    run = cached_plan("aws-prod")
    policy = one(run, POLICY, "airs-aws-prod-security-lifecycle-policy")
    anywhere, tagged, group = json.loads(policy.inputs["policy"])["Statement"]
    assert sorted(anywhere["Action"] + tagged["Action"] + group["Action"]) == sorted(LAMBDA_ACTIONS)
    assert anywhere["Resource"] == "*"
    assert "Condition" not in anywhere
    # Deleting ENIs and releasing addresses: only what this deployment's function tagged.
    assert set(tagged["Action"]) == {
        "ec2:DeleteNetworkInterface",
        "ec2:DisassociateAddress",
        "ec2:ReleaseAddress",
    }
    ((key, value),) = tagged["Condition"]["StringEquals"].items()
    assert key == "aws:ResourceTag/paloaltonetworks.com-trust"
    # The very tag the function puts on the ENIs and addresses it creates.
    function = one(run, "aws:lambda/function:Function", "airs-aws-prod-security-lifecycle")
    assert (
        json.loads(function.inputs["environment"]["variables"]["TAGS"])[
            "paloaltonetworks.com-trust"
        ]
        == value
    )
    assert group["Action"] == ["autoscaling:CompleteLifecycleAction"]
    assert group["Resource"] == (
        "arn:aws:autoscaling:us-west-2:*:autoScalingGroup:*:autoScalingGroupName/airs-aws-prod-fw"
    )


UNTRUST_ENV = {"UNTRUST_SUBNETS": '{"us-east-1a": "subnet-ua", "us-east-1b": "subnet-ub"}'}


def _lambda(monkeypatch: pytest.MonkeyPatch, ec2: MagicMock, env: dict[str, str]) -> Any:
    """The Lambda's handler, run with a fake boto3 (``ec2``) and ``env``."""
    asg = MagicMock()
    fake_boto3 = types.ModuleType("boto3")
    fake_boto3.client = lambda name: {"ec2": ec2, "autoscaling": asg}[name]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    monkeypatch.setenv("MGMT_SUBNETS", '{"us-east-1a": "subnet-ma", "us-east-1b": "subnet-mb"}')
    monkeypatch.setenv("MGMT_SG", "sg-mgmt")
    monkeypatch.setenv("TAGS", '{"paloaltonetworks.com-trust": "x"}')
    monkeypatch.delenv("UNTRUST_SUBNETS", raising=False)
    monkeypatch.delenv("UNTRUST_SG", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module: dict[str, Any] = {}
    exec(compile(LIFECYCLE_LAMBDA, "index.py", "exec"), module)

    def launch() -> str:
        module["handler"](
            {
                "detail": {
                    "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
                    "EC2InstanceId": "i-0abc",
                    "LifecycleHookName": "airs-launch",
                    "AutoScalingGroupName": "airs-aws-prod-fw",
                    "LifecycleActionToken": "tok",
                }
            },
            None,
        )
        return str(asg.complete_lifecycle_action.call_args.kwargs["LifecycleActionResult"])

    return launch


def _instance(*enis: dict[str, Any]) -> dict[str, Any]:
    return {
        "Reservations": [
            {
                "Instances": [
                    {"Placement": {"AvailabilityZone": "us-east-1b"}, "NetworkInterfaces": enis}
                ]
            }
        ]
    }


def _ec2(*enis: dict[str, Any]) -> MagicMock:
    ec2 = MagicMock()
    ec2.describe_instances.return_value = _instance(
        {"NetworkInterfaceId": "eni-data", "Attachment": {"DeviceIndex": 0}}, *enis
    )
    created = iter(["eni-m", "eni-u"])
    ec2.create_network_interface.side_effect = lambda **_: {
        "NetworkInterface": {"NetworkInterfaceId": next(created)}
    }
    ec2.attach_network_interface.side_effect = lambda **kw: {
        "AttachmentId": f"att-{kw['DeviceIndex']}"
    }
    allocations = iter(["eipalloc-1", "eipalloc-2"])
    ec2.allocate_address.side_effect = lambda **_: {"AllocationId": next(allocations)}
    return ec2


def _source_dest_off(ec2: MagicMock) -> set[str]:
    return {
        c.kwargs["NetworkInterfaceId"]
        for c in ec2.modify_network_interface_attribute.call_args_list
        if c.kwargs.get("SourceDestCheck") == {"Value": False}
    }


def test_lambda_attaches_the_untrust_eni_at_index_2(monkeypatch: pytest.MonkeyPatch) -> None:
    ec2 = _ec2()
    launch = _lambda(monkeypatch, ec2, UNTRUST_ENV | {"UNTRUST_SG": "sg-untrust"})
    assert launch() == "CONTINUE"
    creates = [c.kwargs for c in ec2.create_network_interface.call_args_list]
    assert [(c["SubnetId"], c["Groups"]) for c in creates] == [
        ("subnet-mb", ["sg-mgmt"]),  # the instance's zone, us-east-1b
        ("subnet-ub", ["sg-untrust"]),
    ]
    assert [c.kwargs for c in ec2.attach_network_interface.call_args_list] == [
        {"NetworkInterfaceId": "eni-m", "InstanceId": "i-0abc", "DeviceIndex": 1},
        {"NetworkInterfaceId": "eni-u", "InstanceId": "i-0abc", "DeviceIndex": 2},
    ]
    # Data and untrust ENIs forward other hosts' traffic; the management ENI does not.
    assert _source_dest_off(ec2) == {"eni-data", "eni-u"}
    ec2.modify_network_interface_attribute.assert_any_call(
        NetworkInterfaceId="eni-u",
        Attachment={"AttachmentId": "att-2", "DeleteOnTermination": True},
    )
    assert [c.kwargs for c in ec2.associate_address.call_args_list] == [
        {"AllocationId": "eipalloc-1", "NetworkInterfaceId": "eni-m"},
        {"AllocationId": "eipalloc-2", "NetworkInterfaceId": "eni-u"},
    ]
    # Both addresses carry the instance tag the terminate hook releases them by.
    for call in ec2.allocate_address.call_args_list:
        (spec,) = call.kwargs["TagSpecifications"]
        assert {"Key": "airs-instance", "Value": "i-0abc"} in spec["Tags"]


def test_lambda_retry_completes_only_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A retried launch event: both ENIs are attached, only the untrust one has no address."""
    ec2 = _ec2(
        {
            "NetworkInterfaceId": "eni-m",
            "Attachment": {"DeviceIndex": 1, "AttachmentId": "att-1"},
            "Association": {"PublicIp": "198.51.100.7"},
        },
        {"NetworkInterfaceId": "eni-u", "Attachment": {"DeviceIndex": 2, "AttachmentId": "att-2"}},
    )
    launch = _lambda(monkeypatch, ec2, UNTRUST_ENV | {"UNTRUST_SG": "sg-untrust"})
    assert launch() == "CONTINUE"
    ec2.create_network_interface.assert_not_called()
    ec2.attach_network_interface.assert_not_called()
    assert _source_dest_off(ec2) == {"eni-data", "eni-u"}
    ec2.associate_address.assert_called_once_with(
        AllocationId="eipalloc-1", NetworkInterfaceId="eni-u"
    )


def test_lambda_without_overlay_routing_adds_no_untrust_eni(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ec2 = _ec2()
    assert _lambda(monkeypatch, ec2, {})() == "CONTINUE"
    assert [c.kwargs["DeviceIndex"] for c in ec2.attach_network_interface.call_args_list] == [1]
    assert _source_dest_off(ec2) == {"eni-data"}


def test_lambda_abandons_when_the_untrust_eni_cannot_attach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ec2 = _ec2()
    ec2.attach_network_interface.side_effect = [{"AttachmentId": "att-1"}, RuntimeError("limit")]
    launch = _lambda(monkeypatch, ec2, UNTRUST_ENV | {"UNTRUST_SG": "sg-untrust"})
    # The management ENI already had its address: it is released with the slot, found by
    # the instance tag (an abandoned launch may never reach the terminate hook).
    ec2.describe_addresses.return_value = {
        "Addresses": [{"AllocationId": "eipalloc-1", "AssociationId": "eipassoc-1"}]
    }
    assert launch() == "ABANDON"
    ec2.delete_network_interface.assert_called_once_with(NetworkInterfaceId="eni-u")
    ec2.describe_addresses.assert_called_once_with(
        Filters=[{"Name": "tag:airs-instance", "Values": ["i-0abc"]}]
    )
    ec2.disassociate_address.assert_called_once_with(AssociationId="eipassoc-1")
    ec2.release_address.assert_called_once_with(AllocationId="eipalloc-1")


# --------------------------------------------------------------------------- Panorama


def _panorama(stack: str) -> dict[tuple[str, str], ET.Element]:
    """(kind, name) → the element each Panorama object of ``stack`` writes."""
    out = {}
    for reg in by_type(cached_plan(stack), PANORAMA_OBJECT):
        out[(reg.inputs["kind"], reg.inputs["name"])] = ET.fromstring(reg.inputs["element"])
    return out


def test_prod_panorama_ethernet1_2_in_untrust_with_its_own_default_route() -> None:
    objects = _panorama("aws-prod")
    eth2 = objects[("ethernet", "ethernet1/2")]
    # DHCP's default route: each firewall gets its own zone's untrust gateway.
    assert eth2.findtext("layer3/dhcp-client/enable") == "yes"
    assert eth2.findtext("layer3/dhcp-client/create-default-route") == "yes"
    # The trust side must not install one (traffic would hairpin into the GWLB subnet).
    eth1 = objects[("ethernet", "ethernet1/1")]
    assert eth1.findtext("layer3/dhcp-client/create-default-route") == "no"
    zone = objects[("zone", "untrust")]
    assert [m.text for m in zone.iterfind("network/layer3/member")] == ["ethernet1/2"]
    router = objects[("logical-router", "vr-private")]
    members = [m.text for m in router.iterfind("vrf/entry/interface/member")]
    assert members == ["ethernet1/1", "ethernet1/2"]
    # Replies to the workloads and to the GWLB health checks go back out of ethernet1/1: each
    # range once per zone's trust gateway (a firewall can use only its own zone's, on-link).
    routes = {
        (r.findtext("destination"), r.findtext("nexthop/ip-address"), r.findtext("interface"))
        for r in router.iterfind("vrf/entry/routing-table/ip/static-route/entry")
    }
    zones = _cfg("aws-prod").security_project.zone_subnets()
    gateways = {network.gateway_ip(z.trust) for z in zones.values()}
    assert len(gateways) == 3
    ranges = {z.gwlb for z in zones.values()} | {"10.180.0.0/16", "10.190.0.0/16"}
    ranges |= {"172.20.0.0/16", "172.21.0.0/16"}  # the EKS service ranges (pods are in VPCs)
    assert routes == {(cidr, gw, "ethernet1/1") for cidr in ranges for gw in gateways}


def test_prod_panorama_source_nat_and_allow_rule_trust_to_untrust() -> None:
    objects = _panorama("aws-prod")
    nat = objects[("nat-rule", "airs-aws-prod-outbound-internet")]
    assert [m.text for m in nat.iterfind("from/member")] == ["trust"]
    assert [m.text for m in nat.iterfind("to/member")] == ["untrust"]
    dipp = "source-translation/dynamic-ip-and-port/interface-address/interface"
    assert nat.findtext(dipp) == "ethernet1/2"
    rule = objects[("security-rule", "airs-aws-prod-allow-ai")]
    assert [m.text for m in rule.iterfind("from/member")] == ["trust"]
    assert [m.text for m in rule.iterfind("to/member")] == ["trust", "untrust"]
    assert rule.findtext("action") == "allow"
    assert rule.findtext("profile-setting/group/member") == "airs-ai-group"


def test_dev_panorama_has_no_untrust_side() -> None:
    objects = _panorama("aws-dev")
    assert ("ethernet", "ethernet1/2") not in objects
    assert ("zone", "untrust") not in objects
    assert not [key for key in objects if key[0] == "nat-rule"]
    rule = objects[("security-rule", "airs-aws-dev-allow-ai")]
    assert [m.text for m in rule.iterfind("to/member")] == ["trust"]


# --------------------------------------------------------------------------- config rules


def _zones(values: dict[str, Any], untrust: bool) -> None:
    sp = values["securityProject"]
    sp["natGateway"] = False
    sp["cidrs"]["zones"] = {
        zone: {"mgmt": f"10.170.{i}.0/28", "trust": f"10.170.{i}.16/28"}
        | {"gwlb": f"10.170.{i}.32/28"}
        | ({"untrust": f"10.170.{i}.48/28"} if untrust else {})
        for i, zone in enumerate(sp["zones"])
    }


def test_rule_given_zone_subnets_need_untrust_with_overlay_routing() -> None:
    problems = example_problems("aws-prod", lambda v: _zones(v, untrust=False))
    assert problems == [
        f"airs:securityProject.cidrs.zones.{zone}.untrust: <missing> — is required in every "
        "zone when airs:securityProject.overlayRouting is true"
        for zone in ("us-west-2a", "us-west-2b", "us-west-2c")
    ]


def test_rule_untrust_subnets_are_refused_without_overlay_routing() -> None:
    def mutate(v: dict[str, Any]) -> None:
        _zones(v, untrust=True)
        v["securityProject"]["overlayRouting"] = False

    problems = example_problems("aws-prod", mutate)
    assert problems[0] == (
        "airs:securityProject.cidrs.zones.us-west-2a.untrust: 10.170.0.48/28 — is unused: "
        "airs:securityProject.overlayRouting is false"
    )
    assert len(problems) == 3


def test_given_zone_subnets_with_untrust_are_built() -> None:
    values, secret = example_values("aws-prod")
    values = copy.deepcopy(values)
    _zones(values, untrust=True)
    run = run_program(settings_from(values, secret, stack="aws-test"))
    untrust = sorted(
        s.inputs["cidrBlock"]
        for s in by_type(run, SUBNET)
        if s.inputs["tags"].get("airs-subnet") == "untrust"
    )
    assert untrust == ["10.170.0.48/28", "10.170.1.48/28", "10.170.2.48/28"]


def test_rule_overlay_routing_needs_the_outbound_source_nat() -> None:
    def mutate(v: dict[str, Any]) -> None:
        v.setdefault("panorama", {})["natRules"] = {"outbound": False}

    assert example_problems("aws-prod", mutate) == [
        "airs:panorama.natRules.outbound: false — is required with "
        "airs:securityProject.overlayRouting: egress leaves ethernet1/2 through the internet "
        "gateway, which carries only the interface's own address"
    ]


def test_rule_vpc_too_small_counts_the_untrust_subnets() -> None:
    # 3 zones x (mgmt, trust, gwlb, nat) = 12 /28s fit a /24 (16); with untrust, 15 still do,
    # 2 zones x 5 = 10 do not fit a /25 (8) while 2 x 4 = 8 do.
    def mutate(v: dict[str, Any]) -> None:
        sp = v["securityProject"]
        sp["zones"] = ["us-west-2a", "us-west-2b"]
        sp["cidrs"]["vpc"] = "10.170.0.0/25"
        for app in v["applications"].values():
            app["endpointSubnets"] = {
                z: c for z, c in app["endpointSubnets"].items() if z in sp["zones"]
            }
        for cluster in v["clusters"].values():
            cluster["zones"] = [z for z in cluster["zones"] if z in sp["zones"]]

    problems = example_problems("aws-prod", mutate)
    assert problems == [
        "airs:securityProject.cidrs.vpc: 10.170.0.0/25 — is too small for 5 /28 subnets in "
        "each of 2 zones"
    ]


def test_a_new_launch_template_replaces_running_firewalls_without_losing_capacity() -> None:
    """Bootstrap runs once per instance: switching overlay routing (or any user data) on a
    live stack reaches the firewalls only by an instance refresh, new before old."""
    for stack in ("aws-dev", "aws-prod"):
        asg = one(cached_plan(stack), "aws:autoscaling/group:Group", f"airs-{stack}-security-asg")
        refresh = asg.inputs["instanceRefresh"]
        assert refresh["strategy"] == "Rolling"
        assert refresh["preferences"]["minHealthyPercentage"] == 100
        assert refresh["preferences"]["maxHealthyPercentage"] == 200
        # The launch template's new version is what triggers it.
        assert "version" in asg.inputs["launchTemplate"]


def test_rule_overlay_routing_refuses_a_transit_gateway() -> None:
    """Overlay routing sends all but the listed ranges to the internet from the security VPC:
    what the application reaches through its transit gateway would be lost."""

    def mutate(v: dict[str, Any]) -> None:
        app = v["applications"]["app-vpc"]
        app["transitGatewayId"] = "tgw-0123456789abcdef0"
        app["transitGatewaySubnets"] = {
            zone: f"10.180.254.{16 * i}/28" for i, zone in enumerate(app["endpointSubnets"])
        }

    assert example_problems("aws-prod", mutate) == [
        "airs:applications.app-vpc.transitGatewayId: tgw-0123456789abcdef0 — cannot be used "
        "with airs:securityProject.overlayRouting: the firewalls would send traffic for the "
        "networks behind the transit gateway out to the internet instead; turn overlay routing "
        "off (traffic then returns through the endpoint)"
    ]
