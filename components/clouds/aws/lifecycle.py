"""The firewall group's launch/terminate lifecycle Lambda: the ENIs a launch template cannot add.

A launch template cannot put an ENI in a zone-specific subnet nor turn off
source/destination checking, so the auto scaling group's lifecycle hooks run this Lambda, as
the vendor's ASG module does. At launch it turns the check off on the data ENI (index 0),
creates and attaches the management ENI (index 1) and, with overlay routing, the untrust ENI
(index 2, check off too) in the instance's zone, each with an Elastic IP; at termination it
releases the addresses (the ENIs are deleted with the instance). Part of
:class:`~components.clouds.aws.firewalls.FirewallGroup`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.clouds.aws.bootstrap import TRUST_TAG
from components.clouds.aws.config import AwsSecurityProject as AwsSecurityProjectConfig
from components.config import StackConfig

EVENT_DETAIL_TYPES = (
    "EC2 Instance-launch Lifecycle Action",
    "EC2 Instance-terminate Lifecycle Action",
)

# Environment: MGMT_SUBNETS (JSON zone -> subnet id), MGMT_SG, TAGS (JSON) and, with overlay
# routing, UNTRUST_SUBNETS and UNTRUST_SG. Idempotent: a retried launch event finds the ENIs it
# already attached and only completes what is missing (check, delete-on-termination, address).
LIFECYCLE_LAMBDA = """\
import json, os, traceback
import boto3

ec2 = boto3.client("ec2")
asg = boto3.client("autoscaling")
TAGS = [{"Key": k, "Value": v} for k, v in json.loads(os.environ["TAGS"]).items()]
# (device index, subnets variable, security group variable, role, source/dest check off).
# The untrust ENI forwards other hosts' traffic (overlay routing), so its check is off too.
ENIS = [(1, "MGMT_SUBNETS", "MGMT_SG", "management", False)]
if os.environ.get("UNTRUST_SUBNETS"):
    ENIS.append((2, "UNTRUST_SUBNETS", "UNTRUST_SG", "untrust", True))


def _eni(instance_id, zone, attached, index, subnets, group, role, tags):
    # The ENI at device index `index`: found on a retried event, else created and attached.
    if index in attached:
        eni = attached[index]["NetworkInterfaceId"]
        attachment = attached[index]["Attachment"]["AttachmentId"]
    else:
        eni = ec2.create_network_interface(
            SubnetId=json.loads(os.environ[subnets])[zone],
            Groups=[os.environ[group]],
            Description=f"{instance_id} {role}",
            TagSpecifications=[{"ResourceType": "network-interface", "Tags": tags}],
        )["NetworkInterface"]["NetworkInterfaceId"]
        try:
            attachment = ec2.attach_network_interface(
                NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=index
            )["AttachmentId"]
        except Exception:
            ec2.delete_network_interface(NetworkInterfaceId=eni)
            raise
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=eni,
        Attachment={"AttachmentId": attachment, "DeleteOnTermination": True},
    )
    return eni


def _launch(instance_id):
    inst = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    zone = inst["Placement"]["AvailabilityZone"]
    attached = {e["Attachment"]["DeviceIndex"]: e for e in inst["NetworkInterfaces"]}
    # Data ENI: GWLB traffic carries other hosts' addresses.
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=attached[0]["NetworkInterfaceId"], SourceDestCheck={"Value": False}
    )
    tags = TAGS + [{"Key": "airs-instance", "Value": instance_id}]
    for index, subnets, group, role, forwards in ENIS:
        eni = _eni(instance_id, zone, attached, index, subnets, group, role, tags)
        if forwards:
            ec2.modify_network_interface_attribute(
                NetworkInterfaceId=eni, SourceDestCheck={"Value": False}
            )
        if attached.get(index, {}).get("Association"):
            continue  # a retried event: this ENI has its address already
        eip = ec2.allocate_address(
            Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags}]
        )
        ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)


def _terminate(instance_id):
    # Every address this instance got (management and untrust) carries its airs-instance tag.
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
        # A firewall without its management (or untrust) ENI cannot work: give the slot back,
        # and the addresses it got so far (an abandoned launch may never see the terminate hook).
        if launching:
            result = "ABANDON"
            try:
                _terminate(d["EC2InstanceId"])
            except Exception:
                traceback.print_exc()
    asg.complete_lifecycle_action(
        LifecycleHookName=d["LifecycleHookName"],
        AutoScalingGroupName=d["AutoScalingGroupName"],
        LifecycleActionToken=d["LifecycleActionToken"],
        LifecycleActionResult=result,
        InstanceId=d["EC2InstanceId"],
    )
"""

# Exactly the calls LIFECYCLE_LAMBDA makes (tests/clouds/aws/test_overlay_routing.py reads
# them from the source), plus tagging on create and the function's own logs.
LAMBDA_ACTIONS = (
    "ec2:DescribeInstances",
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
# What destroys or detaches: allowed only on what carries this deployment's tag (the ENIs and
# addresses the function created), not on every ENI and address in the account.
TAGGED_ONLY = ("ec2:DeleteNetworkInterface", "ec2:DisassociateAddress", "ec2:ReleaseAddress")


def lambda_policy(deployment_tag: tuple[str, str], asg_arn: str) -> dict[str, object]:
    """The lifecycle function's IAM policy: :data:`LAMBDA_ACTIONS`, the destructive ones only
    on resources tagged ``deployment_tag`` (key, value), completing actions only on the group.

    Args:
        deployment_tag: the AIRS identification tag the function puts on what it creates.
        asg_arn: the firewall group's ARN pattern.
    """
    key, value = deployment_tag
    scoped = {*TAGGED_ONLY, "autoscaling:CompleteLifecycleAction"}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [a for a in LAMBDA_ACTIONS if a not in scoped],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": list(TAGGED_ONLY),
                "Resource": "*",
                "Condition": {"StringEquals": {f"aws:ResourceTag/{key}": value}},
            },
            {
                "Effect": "Allow",
                "Action": ["autoscaling:CompleteLifecycleAction"],
                "Resource": asg_arn,
            },
        ],
    }


def assume_role(service: str) -> str:
    """Trust policy letting an AWS service assume a role.

    Args:
        service: the service principal, e.g. ``lambda.amazonaws.com``.
    """
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


def _zone_ids(zones: list[str], subnets: list[pulumi.Output[str]]) -> pulumi.Output[str]:
    """JSON zone → subnet id, once the ids are known."""
    ids = pulumi.Output.all(*subnets)
    return ids.apply(lambda known: json.dumps(dict(zip(zones, known, strict=True))))


class LifecycleHook:
    """The lifecycle-Lambda build step of the firewall group (a mixin: it owns no state)."""

    _name: str
    _cfg: StackConfig
    _sp: AwsSecurityProjectConfig
    _opts: pulumi.ResourceOptions
    tags: dict[str, str]

    def _tagged(self, name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The deployment tags plus a console ``Name``."""
        return {"Name": name, **self.tags, **(extra or {})}

    def _make_lifecycle_lambda(
        self,
        asg_name: str,
        subnets: dict[str, dict[str, aws.ec2.Subnet]],
        mgmt_sg: aws.ec2.SecurityGroup,
        untrust_sg: aws.ec2.SecurityGroup | None,
    ) -> list[pulumi.Resource]:
        """Lambda that attaches the management (and untrust) ENIs, source/dest check off."""
        cfg, zones = self._cfg, list(self._sp.zones)
        role = aws.iam.Role(
            f"{self._name}-lifecycle-role",
            assume_role_policy=assume_role("lambda.amazonaws.com"),
            tags=self._tagged(f"{cfg.name}-lifecycle"),
            opts=self._opts,
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-lifecycle-policy",
            role=role.id,
            policy=json.dumps(
                lambda_policy(
                    (TRUST_TAG, self.tags[TRUST_TAG]),
                    f"arn:aws:autoscaling:{self._sp.region}:*:autoScalingGroup:*"
                    f":autoScalingGroupName/{asg_name}",
                )
            ),
            opts=self._opts,
        )
        env: dict[str, pulumi.Input[str]] = {
            "MGMT_SUBNETS": _zone_ids(zones, [subnets[z]["mgmt"].id for z in zones]),
            "MGMT_SG": mgmt_sg.id,
            "TAGS": json.dumps(self.tags),
        }
        if untrust_sg is not None:
            env["UNTRUST_SUBNETS"] = _zone_ids(zones, [subnets[z]["untrust"].id for z in zones])
            env["UNTRUST_SG"] = untrust_sg.id
        function = aws.lambda_.Function(
            f"{self._name}-lifecycle",
            runtime="python3.12",
            handler="index.handler",
            role=role.arn,
            timeout=120,
            code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(LIFECYCLE_LAMBDA)}),
            environment={"variables": env},
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
