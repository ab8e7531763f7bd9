"""ClusterIntercept under the mock engine: release, values, namespace protection, credential."""

from __future__ import annotations

import base64
import gzip
import json

import pulumi
import pytest

from components.cli import report
from components.cli.engine import SecretValue, run_program
from components.cluster.intercept import ClusterIntercept, namespace_annotations, plugin_credential
from tests.helpers import by_type, is_secret, load_example, plan_example

RELEASE = "kubernetes:helm.sh/v3:Release"
PATCH = "kubernetes:core/v1:NamespacePatch"
PROVIDER = "pulumi:providers:kubernetes"
SUBNET_INFO = "kubernetes:paloaltonetworks.com/v1:SubnetInfo"


def test_openshift_release_and_values() -> None:
    run = plan_example("openshift-dev")
    (release,) = by_type(run, RELEASE)
    inputs = release.inputs
    assert inputs["name"] == "ai-runtime-security"
    assert inputs["namespace"] == "kube-system"
    assert inputs["chart"] == "helm"
    assert inputs["createNamespace"] is False
    values = inputs["values"]
    assert values["platform"] == "openshift"
    assert values["endpoints"] == [{"ip": "10.101.255.253"}]  # the firewall's trust IP
    assert values["fwtrustcidr"] == "10.101.255.0/24"
    assert values["clusterid"] == 61
    assert values["nadNamespaces"] == ["ai-apps"]
    assert ":latest" not in values["cniimage"]


def test_namespace_patches_per_mode_openshift() -> None:
    run = plan_example("openshift-prod")
    patches = {
        r.inputs["metadata"]["name"]: r.inputs["metadata"]["annotations"]
        for r in by_type(run, PATCH)
    }
    assert set(patches) == {"ai-apps", "ai-gateway", "inference"}
    assert patches["ai-apps"]["paloaltonetworks.com/firewall"] == "pan-fw"
    # Multus reads its networks from pods only: they go on the pod templates (restart).
    assert "k8s.v1.cni.cncf.io/networks" not in patches["ai-apps"]
    assert "paloaltonetworks.com/subnetfirewall" not in patches["ai-apps"]
    # Namespace mode names the namespace's own SubnetInfo (created before the annotation).
    assert patches["inference"]["paloaltonetworks.com/subnetfirewall"] == "inference/airs-steering"
    assert "paloaltonetworks.com/firewall" not in patches["inference"]
    assert all(p["pulumi.com/patchForce"] == "true" for p in patches.values())


def test_namespace_mode_gets_a_subnet_info_before_its_annotation() -> None:
    run = plan_example("rancher-prod")
    infos = {(r.inputs["metadata"]["namespace"], r.name): r for r in by_type(run, SUBNET_INFO)}
    # Only the one namespace-mode namespace (edge's inference) has one; vpc mode needs none.
    assert set(infos) == {("inference", "airs-rke-prod-edge-steering-inference")}
    info = infos[("inference", "airs-rke-prod-edge-steering-inference")]
    assert info.inputs["apiVersion"] == "paloaltonetworks.com/v1"
    assert info.inputs["metadata"]["name"] == "airs-steering"
    # The stack's own list, in its order: metadata address, the cluster's pods and services.
    assert info.inputs["spec"] == {
        "subnetinfo": "BYPASS:169.254.169.254/32,10.44.0.0/16,10.45.0.0/16"
    }
    (patch,) = [r for r in by_type(run, PATCH) if r.name == "airs-rke-prod-edge-protect-inference"]
    assert info.urn in patch.dependencies
    assert patch.inputs["metadata"]["annotations"]["paloaltonetworks.com/subnetfirewall"] == (
        "inference/airs-steering"
    )


def test_namespace_mode_without_steering_bypasses_the_metadata_address() -> None:
    run = plan_example("openshift-prod")
    (info,) = by_type(run, SUBNET_INFO)
    assert info.inputs["metadata"] == {"name": "airs-steering", "namespace": "inference"}
    assert info.inputs["spec"] == {"subnetinfo": "BYPASS:169.254.169.254/32"}


def test_inspect_steering_is_rendered_as_inspect() -> None:
    from components.cluster.intercept import subnet_info
    from components.config import Cluster

    cluster = Cluster.model_validate(
        {
            "type": "Rancher",
            "clusterId": 5,
            "apiServer": "https://k8s.example.com",
            "podCidr": "10.42.0.0/16",
            "serviceCidr": "10.43.0.0/16",
            "context": "lab",
            "protect": {"inference": "namespace"},
            "steering": {"inference": {"inspect": ["0.0.0.0/1", "128.0.0.0/1"]}},
        }
    )
    assert subnet_info(cluster, "inference") == "INSPECT:0.0.0.0/1,128.0.0.0/1"


def test_rancher_has_no_multus_and_one_provider_per_cluster() -> None:
    run = plan_example("rancher-prod")
    providers = by_type(run, PROVIDER)
    releases = by_type(run, RELEASE)
    assert len(providers) == 2
    assert len(releases) == 2
    provider_urns = {p.urn for p in providers}
    for release in releases:
        assert release.provider is not None
        assert release.provider.rsplit("::", 1)[0] in provider_urns
        assert release.inputs["values"]["platform"] == "rancher"
        assert release.inputs["values"]["nadNamespaces"] == []
    for patch in by_type(run, PATCH):
        assert "k8s.v1.cni.cncf.io/networks" not in patch.inputs["metadata"]["annotations"]
    for provider in providers:
        assert is_secret(provider.inputs["kubeconfig"])


def test_rendered_manifests_for_openshift_include_nad_and_plugin_account() -> None:
    run = plan_example("openshift-prod")
    manifests = report.render_releases(run)
    kinds = {(m["kind"], m["metadata"]["name"], m["metadata"].get("namespace")) for m in manifests}
    for ns in ("ai-apps", "ai-gateway", "inference"):
        assert ("NetworkAttachmentDefinition", "pan-cni", ns) in kinds
    assert ("ServiceAccount", "pan-plugin-user", "kube-system") in kinds
    assert ("Secret", "pan-plugin-user-secret", "kube-system") in kinds
    (slice_,) = [m for m in manifests if m["kind"] == "EndpointSlice"]
    assert [e["addresses"] for e in slice_["endpoints"]] == [["10.201.255.253"]]


def _capture_program(stack: str) -> dict[str, object]:
    from components.clouds import load_stack_config
    from components.deployment import AirsDeployment

    def program() -> None:
        cfg = load_stack_config()
        deployment = AirsDeployment(cfg.name, cfg)
        for key, cluster in deployment.clusters.items():
            pulumi.export(f"credential-{key}", cluster.plugin_credential)

    return run_program(load_example(stack), program=program).outputs


def test_plugin_credential_is_secret_gzip_base64_of_token_secret() -> None:
    outputs = _capture_program("rancher-dev")
    value = outputs["credential-apps"]
    assert isinstance(value, SecretValue)
    doc = json.loads(gzip.decompress(base64.b64decode(value.value)))
    assert doc["kind"] == "Secret"
    assert doc["metadata"] == {"name": "pan-plugin-user-secret", "namespace": "kube-system"}
    assert set(doc["data"]) == {"ca.crt", "namespace", "token"}


def test_plugin_credential_is_deterministic() -> None:
    secret = {"data": {"token": "dG9r", "ca.crt": "Y2E=", "namespace": "a3ViZS1zeXN0ZW0="}}
    assert plugin_credential(secret) == plugin_credential(dict(secret))
    raw = gzip.decompress(base64.b64decode(plugin_credential(secret)))
    assert b"dG9r" in raw
    # gzip's header timestamp (bytes 4-7) is zero: the same token encodes the same way on
    # any day, so previews show no diff.
    assert base64.b64decode(plugin_credential(secret))[4:8] == b"\0\0\0\0"


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown protection mode 'steer'"):
        namespace_annotations("steer", "ai-apps")


def test_component_type_token() -> None:
    run = plan_example("rancher-dev")
    assert [r.name for r in run.resources if r.type == "airs:index:ClusterIntercept"] == [
        "airs-rke-dev-apps"
    ]
    assert ClusterIntercept.__doc__
