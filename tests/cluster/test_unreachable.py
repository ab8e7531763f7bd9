"""Pins what the cluster side does when the cluster's API server is unreachable.

The same cases render the cluster rows of docs/reliability.md (tests/test_reliability_doc.py).
"""

from __future__ import annotations

import pytest

from tests.cluster.unreachable import CASES, Case, run


def _case(key: str) -> Case:
    return next(c for c in CASES if c.key == key)


def test_offline_plan_never_contacts_the_cluster() -> None:
    seen = run(_case("plan-offline"))
    assert seen.facts == {"exit": 0, "release": True, "token read": True}
    assert seen.connections == []


def test_first_preview_defers_the_token_read_and_contacts_nothing() -> None:
    seen = run(_case("first-preview"))
    # The read's id derives from the release's status: unknown before the release exists,
    # and the engine skips a read with an unknown id in a preview (no "not found" failure).
    assert seen.facts == {
        "read id": True,
        "plugin entry credential": True,
        "commit credential": True,
    }
    assert seen.connections == []


def test_restart_preview_answers_without_the_cluster() -> None:
    seen = run(_case("restart-preview"))
    assert seen.facts == {"same": False, "other": ["namespace"]}
    assert seen.connections == []


def test_restart_create_fails_once_naming_the_call_then_converges() -> None:
    seen = run(_case("restart-create"))
    assert not seen.ok
    assert seen.result.startswith("fails: GET /apis/apps/v1/namespaces/ai-apps/deployments: ")
    assert "Connection refused" in seen.result
    assert seen.connections == [("127.0.0.1", 9)]  # one attempt: no retry
    assert seen.facts["restarted"] == ["deployments/web", "deployments/api", "statefulsets/db"]


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_every_case_has_a_row(case: Case) -> None:
    row = run(case).row()
    assert row.result
    assert row.calls.endswith("connection(s) to the cluster")
