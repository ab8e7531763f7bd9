"""Every emulator fault, run the same way: what must hold after it (nothing half-applied).

The same scenarios render the Panorama rows of docs/reliability.md
(tests/test_reliability_doc.py); here their observations are pinned.
"""

from __future__ import annotations

import pytest

from components.panorama.client import RetryPolicy
from tests.panorama.fault_scenarios import FAULTS, SHIPPED, Fault, run

BACKOFF = RetryPolicy(SHIPPED.retry_attempts, SHIPPED.retry_base_delay, SHIPPED.retry_max_delay)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.key for f in FAULTS])
def test_fault(fault: Fault) -> None:
    seen = run(fault)
    if fault.expect_ok:
        assert seen.error is None
    else:
        assert seen.error is not None
        assert fault.expect_says in seen.error
    assert seen.calls == fault.expect_calls
    assert seen.waits == [BACKOFF.delay(i) for i in range(1, fault.expect_waits + 1)]
    assert seen.commits == fault.expect_commits
    # Nothing half-applied: running is the whole previous or the whole new intent...
    assert seen.running == fault.expect_running
    # ...and our candidate changes are reverted unless the revert itself failed (and said so).
    assert (seen.pending == []) == fault.expect_clean
    if seen.error is not None and seen.commits == 0 and fault.expect_clean:
        assert seen.reverts == 1  # a partial revert of our admin's changes
    # Re-running the same up converges; it commits only what is not committed yet.
    assert seen.rerun_running == "new config"
    assert seen.rerun_pending == []
    assert seen.rerun_commits == (0 if fault.expect_commits else 1)
