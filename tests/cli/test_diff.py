"""`airs diff`: promotion between stacks and drift against a saved plan or stack export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from components.cli.main import main
from tests.helpers import ROOT

ARGS = ["--project", str(ROOT)]


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*ARGS, "diff", *args])
    return code, capsys.readouterr().out


def test_same_stack_has_no_difference(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "rancher-dev", "rancher-dev")
    assert code == 0
    assert "(no differences)" in out


def test_openshift_promotion_shows_changed_properties(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_json = tmp_path / "diff.json"
    code, out = _diff(capsys, "openshift-dev", "openshift-prod", "--json", str(out_json))
    assert code == 3
    assert "~ values.clusterid: 61 => 71" in out
    assert '~ values.endpoints[0].ip: "10.101.255.253" => "10.201.255.253"' in out
    assert "+ kubernetes:core/v1:NamespacePatch  airs-ocp-prod-apps-protect-inference" in out
    doc = json.loads(out_json.read_text())
    assert doc["from"] == "openshift-dev"
    assert doc["to"] == "openshift-prod"
    (release,) = [c for c in doc["changed"] if c["type"] == "kubernetes:helm.sh/v3:Release"]
    paths = {p["path"]: (p["old"], p["new"]) for p in release["properties"]}
    assert paths["values.clusterid"] == (61, 71)
    assert paths["values.fwtrustcidr"] == ("10.101.255.0/24", "10.201.255.0/24")


def test_rancher_promotion_adds_the_second_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "rancher-dev", "rancher-prod")
    assert code == 3
    assert "+ airs:index:ClusterIntercept  airs-rke-prod-edge" in out
    assert "~ values.clusterid: 81 => 91" in out


@pytest.mark.parametrize(
    ("dev", "prod"), [("gcp-dev", "gcp-prod"), ("azure-dev", "azure-prod"), ("aws-dev", "aws-prod")]
)
def test_cloud_promotions_differ(dev: str, prod: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, dev, prod)
    assert code == 3
    assert "~ " in out
    assert "[secret]" not in out or "=>" in out


def test_gcp_promotion_shows_firewall_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "gcp-dev", "gcp-prod")
    assert code == 3
    assert '"n2-standard-4" => "n2-standard-8"' in out


def _plan(tmp_path: Path, stack: str) -> dict[str, Any]:
    path = tmp_path / f"{stack}.json"
    assert main([*ARGS, "plan", "--stack", stack, "--json", str(path)]) == 0
    return json.loads(path.read_text())


def _export_from_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """A `pulumi stack export` document holding what the plan would have deployed."""
    resources = [
        {
            "urn": f"urn:pulumi:{plan['stack']}::airs::pulumi:pulumi:Stack::airs-{plan['stack']}",
            "custom": False,
            "type": "pulumi:pulumi:Stack",
        }
    ]
    for res in plan["resources"]:
        if res["read"]:
            continue
        entry = {
            "urn": res["urn"],
            "custom": res["custom"],
            "type": res["type"],
            "parent": res["parent"],
        }
        if res["custom"]:
            inputs = copy.deepcopy(res["inputs"])
            # secrets are ciphertext in an export
            for key, value in list(inputs.items()):
                if value == "[secret]":
                    inputs[key] = {
                        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                        "ciphertext": "v1:abc:def",
                    }
            entry["inputs"] = inputs
            entry["outputs"] = {**inputs, "id": "computed"}
        resources.append(entry)
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


def test_against_export_finds_exactly_the_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(tmp_path, "openshift-prod")
    capsys.readouterr()
    export = _export_from_plan(plan)
    resources = export["deployment"]["resources"]
    release = next(r for r in resources if r["type"] == "kubernetes:helm.sh/v3:Release")
    release["inputs"]["values"]["clusterid"] = 70  # edited out of band
    patch = next(r for r in resources if r["urn"].endswith("protect-inference"))
    resources.remove(patch)  # not yet deployed
    resources.append(
        {
            "urn": "urn:pulumi:openshift-prod::airs::airs:index:AirsDeployment$kubernetes:core/v1:NamespacePatch::stale",
            "custom": True,
            "type": "kubernetes:core/v1:NamespacePatch",
            "inputs": {"metadata": {"name": "old"}},
        }
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    out_json = tmp_path / "diff.json"
    code, out = _diff(
        capsys, "--stack", "openshift-prod", "--against", str(path), "--json", str(out_json)
    )
    assert code == 3
    doc = json.loads(out_json.read_text())
    assert [a["urn"] for a in doc["added"]] == [patch["urn"]]
    assert [r["name"] for r in doc["removed"]] == ["stale"]
    assert [
        (c["type"], [(p["path"], p["old"], p["new"]) for p in c["properties"]])
        for c in doc["changed"]
    ] == [("kubernetes:helm.sh/v3:Release", [("values.clusterid", 70, 71)])]
    assert "provider-side defaults and computed values" in out


def test_against_own_saved_plan_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plan(tmp_path, "rancher-prod")
    capsys.readouterr()
    code, out = _diff(
        capsys, "--stack", "rancher-prod", "--against", str(tmp_path / "rancher-prod.json")
    )
    assert code == 0, out


@pytest.mark.parametrize(
    "args",
    [
        ["rancher-dev"],
        ["rancher-dev", "rancher-prod", "--stack", "x"],
        ["--stack", "rancher-dev", "--against", "/nonexistent.json"],
        ["rancher-dev", "nope"],
    ],
)
def test_bad_input_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _diff(capsys, *args)
    assert code == 2


def test_garbage_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"neither": 1}')
    code, _ = _diff(capsys, "--stack", "rancher-dev", "--against", str(path))
    assert code == 2
