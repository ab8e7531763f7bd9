"""A private cloud's Panorama profile: the on-prem firewall's trust side (vendor page 001).

eth1/1 trust (static or DHCP) in ``lr-private``; routes to the application networks and a
default route, both via the trust gateway; the source-NAT rule the page calls ``inbound-web``
(trust -> trust, dynamic IP and port on eth1/1).
"""

from __future__ import annotations

import dataclasses

from components import network
from components.clouds.base import PanoramaFacts
from components.clouds.private.config import PrivateFirewall
from components.config import StackConfig
from components.config.stack import target_section
from components.panorama import profiles as common
from components.panorama.intent import PanoramaIntent
from components.panorama.objects import EthernetInterface, Router, Zone


def profile(inputs: common.PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of a private stack."""
    lr = "lr-private"
    gw = inputs.trust_gateway
    routes = [common.via(n, c, gw, common.ETH1) for n, c in common.app_cidrs(inputs)]
    routes.append(common.via("default", "0.0.0.0/0", gw, common.ETH1))
    # The vendor page names this source-NAT rule "inbound-web".
    nat = common.outbound_nat(
        inputs,
        "inbound-web",
        to_zone=common.TRUST,
        interface=common.ETH1,
        description="source NAT of protected workloads on eth1/1",
        source=common.protected_sources(inputs),
    )
    nat.extend(common.inbound_nat_rules(inputs, common.TRUST, None))
    trust_ip = inputs.trust_ip
    return dataclasses.replace(
        common.base_intent(inputs, (common.TRUST,)),
        advanced_routing=True,
        ethernet=(
            EthernetInterface(
                common.ETH1,
                common.TRUST,
                lr,
                dhcp=trust_ip is None,
                static_ips=(trust_ip,) if trust_ip else (),
                management_profile=common.mgmt_profile(inputs),
                comment="trust",
            ),
        ),
        zones=(Zone(common.TRUST, (common.ETH1,)),),
        routers=(Router(lr, "logical", (common.ETH1,), tuple(routes)),),
        security_rules=common.security_rules(inputs, (common.TRUST,), ("any",)),
        nat_rules=tuple(nat),
    )


def panorama_facts(cfg: StackConfig) -> PanoramaFacts:
    """The on-prem firewall: its given gateway and, when static, its trust address."""
    fw = target_section(cfg, PrivateFirewall)
    trust_ip = None
    if fw.trust_ip_mode == "static":
        trust_ip = f"{fw.trust_ip}/{network.parse_cidr(fw.trust_cidr).prefixlen}"
    return PanoramaFacts(
        trust_gateway=fw.trust_gateway_ip,
        health_check_ranges=tuple(fw.health_check_sources),
        health_check_port=network.DEFAULT_HEALTH_CHECK_PORT,
        trust_ip=trust_ip,
        devices=tuple(fw.serials),
    )
