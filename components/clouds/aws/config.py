"""AWS's section of the stack config (``airs:securityProject``) and its rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from components import network
from components.config import Application, Bootstrap, Cluster, Problems, StackConfig, TargetModel
from components.config.base import Cidr, Model, Port, Replicas, rule
from components.config.checks import (
    firewall_group_checks,
    security_side_checks,
    steered_subnets_checks,
)
from components.config.stack import target_section


class AwsZoneSubnets(Model):
    """Explicit per-zone subnets of the security VPC."""

    mgmt: Cidr
    """Management subnet of the zone."""
    trust: Cidr
    """Trust (data) subnet of the zone: the firewalls' GENEVE interface."""
    gwlb: Cidr
    """Subnet of the Gateway Load Balancer's node in the zone."""
    nat: Cidr | None = None
    """Subnet of the zone's NAT gateway; required with ``natGateway``."""
    untrust: Cidr | None = None
    """Public subnet of the firewalls' untrust ENIs (``ethernet1/2``, each with an Elastic IP,
    default route to the internet gateway); required with ``overlayRouting``, refused without."""


class AwsCidrs(Model):
    """The security VPC; per-zone subnets are cut from it unless given."""

    vpc: Cidr
    """CIDR of the security VPC."""
    zones: dict[str, AwsZoneSubnets] | None = None
    """Availability zone → its subnets; absent: cut from ``vpc``."""


class AwsFirewall(Model):
    """The firewall auto scaling group on AWS."""

    ami_id: (
        Annotated[
            str, rule(lambda v: bool(re.match(r"^ami-[0-9a-f]{8,17}$", v)), "must be an AMI id")
        ]
        | None
    ) = None
    """Pinned AMI; otherwise looked up by name filter and product code."""
    ami_name_filter: str = "PA-AI-Runtime-Security-AWS-*"
    """AMI name pattern searched when ``amiId`` is unset (the newest match wins)."""
    product_code: str = "b261y39exndwe1ltro1tqpeog"
    """Marketplace product code the AMI must carry."""
    instance_type: str = "c6in.xlarge"
    """EC2 instance type of each firewall."""
    min_replicas: Replicas = 1
    """Auto scaling group minimum."""
    max_replicas: Replicas = 2
    """Auto scaling group maximum."""
    key_name: str | None = None
    """EC2 key pair for break-glass SSH to the firewalls."""
    bootstrap: Bootstrap
    """Bootstrap values (user data, a secret)."""


AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")


class AwsSecurityProject(TargetModel):
    """``airs:securityProject`` on AWS: security VPC, Gateway Load Balancer, firewalls."""

    region: Annotated[
        str, rule(lambda v: bool(AWS_REGION.match(v)), "must be an AWS region like us-east-1")
    ]
    """Region of the security VPC."""
    zones: Annotated[list[str], Field(min_length=1)]
    """Availability zones the GWLB and firewalls span."""
    cidrs: AwsCidrs
    """The security VPC and, optionally, its per-zone subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the GWLB target group's health check probes on the firewalls (443, 80 or 22)."""
    overlay_routing: bool = False
    """GWLB overlay routing (``aws-gwlb-overlay-routing``): inspected traffic bound for the
    internet leaves by a second data interface instead of returning through the GWLB. Each
    firewall gets an untrust ENI (device index 2, source/destination check off, an Elastic IP)
    in its zone's ``untrust`` subnet, whose route table sends 0.0.0.0/0 to the internet
    gateway; the template puts ``ethernet1/2`` in zone ``untrust`` (DHCP, default route via
    its own subnet's gateway) with source NAT to its address and lets trust reach untrust.
    Off: traffic returns through the GWLB and no untrust subnet exists. Needs AIRS PAN-OS
    11.2.8 or later (Strata Cloud Manager's condition), two Elastic IPs per firewall (mind the
    region's quota: 2 × ``maxReplicas``, plus one per NAT gateway), and no application with
    ``transitGatewayId``; the internet then sees the firewalls' addresses, not the application
    VPCs'. Switching it on a live stack replaces the firewalls (instance refresh)."""
    nat_gateway: bool = False
    """A NAT gateway per zone for the firewalls' outbound traffic."""
    allowed_principals: list[str] = []
    """IAM principals allowed to create endpoints on the endpoint service; default: the
    deploying account."""
    firewall: AwsFirewall
    """The firewall auto scaling group."""

    def switched_groups(self) -> dict[str, tuple[str, bool]]:
        """The per-zone subnet groups a switch adds: group → (the switch's key, whether on)."""
        return {
            "nat": ("natGateway", self.nat_gateway),
            "untrust": ("overlayRouting", self.overlay_routing),
        }

    def subnet_count(self) -> int:
        """How many /28s :meth:`zone_subnets` cuts from the VPC when none are given."""
        switched = sum(on for _, on in self.switched_groups().values())
        return (3 + switched) * len(self.zones)  # mgmt, trust, gwlb and what switches add

    def zone_subnets(self) -> dict[str, AwsZoneSubnets]:
        """Per-zone mgmt / trust / gwlb (/ nat / untrust) subnets: given, or cut from the VPC
        as /28s.

        The untrust subnets come after every other zone's subnets, so turning overlay routing
        on adds subnets without moving (and so replacing) the existing ones.
        """
        if self.cidrs.zones is not None:
            return dict(self.cidrs.zones)
        groups = 4 if self.nat_gateway else 3
        cuts = network.split(self.cidrs.vpc, 28, self.subnet_count())
        untrust = cuts[groups * len(self.zones) :]
        out: dict[str, AwsZoneSubnets] = {}
        for i, zone in enumerate(self.zones):
            block = cuts[i * groups : (i + 1) * groups]
            out[zone] = AwsZoneSubnets.model_validate(
                {
                    "mgmt": block[0],
                    "trust": block[1],
                    "gwlb": block[2],
                    "nat": block[3] if self.nat_gateway else None,
                    "untrust": untrust[i] if self.overlay_routing else None,
                }
            )
        return out

    def trust_subnet(self) -> str:
        """The first zone's trust subnet."""
        return self.zone_subnets()[self.zones[0]].trust

    def security_ranges(self) -> list[tuple[str, str]]:
        """The security VPC."""
        return [("securityProject.cidrs.vpc", self.cidrs.vpc)]


def checks(cfg: StackConfig, problems: Problems) -> None:
    """Rules across ``airs:securityProject`` on AWS: zones and per-zone subnets."""
    sp = target_section(cfg, AwsSecurityProject)
    security_side_checks(sp.mgmt_allowed_cidrs, sp.health_check_port, problems)
    fw = sp.firewall
    firewall_group_checks(fw.min_replicas, fw.max_replicas, fw.bootstrap, problems)
    if sp.overlay_routing and not cfg.panorama.nat_rules.outbound:
        # The internet gateway translates only the untrust ENI's own address (to its EIP):
        # unNATed workload addresses leaving ethernet1/2 would be dropped there.
        problems.add(
            "panorama.natRules.outbound",
            False,
            "is required with airs:securityProject.overlayRouting: egress leaves ethernet1/2 "
            "through the internet gateway, which carries only the interface's own address",
        )
    seen: set[str] = set()
    for i, zone in enumerate(sp.zones):
        if not re.match(rf"^{re.escape(sp.region)}[a-z]$", zone):
            problems.add(
                f"securityProject.zones[{i}]", zone, f"is not a zone of region {sp.region}"
            )
        if zone in seen:
            problems.add(f"securityProject.zones[{i}]", zone, "is given twice")
        seen.add(zone)
    if sp.cidrs.zones is not None:
        missing = [z for z in sp.zones if z not in sp.cidrs.zones]
        if missing:
            problems.add(
                "securityProject.cidrs.zones",
                sorted(sp.cidrs.zones),
                f"has fewer subnets than zones: none for {', '.join(missing)}",
            )
        zone_ranges: list[tuple[str, str]] = []
        for zone, subnets in sp.cidrs.zones.items():
            if zone not in sp.zones:
                problems.add(
                    f"securityProject.cidrs.zones.{zone}",
                    zone,
                    f"is not one of airs:securityProject.zones {sp.zones}",
                )
            for group in ("mgmt", "trust", "gwlb", "nat", "untrust"):
                cidr = getattr(subnets, group)
                if cidr is None:
                    continue
                zone_ranges.append((f"securityProject.cidrs.zones.{zone}.{group}", cidr))
                if not network.subnet_within(cidr, sp.cidrs.vpc):
                    problems.add(
                        f"securityProject.cidrs.zones.{zone}.{group}",
                        cidr,
                        f"lies outside the VPC {sp.cidrs.vpc}",
                    )
            # A switch's per-zone subnet: required with it (the NAT gateway and the untrust ENI
            # live there; without it the program would fail half-way, after the VPC is
            # registered) and refused without it (it would be built for nothing).
            for group, (flag, on) in sp.switched_groups().items():
                given, key = getattr(subnets, group), f"securityProject.cidrs.zones.{zone}.{group}"
                if on and given is None and zone in sp.zones:
                    problems.add(
                        key,
                        None,
                        f"is required in every zone when airs:securityProject.{flag} is true",
                    )
                elif not on and given is not None:
                    problems.add(key, given, f"is unused: airs:securityProject.{flag} is false")
        for key_a, cidr_a, key_b, cidr_b in network.overlapping_pairs(zone_ranges):
            problems.add(key_b, cidr_b, f"overlaps airs:{key_a} ({cidr_a})")
    else:
        groups = sp.subnet_count() // len(sp.zones)
        prefix = network.parse_cidr(sp.cidrs.vpc).prefixlen
        if prefix > 28 or 2 ** (28 - prefix) < sp.subnet_count():
            problems.add(
                "securityProject.cidrs.vpc",
                sp.cidrs.vpc,
                f"is too small for {groups} /28 subnets in each of {len(sp.zones)} zones",
            )


def application_checks(cfg: StackConfig, problems: Problems) -> None:
    """Every application VPC needs a GWLB endpoint subnet per zone, inside its ranges, and,
    for VPC-level protection, the subnets whose routes send traffic to those endpoints."""
    sp = cfg.security_project
    overlay = isinstance(sp, AwsSecurityProject) and sp.overlay_routing
    for app_key, app in cfg.applications.items():
        _transit_gateway_checks(app_key, app, problems)
        if overlay and app.transit_gateway_id is not None:
            # Overlay routing sends what is not an application, cluster or GWLB range out to
            # the internet from the security VPC: the networks behind the gateway are lost.
            problems.add(
                f"applications.{app_key}.transitGatewayId",
                app.transit_gateway_id,
                "cannot be used with airs:securityProject.overlayRouting: the firewalls would "
                "send traffic for the networks behind the transit gateway out to the internet "
                "instead; turn overlay routing off (traffic then returns through the endpoint)",
            )
        _nat_gateway_checks(app_key, app, problems)
        if not app.endpoint_subnets:
            problems.add(
                f"applications.{app_key}.endpointSubnets",
                None,
                "is required on aws: one GWLB endpoint subnet per availability zone",
            )
        # Only the listed subnets' route tables get the default route to the endpoints.
        steered_subnets_checks(
            cfg.cloud,
            app_key,
            app,
            "each listed subnet's route table sends 0.0.0.0/0 to its zone's GWLB endpoint",
            problems,
        )
        for zone, cidr in app.endpoint_subnets.items():
            if isinstance(sp, AwsSecurityProject) and zone not in sp.zones:
                problems.add(
                    f"applications.{app_key}.endpointSubnets.{zone}",
                    zone,
                    f"is not one of airs:securityProject.zones {sp.zones}",
                )
            if not any(network.subnet_within(cidr, c) for c in app.cidrs):
                problems.add(
                    f"applications.{app_key}.endpointSubnets.{zone}",
                    cidr,
                    "must lie inside one of the application's cidrs",
                )


def cluster_checks(cfg: StackConfig, key: str, cluster: Cluster, problems: Problems) -> None:
    """EKS's rules for cluster ``key``: nodes' zones have endpoints, one protection per VPC."""
    if cluster.type != "EKS":
        return
    base = f"clusters.{key}"
    cluster_app = cfg.applications.get(cluster.application or "")
    if not cluster.zones:
        problems.add(f"{base}.zones", None, "EKS needs the availability zones of its nodes")
    for i, zone in enumerate(cluster.zones):
        if cluster_app is not None and zone not in cluster_app.endpoint_subnets:
            problems.add(
                f"{base}.zones[{i}]",
                zone,
                f"has no GWLB endpoint: add it to airs:applications.{cluster.application}"
                ".endpointSubnets",
            )
    if cluster_app is None and cluster.application is None:
        problems.add(f"{base}.application", None, "EKS clusters must name their application VPC")
    if (
        cluster_app is not None
        and "namespace" in cluster.protect.values()
        and cluster_app.protection == "vpc"
    ):
        problems.add(
            f"{base}.protect",
            cluster.protect,
            "one GWLB endpoint cannot serve both VPC-level and namespace-level protection "
            f"in a zone: airs:applications.{cluster.application}.protection is vpc",
        )


def layered_cluster_checks(
    cfg: StackConfig, key: str, cluster: Cluster, app: Mapping[str, Any], problems: Problems
) -> None:
    """A cluster stack's EKS cluster against its security stack's application ``app``."""
    ref = cfg.security_stack
    base = f"clusters.{key}"
    zones = {str(e.get("zone")) for e in app.get("endpoints") or [] if isinstance(e, Mapping)}
    for i, zone in enumerate(cluster.zones):
        if zone not in zones:
            problems.add(
                f"{base}.zones[{i}]",
                zone,
                f"has no GWLB endpoint in security stack {ref}: add it to its "
                f"airs:applications.{cluster.application}.endpointSubnets",
            )
    if "namespace" in cluster.protect.values() and app.get("protection") == "vpc":
        problems.add(
            f"{base}.protect",
            cluster.protect,
            "one GWLB endpoint cannot serve both VPC-level and namespace-level "
            f"protection: security stack {ref}'s application {cluster.application} "
            "is protection vpc",
        )


SECTION = AwsSecurityProject
"""The model of ``airs:securityProject`` on this cloud."""


def _transit_gateway_checks(app_key: str, app: Application, problems: Problems) -> None:
    """A transit gateway attachment gets subnets of its own, one per endpoint zone."""
    key = f"applications.{app_key}.transitGatewaySubnets"
    if app.transit_gateway_id is None:
        if app.transit_gateway_subnets:
            problems.add(key, app.transit_gateway_subnets, "is only for transitGatewayId")
        return
    if set(app.transit_gateway_subnets) != set(app.endpoint_subnets):
        problems.add(
            key,
            sorted(app.transit_gateway_subnets),
            "is required with transitGatewayId: one subnet per zone of endpointSubnets "
            f"({', '.join(sorted(app.endpoint_subnets)) or 'none'}), so traffic from the transit "
            "gateway reaches the zone's endpoint before the workloads",
        )
    for zone, cidr in app.transit_gateway_subnets.items():
        if not any(network.subnet_within(cidr, c) for c in app.cidrs):
            problems.add(f"{key}.{zone}", cidr, "must lie inside one of the application's cidrs")
        for other_zone, endpoint in app.endpoint_subnets.items():
            if list(network.overlapping_pairs([("a", cidr), ("b", endpoint)])):
                problems.add(
                    f"{key}.{zone}",
                    cidr,
                    f"overlaps airs:applications.{app_key}.endpointSubnets.{other_zone} "
                    f"({endpoint})",
                )


NAT_GATEWAY_ID = re.compile(r"^nat-[0-9a-f]{8,17}$")


def _nat_gateway_checks(app_key: str, app: Application, problems: Problems) -> None:
    """Private subnets' egress: a NAT gateway per endpoint zone, not with a transit gateway."""
    if not app.nat_gateways:
        return
    key = f"applications.{app_key}.natGateways"
    if app.transit_gateway_id is not None:
        problems.add(key, app.nat_gateways, "is not used with transitGatewayId (egress is the TGW)")
    if set(app.nat_gateways) != set(app.endpoint_subnets):
        problems.add(
            key,
            sorted(app.nat_gateways),
            "must name one NAT gateway per zone of endpointSubnets "
            f"({', '.join(sorted(app.endpoint_subnets)) or 'none'})",
        )
    for zone, nat in app.nat_gateways.items():
        if not NAT_GATEWAY_ID.match(nat):
            problems.add(f"{key}.{zone}", nat, "must be a NAT gateway id (nat-…)")
