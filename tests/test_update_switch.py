"""CI can never rewrite the golden or generated files it checks (tests/update_switch.py)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.helpers import ROOT, pytest_in_subprocess
from tests.update_switch import SWITCHES, update_requested


@pytest.mark.parametrize("switch", SWITCHES)
def test_switch_acts_off_ci_only(switch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(switch, raising=False)
    assert update_requested(switch) is False
    monkeypatch.setenv(switch, "1")
    assert update_requested(switch) is True
    monkeypatch.setenv("CI", "false")  # what some services set outside CI
    assert update_requested(switch) is True
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as refused:
        update_requested(switch)
    assert f"{switch}=1 under CI (CI=true): CI checks the golden and generated files" in str(
        refused.value
    )


def test_every_rewriting_test_asks_the_switch() -> None:
    """No test reads an update switch from the environment on its own (and so skips the CI
    refusal): each goes through update_requested."""
    direct = re.compile(r"environ[^\n]*AIRS_UPDATE_|getenv\([^\n]*AIRS_UPDATE_")
    readers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        # The switch itself, and this file, which sets the switches for a child run.
        if path.name not in ("update_switch.py", "test_update_switch.py")
        and direct.search(path.read_text(encoding="utf-8"))
    )
    assert readers == []
    askers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if 'update_requested("AIRS_UPDATE_' in path.read_text(encoding="utf-8")
    )
    assert len(askers) >= 5  # golden intent, XML, URNs; reliability and config docs


def test_golden_test_under_ci_fails_and_leaves_the_file() -> None:
    """The way it would happen: a golden test run with the switch set under CI fails with the
    reason, and the golden file is not rewritten."""
    golden = ROOT / "tests" / "panorama" / "golden" / "gcp.xml.txt"
    before = golden.read_bytes()
    run = pytest_in_subprocess(
        "tests/panorama/test_render.py",
        "golden_xml and gcp",
        {"CI": "true", "AIRS_UPDATE_GOLDEN": "1"},
    )
    assert run.returncode == 1, run.stdout
    assert "AIRS_UPDATE_GOLDEN=1 under CI (CI=true)" in run.stdout
    assert golden.read_bytes() == before


@pytest.mark.parametrize("switch", SWITCHES)
def test_ci_script_refuses_to_start_with_a_switch_set(switch: str) -> None:
    """`.ci/run` stops before it does anything (no lint, no install, no test)."""
    run = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), switch: "1"},
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == (
        f"CI refuses to run with {switch} set: it would rewrite the files the tests check\n"
    )
