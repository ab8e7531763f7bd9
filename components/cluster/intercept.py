"""``ClusterIntercept``: the cluster half of a deployment.

Installs the pan-cni chart (``helm/``) as the Helm release ``ai-runtime-security`` in
``kube-system`` through an explicit Kubernetes provider, marks the protected namespaces
with server-side-apply patches, and hands the Panorama Kubernetes plugin its credential
(the ``pan-plugin-user`` service-account token) as a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

import components.cluster.chart as chart
from components.cluster.restart import MULTUS_ANNOTATION
from components.config import Cluster, secret_output
from components.panorama.profiles import encode_plugin_credential

# Cluster type (config) → chart platform (values.yaml `platform`).
PLATFORMS: dict[str, str] = {
    "GKE": "gke",
    "EKS": "eks",
    "AKS": "aks",
    "OpenShift": "openshift",
    "Rancher": "rancher",
    "Native": "native",
}
# Cluster type → Panorama Kubernetes plugin environment type.
PANORAMA_TYPES: dict[str, str] = {
    "GKE": "GKE",
    "EKS": "EKS",
    "AKS": "AKS",
    "OpenShift": "OpenShift",
    "Rancher": "Native",
    "Native": "Native",
}
FIREWALL_ANNOTATION = "paloaltonetworks.com/firewall"
FIREWALL_VALUE = "pan-fw"
SUBNET_FIREWALL_ANNOTATION = "paloaltonetworks.com/subnetfirewall"
# The SubnetInfo (CRD in the chart) a namespace-mode namespace's annotation names.
SUBNET_INFO_API = "paloaltonetworks.com/v1"
SUBNET_INFO_NAME = "airs-steering"
MULTUS_VALUE = "pan-cni"
PLUGIN_SECRET = "pan-plugin-user-secret"


@dataclass(frozen=True)
class EndpointInput:
    """Where pan-cni sends a zone's traffic: an address (possibly not yet known) and a zone."""

    ip: pulumi.Input[str]
    zone: str | None = None


def namespace_annotations(mode: str, namespace: str) -> dict[str, str]:
    """Annotations that put a namespace's pods under the firewall's protection.

    ``vpc`` steers every pod through the firewall; ``namespace`` uses traffic-steering
    inspection: the annotation names (``<namespace>/<name>``) the SubnetInfo that lists the
    ranges to inspect or bypass, created in the namespace itself (:func:`subnet_info`).
    pan-cni reads them from the pod or its namespace, so the namespace carries them; the
    Multus attachment OpenShift needs is a pod's (:func:`pod_annotations`).
    """
    if mode == "vpc":
        return {FIREWALL_ANNOTATION: FIREWALL_VALUE}
    if mode == "namespace":
        return {SUBNET_FIREWALL_ANNOTATION: f"{namespace}/{SUBNET_INFO_NAME}"}
    raise ValueError(f"unknown protection mode {mode!r} (expected vpc or namespace)")


def subnet_info(cluster: Cluster, namespace: str) -> str:
    """``spec.subnetinfo`` of a namespace-mode namespace: ``INSPECT:`` or ``BYPASS:`` and
    its comma-separated ranges (the form of the vendor chart's own SubnetInfo objects)."""
    action, cidrs = cluster.steering_of(namespace)
    return f"{action}:{','.join(cidrs)}"


def pod_annotations(platform: str) -> dict[str, str]:
    """What each pod template of a protected namespace must carry: on OpenShift the Multus
    network that attaches pan-cni (Multus reads ``networks`` from pods only)."""
    return {MULTUS_ANNOTATION: MULTUS_VALUE} if platform == "openshift" else {}


def plugin_credential(secret: Mapping[str, Any]) -> str:
    """The Panorama plugin credential for a service-account token Secret.

    Panorama's API wants the Secret as ``kubectl get secret -o json`` prints it, gzipped and
    then base64-encoded (one encoder: ``profiles.encode_plugin_credential``, which keeps
    the result byte-identical between runs and enforces the plugin's size limit).
    """
    document = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": PLUGIN_SECRET, "namespace": chart.RELEASE_NAMESPACE},
        "type": "kubernetes.io/service-account-token",
        "data": {k: secret["data"][k] for k in sorted(secret.get("data") or {})},
    }
    return encode_plugin_credential(json.dumps(document, sort_keys=True, separators=(",", ":")))


def chart_path() -> str:
    """The chart folder relative to the project root, so state does not hold a home path."""
    try:
        return os.path.relpath(chart.CHART_DIR, Path.cwd())
    except ValueError:  # another drive on Windows
        return str(chart.CHART_DIR)


class ClusterIntercept(pulumi.ComponentResource):
    """pan-cni on one cluster: Helm release, namespace protection and plugin credential."""

    plugin_credential: pulumi.Output[str]
    """gzip+base64 service-account token for Panorama's Kubernetes plugin (secret)."""
    release_status: pulumi.Output[Any]
    """Status of the Helm release."""

    def __init__(
        self,
        name: str,
        *,
        cluster_key: str,
        cluster: Cluster,
        endpoints: Sequence[EndpointInput],
        fw_trust_cidr: pulumi.Input[str],
        panorama_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Install and configure pan-cni on a cluster.

        Args:
            name: logical name of the component.
            cluster_key: the cluster's key in ``airs:clusters``.
            cluster: the validated cluster settings.
            endpoints: where pan-cni sends traffic: the ILB IP, the private firewall's
                trust IP, or one GWLB endpoint per zone (AWS).
            fw_trust_cidr: the firewalls' trust subnet (Helm ``fwtrustcidr``).
            panorama_name: the cluster's name in the Panorama Kubernetes plugin.
            opts: resource options.
        """
        super().__init__("airs:index:ClusterIntercept", name, None, opts)
        if not endpoints:
            raise ValueError(
                f"airs:clusters.{cluster_key}: no firewall endpoint to send traffic to"
            )
        platform = PLATFORMS[cluster.type]
        self.platform = platform
        self.panorama_name = panorama_name
        self.cluster_type = PANORAMA_TYPES[cluster.type]
        self.api_server = cluster.api_server

        provider_args: dict[str, Any] = {"enable_server_side_apply": True}
        if cluster.kubeconfig is not None:
            provider_args["kubeconfig"] = secret_output(cluster.kubeconfig)
        if cluster.context:
            provider_args["context"] = cluster.context
        self.provider = k8s.Provider(
            f"{name}-k8s", **provider_args, opts=pulumi.ResourceOptions(parent=self)
        )
        on_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)

        openshift_namespaces = sorted(cluster.protect) if platform == "openshift" else []

        def values(resolved: list[Any]) -> dict[str, Any]:
            trust_cidr, *ips = resolved
            return chart.chart_values(
                platform=platform,
                endpoints=[
                    chart.Endpoint(ip=str(ip), zone=ep.zone)
                    for ip, ep in zip(ips, endpoints, strict=True)
                ],
                cluster_id=cluster.cluster_id,
                fw_trust_cidr=str(trust_cidr),
                nad_namespaces=openshift_namespaces,
            )

        self.values = pulumi.Output.all(fw_trust_cidr, *[ep.ip for ep in endpoints]).apply(values)
        self.release = k8s.helm.v3.Release(
            f"{name}-pan-cni",
            name=chart.RELEASE_NAME,
            chart=chart_path(),
            namespace=chart.RELEASE_NAMESPACE,
            create_namespace=False,
            values=self.values,
            atomic=True,
            cleanup_on_fail=True,
            max_history=10,
            timeout=600,
            opts=on_cluster,
        )
        self.release_status = self.release.status

        # Existing namespaces are patched, not created: pulumi-kubernetes >= 4.29 refuses to
        # create a Namespace that exists, and we must not own (or delete) app namespaces.
        self.namespace_patches: dict[str, k8s.core.v1.NamespacePatch] = {}
        self.subnet_infos: dict[str, k8s.apiextensions.CustomResource] = {}
        for namespace, mode in sorted(cluster.protect.items()):
            annotations = namespace_annotations(mode, namespace)
            # Take the annotations over even if `kubectl annotate` set them before.
            annotations["pulumi.com/patchForce"] = "true"
            # The SubnetInfo exists before the annotation that names it (its CRD is the chart's).
            after: list[pulumi.Resource] = [self.release]
            if mode == "namespace":
                self.subnet_infos[namespace] = k8s.apiextensions.CustomResource(
                    f"{name}-steering-{namespace}",
                    api_version=SUBNET_INFO_API,
                    kind="SubnetInfo",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=SUBNET_INFO_NAME, namespace=namespace),
                    spec={"subnetinfo": subnet_info(cluster, namespace)},
                    opts=pulumi.ResourceOptions.merge(
                        on_cluster, pulumi.ResourceOptions(depends_on=[self.release])
                    ),
                )
                after.append(self.subnet_infos[namespace])
            self.namespace_patches[namespace] = k8s.core.v1.NamespacePatch(
                f"{name}-protect-{namespace}",
                metadata=k8s.meta.v1.ObjectMetaPatchArgs(name=namespace, annotations=annotations),
                opts=pulumi.ResourceOptions.merge(
                    on_cluster, pulumi.ResourceOptions(depends_on=after)
                ),
            )

        # Pods created before the annotation are not steered until they restart (on by default,
        # as the vendor page says); on OpenShift the same patch gives them the Multus network.
        self.restarts: dict[str, Any] = {}
        on_pods = pod_annotations(platform)
        if cluster.restart_workloads or on_pods:
            from components.cluster.restart import WorkloadRestart

            for namespace, patch in self.namespace_patches.items():
                self.restarts[namespace] = WorkloadRestart(
                    f"{name}-restart-{namespace}",
                    namespace=namespace,
                    kubeconfig=provider_args.get("kubeconfig", ""),
                    context=cluster.context,
                    pod_annotations=on_pods,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[patch, self.release]),
                )

        # The token Secret is created by the chart and filled in by the cluster; read it once
        # the release exists. Its id derives from the release so a first preview, when the
        # release is still to be created, defers the read instead of failing on "not found".
        secret_id = self.release.status.apply(
            lambda _: f"{chart.RELEASE_NAMESPACE}/{PLUGIN_SECRET}"
        )
        self.plugin_secret = k8s.core.v1.Secret.get(
            f"{name}-plugin-token",
            secret_id,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.plugin_credential = pulumi.Output.secret(
            self.plugin_secret.data.apply(lambda data: plugin_credential({"data": data or {}}))
        )
        self.register_outputs(
            {
                "releaseStatus": self.release_status,
                "pluginCredential": self.plugin_credential,
                "protectedNamespaces": sorted(cluster.protect),
            }
        )
