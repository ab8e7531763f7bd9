"""rancher-dev, a layered private-cloud pair, the policy pack and a config error, on the engine."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from components.cluster import chart
from tests.engine.cluster import ControlPlane
from tests.engine.conftest import ENGINE_GROUP, PANORAMA_ADMIN
from tests.engine.project import EngineProject
from tests.engine.stacks import (
    SERIAL,
    airs,
    dump_stack,
    helm_release_secrets,
    point_at_local_servers,
    preview_changes,
    push_targets,
    running_config,
    urns_and_types,
)
from tests.helpers import ROOT
from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile

pytestmark = ENGINE_GROUP

RANCHER = "rancher-dev"
SECURITY = "rancher-security"
APPS = "rancher-apps"


@pytest.fixture(scope="module")
def project(
    control_plane: ControlPlane,
    panorama: PanoramaEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EngineProject]:
    proj = EngineProject(tmp_path_factory.mktemp("engine-stacks")).create([RANCHER])
    proj.run("stack", "init", RANCHER)
    point_at_local_servers(proj, RANCHER, control_plane, panorama, PANORAMA_ADMIN)
    control_plane.ensure_namespace("ai-apps")
    control_plane.ensure_namespace("inference")
    yield proj
    for stack in (APPS, SECURITY, RANCHER):
        proj.run("destroy", "--stack", stack, "--yes", check=False)


def _stack(project: EngineProject, stack: str, config: dict[str, object]) -> None:
    """A new stack file in the example's form (rancher-dev's salt, so its secrets decrypt)."""
    source = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{RANCHER}.yaml").read_text())
    doc = {"encryptionsalt": source["encryptionsalt"], "config": config}
    (project.folder / "stacks" / f"Pulumi.{stack}.yaml").write_text(dump_stack(doc))
    project.run("stack", "init", stack)


def test_rancher_preview_up_destroy(
    project: EngineProject, control_plane: ControlPlane, panorama: PanoramaEmulator
) -> None:
    panorama.manage_device(SERIAL)
    seed_ai_profile(panorama)
    before = running_config(panorama)
    panorama.register_firewall(SERIAL, *push_targets(project, RANCHER))

    preview = project.preview_json(RANCHER)
    plan_file = project.workdir / "rancher-plan.json"
    airs(project, "plan", "--stack", RANCHER, "--json", str(plan_file))
    real = {(s["urn"], s["urn"].rsplit("::", 2)[1].split("$")[-1]) for s in preview["steps"]}
    assert urns_and_types(json.loads(plan_file.read_text())["resources"]) == real

    commits = len(panorama.commits)
    project.run("up", "--stack", RANCHER, "--yes")
    assert len(panorama.commits) == commits + 1
    assert [r["metadata"]["labels"]["status"] for r in helm_release_secrets(control_plane)] == [
        "deployed"
    ]
    # Namespace-mode steering: the SubnetInfo exists (its CRD came with the release) and the
    # namespace's annotation names it.
    info = control_plane.get(
        "/apis/paloaltonetworks.com/v1/namespaces/inference/subnetinfos/airs-steering"
    )
    assert info is not None
    assert info["spec"] == {"subnetinfo": "BYPASS:169.254.169.254/32,10.42.0.0/16,10.43.0.0/16"}
    namespace = control_plane.get("/api/v1/namespaces/inference")
    assert namespace is not None
    assert namespace["metadata"]["annotations"]["paloaltonetworks.com/subnetfirewall"] == (
        "inference/airs-steering"
    )
    # The API server holds SubnetInfo to the chart's schema: one action, then CIDRs.
    with pytest.raises(urllib.error.HTTPError) as refused:
        control_plane.create(
            "/apis/paloaltonetworks.com/v1/namespaces/inference/subnetinfos",
            {
                "apiVersion": "paloaltonetworks.com/v1",
                "kind": "SubnetInfo",
                "metadata": {"name": "bad", "namespace": "inference"},
                "spec": {"subnetinfo": "ALLOW:10.0.0.0/8"},
            },
        )
    assert refused.value.code == 422
    assert "spec.subnetinfo" in refused.value.read().decode()
    # Rancher is not OpenShift: no Multus attachments.
    assert (
        control_plane.items(
            "/apis/k8s.cni.cncf.io/v1/namespaces/ai-apps/network-attachment-definitions"
        )
        == []
    )
    project.run("preview", "--stack", RANCHER, "--expect-no-changes")

    project.run("destroy", "--stack", RANCHER, "--yes")
    assert helm_release_secrets(control_plane) == []
    assert (
        control_plane.items("/apis/paloaltonetworks.com/v1/namespaces/inference/subnetinfos") == []
    )
    assert running_config(panorama) == before


def test_layered_pair_reads_outputs_through_stack_reference(
    project: EngineProject, control_plane: ControlPlane, panorama: PanoramaEmulator
) -> None:
    """A cluster stack reads its security stack's outputs from the same file backend."""
    rancher = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{RANCHER}.yaml").read_text())["config"]
    panorama_cfg = {
        "hostname": "127.0.0.1",
        "apiPort": panorama.port,
        "caBundle": str(panorama.cert),
        "username": PANORAMA_ADMIN,
    }
    security = {k: v for k, v in rancher.items() if k != "airs:clusters"}
    security.update({"airs:name": "airs-rke-sec", "airs:panorama": panorama_cfg})
    _stack(project, SECURITY, security)
    project.config_set(
        SECURITY, "airs:panoramaApiKey", panorama.key_for(PANORAMA_ADMIN), secret=True
    )
    panorama.register_firewall("007951000124", *push_targets(project, SECURITY))
    seed_ai_profile(panorama)
    project.run("up", "--stack", SECURITY, "--yes")

    apps = {
        "pulumi:disable-default-providers": ["gcp", "aws", "azure-native", "kubernetes"],
        "airs:cloud": "private",
        "airs:name": "airs-rke-apps",
        "airs:securityStack": SECURITY,
        "airs:panorama": panorama_cfg,
        "airs:clusters": {
            "apps": {k: v for k, v in rancher["airs:clusters"]["apps"].items() if k != "kubeconfig"}
        },
    }
    _stack(project, APPS, apps)
    project.config_set(APPS, "airs:panoramaApiKey", panorama.key_for(PANORAMA_ADMIN), secret=True)
    project.config_set(
        APPS, "airs:clusters.apps.kubeconfig", control_plane.kubeconfig(), secret=True
    )
    commits = len(panorama.commits)
    up = project.run("up", "--stack", APPS, "--yes")
    assert "StackReference" in up.stdout or "stackreference" in up.stdout.lower()
    # The cluster stack's release points pan-cni at the security stack's trust address.
    endpoints = control_plane.items(
        f"/apis/discovery.k8s.io/v1/namespaces/{chart.RELEASE_NAMESPACE}/endpointslices"
    )
    assert ["10.111.255.253"] in [e["endpoints"][0]["addresses"] for e in endpoints]
    assert len(panorama.commits) == commits + 1  # its own plugin entries, committed by its admin
    exported = json.loads(project.run("stack", "output", "--stack", SECURITY, "--json").stdout)
    assert exported["trustCidr"] == "10.111.255.0/24"

    project.run("destroy", "--stack", APPS, "--yes")
    project.run("destroy", "--stack", SECURITY, "--yes")


def test_policy_pack_passes_examples_and_names_what_fails(
    project: EngineProject, control_plane: ControlPlane, panorama: PanoramaEmulator, tmp_path: Path
) -> None:
    policy = str(ROOT / "policy")
    project.run("preview", "--stack", RANCHER, "--policy-pack", policy)

    bad = EngineProject(tmp_path).create([], program=Path(__file__).parent / "breaks_policy")
    bad.run("stack", "init", "lab")
    result = bad.run("preview", "--stack", "lab", "--policy-pack", policy, check=False)
    assert result.returncode != 0
    assert "panorama-objects-committed" in result.stdout + result.stderr


def test_config_error_ends_preview_with_our_lines(project: EngineProject) -> None:
    source = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{RANCHER}.yaml").read_text())
    source["config"]["airs:clusters"]["apps"]["clusterId"] = 5000
    source["config"]["airs:name"] = "Airs-Rke"
    (project.folder / "stacks" / "Pulumi.broken.yaml").write_text(dump_stack(source))
    project.run("stack", "init", "broken")
    result = project.run("preview", "--stack", "broken", check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "airs:clusters.apps.clusterId: 5000 — " in out, out
    assert "airs:name: Airs-Rke — " in out, out
    assert "Traceback" not in out
    # Nothing but the stack itself was planned.
    preview = project.run("preview", "--stack", "broken", "--json", check=False)
    planned = {urn.rsplit("::", 2)[1] for urn in preview_changes(json.loads(preview.stdout))}
    assert planned == {"pulumi:pulumi:Stack"}, preview.stdout[-3000:]
