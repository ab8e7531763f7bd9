"""AWS's Panorama profile (vendor page 000, AWS): one trust interface in ``vr-private``.

Behind the Gateway Load Balancer traffic arrives GENEVE-encapsulated and leaves the way it
came (overlay off): no routes, no source NAT.
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
    return dataclasses.replace(
        common.base_intent(inputs, (common.TRUST,)),
        advanced_routing=common.VR_CLOUDS_ROUTER_KIND == "logical",
        ethernet=(
            EthernetInterface(
                common.ETH1,
                common.TRUST,
                vr,
                management_profile=common.mgmt_profile(inputs),
                comment="trust",
            ),
        ),
        zones=(Zone(common.TRUST, (common.ETH1,)),),
        routers=(Router(vr, common.VR_CLOUDS_ROUTER_KIND, (common.ETH1,)),),
        security_rules=common.security_rules(inputs, (common.TRUST,), ("any",)),
        nat_rules=common.inbound_nat_rules(inputs, common.TRUST, None),
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
    )
