"""AWS security project: security VPC, Gateway Load Balancer and the AIRS firewall group.

Layout (per availability zone in ``airs:securityProject.zones``):

* ``mgmt`` subnet: firewall management ENIs (device index 1 after ``mgmt-interface-swap``),
  default route to the internet gateway, each ENI gets an Elastic IP;
* ``trust`` subnet: firewall data ENIs (device index 0, the GWLB target); default route to
  the zone's NAT gateway when ``natGateway`` is on;
* ``gwlb`` subnet: the Gateway Load Balancer's nodes (the only GENEVE sources);
* ``nat`` subnet (``natGateway``): a NAT gateway per zone, default route to the IGW;
* ``untrust`` subnet (``overlayRouting``): firewall untrust ENIs (device index 2,
  ``ethernet1/2``), default route to the IGW, each ENI gets an Elastic IP: inspected traffic
  bound for the internet leaves there, source-NATed by the firewall to the ENI's address.

The firewalls run in one auto scaling group registered with the GENEVE target group
(``firewalls.py``); their tags and bootstrap user data are ``bootstrap.py``'s.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import network
from components.clouds.aws.bootstrap import airs_tags, deployment_id, metrics_namespace
from components.clouds.aws.config import AwsSecurityProject as AwsSecurityProjectConfig
from components.clouds.aws.config import AwsZoneSubnets
from components.clouds.aws.firewalls import FirewallGroup
from components.clouds.outputs import SecurityProjectOutputs
from components.config import StackConfig
from components.config.stack import target_section

TYPE_TOKEN = "airs:index:AwsSecurityProject"
ALL_TRAFFIC = "-1"

# Vendor defaults (terraform-aws-swfw-modules gwlb): fast GWLB health checks.
HEALTH_CHECK_INTERVAL = 5
HEALTH_CHECK_THRESHOLD = 3


def all_outbound(description: str) -> list[dict[str, object]]:
    """A security group's egress: every protocol to anywhere."""
    return [
        {
            "protocol": ALL_TRAFFIC,
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": [network.ANY_IPV4],
            "description": description,
        }
    ]


class AwsSecurityProject(FirewallGroup, pulumi.ComponentResource):
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
        sp = target_section(cfg, AwsSecurityProjectConfig)
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
        self._subnets = sp.zone_subnets()

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
        untrust_sg = self._make_untrust_security_group(vpc) if sp.overlay_routing else None
        gwlb, target_group, service = self._make_gwlb(vpc, subnets)
        asg = self._make_firewalls(subnets, data_sg, mgmt_sg, untrust_sg, target_group)

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

    def _make_subnets(self, vpc: aws.ec2.Vpc) -> dict[str, dict[str, aws.ec2.Subnet]]:
        """zone → group (mgmt, trust, gwlb[, nat][, untrust]) → subnet."""
        out: dict[str, dict[str, aws.ec2.Subnet]] = {}
        for zone in self._sp.zones:
            cidrs: AwsZoneSubnets = self._subnets[zone]
            groups = {"mgmt": cidrs.mgmt, "trust": cidrs.trust, "gwlb": cidrs.gwlb}
            for group, (flag, on) in self._sp.switched_groups().items():
                cidr: str | None = getattr(cidrs, group)
                if not on:
                    continue
                if cidr is None:
                    # The config rules refuse this first; never build half a VPC without it.
                    raise pulumi.RunError(
                        f"airs:securityProject.cidrs.zones.{zone}.{group}: <missing> — "
                        f"is required when {flag} is true"
                    )
                groups[group] = cidr
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
        """One route table per subnet group (per zone for trust, whose NAT is zonal); mgmt,
        nat and untrust share the one default route to the internet gateway.

        Routes are inline: one resource per table keeps the plan small.
        """
        to_igw = [{"cidr_block": network.ANY_IPV4, "gateway_id": igw.id}]
        shared: dict[str, list[dict[str, pulumi.Input[str]]]] = {"mgmt": to_igw, "gwlb": []}
        # NAT gateways' and overlay-routed egress (ethernet1/2, source NAT to the ENI, its EIP).
        shared |= {group: to_igw for group, (_, on) in self._sp.switched_groups().items() if on}
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
            # The data ENIs' own outbound traffic leaves through the zone's NAT gateway
            # (inspected traffic returns through the GWLB, or with overlay routing leaves by
            # the untrust ENI). Without NAT only the local route exists.
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
        egress = all_outbound("all outbound")
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

    def _make_untrust_security_group(self, vpc: aws.ec2.Vpc) -> aws.ec2.SecurityGroup:
        """Untrust ENIs: every outbound flow, no inbound rule.

        Security groups are stateful: the replies to the sessions the firewalls open (source
        NAT to the ENI's address) come back without an ingress rule, and nothing on the
        internet may start a session to the firewalls' public addresses.
        """
        return aws.ec2.SecurityGroup(
            f"{self._name}-untrust-sg",
            vpc_id=vpc.id,
            description="AIRS firewall untrust ENIs: outbound only (replies are stateful)",
            ingress=[],
            egress=all_outbound("overlay-routed egress"),
            tags=self._tagged(f"{self._cfg.name}-untrust"),
            opts=self._opts,
        )

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


COMPONENT = AwsSecurityProject
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
