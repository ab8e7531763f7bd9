"""A stack loads only its own cloud's SDK (import time and memory are the main plan cost)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT

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
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(stack=stack, sdks=set(SDKS))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    roots = {m.split(".")[0] for m in loaded}
    own = EXPECTED[cloud]
    assert roots == ({own} if own else set()), f"{stack} loaded {sorted(roots)}"
