"""`airs plan --policy`: quiet on every example stack, loud on a deliberately bad program."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components.cli import engine, policy
from components.cli.engine import run_program
from components.cli.main import EXIT_POLICY_VIOLATION, main
from components.cli.stackfile import StackSettings
from tests.helpers import EXAMPLE_STACKS, ROOT, load_example
from tests.policy.bad_program import BAD, bad_program
from tests.policy.conftest import PACK_ONLY_DIR, PACK_ONLY_STACKS, pack_only_fires


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_examples_report_no_violation(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--project", str(ROOT), "plan", "--stack", stack, "--policy"]
    security_stack = load_example(stack).config.get("airs:securityStack")
    if security_stack:  # a layered cluster stack reads its security stack's saved plan
        saved = tmp_path / "security.json"
        assert (
            main(["--project", str(ROOT), "plan", "--stack", security_stack, "--json", str(saved)])
            == 0
        )
        args += ["--stack-outputs", str(saved)]
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Policies: no violation (7 mandatory guardrails checked)" in out


def test_bad_program_reports_each_guardrail() -> None:
    run = run_program(StackSettings(stack="bad", config={}, secret_keys=[]), program=bad_program)
    flagged: dict[str, set[str]] = defaultdict(set)
    for violation in policy.check(run):
        flagged[violation.policy].add(violation.urn.rsplit("::", 1)[-1])
        assert violation.urn.startswith("urn:pulumi:bad::airs::")
    assert dict(flagged) == BAD


def test_violations_print_and_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real stack whose program also registers a provider with a plaintext kubeconfig."""
    real_run_program = engine.run_program

    def program() -> None:
        from components.program import main as program_main

        program_main()
        k8s.Provider("extra-k8s", kubeconfig="apiVersion: v1\nkind: Config\n")

    def run_with_extra(settings: StackSettings, **kwargs: Any) -> engine.ProgramRun:
        return real_run_program(settings, **kwargs, program=program)

    monkeypatch.setattr(engine, "run_program", run_with_extra)
    code = main(["--project", str(ROOT), "plan", "--stack", "openshift-dev", "--policy"])
    out = capsys.readouterr().out
    assert code == EXIT_POLICY_VIOLATION == 4
    assert "Policies: 1 mandatory violation(s)" in out
    assert "[sensitive-values-are-secret] urn:pulumi:openshift-dev::airs::" in out
    assert "pulumi:providers:kubernetes::extra-k8s" in out
    assert "kubeconfig (kubeconfig) is not a Pulumi secret" in out
    assert "kind: Config" not in out  # the offending value itself is never printed


def test_plan_without_policy_does_not_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(ROOT), "plan", "--stack", "openshift-dev"]) == 0
    assert "Policies:" not in capsys.readouterr().out


def test_help_documents_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the epilog
    assert "4 plan --policy: a mandatory guardrail policy fired" in text
    assert main(["plan", "--help"]) == 0
    assert "--policy" in capsys.readouterr().out


def test_secret_values_in_the_plan_are_seen_as_secret() -> None:
    """The offline view marks exactly the inputs the SDK sent as secrets."""
    run = run_program(StackSettings(stack="bad", config={}, secret_keys=[]), program=bad_program)
    by_name = {r.name: r for r in policy.planned_resources(run)}
    assert by_name["bad-b-k8s"].secret_paths == frozenset({("kubeconfig",)})
    assert by_name["bad-a-k8s"].secret_paths == frozenset()
    assert by_name["bad-b-k8s"].props["kubeconfig"] == "apiVersion: v1\nkind: Config\n"


def test_a_pack_only_stack_exists() -> None:
    assert PACK_ONLY_STACKS  # exit 4 must be reachable from a stack file


@pytest.mark.parametrize("stack", PACK_ONLY_STACKS)
def test_pack_only_stack_is_valid_config_and_exits_4(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What policy/README.md shows: `airs validate` accepts the stack (the config layer does
    not enforce this policy), and `airs plan --policy` on it exits 4 naming what fired."""
    common = ["--project", str(ROOT), "--stacks-dir", str(PACK_ONLY_DIR)]
    assert main([*common, "validate", "--stack", stack]) == 0
    capsys.readouterr()
    assert main([*common, "plan", "--stack", stack]) == 0  # without --policy: a plan, exit 0
    assert "Policies:" not in capsys.readouterr().out
    assert main([*common, "plan", "--stack", stack, "--policy"]) == EXIT_POLICY_VIOLATION
    out = capsys.readouterr().out
    fires = pack_only_fires(stack)
    assert fires
    assert f"Policies: {len(fires)} mandatory violation(s)" in out
    seen = {
        (line.split("]")[0].strip(" ["), line.rsplit("::", 1)[-1])
        for line in out.splitlines()
        if line.startswith("  [")
    }
    assert seen == fires
