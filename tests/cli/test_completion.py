"""Issue 16, item 9: shell completion of `airs` (argcomplete), stack names from the stacks folder.

Each test asks the console script what the shell asks it on Tab: argcomplete's protocol is
the environment (``_ARGCOMPLETE``, ``COMP_LINE``, ``COMP_POINT``) in, the candidates out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE_STACKS, ROOT

BIN = Path(sys.executable).parent


def complete(line: str, tmp_path: Path, cwd: Path = ROOT) -> list[str]:
    """What Tab at the end of ``line`` offers."""
    answer = tmp_path / "candidates"
    done = subprocess.run(
        [str(BIN / "airs")],
        cwd=cwd,
        env={
            **os.environ,
            "_ARGCOMPLETE": "1",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return sorted(word.strip() for word in answer.read_text().split("\v") if word.strip())


def test_stack_completes_from_the_stacks_folder(tmp_path: Path) -> None:
    assert complete("airs plan --stack gcp-d", tmp_path) == ["gcp-dev"]
    assert complete("airs validate -s ", tmp_path) == sorted(EXAMPLE_STACKS)


def test_both_stacks_of_diff_complete(tmp_path: Path) -> None:
    expected = sorted(s for s in EXAMPLE_STACKS if s.startswith("aws-"))
    assert complete("airs diff aws-", tmp_path) == expected
    assert complete("airs diff aws-dev aws-", tmp_path) == expected


def test_stacks_dir_is_where_stacks_complete_from(tmp_path: Path) -> None:
    corpus = ROOT / "tests" / "bad_inputs"
    expected = sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in corpus.glob("Pulumi.gcp-typo-*.yaml")
    )
    assert expected
    line = f"airs --stacks-dir {corpus} validate --stack gcp-typo-"
    assert complete(line, tmp_path, cwd=tmp_path) == expected


def test_commands_and_flags_complete(tmp_path: Path) -> None:
    assert complete("airs val", tmp_path) == ["validate"]
    assert complete("airs plan --js", tmp_path) == ["--json"]


def test_outside_a_project_a_stack_completes_to_nothing(tmp_path: Path) -> None:
    assert complete("airs plan --stack ", tmp_path, cwd=tmp_path) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_hook_is_installed_with_the_package(shell: str) -> None:
    """README: `eval "$(.venv/bin/register-python-argcomplete airs)"`."""
    done = subprocess.run(
        [str(BIN / "register-python-argcomplete"), "--shell", shell, "airs"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "airs" in done.stdout
    assert "_ARGCOMPLETE" in done.stdout
