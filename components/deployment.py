"""``AirsDeployment``: wires one stack's security project, Panorama and clusters together.

Data flows one way (see ARCHITECTURE.md): the validated config builds the cloud's security
project; its outputs (trust gateway, load balancer IP, per-zone endpoints, CIDRs) feed the
Panorama configuration and the cluster-side Helm releases.

A layered cluster stack (``airs:securityStack``) builds no security project: the same outputs
come from its security stack through a ``StackReference`` (``components/layered.py``), and it
owns only its clusters and their Kubernetes plugin entries in Panorama.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components import config as cfgmod
from components import network
from components.clouds import target
from components.clouds.outputs import SecurityProjectOutputs
from components.config import StackConfig
from components.layered import SecurityStack, read_security_stack


def panorama_inputs(cfg: StackConfig) -> Any:
    """What the Panorama profile needs, derived from the validated config.

    Everything here is known before deploy (the trust gateway and ILB address follow from the
    CIDRs), so ``pulumi preview`` shows every Panorama object with its full XML. Values only
    the cloud knows (Azure's public LB address, the cluster tokens) are late-bound. The
    target supplies its own facts (health-check sources, gateways, a static trust address).
    """
    from components.panorama import profiles

    facts = target(cfg.cloud).panorama_facts(cfg)
    nat = cfg.panorama.nat_rules
    decryption = cfg.panorama.decryption
    return profiles.PanoramaInputs(
        cloud=cfg.cloud,
        name=cfg.name,
        template=cfg.template,
        template_stack=cfg.template_stack,
        device_group=cfg.device_group,
        ai_security_profile_group=cfg.panorama.ai_security_profile_group,
        ai_security_profile=cfg.panorama.ai_security_profile,
        trust_cidr=cfgmod.trust_cidr(cfg),
        trust_gateway=facts.trust_gateway,
        untrust_gateway=facts.untrust_gateway,
        ilb_ip=cfgmod.ilb_ip(cfg),
        trust_ip=facts.trust_ip,
        devices=facts.devices,
        cloudwatch_namespace=facts.cloudwatch_namespace,
        cloud_monitoring_interval=facts.cloud_monitoring_interval,
        overlay_routing=facts.overlay_routing,
        zone_trust_gateways=facts.zone_trust_gateways,
        app_cidrs={key: tuple(app.cidrs) for key, app in sorted(cfg.applications.items())},
        clusters=cluster_entries(cfg),
        monitoring_interval=cfgmod.monitoring_interval(cfg),
        health_check_ranges=facts.health_check_ranges,
        health_check_service=network.HEALTH_CHECK_SERVICES[facts.health_check_port],
        outbound_nat=nat.outbound,
        inbound_nat=tuple(
            profiles.InboundNat(
                name=rule.name,
                destination=rule.destination or profiles.PUBLIC_LB_ADDRESS,
                translated_address=rule.translated_address,
                service=rule.service,
                translated_port=rule.translated_port,
            )
            for rule in nat.inbound
        ),
        decryption=(
            profiles.Decryption(
                certificate=decryption.certificate or "",
                untrust_certificate=decryption.untrust_certificate,
            )
            if decryption.enabled
            else None
        ),
    )


def cluster_entries(cfg: StackConfig) -> tuple[Any, ...]:
    """The stack's clusters as the Panorama Kubernetes plugin registers them, by key."""
    from components.panorama import profiles

    return tuple(
        profiles.ClusterEntry(
            name=cfg.panorama_cluster_name(key),
            api_server=cluster.api_server,
            cluster_type=cluster.type,
            pod_cidr=cluster.pod_cidr,
            service_cidr=cluster.service_cidr,
            label_filter=cluster.label_filter,
            label_selector=cluster.label_selector,
        )
        for key, cluster in sorted(cfg.clusters.items())
    )


def cluster_stack_intent(cfg: StackConfig, security: Mapping[str, Any]) -> Any:
    """A layered cluster stack's Panorama intent: its clusters in the security stack's plugin.

    Rendered, it also holds the security stack's containers (template, device group); a
    cluster stack owns only the objects of ``PLUGIN_CLUSTER_KINDS``.

    Args:
        cfg: the cluster stack's configuration (``airs:securityStack`` set).
        security: the security stack's outputs (``components/layered.py``), plain.
    """
    from components.panorama.intent import PanoramaIntent
    from components.panorama.profiles import kubernetes_plugin

    device_group = str(security["panoramaDeviceGroup"])
    return PanoramaIntent(
        cloud=cfg.cloud,
        name=cfg.name,
        template=str(security["panoramaTemplate"]),
        template_stack=str(security["panoramaTemplateStack"]),
        device_group=device_group,
        advanced_routing=False,
        kubernetes=kubernetes_plugin(
            cluster_entries(cfg),
            monitoring_interval=int(security["panoramaMonitoringInterval"]),
            notify_group=str(security["panoramaNotifyGroup"]),
            device_group=device_group,
        ),
        description=f"{cfg.name}: AIRS clusters of security stack {cfg.security_stack}",
    )


def _endpoint_list(endpoints: list[Any]) -> pulumi.Output[list[dict[str, Any]]]:
    """Per-zone endpoints as one output: ``[{zone, ip}]`` (empty off AWS)."""
    zones = [ep.zone for ep in endpoints]
    return pulumi.Output.all(*[ep.ip for ep in endpoints]).apply(
        lambda ips: [{"zone": zone, "ip": ip} for zone, ip in zip(zones, ips, strict=True)]
    )


class AirsDeployment(pulumi.ComponentResource):
    """Everything one stack deploys: security project, app connection, Panorama, clusters.

    A layered cluster stack (``airs:securityStack``) deploys only its clusters and their
    Kubernetes plugin entries; the rest is its security stack's.
    """

    security: SecurityProjectOutputs
    """The security project's outputs (the common shape on every cloud)."""
    security_stack: SecurityStack | None
    """The referenced security stack of a layered cluster stack, else None."""

    def __init__(
        self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Build the deployment.

        Args:
            name: logical name (the stack's ``airs:name``).
            cfg: the validated stack configuration.
            opts: resource options passed to the component.
        """
        super().__init__("airs:index:AirsDeployment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.security_project: pulumi.ComponentResource | None = None
        self.application: pulumi.ComponentResource | None = None
        self.security_stack = None
        self.config = cfg
        cloud = target(cfg.cloud)
        if cfg.security_stack is not None:
            self.security_stack = read_security_stack(cfg, child)
            self.security = self.security_stack.security_outputs(cloud)
        else:
            side = cloud.security_side(f"{name}-security", cfg, child)
            self.security_project = side.project
            self.security = side.outputs
            self.application = cloud.connect_application(f"{name}-apps", cfg, side.project, child)
        self.clusters = {
            key: self._cluster(name, key, cfg, child) for key, cluster in cfg.clusters.items()
        }
        self.panorama = self._panorama(name, cfg, child)
        self.register_outputs(self.exports())

    def _panorama(self, name: str, cfg: StackConfig, child: pulumi.ResourceOptions) -> Any:
        """The Panorama objects of this deployment and the one commit that applies them."""
        from components.clouds import build_intent
        from components.panorama.component import PLUGIN_CLUSTER_KINDS, PanoramaConfig
        from components.panorama.intent import LATE_BOUND_RE, credential_key
        from components.panorama.profiles import PUBLIC_LB_ADDRESS

        if self.security_stack is not None:
            intent = cluster_stack_intent(cfg, self.security_stack.values)
        else:
            intent = build_intent(panorama_inputs(cfg))
        self.panorama_intent = intent
        late: dict[str, pulumi.Input[str]] = {
            credential_key(cluster.panorama_name): cluster.plugin_credential
            for cluster in self.clusters.values()
        }
        if self.security.public_lb_ip is not None:
            public_lb = LATE_BOUND_RE.fullmatch(PUBLIC_LB_ADDRESS)
            assert public_lb is not None
            late[public_lb.group(1)] = self.security.public_lb_ip
        return PanoramaConfig(
            f"{name}-panorama",
            intent,
            hostname=cfg.panorama.api_address,
            late_bound={k: v for k, v in late.items() if k in intent.late_keys()},
            verify_tls=cfg.panorama.verify_tls,
            ca_bundle=cfg.panorama.ca_bundle,
            # The plugin's entries live on Panorama: the security stack pushes to firewalls.
            push=cfg.panorama.push and self.security_stack is None,
            kinds=PLUGIN_CLUSTER_KINDS if self.security_stack is not None else None,
            opts=child,
        )

    def _endpoints(self, key: str, cfg: StackConfig) -> list[Any]:
        """Where cluster ``key`` sends traffic: ILB, on-prem trust IP or per-zone GWLBe."""
        from components.cluster.intercept import EndpointInput

        cluster = cfg.clusters[key]
        if self.security.endpoint_ip is not None:
            return [EndpointInput(ip=self.security.endpoint_ip)]
        if self.security_stack is not None:
            per_app = self.security_stack.zone_endpoints()
        else:
            per_app = getattr(self.application, "endpoints", {}) or {}
        zone_endpoints = per_app.get(cluster.application or "", [])
        wanted = set(cluster.zones)
        return [
            EndpointInput(ip=ep.ip, zone=ep.zone)
            for ep in zone_endpoints
            if not wanted or ep.zone in wanted
        ]

    def _cluster(self, name: str, key: str, cfg: StackConfig, child: pulumi.ResourceOptions) -> Any:
        from components.cluster.intercept import ClusterIntercept

        return ClusterIntercept(
            f"{name}-{key}",
            cluster_key=key,
            cluster=cfg.clusters[key],
            endpoints=self._endpoints(key, cfg),
            # One trust subnet per zone behind AWS's GWLB, none of them a source pods see.
            fw_trust_cidr=self.security.trust_cidr if target(cfg.cloud).cni_trust_cidr else "",
            panorama_name=cfg.panorama_cluster_name(key),
            opts=child,
        )

    def exports(self) -> dict[str, Any]:
        """Stack outputs: the security project's common shape plus per-cluster release state.

        A stack with a security project also exports what layered cluster stacks read
        (``components.layered.SECURITY_STACK_OUTPUTS``); a cluster stack exports the name of
        its security stack instead, so that it is never mistaken for one.
        """
        cfg = self.config
        out: dict[str, Any] = {"cloud": cfg.cloud}
        if self.security_stack is not None:
            out["securityStack"] = self.security_stack.name
        else:
            out.update(self.security.as_exports())
            out.update(self._security_stack_exports())
        out["panoramaObjects"] = self.panorama.object_count
        out["panoramaCommit"] = self.panorama.commit_id
        if self.clusters:
            out["clusters"] = {
                key: {
                    "platform": c.platform,
                    "panoramaName": c.panorama_name,
                    "clusterId": cfg.clusters[key].cluster_id,
                    "release": c.release.name,
                    "podCidr": cfg.clusters[key].pod_cidr,
                    "serviceCidr": cfg.clusters[key].service_cidr,
                    "protectedNamespaces": sorted(cfg.clusters[key].protect),
                }
                for key, c in self.clusters.items()
            }
        return out

    def _security_stack_exports(self) -> dict[str, Any]:
        """Panorama names and application networks, for cluster stacks that reference this one."""
        cfg, intent = self.config, self.panorama_intent
        assert intent.kubernetes is not None
        out: dict[str, Any] = {
            "panoramaHostname": cfg.panorama.hostname,
            "panoramaTemplate": intent.template,
            "panoramaTemplateStack": intent.template_stack,
            "panoramaDeviceGroup": intent.device_group,
            "panoramaNotifyGroup": intent.kubernetes.notify_group,
            "panoramaMonitoringInterval": intent.kubernetes.monitoring_interval,
        }
        if cfg.applications:
            endpoints = getattr(self.application, "endpoints", {}) or {}
            out["applications"] = {
                key: {
                    "cidrs": list(app.cidrs),
                    "protection": app.protection,
                    "endpoints": _endpoint_list(endpoints.get(key, [])),
                }
                for key, app in sorted(cfg.applications.items())
            }
        return out
