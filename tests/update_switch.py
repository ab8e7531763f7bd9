"""The switches that let a test rewrite the file it checks, and why CI may never use them.

``AIRS_UPDATE_GOLDEN=1`` rewrites the golden files (Panorama intent and XML, URNs) and
``AIRS_UPDATE_DOCS=1`` the generated parts of the docs (``docs/reliability.md``); the test
then compares the file with itself and passes, whatever the code does. That is for a person
reviewing the diff on their machine. Under CI it would turn every such check into a pass, so
there the switch refuses to act and fails the test with the reason (``.ci/run`` also refuses
to start with either set).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

SWITCHES = ("AIRS_UPDATE_GOLDEN", "AIRS_UPDATE_DOCS")
_NOT_CI = ("", "0", "false", "no")


def running_in_ci() -> bool:
    """Whether ``CI`` is set the way CI services set it (``true``, ``1``, a name)."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def update_requested(switch: str) -> bool:
    """Whether ``switch`` (one of :data:`SWITCHES`) asks this test to rewrite its file.

    Fails the test instead when CI is set: a rewrite there would pass any change unseen.
    """
    assert switch in SWITCHES, switch
    if os.environ.get(switch) != "1":
        return False
    if running_in_ci():
        pytest.fail(
            f"{switch}=1 under CI (CI={os.environ['CI']}): CI checks the golden and generated "
            "files and never rewrites them, or the check would pass whatever the code does; "
            f"rewrite them on your machine, review the diff, commit it, and unset {switch}",
            pytrace=False,
        )
    return True


def check_generated(path: Path, wanted: str, *, source: str, how: str) -> None:
    """Fail with a diff when the committed ``path`` differs from ``wanted`` (what ``source``
    gives now), saying ``how`` to rewrite it; with ``AIRS_UPDATE_DOCS=1``, rewrite it."""
    current = path.read_text(encoding="utf-8")
    if update_requested("AIRS_UPDATE_DOCS"):
        path.write_text(wanted, encoding="utf-8")
        return
    if wanted != current:
        name = f"docs/{path.name}"
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                f"{name} (committed)",
                f"{name} ({source})",
            )
        )
        pytest.fail(f"{how}:\n{diff}")
