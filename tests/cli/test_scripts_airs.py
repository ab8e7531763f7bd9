"""`scripts/airs` runs where it is called: relative paths are the caller's (issue 16).

It used to `cd` into the project first, so `scripts/airs plan --json plan.json` run from
another folder wrote into the repository instead.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import ROOT

AIRS = ROOT / "scripts" / "airs"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_CONFIG_PASSPHRASE"}
    return subprocess.run(
        [str(AIRS), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_relative_json_path_is_the_callers(tmp_path: Path) -> None:
    done = _run(tmp_path, "plan", "--stack", "gcp-dev", "--json", "plan.json")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plan.json").is_file()
    assert not (ROOT / "plan.json").exists()


def test_inside_the_project_it_finds_the_project_itself() -> None:
    done = _run(ROOT / "docs", "validate", "--stack", "gcp-dev")
    assert done.returncode == 0, done.stderr
    assert "stack gcp-dev: configuration valid" in done.stdout
