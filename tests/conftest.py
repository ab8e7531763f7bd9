"""Fixtures every test gets."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _full_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """`airs plan` fits its lines to $COLUMNS, and pytest-xdist's workers export COLUMNS=80:
    tests read full lines unless they set it themselves (tests/cli/test_plan_width.py)."""
    monkeypatch.delenv("COLUMNS", raising=False)
