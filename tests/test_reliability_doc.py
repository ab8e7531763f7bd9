"""docs/reliability.md's fault matrix is generated from observed behaviour and kept current.

This test runs every Panorama fault scenario (tests/panorama/fault_scenarios.py) and every
unreachable-cluster case (tests/cluster/unreachable.py) itself, so it needs no other test's
results (it works the same under ``pytest -n 2``), renders the rows, and compares them with
the committed document. After a deliberate change in behaviour:

    AIRS_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_reliability_doc.py
    git diff docs/reliability.md
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from tests import fault_matrix
from tests.cluster import unreachable
from tests.panorama import fault_scenarios
from tests.panorama.emulator import Faults
from tests.update_switch import check_generated


def observed_rows() -> list[fault_matrix.Row]:
    """Every matrix row, each from a fresh run of its scenario."""
    rows = [fault_scenarios.run(fault).row() for fault in fault_scenarios.FAULTS]
    rows += [unreachable.run(case).row() for case in unreachable.CASES]
    return rows


def test_reliability_doc_matches_observed_behaviour() -> None:
    current = fault_matrix.DOC.read_text(encoding="utf-8")
    check_generated(
        fault_matrix.DOC,
        fault_matrix.splice(current, fault_matrix.render(observed_rows())),
        source="observed now",
        how="docs/reliability.md no longer matches what the code does; review and rewrite it "
        "with AIRS_UPDATE_DOCS=1",
    )


def test_splice_replaces_only_the_generated_block() -> None:
    doc = f"intro\n{fault_matrix.BEGIN}\nold\n{fault_matrix.END}\noutro\n"
    new = fault_matrix.splice(doc, f"{fault_matrix.BEGIN}\nnew\n{fault_matrix.END}")
    assert new == f"intro\n{fault_matrix.BEGIN}\nnew\n{fault_matrix.END}\noutro\n"
    with pytest.raises(ValueError, match="has no line"):
        fault_matrix.splice("no markers", "x")


def test_every_emulator_fault_has_a_scenario() -> None:
    """The matrix covers every switch of the emulator's ``Faults``: a new one needs a row.

    Each scenario's ``arm`` is run against a stand-in lab and the switches it changed are
    collected; ``timeout_delay`` is how late a timed-out answer comes, not a fault itself.
    """
    default = Faults()
    armed: set[str] = set()
    for fault in fault_scenarios.FAULTS:
        client = SimpleNamespace()
        lab = SimpleNamespace(
            emu=SimpleNamespace(faults=Faults()),
            client=lambda c=client: c,
            reconfigure=lambda api_key: None,  # the wrong-key scenario arms no switch
        )
        fault.arm(lab)  # type: ignore[arg-type]
        armed |= {
            f.name
            for f in dataclasses.fields(Faults)
            if getattr(lab.emu.faults, f.name) != getattr(default, f.name)
        }
    switches = {f.name for f in dataclasses.fields(Faults)} - {"timeout_delay"}
    assert switches - armed == set(), "emulator faults without a scenario in the matrix"
