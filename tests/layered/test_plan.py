"""Layered stacks under the mock engine: a cluster stack planned from its security stack's
saved plan or stack export (`--stack-outputs`), and what it does and does not register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from components.cli import stack_outputs
from components.cli.engine import outputs_of_run
from components.cli.main import main
from components.cli.mocks import AirsMocks, is_secret, unwrap
from components.run_errors import InvalidStackConfig
from tests.helpers import ROOT, example_values, load_example, one, plan_example, settings_from

ARGS = ["--project", str(ROOT)]
RELEASE = "kubernetes:helm.sh/v3:Release"
SIG, SECRET_SIG = rpc._special_sig_key, rpc._special_secret_sig


@pytest.fixture(scope="module")
def security_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`airs plan --json` of the example security stack."""
    path = tmp_path_factory.mktemp("layered") / "gcp-security-dev.json"
    assert main([*ARGS, "plan", "--stack", "gcp-security-dev", "--json", str(path)]) == 0
    return path


def _plan(stack: str, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / f"{stack}.json"
    code = main([*ARGS, "plan", "--stack", stack, "--json", str(out), *extra])
    return code, json.loads(out.read_text()) if out.exists() else {}


def _export(plan: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `pulumi stack export` of the security stack, with the plan's (or given) outputs."""
    stack, project = plan["stack"], plan["project"]
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2025-01-01T00:00:00Z", "version": "v3.150.0"},
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:x:y"}},
            "resources": [
                {
                    "urn": f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}",
                    "custom": False,
                    "type": "pulumi:pulumi:Stack",
                    "outputs": outputs if outputs is not None else plan["outputs"],
                }
            ],
        },
    }


def test_ilb_ip_and_trust_cidr_flow_into_the_helm_release(
    security_plan: Path, tmp_path: Path
) -> None:
    security = json.loads(security_plan.read_text())
    code, plan = _plan("gcp-apps-dev", tmp_path, "--stack-outputs", str(security_plan))
    assert code == 0
    (release,) = [r for r in plan["resources"] if r["type"] == RELEASE]
    values = release["inputs"]["values"]
    assert values["endpoints"] == [{"ip": security["outputs"]["loadBalancerIp"]}]
    assert values["endpoints"] == [{"ip": "10.30.2.253"}]
    assert values["fwtrustcidr"] == security["outputs"]["trustCidr"] == "10.30.2.0/24"
    assert values["clusterid"] == 11
    assert plan["outputs"]["securityStack"] == "gcp-security-dev"
    # The Helm objects really render with those values.
    slices = [m for m in plan["helm"]["manifests"] if m["kind"] == "EndpointSlice"]
    assert [e["addresses"] for e in slices[0]["endpoints"]] == [["10.30.2.253"]]


def test_cluster_stack_registers_no_security_project(security_plan: Path, tmp_path: Path) -> None:
    code, plan = _plan("gcp-ml-dev", tmp_path, "--stack-outputs", str(security_plan))
    assert code == 0
    types = {r["type"] for r in plan["resources"]}
    assert not [t for t in types if t.startswith(("gcp:", "pulumi:providers:gcp"))], types
    assert not [t for t in types if "SecurityProject" in t or "ApplicationConnection" in t]
    (reference,) = [r for r in plan["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert reference["read"] is True
    assert reference["inputs"] == {"id": "gcp-security-dev"}
    # Panorama: only the cluster's plugin entries, notifying the security stack's group.
    kinds = sorted(
        p["xpath"].split("/plugins/kubernetes/")[1].split("/entry")[0] for p in plan["panorama"]
    )
    assert kinds == ["monitoring-definition", "setup/cluster-credentials"]
    (monitoring,) = [p for p in plan["panorama"] if "monitoring-definition" in p["xpath"]]
    assert "<notify-group>airs-gcp-sec-dev-notify</notify-group>" in monitoring["element"]
    (commit,) = [r for r in plan["resources"] if r["type"].endswith("panorama:Commit")]
    assert commit["inputs"]["push"] is False
    assert commit["inputs"]["device_group"] == "airs-gcp-sec-dev-dg"
    objects = [r for r in plan["resources"] if r["type"].endswith("panorama:Object")]
    assert sorted(o["inputs"]["kind"] for o in objects) == ["k8s-cluster", "k8s-monitoring"]


def test_security_stack_sets_up_the_plugin_for_its_cluster_stacks(security_plan: Path) -> None:
    plan = json.loads(security_plan.read_text())
    xpaths = [p["xpath"] for p in plan["panorama"]]
    assert any(x.endswith("/plugins/kubernetes/setup/general") for x in xpaths)
    (group,) = [p for p in plan["panorama"] if "/setup/notify-group/" in p["xpath"]]
    assert "<member>airs-gcp-sec-dev-dg</member>" in group["element"]
    assert not [x for x in xpaths if "cluster-credentials" in x]
    assert not [r for r in plan["resources"] if r["type"] == RELEASE]


def test_plan_from_a_stack_export(security_plan: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_export(json.loads(security_plan.read_text()))))
    from_export = _plan("gcp-apps-dev", tmp_path, "--stack-outputs", str(export))
    from_plan = _plan("gcp-apps-dev", tmp_path, "--stack-outputs", str(security_plan))
    assert from_export[0] == from_plan[0] == 0
    # Same resources with the same inputs (registration order may differ between runs).
    by_urn = [
        sorted(p["resources"], key=lambda r: r["urn"]) for p in (from_export[1], from_plan[1])
    ]
    assert by_urn[0] == by_urn[1]


def _run_with(doc: dict[str, Any], tmp_path: Path) -> Any:
    from components.cli.engine import run_program

    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(doc))
    return run_program(load_example("gcp-apps-dev"), stack_outputs=[stack_outputs.load(path)])


def test_secret_outputs_stay_secret(security_plan: Path, tmp_path: Path) -> None:
    plan = json.loads(security_plan.read_text())
    outputs = dict(plan["outputs"])
    # `pulumi stack export --show-secrets` writes a secret's JSON-encoded plaintext.
    outputs["trustCidr"] = {SIG: SECRET_SIG, "plaintext": json.dumps("10.30.2.0/24")}
    run = _run_with(_export(plan, outputs), tmp_path)
    release = one(run, RELEASE)
    values = release.inputs["values"]
    assert is_secret(values)
    assert unwrap(values)["fwtrustcidr"] == "10.30.2.0/24"
    assert unwrap(values)["endpoints"] == [{"ip": "10.30.2.253"}]


def test_encrypted_secret_outputs_stay_opaque_and_secret(
    security_plan: Path, tmp_path: Path
) -> None:
    plan = json.loads(security_plan.read_text())
    outputs = dict(plan["outputs"])
    outputs["loadBalancerIp"] = {SIG: SECRET_SIG, "ciphertext": "v1:abc:def"}
    loaded = stack_outputs.outputs_of_file(_export(plan, outputs), "export")
    assert loaded.secret_names == {"loadBalancerIp"}
    assert loaded.values["loadBalancerIp"] == "[secret]"
    run = _run_with(_export(plan, outputs), tmp_path)
    values = one(run, RELEASE).inputs["values"]
    assert is_secret(values)


def test_a_saved_plan_marks_masked_outputs_secret(security_plan: Path) -> None:
    plan = json.loads(security_plan.read_text())
    plan["outputs"]["networks"] = {"trust": "[secret]", "mgmt": "x"}
    loaded = stack_outputs.outputs_of_file(plan, "plan.json")
    assert loaded.secret_names == {"networks"}
    assert (loaded.project, loaded.stack) == ("airs", "gcp-security-dev")


def test_non_secret_outputs_stay_plain(security_plan: Path, tmp_path: Path) -> None:
    run = _run_with(json.loads(security_plan.read_text()), tmp_path)
    assert not is_secret(one(run, RELEASE).inputs["values"])


def test_missing_stack_outputs_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "plan", "--stack", "gcp-apps-dev"]) == 2
    err = capsys.readouterr().err
    assert "security stack gcp-security-dev (airs:securityStack)" in err
    assert "--stack-outputs FILE" in err
    assert "Traceback" not in err


def test_outputs_of_another_stack_exit_2(
    security_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = json.loads(security_plan.read_text())
    other["stack"] = "gcp-security-prod"
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(other))
    assert main([*ARGS, "plan", "--stack", "gcp-apps-dev", "--stack-outputs", str(path)]) == 2
    assert f"(given: airs/gcp-security-prod ({path}))" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"neither": 1}', "not a saved `airs plan --json` nor a `pulumi stack export` file"),
        ('{"deployment": {"resources": []}}', "holds one pulumi:pulumi:Stack resource (found 0)"),
        ('{"resources": [], "outputs": []}', "a saved plan without `stack` and `outputs`"),
    ],
)
def test_garbled_outputs_file_exit_2(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbled.json"
    path.write_text(content)
    assert main([*ARGS, "plan", "--stack", "gcp-apps-dev", "--stack-outputs", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --stack-outputs {path}: ")
    assert message in err


def test_unreadable_outputs_file_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plan", "--stack", "gcp-apps-dev", "--stack-outputs", "/nonexistent/x.json"]
    assert main([*ARGS, *args]) == 2
    assert "error: --stack-outputs /nonexistent/x.json: " in capsys.readouterr().err


def test_outputs_that_disagree_exit_2_naming_the_key(
    security_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = json.loads(security_plan.read_text())
    plan["outputs"]["applications"]["app-vpc"]["cidrs"] = ["10.31.0.0/16"]
    path = tmp_path / "narrow.json"
    path.write_text(json.dumps(plan))
    assert main([*ARGS, "plan", "--stack", "gcp-apps-dev", "--stack-outputs", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" — ")[0] for line in lines] == [
        "airs:clusters.apps.podCidr: 10.32.0.0/14",
        "airs:clusters.apps.serviceCidr: 10.36.0.0/20",
    ]


def test_interval_read_through_the_reference(
    security_plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Numbers cross the engine as doubles; the message still says 60, not 60.0.
    plan = json.loads(security_plan.read_text())
    plan["outputs"]["panoramaMonitoringInterval"] = 60
    path = tmp_path / "interval.json"
    path.write_text(json.dumps(plan))
    # gcp-ml-dev's cluster sets no interval: it inherits the security stack's 60 s.
    assert main([*ARGS, "plan", "--stack", "gcp-ml-dev", "--stack-outputs", str(path)]) == 0
    capsys.readouterr()
    # A cluster that sets another interval is refused, naming the security stack's.
    text = (ROOT / "stacks" / "Pulumi.gcp-ml-dev.yaml").read_text()
    anchor = "      clusterId: 12\n"
    assert anchor in text
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.gcp-ml-dev.yaml").write_text(
        text.replace(anchor, anchor + "      monitoringInterval: 30\n")
    )
    args = [*ARGS, "--stacks-dir", str(stacks), "plan", "--stack", "gcp-ml-dev"]
    assert main([*args, "--stack-outputs", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("airs:clusters.inference.monitoringInterval: 30 — must be 60, ")


def test_disagreeing_outputs_register_nothing_but_the_reference(
    security_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    answer = AirsMocks.new_resource

    def record(self: AirsMocks, args: Any) -> Any:
        if args.custom is not False:
            seen.append(args.typ)
        return answer(self, args)

    monkeypatch.setattr(AirsMocks, "new_resource", record)
    plan = json.loads(security_plan.read_text())
    plan["outputs"]["cloud"] = "azure"
    with pytest.raises(InvalidStackConfig) as info:
        _run_with(plan, tmp_path)
    assert [str(p) for p in info.value.problems] == [
        "airs:cloud: gcp — must be the security stack's cloud (azure)"
    ]
    assert seen == ["pulumi:pulumi:StackReference"]


@pytest.mark.parametrize("reference", ["loop", "acme/airs/loop"])
def test_a_stack_cannot_reference_itself(reference: str) -> None:
    from components.cli.engine import run_program

    values, secret = example_values("gcp-apps-dev")
    values["securityStack"] = reference
    settings = settings_from(values, secret, stack="loop")
    with pytest.raises(InvalidStackConfig) as info:
        run_program(settings)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"airs:securityStack: {reference} — names this stack itself")


def test_render_takes_stack_outputs(
    security_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["render", "--stack", "gcp-ml-dev", "--stack-outputs", str(security_plan)]
    assert main([*ARGS, *args, "--panorama"]) == 0
    out = capsys.readouterr().out
    assert out.count("# k8s-") == 2
    assert "<notify-group>airs-gcp-sec-dev-notify</notify-group>" in out
    assert main([*ARGS, *args, "--helm"]) == 0
    assert "10.30.2.253" in capsys.readouterr().out
    assert main([*ARGS, "render", "--stack", "gcp-ml-dev", "--helm"]) == 2


def test_diff_between_two_cluster_stacks(
    security_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", "gcp-apps-dev", "gcp-ml-dev", "--stack-outputs", str(security_plan)]
    assert main([*ARGS, *args]) == 3
    out = capsys.readouterr().out
    # Different cluster keys (apps, inference): one release removed (under A's own name),
    # the other added.
    assert "- kubernetes:helm.sh/v3:Release  airs-gcp-apps-dev-apps-pan-cni" in out
    assert "+ kubernetes:helm.sh/v3:Release  airs-gcp-ml-dev-inference-pan-cni" in out
    assert main([*ARGS, "diff", "gcp-apps-dev", "gcp-ml-dev"]) == 2


def test_plan_example_helper_resolves_the_reference() -> None:
    run = plan_example("gcp-apps-dev")
    assert run.outputs["securityStack"] == "gcp-security-dev"
    assert one(run, RELEASE).inputs["values"]["endpoints"] == [{"ip": "10.30.2.253"}]


def test_aws_endpoints_per_zone_flow_from_the_security_stack() -> None:
    from components.cli.engine import run_program

    security = plan_example("aws-dev")
    endpoints = security.outputs["applications"]["app-vpc"]["endpoints"]
    assert [e["zone"] for e in endpoints] == ["us-east-1a", "us-east-1b"]
    aws, _ = example_values("aws-dev")
    values = {
        "cloud": "aws",
        "name": "aws-edge-dev",
        "securityStack": "aws-dev",
        "panorama": {"hostname": aws["panorama"]["hostname"], "username": "edge"},
        "panoramaApiKey": "k",
        "clusters": {
            "edge": {
                "type": "EKS",
                "clusterId": 42,
                "panoramaName": "eks-edge-dev",
                "apiServer": "https://198.51.100.60",
                "podCidr": "10.80.64.0/18",
                "serviceCidr": "172.21.0.0/16",
                "context": "eks-edge",
                "application": "app-vpc",
                "zones": ["us-east-1b"],
                "protect": {"ai": "vpc"},
            }
        },
    }
    settings = settings_from(values, {"panoramaApiKey"}, stack="aws-edge-dev")
    run = run_program(settings, stack_outputs=[outputs_of_run(security)])
    release = one(run, RELEASE)
    assert release.inputs["values"]["endpoints"] == [
        {"ip": endpoints[1]["ip"], "zone": "us-east-1b"}
    ]
    assert not [r for r in run.resources if r.type.startswith("aws:")]
