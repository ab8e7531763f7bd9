"""The engine tier's gate: skipped with one line on a fresh clone, a failure where CI needs it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT


def _engine_tier(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-rsE",
            "tests/engine/test_stacks.py",
            "-k",
            "config_error",
        ],
        cwd=ROOT,
        env={**os.environ, "AIRS_ENGINE_BIN": str(tmp_path / "no-engine"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_without_engine_the_tier_is_skipped_with_its_reason(tmp_path) -> None:
    result = _engine_tier(tmp_path, AIRS_ENGINE_TIER="")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout
    assert "engine tier: pulumi, pulumi-language-python" in result.stdout
    assert "(build with scripts/engine)" in result.stdout


def test_where_required_a_missing_engine_fails(tmp_path) -> None:
    result = _engine_tier(tmp_path, AIRS_ENGINE_TIER="required")
    assert result.returncode != 0
    assert "AIRS_ENGINE_TIER=required" in result.stdout
