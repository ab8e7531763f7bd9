"""AWS's Panorama profile (vendor page 000, AWS): the trust interface in ``vr-private``.

Behind the Gateway Load Balancer traffic arrives GENEVE-encapsulated on ``ethernet1/1``
(zone ``trust``, a DHCP client). Overlay off, inspected traffic leaves the way it came and the
firewall routes only what it answers itself, the GWLB's health checks: ``ethernet1/1`` takes
the default route its subnet's DHCP gives (the vendor page's DHCP client, as the GUI sets it).

With overlay routing (``aws-gwlb-overlay-routing``) the firewall routes the decapsulated
traffic: ``ethernet1/2`` (zone ``untrust``, same router) takes the default route instead, the
AI rule also allows trust -> untrust, and the workloads are source-NATed to ethernet1/2's
address (the one its Elastic IP maps). Replies to the workloads and to the health checks
must then go back out of ``ethernet1/1``: static routes to the application, pod and service
ranges and to the GWLB subnets via the trust gateway. The zones' trust subnets differ, and one
template serves every zone, so each route is given once per zone's gateway: a firewall can
only use the one whose gateway is on its own trust subnet (the others' next hops are off-link).
"""

from __future__ import annotations

import dataclasses

from components import network
from components.clouds.aws.bootstrap import metrics_namespace
from components.clouds.aws.config import AwsSecurityProject
from components.clouds.base import PanoramaFacts
from components.config import StackConfig
from components.config.stack import target_section
from components.panorama import profiles as common
from components.panorama.intent import PanoramaIntent
from components.panorama.objects import (
    CloudWatchMetrics,
    EthernetInterface,
    Router,
    StaticRoute,
    Zone,
)


def profile(inputs: common.PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of an aws stack."""
    vr = "vr-private"
    ethernet = [
        EthernetInterface(
            common.ETH1,
            common.TRUST,
            vr,
            create_default_route=not inputs.overlay_routing,
            management_profile=common.mgmt_profile(inputs),
            comment="trust",
        )
    ]
    routes: list[StaticRoute] = []
    zones = [Zone(common.TRUST, (common.ETH1,))]
    to_zones: tuple[str, ...] = (common.TRUST,)
    nat = list(common.inbound_nat_rules(inputs, common.TRUST, None))
    if inputs.overlay_routing:
        ethernet.append(
            EthernetInterface(
                common.ETH2, common.UNTRUST, vr, create_default_route=True, comment="untrust"
            )
        )
        zones.append(Zone(common.UNTRUST, (common.ETH2,)))
        to_zones = (common.TRUST, common.UNTRUST)
        routes = trust_routes(inputs)
        nat += common.outbound_nat(
            inputs,
            "outbound-internet",
            to_zone=common.UNTRUST,
            interface=common.ETH2,
            description="overlay-routed egress: source NAT on eth1/2",
        )
    return dataclasses.replace(
        common.base_intent(inputs, to_zones),
        advanced_routing=common.VR_CLOUDS_ROUTER_KIND == "logical",
        ethernet=tuple(ethernet),
        zones=tuple(zones),
        routers=(
            Router(
                vr, common.VR_CLOUDS_ROUTER_KIND, tuple(e.name for e in ethernet), tuple(routes)
            ),
        ),
        security_rules=common.security_rules(inputs, to_zones, ("any",)),
        nat_rules=tuple(nat),
        # The auto scaling policy scales on metrics only the firewalls can publish.
        cloudwatch=(
            CloudWatchMetrics(inputs.cloudwatch_namespace) if inputs.cloudwatch_namespace else None
        ),
    )


def trust_routes(inputs: common.PanoramaInputs) -> list[StaticRoute]:
    """Overlay routing: the workloads' and the health checks' ranges via each zone's trust
    gateway out of ``ethernet1/1`` (names end ``-z<zone index>``)."""
    ranges = [
        *common.probe_names(inputs.health_check_ranges, "gwlb-hc"),
        *common.app_cidrs(inputs),
        *common.cluster_cidrs(inputs),
    ]
    # EKS pods live inside their VPC's range: a route to the VPC already covers them. A
    # range given twice keeps its first name.
    cidrs = [cidr for _, cidr in ranges]
    destinations = [
        (name, cidr)
        for i, (name, cidr) in enumerate(ranges)
        if cidr not in cidrs[:i]
        and not any(o != cidr and network.subnet_within(cidr, o) for o in cidrs)
    ]
    return [
        common.via(common.route_name(name, f"z{i}"), cidr, gateway, common.ETH1)
        for i, gateway in enumerate(inputs.zone_trust_gateways)
        for name, cidr in destinations
    ]


def panorama_facts(cfg: StackConfig) -> PanoramaFacts:
    """GWLB health checks come from the load balancer's own subnets."""
    sp = target_section(cfg, AwsSecurityProject)
    return PanoramaFacts(
        trust_gateway=network.gateway_ip(sp.trust_subnet()),
        health_check_ranges=tuple(z.gwlb for z in sp.zone_subnets().values()),
        health_check_port=sp.health_check_port,
        cloudwatch_namespace=metrics_namespace(cfg),
        overlay_routing=sp.overlay_routing,
        zone_trust_gateways=tuple(network.gateway_ip(z.trust) for z in sp.zone_subnets().values()),
    )
