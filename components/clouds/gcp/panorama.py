"""GCP's Panorama profile (vendor page 000, GCP).

eth1/1 untrust and eth1/2 trust (DHCP), a loopback with the ILB address, one logical router
holding all three, static routes via the trust gateway for the ILB health-check ranges, the
VPC (application) networks and the pod / service ranges, source NAT trust -> untrust on eth1/1,
and the VM-Series plugin's metric publishing to Cloud Monitoring the autoscaler scales on.
"""

from __future__ import annotations

import dataclasses

from components import network
from components.clouds.base import PanoramaFacts
from components.clouds.gcp.config import GcpSecurityProject
from components.config import StackConfig
from components.config.stack import target_section
from components.panorama import profiles as common
from components.panorama.intent import PanoramaIntent
from components.panorama.objects import (
    CloudMonitoringMetrics,
    EthernetInterface,
    LoopbackInterface,
    Router,
    Zone,
)


def profile(inputs: common.PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of a gcp stack."""
    lr = "lr-airs"
    gw = inputs.trust_gateway
    routes = [
        common.via(n, c, gw, common.ETH2)
        for n, c in common.probe_names(inputs.health_check_ranges, "ilb-hc")
    ]
    routes += [common.via(n, c, gw, common.ETH2) for n, c in common.app_cidrs(inputs)]
    routes += [common.via(n, c, gw, common.ETH2) for n, c in common.cluster_cidrs(inputs)]
    nat = common.outbound_nat(
        inputs,
        "trust2untrust",
        to_zone=common.UNTRUST,
        interface=common.ETH1,
        description="outbound source NAT on eth1/1",
    )
    nat.extend(common.inbound_nat_rules(inputs, common.UNTRUST, None))
    ilb = (inputs.ilb_ip,) if inputs.ilb_ip else ()
    return dataclasses.replace(
        common.base_intent(inputs, (common.UNTRUST,)),
        advanced_routing=True,
        ethernet=(
            EthernetInterface(
                common.ETH1, common.UNTRUST, lr, create_default_route=True, comment="untrust"
            ),
            EthernetInterface(
                common.ETH2,
                common.TRUST,
                lr,
                management_profile=common.mgmt_profile(inputs),
                comment="trust",
            ),
        ),
        loopbacks=(
            LoopbackInterface(
                common.LOOPBACK,
                ilb,
                common.TRUST,
                lr,
                common.mgmt_profile(inputs),
                "ILB health checks",
            ),
        ),
        zones=(
            Zone(common.TRUST, (common.ETH2, common.LOOPBACK)),
            Zone(common.UNTRUST, (common.ETH1,)),
        ),
        routers=(
            Router(lr, "logical", (common.ETH1, common.ETH2, common.LOOPBACK), tuple(routes)),
        ),
        security_rules=common.security_rules(
            inputs, (common.TRUST, common.UNTRUST), ilb or ("any",)
        ),
        nat_rules=tuple(nat),
        # The autoscaler scales on custom metrics only the firewalls can publish.
        cloud_monitoring=(
            CloudMonitoringMetrics(inputs.cloud_monitoring_interval)
            if inputs.cloud_monitoring_interval is not None
            else None
        ),
    )


def panorama_facts(cfg: StackConfig) -> PanoramaFacts:
    """GCP's internal health-check ranges; the untrust subnet's gateway; how often the
    firewalls publish the metrics the autoscaler reads."""
    sp = target_section(cfg, GcpSecurityProject)
    return PanoramaFacts(
        trust_gateway=network.gateway_ip(sp.trust_subnet()),
        untrust_gateway=network.gateway_ip(sp.cidrs.untrust),
        health_check_ranges=network.GCP_INTERNAL_HEALTH_CHECK_RANGES,
        health_check_port=sp.health_check_port,
        cloud_monitoring_interval=sp.firewall.metrics_interval,
    )
