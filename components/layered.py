"""Layered stacks: a cluster stack uses the security project of another stack.

For teams where the firewalls and the clusters have different owners. The **security
stack** is an ordinary stack (``airs:securityProject``, ``airs:applications``,
``airs:panorama``; its own ``airs:clusters`` optional). It owns the security project, the
application connections (peerings, routes, GWLB endpoints) and the whole Panorama base
configuration: template, template stack, device group, interfaces, routes, rules, NAT and the
Kubernetes plugin's general settings and notify group. It exports what cluster stacks need
under the stable names of :data:`SECURITY_STACK_OUTPUTS`.

A **cluster stack** sets ``airs:securityStack`` and ``airs:clusters`` (and ``airs:panorama``
with only ``hostname``, ``apiPort``, ``username``, ``verifyTls``, ``caBundle``, plus its own
credential). On a private cloud the security stack configures the on-prem firewall
(``airs:firewall``) and exports its trust address as ``firewallTrustIp``.
It reads the security stack's outputs through a ``pulumi.StackReference`` and builds only
what is its own: each cluster's ``ClusterIntercept`` (Helm release, namespace protection,
plugin service account) and its clusters' entries in the Panorama Kubernetes plugin (cluster
credentials and monitoring definitions, committed by its own admin, never pushed).

The security stack's routes and trust rules must already cover a cluster stack's ranges: list
the clusters' node, pod and service ranges in the security stack's
``airs:applications.<app>.cidrs``. :func:`layered_problems` checks this, and everything else a
cluster stack must agree on, before the cluster stack registers anything but the reference.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components import network
from components.clouds import target
from components.clouds.base import Cloud
from components.clouds.outputs import SecurityProjectOutputs, ZoneEndpoint
from components.config import ConfigProblem, Problems, StackConfig

SECURITY_STACK_OUTPUTS: dict[str, str] = {
    "cloud": "airs:cloud of the security stack",
    "trustCidr": "CIDR of the firewalls' trust subnet (Helm fwtrustcidr)",
    "trustGatewayIp": "first usable address of the trust subnet",
    "loadBalancerIp": "internal load balancer address, pan-cni's endpoint (gcp, azure)",
    "firewallTrustIp": "the on-prem firewall's trust address, pan-cni's endpoint (private)",
    "applications": "application key → {cidrs, protection, endpoints: [{zone, ip}]} "
    "(endpoints: the per-zone GWLB endpoints on aws)",
    "panoramaHostname": "the Panorama the firewalls and the Kubernetes plugin use",
    "panoramaTemplate": "Panorama template",
    "panoramaTemplateStack": "Panorama template stack",
    "panoramaDeviceGroup": "Panorama device group the plugin's tags go to",
    "panoramaNotifyGroup": "Kubernetes plugin notify group (names the device group)",
    "panoramaMonitoringInterval": "Kubernetes plugin monitoring interval, seconds",
}
"""Outputs every stack exports so that cluster stacks can reference it (stable names)."""

# Outputs a cluster stack cannot do without, per cloud.
_REQUIRED = (
    "cloud",
    "trustCidr",
    "trustGatewayIp",
    "panoramaHostname",
    "panoramaTemplate",
    "panoramaTemplateStack",
    "panoramaDeviceGroup",
    "panoramaNotifyGroup",
    "panoramaMonitoringInterval",
)


def refers_to(reference: str, stack: str, project: str) -> bool:
    """Whether ``reference`` (``airs:securityStack``) names ``stack`` of ``project``."""
    parts = reference.split("/")
    if len(parts) == 3:
        return parts[1] == project and parts[2] == stack
    return reference == stack


def _applications(values: Mapping[str, Any]) -> Mapping[str, Any]:
    apps = values.get("applications")
    return apps if isinstance(apps, Mapping) else {}


def layered_problems(
    cfg: StackConfig,
    values: Mapping[str, Any],
    secret_names: Collection[str] = (),
) -> list[ConfigProblem]:
    """Everything a cluster stack must agree on with its security stack's outputs.

    Args:
        cfg: the cluster stack's validated configuration (``airs:securityStack`` set).
        values: the security stack's outputs, plain.
        secret_names: which of them are secret (never shown in a message).
    """
    assert cfg.security_stack is not None
    ref = cfg.security_stack
    problems = Problems()
    add = problems.add

    def shown(name: str) -> Any:
        return "[secret]" if name in secret_names else values.get(name)

    if values.get("securityStack"):
        add(
            "securityStack",
            ref,
            f"is itself a cluster stack (of {shown('securityStack')}): reference the stack that "
            "owns the security project",
        )
        return problems
    cloud = target(cfg.cloud)
    # The output naming pan-cni's one endpoint, where the cloud has one (AWS has one per zone).
    endpoint = (cloud.endpoint_output,) if cloud.endpoint_output else ()
    missing = [n for n in (*_REQUIRED, *endpoint) if values.get(n) is None]
    if missing:
        add(
            "securityStack",
            ref,
            f"the stack exports no {', '.join(missing)}: run `pulumi up` on it (with this "
            "version of the program) before its cluster stacks",
        )
        return problems
    if values["cloud"] != cfg.cloud:
        add("cloud", cfg.cloud, f"must be the security stack's cloud ({shown('cloud')})")
        return problems
    if values["panoramaHostname"] != cfg.panorama.hostname:
        add(
            "panorama.hostname",
            cfg.panorama.hostname,
            f"must be the security stack's Panorama ({shown('panoramaHostname')}): the "
            "plugin entries go where its device group is",
        )
    apps = _applications(values)
    routed = [
        str(c) for app in apps.values() if isinstance(app, Mapping) for c in app.get("cidrs") or []
    ]
    own_clusters = values.get("clusters")
    own: Mapping[str, Any] = own_clusters if isinstance(own_clusters, Mapping) else {}
    taken_names = {str(c.get("panoramaName")): k for k, c in own.items() if isinstance(c, Mapping)}
    taken_ids = {c.get("clusterId"): k for k, c in own.items() if isinstance(c, Mapping)}
    interval = values["panoramaMonitoringInterval"]
    if isinstance(interval, float) and interval.is_integer():
        interval = int(interval)  # the wire format has only doubles
    routed_shown = "[secret]" if "applications" in secret_names else ", ".join(routed) or "none"
    apps_shown = "[secret]" if "applications" in secret_names else ", ".join(sorted(apps)) or "none"
    for key, cluster in sorted(cfg.clusters.items()):
        base = f"clusters.{key}"
        # A cluster that sets no interval inherits the security stack's.
        if cluster.monitoring_interval is not None and cluster.monitoring_interval != interval:
            add(
                f"{base}.monitoringInterval",
                cluster.monitoring_interval,
                f"must be {interval}, the Kubernetes plugin interval of security stack {ref} "
                "(the plugin has one interval)",
            )
        pname = cfg.panorama_cluster_name(key)
        if pname in taken_names:
            add(
                f"{base}.panoramaName",
                pname,
                f"must be unique: security stack {ref} registers its cluster "
                f"{taken_names[pname]} under this name",
            )
        if cluster.cluster_id in taken_ids:
            add(
                f"{base}.clusterId",
                cluster.cluster_id,
                f"must be unique: security stack {ref}'s cluster {taken_ids[cluster.cluster_id]} "
                "uses it",
            )
        app = apps.get(cluster.application or "")
        if cluster.application is not None and not isinstance(app, Mapping):
            add(
                f"{base}.application",
                cluster.application,
                f"is not an application of security stack {ref} ({apps_shown})",
            )
        if cloud.routes_protected_ranges:
            for field, cidr in (
                ("nodeCidr", cluster.node_cidr),
                ("podCidr", cluster.pod_cidr),
                ("serviceCidr", cluster.service_cidr),
            ):
                if cidr is not None and not any(network.subnet_within(cidr, r) for r in routed):
                    add(
                        f"{base}.{field}",
                        cidr,
                        f"is not inside the application ranges security stack {ref} routes and "
                        f"admits ({routed_shown}): add it to that stack's "
                        "airs:applications.<app>.cidrs",
                    )
        if isinstance(app, Mapping):
            cloud.layered_cluster_checks(cfg, key, cluster, app, problems)
    return problems


@dataclass(frozen=True)
class SecurityStack:
    """The referenced security stack: plain values for checks and names, Outputs to wire."""

    name: str
    """``airs:securityStack``, as given."""
    reference: pulumi.StackReference
    values: Mapping[str, Any]
    """Its outputs as plain values (read once, checked; secrets included, never printed)."""
    secret_names: frozenset[str]

    def output(self, key: str) -> pulumi.Output[Any]:
        """Output ``key`` as a Pulumi Output: secret if the security stack made it secret."""
        return self.reference.require_output(key)

    def security_outputs(self, cloud: Cloud) -> SecurityProjectOutputs:
        """The security project's outputs, in the shape ``AirsDeployment`` wires."""
        endpoint = cloud.endpoint_output
        return SecurityProjectOutputs(
            trust_cidr=self.output("trustCidr"),
            trust_gateway_ip=self.output("trustGatewayIp"),
            lb_ip=self.output(endpoint) if endpoint else None,
        )

    def zone_endpoints(self) -> dict[str, list[ZoneEndpoint]]:
        """Application key → its per-zone endpoints (AWS GWLB endpoints), in export order."""
        out: dict[str, list[ZoneEndpoint]] = {}
        for app_key, app in _applications(self.values).items():
            endpoints = app.get("endpoints") or [] if isinstance(app, Mapping) else []
            out[str(app_key)] = [
                ZoneEndpoint(ip=self._endpoint_ip(str(app_key), i), zone=str(ep.get("zone")))
                for i, ep in enumerate(endpoints)
            ]
        return out

    def _endpoint_ip(self, app_key: str, index: int) -> pulumi.Output[str]:
        def pick(apps: Mapping[str, Any]) -> str:
            return str(apps[app_key]["endpoints"][index]["ip"])

        return self.output("applications").apply(pick)


def read_security_stack(cfg: StackConfig, opts: pulumi.ResourceOptions) -> SecurityStack:
    """Reference ``airs:securityStack``, read its outputs and check them against ``cfg``.

    The outputs are awaited here, while the program runs, because they decide names (the
    device group the plugin entries notify) and whether the stack may deploy at all.

    Raises:
        InvalidStackConfig: the reference names this stack, or the outputs disagree with
            ``cfg``; only the reference has been registered.
    """
    from pulumi.runtime.sync_await import _sync_await

    from components.run_errors import InvalidStackConfig

    assert cfg.security_stack is not None
    if refers_to(cfg.security_stack, pulumi.get_stack(), pulumi.get_project()):
        raise InvalidStackConfig(
            [
                ConfigProblem(
                    "securityStack",
                    cfg.security_stack,
                    "names this stack itself: reference the stack that owns the security project",
                )
            ]
        )
    reference = pulumi.StackReference(
        f"{cfg.name}-security-stack", stack_name=cfg.security_stack, opts=opts
    )
    # SDK-internal, as the SDK's own synchronous invokes do: the program needs the values now.
    values = _sync_await(reference.outputs.future()) or {}
    secret = frozenset(_sync_await(reference.secret_output_names.future()) or ())
    problems = layered_problems(cfg, values, secret)
    if problems:
        raise InvalidStackConfig(problems)
    return SecurityStack(cfg.security_stack, reference, values, secret)
