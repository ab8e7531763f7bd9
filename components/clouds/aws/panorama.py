"""AWS's Panorama profile (vendor page 000, AWS): the trust interface in ``vr-private``.

Behind the Gateway Load Balancer traffic arrives GENEVE-encapsulated on ``ethernet1/1``
(zone ``trust``, DHCP without a default route). Overlay off, it leaves the way it came: no
routes, no source NAT. With overlay routing (``aws-gwlb-overlay-routing``) the firewall routes
the decapsulated traffic: ``ethernet1/2`` (zone ``untrust``, same router) is a DHCP client
that installs the default route via its own subnet's gateway (each zone's differs, so no
template-wide static route could name it), the AI rule also allows trust -> untrust, and the
workloads are source-NATed to ethernet1/2's address, the one its Elastic IP maps.
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
from components.panorama.objects import CloudWatchMetrics, EthernetInterface, Router, Zone


def profile(inputs: common.PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of an aws stack."""
    vr = "vr-private"
    ethernet = [
        EthernetInterface(
            common.ETH1,
            common.TRUST,
            vr,
            management_profile=common.mgmt_profile(inputs),
            comment="trust",
        )
    ]
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
        routers=(Router(vr, common.VR_CLOUDS_ROUTER_KIND, tuple(e.name for e in ethernet)),),
        security_rules=common.security_rules(inputs, to_zones, ("any",)),
        nat_rules=tuple(nat),
        # The auto scaling policy scales on metrics only the firewalls can publish.
        cloudwatch=(
            CloudWatchMetrics(inputs.cloudwatch_namespace) if inputs.cloudwatch_namespace else None
        ),
    )


def panorama_facts(cfg: StackConfig) -> PanoramaFacts:
    """GWLB health checks come from the load balancer's own subnets."""
    sp = target_section(cfg, AwsSecurityProject)
    return PanoramaFacts(
        trust_gateway=network.gateway_ip(sp.trust_subnet()),
        health_check_ranges=tuple(z.gwlb for z in sp.zone_subnets().values()),
        health_check_port=sp.health_check_port,
        cloudwatch_namespace=metrics_namespace(cfg),
        overlay_routing=sp.overlay_routing,
    )
