"""AWS security project: security VPC, Gateway Load Balancer and the AIRS firewall group.

Layout (per availability zone in ``airs:securityProject.zones``):

* ``mgmt`` subnet: firewall management ENIs (device index 1 after ``mgmt-interface-swap``),
  default route to the internet gateway, each ENI gets an Elastic IP;
* ``trust`` subnet: firewall data ENIs (device index 0, the GWLB target); default route to
  the zone's NAT gateway when ``natGateway`` is on (egress after overlay routing);
* ``gwlb`` subnet: the Gateway Load Balancer's nodes (the only GENEVE sources);
* ``nat`` subnet (``natGateway``): a NAT gateway per zone, default route to the IGW.

The firewalls run in one auto scaling group registered with the GENEVE target group. A launch
template cannot carry a second ENI in a zone-specific subnet nor turn off source/destination
checking, so a lifecycle hook runs a small Lambda function at launch that disables the check
on the data ENI, creates and attaches the management ENI in the instance's zone and gives it
an Elastic IP (released again at termination), as the vendor's ASG module does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components import network
from components.config import AwsSecurityProject as AwsSecurityProjectConfig
from components.config import AwsZoneSubnets, StackConfig, aws_zone_subnets, secret_output
from components.security_project.common import SecurityProjectOutputs

TYPE_TOKEN = "airs:index:AwsSecurityProject"
# Tag keys Prisma AIRS uses to find a deployment's resources (application side, SCM).
TRUST_TAG = "paloaltonetworks.com-trust"
OCCUPIED_TAG = "paloaltonetworks.com-occupied"
# The AIRS firewall AMI is published by the AWS Marketplace account.
MARKETPLACE_OWNER = "aws-marketplace"
ALL_TRAFFIC = "-1"
# Vendor defaults (terraform-aws-swfw-modules gwlb/asg): fast health checks, long grace
# period because PAN-OS needs ~15-25 minutes to boot, bootstrap and fetch content.
HEALTH_CHECK_INTERVAL = 5
HEALTH_CHECK_THRESHOLD = 3
HEALTH_CHECK_GRACE_SECONDS = 1800
LIFECYCLE_HEARTBEAT_SECONDS = 300
# Vendor ASG scaling (S8): target tracking on the PAN-OS active-session metric the firewalls
# publish to CloudWatch (enabled in the Panorama template, namespace below).
SCALING_METRIC = "panSessionActive"
SCALING_TARGET = 75.0
SCALING_WARMUP_SECONDS = 900
LAUNCH_HOOK = "airs-launch"
TERMINATE_HOOK = "airs-terminate"
EVENT_DETAIL_TYPES = (
    "EC2 Instance-launch Lifecycle Action",
    "EC2 Instance-terminate Lifecycle Action",
)

# Runs on the ASG lifecycle hooks (see the module docstring). Environment: MGMT_SUBNETS
# (JSON zone -> subnet id), MGMT_SG, TAGS (JSON). Idempotent: a retried launch event finds
# the ENI it already attached.
LIFECYCLE_LAMBDA = """\
import json, os, traceback
import boto3

ec2 = boto3.client("ec2")
asg = boto3.client("autoscaling")
TAGS = [{"Key": k, "Value": v} for k, v in json.loads(os.environ["TAGS"]).items()]


def _launch(instance_id):
    inst = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    zone = inst["Placement"]["AvailabilityZone"]
    attached = {e["Attachment"]["DeviceIndex"]: e for e in inst["NetworkInterfaces"]}
    # Data ENI: GWLB traffic (and overlay-routed traffic) carries other hosts' addresses.
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=attached[0]["NetworkInterfaceId"], SourceDestCheck={"Value": False}
    )
    tags = TAGS + [{"Key": "airs-instance", "Value": instance_id}]
    if 1 in attached:  # a retried event: the ENI is there, maybe without its address
        eni = attached[1]["NetworkInterfaceId"]
        if attached[1].get("Association"):
            return
    else:
        eni = ec2.create_network_interface(
            SubnetId=json.loads(os.environ["MGMT_SUBNETS"])[zone],
            Groups=[os.environ["MGMT_SG"]],
            Description=f"{instance_id} management",
            TagSpecifications=[{"ResourceType": "network-interface", "Tags": tags}],
        )["NetworkInterface"]["NetworkInterfaceId"]
        try:
            att = ec2.attach_network_interface(
                NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=1
            )
        except Exception:
            ec2.delete_network_interface(NetworkInterfaceId=eni)
            raise
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni,
            Attachment={"AttachmentId": att["AttachmentId"], "DeleteOnTermination": True},
        )
    eip = ec2.allocate_address(
        Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags}]
    )
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)


def _terminate(instance_id):
    found = ec2.describe_addresses(Filters=[{"Name": "tag:airs-instance", "Values": [instance_id]}])
    for addr in found["Addresses"]:
        if "AssociationId" in addr:
            ec2.disassociate_address(AssociationId=addr["AssociationId"])
        ec2.release_address(AllocationId=addr["AllocationId"])


def handler(event, context):
    d = event["detail"]
    launching = d["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING"
    result = "CONTINUE"
    try:
        (_launch if launching else _terminate)(d["EC2InstanceId"])
    except Exception:
        traceback.print_exc()
        # A firewall without its management ENI cannot bootstrap: give the slot back.
        if launching:
            result = "ABANDON"
    asg.complete_lifecycle_action(
        LifecycleHookName=d["LifecycleHookName"],
        AutoScalingGroupName=d["AutoScalingGroupName"],
        LifecycleActionToken=d["LifecycleActionToken"],
        LifecycleActionResult=result,
        InstanceId=d["EC2InstanceId"],
    )
"""

LAMBDA_ACTIONS = (
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:CreateNetworkInterface",
    "ec2:AttachNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:DescribeAddresses",
    "ec2:AllocateAddress",
    "ec2:AssociateAddress",
    "ec2:DisassociateAddress",
    "ec2:ReleaseAddress",
    "ec2:CreateTags",
    "autoscaling:CompleteLifecycleAction",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
)


def deployment_id(cfg: StackConfig) -> str:
    """The per-deployment id carried by the ``-trust`` and ``-occupied`` tags.

    It must be unique per deployment and stable across runs (a changing tag would retag, or
    with names derived from it replace, every resource). A hash of the Pulumi project, the
    stack, ``airs:name`` and the region is both, needs no extra provider (pulumi-random is
    not a dependency) and is known at preview time. It does not depend on the account, so
    two stacks with the same project, stack name, deployment name and region would share it;
    stack names are unique within a project, which rules that out in one organisation.

    Args:
        cfg: the validated stack configuration (AWS).
    """
    sp = _aws(cfg)
    seed = "/".join((pulumi.get_project(), pulumi.get_stack(), cfg.name, sp.region))
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def airs_tags(cfg: StackConfig) -> dict[str, str]:
    """The two Prisma AIRS identification tags (same unique value, as the vendor bundle).

    Args:
        cfg: the validated stack configuration (AWS).
    """
    ident = deployment_id(cfg)
    return {TRUST_TAG: ident, OCCUPIED_TAG: ident}


def bootstrap_lines(cfg: StackConfig, auth_key: str) -> list[str]:
    """PAN-OS user-data (init-cfg) lines for the AIRS firewalls.

    Args:
        cfg: the validated stack configuration (AWS).
        auth_key: the Panorama device registration auth key, in clear (the caller keeps the
            result secret).
    """
    sp = _aws(cfg)
    boot = sp.firewall.bootstrap
    plugins = ["aws-gwlb-inspect:enable"]
    if sp.overlay_routing:
        # PAN-OS 11.2.8+: route decapsulated traffic out of the firewall instead of hairpinning.
        plugins.append("aws-gwlb-overlay-routing:enable")
    plugins.append("advance-routing:enable")
    lines = [
        # ENI 0 is the GWLB target, so it must be the data interface.
        "mgmt-interface-swap=enable",
        f"plugin-op-commands={','.join(plugins)}",
        f"panorama-server={boot.panorama_server or cfg.panorama.hostname}",
    ]
    if boot.panorama_server2:
        lines.append(f"panorama-server-2={boot.panorama_server2}")
    lines += [
        f"tplname={cfg.template_stack}",
        f"dgname={cfg.device_group}",
        f"auth-key={auth_key}",
        "dhcp-send-hostname=yes",
        "dhcp-send-client-id=yes",
        "dhcp-accept-server-hostname=yes",
        "dhcp-accept-server-domain=yes",
    ]
    return lines


def encode_user_data(lines: list[str]) -> str:
    """Base64 user data, as launch templates require.

    Args:
        lines: ``key=value`` bootstrap lines (see :func:`bootstrap_lines`).
    """
    return base64.b64encode("\n".join(lines).encode()).decode()


def metrics_namespace(cfg: StackConfig) -> str:
    """CloudWatch namespace the firewalls publish PAN-OS metrics to (one per deployment).

    Args:
        cfg: the validated stack configuration.
    """
    return f"{cfg.name}-airs"


def _assume_role(service: str) -> str:
    """Trust policy letting an AWS service assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def _aws(cfg: StackConfig) -> AwsSecurityProjectConfig:
    sp = cfg.security_project
    if not isinstance(sp, AwsSecurityProjectConfig):
        raise TypeError("the AWS security project needs airs:cloud aws")
    return sp


class AwsSecurityProject(pulumi.ComponentResource):
    """Security VPC, Gateway Load Balancer with its endpoint service, and the firewall ASG."""

    outputs: SecurityProjectOutputs
    """The common security-project shape (trust CIDR/gateway, ASG name, VPC, GWLB extras)."""
    provider: aws.Provider
    """The explicit AWS provider (the stack's region) every child resource uses."""
    metrics_namespace: str
    """CloudWatch namespace of the PAN-OS metrics (set the same in the Panorama template)."""
    deployment_id: str
    """Value of the ``paloaltonetworks.com-trust`` / ``-occupied`` tags."""
    tags: dict[str, str]
    """Tags put on every taggable resource of the deployment."""
    endpoint_service_name: pulumi.Output[str]
    """Service name GWLB endpoints connect to (``com.amazonaws.vpce.<region>.vpce-svc-…``)."""
    vpc_id: pulumi.Output[str]
    """Id of the security VPC."""

    def __init__(
        self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Build the security project.

        Args:
            name: logical name prefix of every child.
            cfg: the validated stack configuration (``airs:cloud`` aws).
            opts: resource options of the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        sp = _aws(cfg)
        self._name = name
        self._cfg = cfg
        self._sp = sp
        self.deployment_id = deployment_id(cfg)
        self.metrics_namespace = metrics_namespace(cfg)
        self.tags = airs_tags(cfg)
        self.provider = aws.Provider(
            f"{name}-aws", region=sp.region, opts=pulumi.ResourceOptions(parent=self)
        )
        self._opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self._subnets = aws_zone_subnets(sp)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=sp.cidrs.vpc,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tagged(f"{cfg.name}-security-vpc"),
            opts=self._opts,
        )
        self.vpc_id = vpc.id
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=self._tagged(f"{cfg.name}-igw"), opts=self._opts
        )
        subnets = self._make_subnets(vpc)
        nat_gateways = self._make_nat(subnets, igw) if sp.nat_gateway else {}
        self._make_route_tables(vpc, igw, subnets, nat_gateways)
        data_sg, mgmt_sg = self._make_security_groups(vpc)
        gwlb, target_group, service = self._make_gwlb(vpc, subnets)
        asg = self._make_firewalls(subnets, data_sg, mgmt_sg, target_group)

        first = sp.zones[0]
        trust = self._subnets[first].trust
        self.endpoint_service_name = service.service_name
        self.outputs = SecurityProjectOutputs(
            trust_cidr=subnets[first]["trust"].cidr_block,
            # Known from config; the subnet's own CIDR is the same value once created.
            trust_gateway_ip=pulumi.Output.from_input(network.gateway_ip(trust)),
            lb_ip=None,
            firewall_group=asg.name,
            networks=pulumi.Output.all(vpc=vpc.id, gwlbEndpointService=service.id).apply(
                lambda ids: {k: str(v) for k, v in ids.items()}
            ),
            extra={
                "endpointServiceName": service.service_name,
                "gwlbArn": gwlb.arn,
                "deploymentId": pulumi.Output.from_input(self.deployment_id),
                "cloudwatchNamespace": pulumi.Output.from_input(self.metrics_namespace),
            },
        )
        self.register_outputs(dict(self.outputs.as_exports()))

    # ------------------------------------------------------------------ helpers

    def _tagged(self, name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The deployment tags plus a console ``Name``."""
        return {"Name": name, **self.tags, **(extra or {})}

    def _make_subnets(self, vpc: aws.ec2.Vpc) -> dict[str, dict[str, aws.ec2.Subnet]]:
        """zone → group (mgmt, trust, gwlb[, nat]) → subnet."""
        out: dict[str, dict[str, aws.ec2.Subnet]] = {}
        for zone in self._sp.zones:
            cidrs: AwsZoneSubnets = self._subnets[zone]
            groups = {"mgmt": cidrs.mgmt, "trust": cidrs.trust, "gwlb": cidrs.gwlb}
            if self._sp.nat_gateway:
                if cidrs.nat is None:
                    raise pulumi.RunError(
                        f"airs:securityProject.cidrs.zones.{zone}.nat: <missing> — "
                        "is required when natGateway is true"
                    )
                groups["nat"] = cidrs.nat
            out[zone] = {
                group: aws.ec2.Subnet(
                    f"{self._name}-{group}-{zone}",
                    vpc_id=vpc.id,
                    cidr_block=cidr,
                    availability_zone=zone,
                    # Public IPs come from explicit EIPs only, never by default.
                    map_public_ip_on_launch=False,
                    tags=self._tagged(f"{self._cfg.name}-{group}-{zone}", {"airs-subnet": group}),
                    opts=self._opts,
                )
                for group, cidr in groups.items()
            }
        return out

    def _make_nat(
        self, subnets: dict[str, dict[str, aws.ec2.Subnet]], igw: aws.ec2.InternetGateway
    ) -> dict[str, aws.ec2.NatGateway]:
        """One NAT gateway per zone, so a zone failure never cuts another zone's egress."""
        out: dict[str, aws.ec2.NatGateway] = {}
        for zone in self._sp.zones:
            eip = aws.ec2.Eip(
                f"{self._name}-nat-eip-{zone}",
                domain="vpc",
                tags=self._tagged(f"{self._cfg.name}-nat-{zone}"),
                opts=self._opts,
            )
            out[zone] = aws.ec2.NatGateway(
                f"{self._name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=subnets[zone]["nat"].id,
                tags=self._tagged(f"{self._cfg.name}-nat-{zone}"),
                opts=pulumi.ResourceOptions.merge(
                    self._opts, pulumi.ResourceOptions(depends_on=[igw])
                ),
            )
        return out

    def _make_route_tables(
        self,
        vpc: aws.ec2.Vpc,
        igw: aws.ec2.InternetGateway,
        subnets: dict[str, dict[str, aws.ec2.Subnet]],
        nat_gateways: dict[str, aws.ec2.NatGateway],
    ) -> None:
        """One route table per subnet group (per zone for trust, whose NAT is zonal).

        Routes are inline: one resource per table keeps the plan small.
        """
        to_igw = [{"cidr_block": network.ANY_IPV4, "gateway_id": igw.id}]
        shared: dict[str, list[dict[str, pulumi.Input[str]]]] = {"mgmt": to_igw, "gwlb": []}
        if self._sp.nat_gateway:
            shared["nat"] = to_igw
        for group, routes in shared.items():
            table = aws.ec2.RouteTable(
                f"{self._name}-{group}-rt",
                vpc_id=vpc.id,
                routes=routes,
                tags=self._tagged(f"{self._cfg.name}-{group}"),
                opts=self._opts,
            )
            for zone in self._sp.zones:
                aws.ec2.RouteTableAssociation(
                    f"{self._name}-{group}-rta-{zone}",
                    route_table_id=table.id,
                    subnet_id=subnets[zone][group].id,
                    opts=self._opts,
                )
        for zone in self._sp.zones:
            # Overlay routing sends decapsulated traffic out of the data ENI: it leaves
            # through the zone's NAT gateway. Without NAT only the local route exists.
            trust_routes = (
                [{"cidr_block": network.ANY_IPV4, "nat_gateway_id": nat_gateways[zone].id}]
                if zone in nat_gateways
                else []
            )
            table = aws.ec2.RouteTable(
                f"{self._name}-trust-rt-{zone}",
                vpc_id=vpc.id,
                routes=trust_routes,
                tags=self._tagged(f"{self._cfg.name}-trust-{zone}"),
                opts=self._opts,
            )
            aws.ec2.RouteTableAssociation(
                f"{self._name}-trust-rta-{zone}",
                route_table_id=table.id,
                subnet_id=subnets[zone]["trust"].id,
                opts=self._opts,
            )

    def _make_security_groups(
        self, vpc: aws.ec2.Vpc
    ) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        """Data: GENEVE + health check from the GWLB subnets only; mgmt: 22/443 from admins."""
        gwlb_cidrs = [self._subnets[z].gwlb for z in self._sp.zones]
        egress = [
            {
                "protocol": ALL_TRAFFIC,
                "from_port": 0,
                "to_port": 0,
                "cidr_blocks": [network.ANY_IPV4],
                "description": "all outbound",
            }
        ]
        hc_port = self._sp.health_check_port
        data = aws.ec2.SecurityGroup(
            f"{self._name}-data-sg",
            vpc_id=vpc.id,
            description="AIRS firewall data ENIs: GENEVE and health checks from the GWLB",
            ingress=[
                {
                    "protocol": "udp",
                    "from_port": network.GENEVE_UDP_PORT,
                    "to_port": network.GENEVE_UDP_PORT,
                    "cidr_blocks": gwlb_cidrs,
                    "description": "GENEVE from the Gateway Load Balancer",
                },
                {
                    "protocol": "tcp",
                    "from_port": hc_port,
                    "to_port": hc_port,
                    "cidr_blocks": gwlb_cidrs,
                    "description": "GWLB target health check",
                },
            ],
            egress=egress,
            tags=self._tagged(f"{self._cfg.name}-data"),
            opts=self._opts,
        )
        mgmt_cidrs = list(self._sp.mgmt_allowed_cidrs)
        mgmt = aws.ec2.SecurityGroup(
            f"{self._name}-mgmt-sg",
            vpc_id=vpc.id,
            description="AIRS firewall management: SSH and HTTPS from admin networks",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": port,
                    "to_port": port,
                    "cidr_blocks": mgmt_cidrs,
                    "description": f"management {label}",
                }
                for port, label in ((22, "SSH"), (443, "HTTPS"))
            ],
            egress=egress,
            tags=self._tagged(f"{self._cfg.name}-mgmt"),
            opts=self._opts,
        )
        return data, mgmt

    def _make_gwlb(
        self, vpc: aws.ec2.Vpc, subnets: dict[str, dict[str, aws.ec2.Subnet]]
    ) -> tuple[aws.lb.LoadBalancer, aws.lb.TargetGroup, aws.ec2.VpcEndpointService]:
        """Gateway Load Balancer, GENEVE target group, listener and endpoint service."""
        cfg, sp = self._cfg, self._sp
        gwlb = aws.lb.LoadBalancer(
            f"{self._name}-gwlb",
            # Explicit names: LB/TG names are limited to 32 characters, autonames overflow.
            name=f"{cfg.name}-gwlb",
            load_balancer_type="gateway",
            subnets=[subnets[z]["gwlb"].id for z in sp.zones],
            # Keep serving a zone's endpoints when that zone has no healthy firewall.
            enable_cross_zone_load_balancing=True,
            tags=self._tagged(f"{cfg.name}-gwlb"),
            opts=self._opts,
        )
        target_group = aws.lb.TargetGroup(
            f"{self._name}-tg",
            name=f"{cfg.name}-geneve",
            protocol="GENEVE",
            port=network.GENEVE_UDP_PORT,
            vpc_id=vpc.id,
            target_type="instance",
            health_check={
                "enabled": True,
                "protocol": "TCP",
                "port": str(sp.health_check_port),
                "interval": HEALTH_CHECK_INTERVAL,
                "healthy_threshold": HEALTH_CHECK_THRESHOLD,
                "unhealthy_threshold": HEALTH_CHECK_THRESHOLD,
            },
            # Move existing flows off a failed or removed firewall instead of black-holing them.
            target_failovers=[{"on_deregistration": "rebalance", "on_unhealthy": "rebalance"}],
            tags=self._tagged(f"{cfg.name}-geneve"),
            opts=self._opts,
        )
        aws.lb.Listener(
            f"{self._name}-listener",
            load_balancer_arn=gwlb.arn,
            default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
            tags=self._tagged(f"{cfg.name}-gwlb"),
            opts=self._opts,
        )
        principals: pulumi.Input[list[str]]
        if sp.allowed_principals:
            principals = list(sp.allowed_principals)
        else:
            # Vendor default: the deploying account may create endpoints.
            principals = aws.get_caller_identity_output(
                opts=pulumi.InvokeOutputOptions(provider=self.provider, parent=self)
            ).account_id.apply(lambda account: [f"arn:aws:iam::{account}:root"])
        service = aws.ec2.VpcEndpointService(
            f"{self._name}-endpoint-service",
            gateway_load_balancer_arns=[gwlb.arn],
            # This program creates the endpoints itself; manual acceptance would stall them.
            acceptance_required=False,
            allowed_principals=principals,
            tags=self._tagged(f"{cfg.name}-gwlb"),
            opts=self._opts,
        )
        return gwlb, target_group, service

    def _image_id(self) -> pulumi.Input[str]:
        """Pinned AMI, or the newest Marketplace AIRS image matching name and product code."""
        fw = self._sp.firewall
        if fw.ami_id:
            return fw.ami_id
        ami = aws.ec2.get_ami_output(
            most_recent=True,
            owners=[MARKETPLACE_OWNER],
            filters=[
                {"name": "name", "values": [fw.ami_name_filter]},
                {"name": "product-code", "values": [fw.product_code]},
            ],
            opts=pulumi.InvokeOutputOptions(provider=self.provider, parent=self),
        )
        image: pulumi.Output[str] = ami.id
        return image

    def _user_data(self) -> pulumi.Output[str]:
        """Base64 bootstrap user data; secret because it carries the auth key."""
        auth = secret_output(self._sp.firewall.bootstrap.auth_key)
        return pulumi.Output.secret(
            auth.apply(lambda key: encode_user_data(bootstrap_lines(self._cfg, key)))
        )

    def _make_firewalls(
        self,
        subnets: dict[str, dict[str, aws.ec2.Subnet]],
        data_sg: aws.ec2.SecurityGroup,
        mgmt_sg: aws.ec2.SecurityGroup,
        target_group: aws.lb.TargetGroup,
    ) -> aws.autoscaling.Group:
        """Launch template, lifecycle Lambda and the auto scaling group."""
        cfg, sp = self._cfg, self._sp
        fw = sp.firewall
        asg_name = f"{cfg.name}-fw"
        instance_tags = self._tagged(f"{cfg.name}-fw")
        profile = self._make_instance_profile()
        template = aws.ec2.LaunchTemplate(
            f"{self._name}-lt",
            image_id=self._image_id(),
            instance_type=fw.instance_type,
            key_name=fw.key_name,
            user_data=self._user_data(),
            iam_instance_profile={"arn": profile.arn},
            ebs_optimized="true",
            network_interfaces=[
                {
                    # Data ENI, the GWLB target; the ASG picks its trust subnet per zone.
                    "device_index": 0,
                    "security_groups": [data_sg.id],
                    "associate_public_ip_address": "false",
                    "delete_on_termination": "true",
                    "description": "AIRS data (GWLB target)",
                }
            ],
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required"},
            tag_specifications=[
                {"resource_type": kind, "tags": instance_tags}
                for kind in ("instance", "volume", "network-interface")
            ],
            tags=instance_tags,
            opts=self._opts,
        )
        hook_deps = self._make_lifecycle_lambda(asg_name, subnets, mgmt_sg)
        group = aws.autoscaling.Group(
            f"{self._name}-asg",
            name=asg_name,
            vpc_zone_identifiers=[subnets[z]["trust"].id for z in sp.zones],
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            min_size=fw.min_replicas,
            max_size=fw.max_replicas,
            target_group_arns=[target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
            # Hooks must exist before the first instance launches, hence inline.
            initial_lifecycle_hooks=[
                {
                    "name": LAUNCH_HOOK,
                    "lifecycle_transition": "autoscaling:EC2_INSTANCE_LAUNCHING",
                    "default_result": "ABANDON",
                    "heartbeat_timeout": LIFECYCLE_HEARTBEAT_SECONDS,
                },
                {
                    "name": TERMINATE_HOOK,
                    "lifecycle_transition": "autoscaling:EC2_INSTANCE_TERMINATING",
                    "default_result": "CONTINUE",
                    "heartbeat_timeout": LIFECYCLE_HEARTBEAT_SECONDS,
                },
            ],
            tags=[
                {"key": k, "value": v, "propagate_at_launch": True}
                for k, v in instance_tags.items()
            ],
            opts=pulumi.ResourceOptions.merge(
                self._opts, pulumi.ResourceOptions(depends_on=hook_deps)
            ),
        )
        # EC2 CPU is meaningless for PAN-OS (the dataplane polls), so scale on sessions.
        aws.autoscaling.Policy(
            f"{self._name}-scaling",
            autoscaling_group_name=group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=SCALING_WARMUP_SECONDS,
            target_tracking_configuration={
                "target_value": SCALING_TARGET,
                "customized_metric_specification": {
                    "metric_name": SCALING_METRIC,
                    "namespace": self.metrics_namespace,
                    "statistic": "Average",
                    "metric_dimensions": [{"name": "AutoScalingGroupName", "value": asg_name}],
                },
            },
            opts=self._opts,
        )
        return group

    def _make_instance_profile(self) -> aws.iam.InstanceProfile:
        """Firewall instance role: publish PAN-OS metrics to this deployment's namespace only."""
        cfg = self._cfg
        role = aws.iam.Role(
            f"{self._name}-fw-role",
            assume_role_policy=_assume_role("ec2.amazonaws.com"),
            tags=self._tagged(f"{cfg.name}-fw"),
            opts=self._opts,
        )
        aws.iam.RolePolicy(
            f"{self._name}-fw-metrics",
            role=role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "cloudwatch:PutMetricData",
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": {"cloudwatch:namespace": self.metrics_namespace}
                            },
                        }
                    ],
                }
            ),
            opts=self._opts,
        )
        return aws.iam.InstanceProfile(
            f"{self._name}-fw-profile",
            role=role.name,
            tags=self._tagged(f"{cfg.name}-fw"),
            opts=self._opts,
        )

    def _make_lifecycle_lambda(
        self,
        asg_name: str,
        subnets: dict[str, dict[str, aws.ec2.Subnet]],
        mgmt_sg: aws.ec2.SecurityGroup,
    ) -> list[pulumi.Resource]:
        """Lambda that attaches the management ENI and turns off source/dest check."""
        cfg = self._cfg
        role = aws.iam.Role(
            f"{self._name}-lifecycle-role",
            assume_role_policy=_assume_role("lambda.amazonaws.com"),
            tags=self._tagged(f"{cfg.name}-lifecycle"),
            opts=self._opts,
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-lifecycle-policy",
            role=role.id,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": list(LAMBDA_ACTIONS), "Resource": "*"}
                    ],
                }
            ),
            opts=self._opts,
        )
        mgmt_subnets = pulumi.Output.all(*[subnets[z]["mgmt"].id for z in self._sp.zones]).apply(
            lambda ids: json.dumps(dict(zip(self._sp.zones, ids, strict=True)))
        )
        function = aws.lambda_.Function(
            f"{self._name}-lifecycle",
            runtime="python3.12",
            handler="index.handler",
            role=role.arn,
            timeout=120,
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(LIFECYCLE_LAMBDA)}),
            environment={
                "variables": {
                    "MGMT_SUBNETS": mgmt_subnets,
                    "MGMT_SG": mgmt_sg.id,
                    "TAGS": json.dumps(self.tags),
                }
            },
            tags=self._tagged(f"{cfg.name}-lifecycle"),
            opts=pulumi.ResourceOptions.merge(
                self._opts, pulumi.ResourceOptions(depends_on=[policy])
            ),
        )
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-lifecycle-rule",
            event_pattern=json.dumps(
                {
                    "source": ["aws.autoscaling"],
                    "detail-type": list(EVENT_DETAIL_TYPES),
                    "detail": {"AutoScalingGroupName": [asg_name]},
                }
            ),
            tags=self._tagged(f"{cfg.name}-lifecycle"),
            opts=self._opts,
        )
        permission = aws.lambda_.Permission(
            f"{self._name}-lifecycle-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=self._opts,
        )
        target = aws.cloudwatch.EventTarget(
            f"{self._name}-lifecycle-target",
            rule=rule.name,
            arn=function.arn,
            opts=self._opts,
        )
        return [function, permission, target]
