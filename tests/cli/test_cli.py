"""The `airs` command: exit codes, output, JSON shape, secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.cli.main import main
from tests.cli.conftest import TEST_PASSPHRASE
from tests.helpers import EXAMPLE_STACKS, ROOT, example_values


def _airs(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "components.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_validate_examples(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(ROOT), "validate", "--stack", stack]) == 0
    assert "configuration valid" in capsys.readouterr().out


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(ROOT), "plan", "--stack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no stack file" in err
    assert "gcp-dev" in err


def test_bad_arguments_exit_2() -> None:
    assert main(["plan"]) == 2


def _bad_gcp(values: dict[str, Any]) -> dict[str, Any]:
    values["name"] = "Bad Name"
    values["clusters"]["apps"]["clusterId"] = 5000
    values["clusters"]["apps"]["monitoringInterval"] = 10
    values["securityProject"]["cidrs"]["mgmt"] = "10.10.0.0/33"
    values["securityProject"]["firewall"]["maxReplicas"] = "many"
    return values


def _plain_config(
    values: dict[str, Any], secret: set[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Split example values into plain config and secret paths with marker plaintexts."""
    values = dict(values)
    secrets: dict[str, str] = {}
    for key in ("panoramaApiKey", "panoramaPassword"):
        if values.get(key):
            secrets[key] = f"MARKER-{key}"
        values.pop(key, None)
    sp = values.get("securityProject")
    if isinstance(sp, dict) and "firewall" in sp:
        del sp["firewall"]["bootstrap"]["authKey"]
        secrets["securityProject.firewall.bootstrap.authKey"] = "MARKER-authKey"
    for name, cluster in (values.get("clusters") or {}).items():
        cluster.pop("kubeconfig", None)
        secrets[f"clusters.{name}.kubeconfig"] = f"MARKER-kubeconfig-{name}"
    return values, secrets


def test_five_mistakes_exit_2_one_line_each(
    write_stack: Callable[..., Path], project_dir: Path
) -> None:
    values, secret = example_values("gcp-dev")
    plain, secrets = _plain_config(_bad_gcp(values), secret)
    write_stack("bad", plain, secrets=secrets)
    result = _airs(
        "--project",
        str(project_dir),
        "plan",
        "--stack",
        "bad",
        env={"PULUMI_CONFIG_PASSPHRASE": TEST_PASSPHRASE},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("airs:")]
    assert len(lines) == 5, result.stderr
    assert {line.split(":")[1] for line in lines} == {
        "name",
        "clusters.apps.clusterId",
        "clusters.apps.monitoringInterval",
        "securityProject.cidrs.mgmt",
        "securityProject.firewall.maxReplicas",
    }
    assert "MARKER" not in result.stdout + result.stderr


def test_pulumi_yaml_types_are_checked(
    write_stack: Callable[..., Path], project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values, _ = example_values("openshift-dev")
    plain, secrets = _plain_config(values, set())
    plain["name"] = 12345
    write_stack("typed", plain, secrets=secrets)
    assert main(["--project", str(project_dir), "validate", "--stack", "typed"]) == 2
    err = capsys.readouterr().err
    assert "airs:name: 12345 — must be of type string" in err


def test_missing_required_key(
    write_stack: Callable[..., Path], project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values, _ = example_values("openshift-dev")
    plain, secrets = _plain_config(values, set())
    del plain["cloud"]
    write_stack("nocloud", plain, secrets=secrets)
    assert main(["--project", str(project_dir), "validate", "--stack", "nocloud"]) == 2
    assert "airs:cloud: <missing> — is required" in capsys.readouterr().err


def test_esc_environment_is_reported_not_crashed_on(
    write_stack: Callable[..., Path], project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values, _ = example_values("openshift-dev")
    plain, secrets = _plain_config(values, set())
    write_stack("esc", plain, secrets=secrets, extra={"environment": ["netsec/prod"]})
    assert main(["--project", str(project_dir), "validate", "--stack", "esc"]) == 0
    err = capsys.readouterr().err
    assert "ESC environment(s) netsec/prod" in err


@pytest.mark.parametrize("stack", ["openshift-dev", "rancher-prod"])
def test_planted_secrets_never_printed(
    stack: str,
    write_stack: Callable[..., Path],
    project_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    values, secret = example_values(stack)
    plain, secrets = _plain_config(values, secret)
    write_stack("planted", plain, secrets=secrets)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", TEST_PASSPHRASE)
    out_json = tmp_path / "plan.json"
    assert (
        main(["--project", str(project_dir), "plan", "--stack", "planted", "--json", str(out_json)])
        == 0
    )
    captured = capsys.readouterr()
    text = captured.out + captured.err + out_json.read_text()
    assert "MARKER" not in text
    # The kubeconfigs reach the Kubernetes providers as secrets: present, but masked.
    assert "[secret]" in out_json.read_text()


def test_plan_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "plan.json"
    assert (
        main(["--project", str(ROOT), "plan", "--stack", "openshift-dev", "--json", str(out_json)])
        == 0
    )
    doc = json.loads(out_json.read_text())
    assert set(doc) >= {"stack", "resources", "outputs", "helm", "panorama"}
    assert doc["stack"] == "openshift-dev"
    assert set(doc["helm"]) == {"manifests"}
    assert isinstance(doc["panorama"], list)
    for res in doc["resources"]:
        assert set(res) >= {"type", "name", "parent", "inputs"}
    assert doc["outputs"]["trustGatewayIp"] == "10.101.255.1"
    out = capsys.readouterr().out
    assert "airs:index:AirsDeployment" in out
    assert "pulumi:pulumi:Stack" in out


def test_program_error_exits_1_with_short_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import components.deployment as deployment

    def boom(*_: Any, **__: Any) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(deployment.AirsDeployment, "__init__", boom)
    assert main(["--project", str(ROOT), "plan", "--stack", "openshift-dev"]) == 1
    err = capsys.readouterr().err
    assert "error: the program failed: RuntimeError: simulated failure" in err
    assert "Traceback" not in err


def test_console_script_help() -> None:
    result = _airs("--help")
    assert result.returncode == 0
    assert "plan" in result.stdout


def test_plan_shows_the_panorama_objects_render_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The plan lists what the program registered; `render --panorama` renders offline."""
    assert main(["--project", str(ROOT), "render", "--stack", "openshift-dev", "--panorama"]) == 0
    offline = capsys.readouterr().out
    assert (
        main(["--project", str(ROOT), "plan", "--stack", "openshift-dev", "--show", "panorama"])
        == 0
    )
    shown = capsys.readouterr().out.split("or --json):\n\n", 1)[1]
    assert offline.count("\nxpath: ") >= 15
    # The plan pretty-prints each element (issue 16, item 8); the XML is the same.
    from xml.etree import ElementTree as ET

    def objects(text: str) -> list[tuple[str, str, str]]:
        blocks = [block.splitlines() for block in text.strip("\n").split("\n\n")]
        return [(b[0], b[1], ET.canonicalize("".join(b[2:]), strip_text=True)) for b in blocks]

    assert objects(shown) == objects(offline)


def test_plan_order_does_not_depend_on_arrival_order() -> None:
    """Registrations arrive from the SDK's thread pool in any order; the plan's is fixed."""
    import random

    from components.cli.engine import in_tree_order
    from components.cli.mocks import Registration

    def reg(urn: str, typ: str, parent: str | None = None) -> Registration:
        return Registration(urn=urn, type=typ, name=urn, parent=parent, custom=True, inputs={})

    resources = [
        reg("dep", "airs:index:AirsDeployment"),
        reg("fw", "gcp:compute/instance:Instance", "dep"),
        reg("net", "gcp:compute/network:Network", "dep"),
        reg("sub-b", "gcp:compute/subnetwork:Subnetwork", "net"),
        reg("sub-a", "gcp:compute/subnetwork:Subnetwork", "net"),
        reg("orphan", "kubernetes:core/v1:Secret", "gone"),
    ]
    expected = ["dep", "fw", "net", "sub-a", "sub-b", "orphan"]
    rng = random.Random(7)
    for _ in range(20):
        shuffled = resources[:]
        rng.shuffle(shuffled)
        assert [r.urn for r in in_tree_order(shuffled)] == expected


def test_plan_says_who_receives_the_push(capsys: pytest.CaptureFixture[str]) -> None:
    """On-prem firewalls by serial; cloud firewalls by registering (issue 15, defect 1)."""
    assert main(["plan", "--stack", "rancher-prod"]) == 0
    out = capsys.readouterr().out
    assert (
        "Push: to firewall 007951000423456, 007951000423457 in template stack "
        "airs-rke-prod-stack and device group airs-rke-prod-dg" in out
    )
    assert main(["plan", "--stack", "aws-dev"]) == 0
    out = capsys.readouterr().out
    assert "Push: to the firewalls registered in template stack airs-aws-dev-stack" in out
    assert "(tplname/dgname)" in out
