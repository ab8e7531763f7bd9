"""The AWS firewall group: launch template, auto scaling group, scaling policy, lifecycle hooks.

The launch template carries only the data ENI (index 0, the GWLB target); the lifecycle hooks
run the Lambda of :mod:`components.clouds.aws.lifecycle`, which adds the management ENI and,
with overlay routing, the untrust ENI in the instance's zone. Part of
:class:`~components.clouds.aws.security_project.AwsSecurityProject`.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.clouds.aws.bootstrap import bootstrap_lines, encode_user_data
from components.clouds.aws.config import AwsSecurityProject as AwsSecurityProjectConfig
from components.clouds.aws.config import AwsZoneSubnets
from components.clouds.aws.lifecycle import LifecycleHook, assume_role
from components.config import StackConfig, secret_output

# The AIRS firewall AMI is published by the AWS Marketplace account.
MARKETPLACE_OWNER = "aws-marketplace"
# Vendor default (terraform-aws-swfw-modules asg): a long grace period, because PAN-OS needs
# ~15-25 minutes to boot, bootstrap and fetch content.
HEALTH_CHECK_GRACE_SECONDS = 1800
LIFECYCLE_HEARTBEAT_SECONDS = 300
# Vendor ASG scaling (S8): target tracking on the PAN-OS active-session metric the firewalls
# publish to CloudWatch (enabled in the Panorama template, namespace below).
SCALING_METRIC = "panSessionActive"
SCALING_TARGET = 75.0
SCALING_WARMUP_SECONDS = 900
LAUNCH_HOOK = "airs-launch"
TERMINATE_HOOK = "airs-terminate"


class FirewallGroup(LifecycleHook):
    """The firewall-group build steps of ``AwsSecurityProject`` (a mixin: it owns no state)."""

    _name: str
    _cfg: StackConfig
    _sp: AwsSecurityProjectConfig
    _opts: pulumi.ResourceOptions
    _subnets: dict[str, AwsZoneSubnets]
    provider: aws.Provider
    tags: dict[str, str]
    deployment_id: str
    metrics_namespace: str

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
            opts=pulumi.InvokeOutputOptions(provider=self.provider, parent=self._opts.parent),
        )
        image: pulumi.Output[str] = ami.id
        return image

    def _user_data(self) -> pulumi.Output[str]:
        """Base64 bootstrap user data; secret because it carries the auth key."""
        boot = self._sp.firewall.bootstrap
        codes = secret_output(boot.auth_codes) if boot.auth_codes is not None else None
        secrets = pulumi.Output.all(secret_output(boot.auth_key), codes)
        return pulumi.Output.secret(
            secrets.apply(lambda s: encode_user_data(bootstrap_lines(self._cfg, s[0], s[1])))
        )

    def _make_firewalls(
        self,
        subnets: dict[str, dict[str, aws.ec2.Subnet]],
        data_sg: aws.ec2.SecurityGroup,
        mgmt_sg: aws.ec2.SecurityGroup,
        untrust_sg: aws.ec2.SecurityGroup | None,
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
        hook_deps = self._make_lifecycle_lambda(asg_name, subnets, mgmt_sg, untrust_sg)
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
            # Bootstrap runs once per instance: a new launch template (user data, overlay
            # routing's ENI) reaches running firewalls only by replacing them. Replacements
            # start before the old ones stop (100-200 % healthy), so capacity never drops.
            instance_refresh={
                "strategy": "Rolling",
                "preferences": {
                    "min_healthy_percentage": 100,
                    "max_healthy_percentage": 200,
                    "instance_warmup": str(HEALTH_CHECK_GRACE_SECONDS),
                },
            },
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
            assume_role_policy=assume_role("ec2.amazonaws.com"),
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
