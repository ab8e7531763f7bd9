"""Azure's Panorama profile (vendor page 000, Azure).

``vr-private`` (eth1/1 trust) and ``vr-public`` (eth1/2 untrust) routers with next-router
routes between them, the 168.63.129.16/32 probe route on both, pod and service routes,
``inbound-web`` and ``outbound-internet`` NAT.
"""

from __future__ import annotations

import dataclasses

from components import network
from components.clouds.azure.config import AzureSecurityProject
from components.clouds.base import PanoramaFacts
from components.config import StackConfig
from components.config.stack import target_section
from components.panorama import profiles as common
from components.panorama.intent import PanoramaIntent
from components.panorama.objects import (
    EthernetInterface,
    LoopbackInterface,
    Router,
    SecurityRule,
    Zone,
)


def profile(inputs: common.PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of an azure stack."""
    priv, pub = "vr-private", "vr-public"
    gw, ugw = inputs.trust_gateway, inputs.untrust_gateway or ""
    probes = common.probe_names(inputs.health_check_ranges, "azure-probe")
    apps, k8s = common.app_cidrs(inputs), common.cluster_cidrs(inputs)
    private_routes = [common.via(n, c, gw, common.ETH1) for n, c in apps]
    private_routes.append(common.next_router("default", "0.0.0.0/0", pub))
    private_routes += [common.via(n, c, gw, common.ETH1) for n, c in probes]
    private_routes += [common.via(n, c, gw, common.ETH1) for n, c in k8s]
    public_routes = [common.next_router(n, c, priv) for n, c in apps]
    public_routes.append(common.via("default", "0.0.0.0/0", ugw, common.ETH2))
    public_routes += [common.via(n, c, ugw, common.ETH2) for n, c in probes]
    public_routes += [common.next_router(n, c, priv) for n, c in k8s]
    nat = list(common.inbound_nat_rules(inputs, common.UNTRUST, common.ETH1))
    nat += common.outbound_nat(
        inputs,
        "outbound-internet",
        to_zone=common.UNTRUST,
        interface=common.ETH2,
        description="outbound source NAT on eth1/2",
        source=common.protected_sources(inputs),
    )
    ilb = (inputs.ilb_ip,) if inputs.ilb_ip else ()
    rules = list(common.security_rules(inputs, (common.TRUST, common.UNTRUST), ilb or ("any",)))
    if inputs.inbound_nat:
        rules.append(
            SecurityRule(
                name=f"{inputs.name}-allow-inbound",
                from_zones=(common.UNTRUST,),
                to_zones=(common.TRUST,),
                destination=tuple(sorted({n.destination for n in inputs.inbound_nat})),
                profile_group=inputs.ai_security_profile_group,
                description="inbound traffic to published applications",
            )
        )
    return dataclasses.replace(
        common.base_intent(inputs, (common.UNTRUST,)),
        advanced_routing=common.VR_CLOUDS_ROUTER_KIND == "logical",
        ethernet=(
            EthernetInterface(
                common.ETH1,
                common.TRUST,
                priv,
                management_profile=common.mgmt_profile(inputs),
                comment="trust",
            ),
            EthernetInterface(
                common.ETH2,
                common.UNTRUST,
                pub,
                create_default_route=True,
                management_profile=common.mgmt_profile(inputs),
                comment="untrust",
            ),
        ),
        loopbacks=(
            LoopbackInterface(
                common.LOOPBACK,
                ilb,
                common.TRUST,
                priv,
                common.mgmt_profile(inputs),
                "ILB health checks",
            ),
        ),
        zones=(
            Zone(common.TRUST, (common.ETH1, common.LOOPBACK)),
            Zone(common.UNTRUST, (common.ETH2,)),
        ),
        routers=(
            Router(
                priv,
                common.VR_CLOUDS_ROUTER_KIND,
                (common.ETH1, common.LOOPBACK),
                tuple(private_routes),
            ),
            Router(pub, common.VR_CLOUDS_ROUTER_KIND, (common.ETH2,), tuple(public_routes)),
        ),
        security_rules=tuple(rules),
        nat_rules=tuple(nat),
    )


def panorama_facts(cfg: StackConfig) -> PanoramaFacts:
    """Azure's load balancer probe address; the untrust subnet's gateway."""
    sp = target_section(cfg, AzureSecurityProject)
    return PanoramaFacts(
        trust_gateway=network.gateway_ip(sp.trust_subnet()),
        untrust_gateway=network.gateway_ip(sp.subnets()["untrust"]),
        health_check_ranges=(network.AZURE_PROBE_CIDR,),
        health_check_port=sp.health_check_port,
    )
