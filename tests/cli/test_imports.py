"""A stack loads only its own cloud's SDK (import time and memory are the main plan cost)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import ROOT, fresh_python

SDKS = ("pulumi_gcp", "pulumi_azure_native", "pulumi_aws")
EXPECTED = {
    "gcp": "pulumi_gcp",
    "azure": "pulumi_azure_native",
    "aws": "pulumi_aws",
    "private": None,
}

PROBE = """
import json, sys
from tests.helpers import plan_example
plan_example({stack!r})
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {sdks!r})))
"""


@pytest.mark.parametrize(
    ("stack", "cloud"),
    [("gcp-dev", "gcp"), ("azure-dev", "azure"), ("aws-dev", "aws"), ("openshift-dev", "private")],
)
def test_stack_imports_only_its_cloud_sdk(stack: str, cloud: str) -> None:
    loaded = json.loads(fresh_python(PROBE.format(stack=stack, sdks=set(SDKS))).splitlines()[-1])
    roots = {m.split(".")[0] for m in loaded}
    own = EXPECTED[cloud]
    assert roots == ({own} if own else set()), f"{stack} loaded {sorted(roots)}"


FREEZE_PROBE = """
import gc, sys
from components.cli import startup
before = gc.get_freeze_count()
paused = startup.pause_gc() and not gc.isenabled()
startup.freeze_heap()
frozen = gc.get_freeze_count()
import pulumi
startup.freeze_heap()
print(before, frozen, gc.get_freeze_count(), 'panos' in sys.modules, paused, gc.isenabled())
"""


def test_startup_heap_is_frozen_before_the_sdk_only() -> None:
    """`airs` freezes its own imports (pan-os-python…) once, never after the SDK is loaded."""
    before, frozen, after_sdk, panos, paused, enabled = (
        fresh_python(FREEZE_PROBE).splitlines()[-1].split()
    )
    assert int(before) == 0
    assert int(frozen) > 10_000  # our imports and pan-os-python
    assert int(after_sdk) <= int(frozen)  # with the SDK loaded: nothing more is frozen
    assert panos == "True"
    # Paused while our modules load, collecting again before the SDK loads.
    assert (paused, enabled) == ("True", "True")


def test_gc_state_is_restored_after_an_in_process_run() -> None:
    import gc

    from components.cli.main import main

    assert gc.isenabled()
    assert main(["--project", str(ROOT), "validate", "--stack", "openshift-dev"]) == 0
    assert gc.isenabled()
