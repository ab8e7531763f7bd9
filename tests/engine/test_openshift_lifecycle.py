"""openshift-dev on the real engine: preview, up, no-op, one change, drift, secrets, destroy.

The tests run in file order on one worker and share one stack: each step starts from where
the previous one left it (see conftest.py).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from components.cluster import chart
from components.cluster.intercept import namespace_annotations
from components.panorama.elements import contains, digest
from components.panorama.intent import LATE_BOUND_RE
from tests.engine.cluster import ControlPlane
from tests.engine.conftest import ENGINE_GROUP, PANORAMA_ADMIN
from tests.engine.project import EngineProject
from tests.engine.stacks import (
    SERIAL,
    airs,
    api_path,
    config_writes,
    helm_release_secrets,
    panorama_modes,
    plugin_token_credential,
    point_at_local_servers,
    preview_changes,
    push_targets,
    rendered_helm,
    rendered_panorama,
    running_config,
    urns_and_types,
    written_xpaths,
)
from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile

pytestmark = ENGINE_GROUP

STACK = "openshift-dev"
CLUSTER = "apps"
PROTECTED = "ai-apps"
ADDED_NAMESPACE = "ml-apps"


class Lifecycle:
    """What the steps hand on to each other."""

    baseline: str = ""  # the emulator's running config before the first `up`
    requests_before_up: int = 0


@pytest.fixture(scope="module")
def lifecycle() -> Lifecycle:
    return Lifecycle()


@pytest.fixture(scope="module")
def project(
    control_plane: ControlPlane,
    panorama: PanoramaEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EngineProject]:
    proj = EngineProject(tmp_path_factory.mktemp("engine-openshift")).create([STACK])
    proj.run("stack", "init", STACK)
    point_at_local_servers(proj, STACK, control_plane, panorama, PANORAMA_ADMIN)
    # The application teams' namespaces exist before we protect them.
    for ns in (PROTECTED, ADDED_NAMESPACE):
        control_plane.ensure_namespace(ns)
    yield proj
    # Whatever a failed step left behind goes, so the next module starts clean.
    proj.run("destroy", "--stack", STACK, "--yes", check=False)


def test_offline_plan_equals_real_preview(project: EngineProject) -> None:
    """The URNs and types `airs plan --json` lists are exactly those `pulumi preview` plans."""
    preview = project.preview_json(STACK)
    real = {
        (
            s["urn"],
            s["newState"]["type"]
            if s.get("newState")
            else s["urn"].rsplit("::", 2)[1].split("$")[-1],
        )
        for s in preview["steps"]
    }
    plan_file = project.workdir / "plan.json"
    airs(project, "plan", "--stack", STACK, "--json", str(plan_file))
    offline = urns_and_types(json.loads(plan_file.read_text())["resources"])
    assert offline == real, {
        "only offline": sorted(offline - real),
        "only in the real preview": sorted(real - offline),
    }
    # And the summary line counts what the real preview counts.
    text = airs(project, "plan", "--stack", STACK).stdout
    count = re.search(r"^Resources: (\d+) to create", text, re.MULTILINE)
    assert count is not None, text
    assert int(count.group(1)) == preview["changeSummary"]["create"]


def test_up_deploys_cluster_side_and_panorama(
    project: EngineProject,
    control_plane: ControlPlane,
    panorama: PanoramaEmulator,
    lifecycle: Lifecycle,
) -> None:
    template_stack, device_group = push_targets(project, STACK)
    # The on-prem firewall is already managed by Panorama; joining it to the template stack and
    # device group is the step issue 15 moves into the program (airs:firewall.serials).
    panorama.manage_device(SERIAL)
    seed_ai_profile(panorama)
    lifecycle.baseline = running_config(panorama)
    panorama.register_firewall(SERIAL, template_stack, device_group)
    lifecycle.requests_before_up = len(panorama.requests)

    project.run("preview", "--stack", STACK)
    project.run("up", "--stack", STACK, "--yes")

    # Helm's release record and every object of the chart, as `airs render --helm` lists them.
    releases = helm_release_secrets(control_plane)
    assert [r["metadata"]["labels"]["status"] for r in releases] == ["deployed"]
    manifests = rendered_helm(project, STACK)
    kinds = {m["kind"] for m in manifests}
    assert {
        "DaemonSet",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Service",
        "EndpointSlice",
        "ConfigMap",
        "Secret",
        "NetworkAttachmentDefinition",
    } <= kinds
    for manifest in manifests:
        assert control_plane.get(api_path(manifest)) is not None, f"missing {api_path(manifest)}"

    # pan-cni's endpoint: UDP 6080 at the firewall's trust address.
    slices = [m for m in manifests if m["kind"] == "EndpointSlice"]
    live = control_plane.get(api_path(slices[0]))
    assert live is not None
    assert (live["ports"][0]["port"], live["ports"][0]["protocol"]) == (6080, "UDP")
    assert live["endpoints"][0]["addresses"] == ["10.101.255.253"]

    # OpenShift: Multus network attachments in the protected namespace, and its annotations.
    nads = control_plane.items(
        f"/apis/k8s.cni.cncf.io/v1/namespaces/{PROTECTED}/network-attachment-definitions"
    )
    assert nads, "no NetworkAttachmentDefinition in the protected namespace"
    annotations = control_plane.get(f"/api/v1/namespaces/{PROTECTED}")["metadata"]["annotations"]  # type: ignore[index]
    for key, value in namespace_annotations("vpc", "openshift").items():
        assert annotations.get(key) == value

    # Panorama holds exactly what `airs render --panorama` prints, with the token the cluster
    # issued as the plugin credential; one commit and one push of stack and group.
    credential = plugin_token_credential(control_plane)
    objects = rendered_panorama(project, STACK)
    modes = panorama_modes(project, STACK)
    assert set(modes) == {x for x, _ in objects}
    for xpath, element in objects:
        expected = LATE_BOUND_RE.sub(credential, element)
        node = panorama.node(xpath)
        assert node is not None, f"not on Panorama: {xpath}"
        if modes[xpath] == "merge":
            # Merged into what is there (objects nested in it, registered firewalls).
            assert contains(node, ET.fromstring(expected)), f"differs: {xpath}"
        else:
            assert digest(node) == digest(expected), f"differs: {xpath}"
    for group in ("template-stack", "device-group"):
        xpath = next(x for x, _ in objects if f"/{group}/entry" in x)
        assert panorama.node(f"{xpath}/devices/entry[@name='{SERIAL}']") is not None
    assert written_xpaths(panorama, lifecycle.requests_before_up) == {x for x, _ in objects}
    assert len(panorama.commits) == 1
    assert panorama.pushes == [("template-stack", template_stack), ("device-group", device_group)]


def test_second_run_changes_nothing(project: EngineProject, panorama: PanoramaEmulator) -> None:
    project.run("preview", "--stack", STACK, "--expect-no-changes")
    writes, commits = config_writes(panorama), len(panorama.commits)
    project.run("up", "--stack", STACK, "--yes", "--expect-no-changes")
    assert config_writes(panorama) == writes
    assert len(panorama.commits) == commits


def test_one_change(
    project: EngineProject, control_plane: ControlPlane, panorama: PanoramaEmulator
) -> None:
    """A new protected namespace and a new monitoring interval, and nothing else, change."""
    # A workload that exists before its namespace is protected (its pods predate the steering).
    control_plane.create(
        f"/apis/apps/v1/namespaces/{ADDED_NAMESPACE}/deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "model-gw"},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "model-gw"}},
                "template": {
                    "metadata": {"labels": {"app": "model-gw"}},
                    "spec": {"containers": [{"name": "gw", "image": "example.invalid/gw:1"}]},
                },
            },
        },
    )
    project.config_set(STACK, f"airs:clusters.{CLUSTER}.protect.{ADDED_NAMESPACE}", "vpc")
    project.config_set(STACK, f"airs:clusters.{CLUSTER}.monitoringInterval", "60")
    changes = preview_changes(project.preview_json(STACK, "--diff"))
    names = {urn.rsplit("::", 1)[1]: op for urn, op in changes.items()}
    assert names == {
        f"airs-ocp-dev-{CLUSTER}-protect-{ADDED_NAMESPACE}": "create",
        # Its workloads roll once, their pods carrying the Multus network (read from pods).
        f"airs-ocp-dev-{CLUSTER}-restart-{ADDED_NAMESPACE}": "create",
        # OpenShift: the release adds a network attachment for the new namespace.
        f"airs-ocp-dev-{CLUSTER}-pan-cni": "update",
        # The plugin's one interval lives in its general settings.
        "airs-ocp-dev-panorama-k8s-general-general": "update",
        # The credential is read from the token Secret once the release is updated, so the
        # preview cannot know it is unchanged; the up finds it is and writes nothing there.
        "airs-ocp-dev-panorama-k8s-cluster-ocp-dev": "update",
        "airs-ocp-dev-panorama-commit": "update",
    }, names

    commits, requests = len(panorama.commits), len(panorama.requests)
    project.run("up", "--stack", STACK, "--yes")
    assert len(panorama.commits) == commits + 1
    general = next(x for x, _ in rendered_panorama(project, STACK) if x.endswith("/setup/general"))
    assert written_xpaths(panorama, requests) == {general}
    annotations = control_plane.get(f"/api/v1/namespaces/{ADDED_NAMESPACE}")["metadata"][
        "annotations"
    ]  # type: ignore[index]
    assert annotations.get("paloaltonetworks.com/firewall") is not None
    template = control_plane.get(
        f"/apis/apps/v1/namespaces/{ADDED_NAMESPACE}/deployments/model-gw"
    )["spec"]["template"]["metadata"]["annotations"]  # type: ignore[index]
    assert template["k8s.v1.cni.cncf.io/networks"] == "pan-cni"
    assert template["kubectl.kubernetes.io/restartedAt"]
    project.run("preview", "--stack", STACK, "--expect-no-changes")


def test_drift_is_refreshed_and_restored(
    project: EngineProject, panorama: PanoramaEmulator
) -> None:
    """A zone changed on Panorama behind Pulumi's back: refresh shows it, up puts it back."""
    zone_xpath = next(
        x for x, _ in rendered_panorama(project, STACK) if x.endswith("/zone/entry[@name='trust']")
    )
    desired = ET.tostring(panorama.node(zone_xpath), encoding="unicode")  # type: ignore[arg-type]
    with panorama.lock:
        for tree in (panorama.running, panorama.candidate):
            zone = panorama.node(zone_xpath, running=tree is panorama.running)
            assert zone is not None
            ET.SubElement(zone, "user-acl").text = "drifted"
    refreshed = project.run("refresh", "--stack", STACK, "--yes")
    updated = {
        w[2]
        for w in map(str.split, refreshed.stdout.splitlines())
        if w[:1] == ["~"] and ":" in w[1] and w[3:4] == ["update"]
    }
    # The drifted zone, and the plugin token Secret: a `Secret.get` read is stored without
    # apiVersion/kind/metadata, which the Kubernetes provider's refresh then adds.
    assert updated == {"airs-ocp-dev-panorama-zone-trust", "airs-ocp-dev-apps-plugin-token"}, (
        refreshed.stdout
    )

    commits = len(panorama.commits)
    project.run("up", "--stack", STACK, "--yes")
    assert len(panorama.commits) == commits + 1
    assert digest(panorama.node(zone_xpath)) == digest(desired)  # type: ignore[arg-type]


def test_state_holds_no_plaintext_secret(
    project: EngineProject, control_plane: ControlPlane, panorama: PanoramaEmulator
) -> None:
    state = project.export(STACK)
    token = control_plane.get(
        f"/api/v1/namespaces/{chart.RELEASE_NAMESPACE}/secrets/pan-plugin-user-secret"
    )
    assert token is not None
    import base64

    secrets = {
        "Panorama API key": panorama.key_for(PANORAMA_ADMIN),
        "kubeconfig client key": _client_key(control_plane.kubeconfig()),
        "plugin credential": plugin_token_credential(control_plane),
        "service-account token": base64.b64decode(token["data"]["token"]).decode(),
        "service-account token (base64)": token["data"]["token"],
    }
    leaked = [name for name, value in secrets.items() if value in state]
    assert leaked == []
    assert '"4dabf18193072939515e22adb298388d"' in state  # Pulumi's secret signature is there


def _client_key(kubeconfig: str) -> str:
    import yaml

    return str(yaml.safe_load(kubeconfig)["users"][0]["user"]["client-key-data"])


def test_destroy_leaves_nothing(
    project: EngineProject,
    control_plane: ControlPlane,
    panorama: PanoramaEmulator,
    lifecycle: Lifecycle,
) -> None:
    manifests = rendered_helm(project, STACK)
    project.run("destroy", "--stack", STACK, "--yes")
    assert running_config(panorama) == lifecycle.baseline
    assert helm_release_secrets(control_plane) == []
    for manifest in manifests:
        if manifest["kind"] == "CustomResourceDefinition":
            # The PortInfo and SubnetInfo CRDs are kept on uninstall (helm.sh/resource-policy:
            # keep), so that the objects users created survive it.
            assert control_plane.get(api_path(manifest)) is not None
            continue
        assert control_plane.get(api_path(manifest)) is None, f"left behind: {api_path(manifest)}"
    for ns in (PROTECTED, ADDED_NAMESPACE):
        annotations: dict[str, Any] = (
            control_plane.get(f"/api/v1/namespaces/{ns}")["metadata"].get("annotations") or {}
        )  # type: ignore[index]
        assert not any(
            k.startswith(("paloaltonetworks.com", "k8s.v1.cni.cncf.io")) for k in annotations
        )
