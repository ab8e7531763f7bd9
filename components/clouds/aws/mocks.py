"""Mock answers for pulumi-aws resources and invokes (offline plan and tests).

Ids look like AWS's (``vpc-`` + 17 hex digits, ARNs, endpoint service names) and are
deterministic. Subnet and network interface ids encode the subnet's CIDR in their hex
digits, so a GWLB endpoint's interface reports a private IP inside its subnet without any
state kept between calls. Application subnets that already exist are answered from the
stack's ``airs:applications`` config: the n-th listed subnet lies in the n-th endpoint zone.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from components.clouds.mocking import plain, stable_hex

ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
AMI_NAME = "PA-AI-Runtime-Security-AWS-11.2.5"
AIRS_PRODUCT_CODE = "b261y39exndwe1ltro1tqpeog"


def _region() -> str:
    """The stack's region, from ``airs:securityProject.region``."""
    sp = pulumi.Config("airs").get_object("securityProject") or {}
    region = sp.get("region") if isinstance(sp, dict) else None
    return str(region) if region else DEFAULT_REGION


def _hex17(*parts: str) -> str:
    return stable_hex(*parts, length=17)


def _encode_cidr(prefix: str, seed: str, cidr: str) -> str:
    """``<prefix>-`` + 7 hash digits + 8 digits of network address + 2 of prefix length."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    return f"{prefix}-{stable_hex(seed, length=7)}{int(net.network_address):08x}{net.prefixlen:02x}"


def _decode_cidr(resource_id: str) -> ipaddress.IPv4Network | None:
    """The CIDR encoded by :func:`_encode_cidr`, if ``resource_id`` carries one."""
    digits = resource_id.rsplit("-", 1)[-1]
    if len(digits) != 17:
        return None
    try:
        address = int(digits[7:15], 16)
        prefix = int(digits[15:], 16)
        return ipaddress.IPv4Network((address, prefix))
    except ValueError:
        return None


def _host_in(net: ipaddress.IPv4Network, seed: str) -> str:
    """A stable usable address: AWS reserves the first four and the last of every subnet."""
    usable = max(net.num_addresses - 5, 1)
    return str(net.network_address + 4 + int(stable_hex(seed), 16) % usable)


def _arn(service: str, resource: str, region: str | None = None) -> str:
    return f"arn:aws:{service}:{_region() if region is None else region}:{ACCOUNT}:{resource}"


def new_resource(args: MockResourceArgs, resource_id: str) -> tuple[str, dict[str, Any]]:
    """Id and computed state of one AWS resource (merged over its inputs).

    Args:
        args: the registration as the mock engine passes it (camelCase inputs).
        resource_id: the generic id ``AirsMocks`` would use; kept for types not listed here.
    """
    typ, name, inputs = args.typ, args.name, args.inputs
    h = _hex17(typ, name)
    region = _region()
    if typ == "aws:ec2/vpc:Vpc":
        vid = f"vpc-{h}"
        return vid, {
            "arn": _arn("ec2", f"vpc/{vid}"),
            "ownerId": ACCOUNT,
            "mainRouteTableId": f"rtb-{_hex17(h, 'main')}",
            "defaultRouteTableId": f"rtb-{_hex17(h, 'main')}",
            "defaultSecurityGroupId": f"sg-{_hex17(h, 'default')}",
        }
    if typ == "aws:ec2/subnet:Subnet":
        sid = _encode_cidr("subnet", name, str(inputs.get("cidrBlock", "10.0.0.0/28")))
        return sid, {"arn": _arn("ec2", f"subnet/{sid}"), "ownerId": ACCOUNT}
    simple = {
        "aws:ec2/internetGateway:InternetGateway": "igw",
        "aws:ec2/routeTable:RouteTable": "rtb",
        "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
        "aws:ec2/securityGroup:SecurityGroup": "sg",
        "aws:ec2/natGateway:NatGateway": "nat",
        "aws:ec2/launchTemplate:LaunchTemplate": "lt",
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
    }
    if typ in simple:
        rid = f"{simple[typ]}-{h}"
        state: dict[str, Any] = {"arn": _arn("ec2", f"{typ.rsplit(':', 1)[-1].lower()}/{rid}")}
        if typ == "aws:ec2/launchTemplate:LaunchTemplate":
            state.update(latestVersion=1, defaultVersion=1)
        if typ == "aws:ec2/natGateway:NatGateway":
            state["privateIp"] = "10.255.255.1"
        return rid, state
    if typ == "aws:ec2/eip:Eip":
        octets = bytes.fromhex(stable_hex(name))
        return f"eipalloc-{h}", {
            "allocationId": f"eipalloc-{h}",
            # Documentation range (RFC 5737 TEST-NET-3), never a real address.
            "publicIp": f"203.0.113.{octets[0] % 254 + 1}",
        }
    if typ == "aws:ec2/route:Route":
        return f"r-{h}", {}
    if typ == "aws:lb/loadBalancer:LoadBalancer":
        lb_name = str(inputs.get("name", name))
        suffix = f"gwy/{lb_name}/{stable_hex(name, length=16)}"
        return _arn("elasticloadbalancing", f"loadbalancer/{suffix}"), {
            "arn": _arn("elasticloadbalancing", f"loadbalancer/{suffix}"),
            "arnSuffix": suffix,
            "dnsName": f"{lb_name}-{stable_hex(name, length=16)}.elb.{region}.amazonaws.com",
            "vpcId": f"vpc-{_hex17('vpc')}",
        }
    if typ == "aws:lb/targetGroup:TargetGroup":
        suffix = f"targetgroup/{inputs.get('name', name)}/{stable_hex(name, length=16)}"
        arn = _arn("elasticloadbalancing", suffix)
        return arn, {"arn": arn, "arnSuffix": suffix}
    if typ == "aws:lb/listener:Listener":
        arn = _arn("elasticloadbalancing", f"listener/gwy/{name}/{stable_hex(name, length=16)}")
        return arn, {"arn": arn}
    if typ == "aws:ec2/vpcEndpointService:VpcEndpointService":
        sid = f"vpce-svc-{h}"
        return sid, {
            "arn": _arn("ec2", f"vpc-endpoint-service/{sid}"),
            "serviceName": f"com.amazonaws.vpce.{region}.{sid}",
            "serviceType": "GatewayLoadBalancer",
            "state": "Available",
            "availabilityZones": [],
        }
    if typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
        eid = f"vpce-{h}"
        subnets = [str(plain(s)) for s in inputs.get("subnetIds", [])]
        enis = []
        for subnet in subnets:
            net = _decode_cidr(subnet)
            enis.append(
                _encode_cidr("eni", f"{eid}/{subnet}", str(net)) if net else f"eni-{_hex17(eid)}"
            )
        return eid, {
            "arn": _arn("ec2", f"vpc-endpoint/{eid}"),
            "networkInterfaceIds": enis,
            "state": "available",
            "ownerId": ACCOUNT,
        }
    if typ == "aws:autoscaling/group:Group":
        asg = str(inputs.get("name", name))
        return asg, {
            "arn": _arn(
                "autoscaling", f"autoScalingGroup:{stable_hex(name)}:autoScalingGroupName/{asg}"
            )
        }
    if typ == "aws:iam/role:Role":
        return name, {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "name": name}
    if typ == "aws:iam/instanceProfile:InstanceProfile":
        return name, {"arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}", "name": name}
    if typ == "aws:autoscaling/policy:Policy":
        group = str(inputs.get("autoscalingGroupName", name))
        arn = _arn(
            "autoscaling",
            f"scalingPolicy:{stable_hex(name)}:autoScalingGroupName/{group}:policyName/{name}",
        )
        return name, {"arn": arn, "name": name}
    if typ == "aws:lambda/function:Function":
        arn = _arn("lambda", f"function:{name}")
        return name, {"arn": arn, "name": name, "invokeArn": arn, "version": "$LATEST"}
    if typ == "aws:cloudwatch/eventRule:EventRule":
        return name, {"arn": _arn("events", f"rule/{name}"), "name": name}
    return resource_id, {}


def _application_of(vpc_id: str) -> dict[str, Any] | None:
    apps = pulumi.Config("airs").get_object("applications") or {}
    if not isinstance(apps, dict):
        return None
    for app in apps.values():
        if isinstance(app, dict) and app.get("network") == vpc_id:
            return app
    return None


def _app_subnet(args: dict[str, Any]) -> dict[str, Any]:
    """An existing application subnet: zone and CIDR consistent with the stack's config."""
    subnet_id = str(args.get("id", ""))
    vpc_id = str(args.get("vpcId", ""))
    zones: list[str] = next(
        (
            f.get("values", [])
            for f in args.get("filters", [])
            if f.get("name") == "availability-zone"
        ),
        [],
    )
    app = _application_of(vpc_id) or {}
    listed = list(app.get("subnets", []))
    index = listed.index(subnet_id) if subnet_id in listed else int(stable_hex(subnet_id), 16)
    zone = zones[index % len(zones)] if zones else f"{_region()}a"
    cidrs = app.get("cidrs") or ["10.0.0.0/16"]
    base = ipaddress.IPv4Network(cidrs[0])
    # The n-th /20 of the VPC (or the whole range if it is smaller).
    new_prefix = max(base.prefixlen, 20)
    blocks = base.subnets(new_prefix=new_prefix)
    cidr = next((b for i, b in enumerate(blocks) if i == index % 16), base)
    return {
        "id": subnet_id,
        "arn": _arn("ec2", f"subnet/{subnet_id}"),
        "vpcId": vpc_id,
        "availabilityZone": zone,
        "cidrBlock": str(cidr),
        "state": "available",
        "ownerId": ACCOUNT,
    }


def call(args: MockCallArgs) -> dict[str, Any]:
    """Answer an AWS invoke (the look-ups the security project and app connection use).

    Args:
        args: the invoke's token and camelCase arguments.
    """
    token, a = args.token, dict(args.args)
    if token == "aws:ec2/getAmi:getAmi":
        image = f"ami-{_hex17('ami', json.dumps(a.get('filters', []), sort_keys=True))}"
        return {
            "id": image,
            "imageId": image,
            "name": AMI_NAME,
            "architecture": "x86_64",
            "ownerId": "679593333241",
            "productCodes": [
                {"productCodeId": AIRS_PRODUCT_CODE, "productCodeType": "marketplace"}
            ],
        }
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "id": ACCOUNT,
            "accountId": ACCOUNT,
            "arn": f"arn:aws:iam::{ACCOUNT}:user/airs-plan",
            "userId": "AIDAAIRSPLAN",
        }
    if token == "aws:ec2/getNetworkInterface:getNetworkInterface":
        eni = str(a.get("id", ""))
        net = _decode_cidr(eni) or ipaddress.IPv4Network("10.0.0.0/28")
        ip = _host_in(net, eni)
        return {
            "id": eni,
            "privateIp": ip,
            "privateIps": [ip],
            "subnetId": "",
            "interfaceType": "gateway_load_balancer_endpoint",
            "ownerId": ACCOUNT,
        }
    if token == "aws:ec2/getSubnet:getSubnet":
        return _app_subnet(a)
    if token == "aws:ec2/getNatGateway:getNatGateway":
        nat = str(a.get("id", ""))
        return {"id": nat, "subnetId": f"subnet-{_hex17('nat-subnet', nat)}", "state": "available"}
    if token == "aws:ec2/getRouteTable:getRouteTable":
        rtb = f"rtb-{_hex17('rtb', str(a.get('subnetId', '')))}"
        return {"id": rtb, "routeTableId": rtb, "subnetId": a.get("subnetId"), "routes": []}
    if token == "aws:ec2/getInternetGateway:getInternetGateway":
        vpc = next((v for f in a.get("filters", []) for v in f.get("values", [])), "vpc-unknown")
        igw = f"igw-{_hex17('igw', str(vpc))}"
        return {
            "id": igw,
            "internetGatewayId": igw,
            "attachments": [{"state": "available", "vpcId": vpc}],
            "ownerId": ACCOUNT,
        }
    return {}
