"""Fixtures: the example stacks' plans as the guardrail policies see them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from components.cli import policy, stackfile
from components.cli.engine import ProgramRun, run_program
from components.guardrails.model import PlannedResource
from tests.helpers import ROOT, plan_example

STACKS = ("gcp-dev", "azure-dev", "aws-dev", "rancher-prod")


@pytest.fixture(scope="session")
def planned() -> dict[str, list[PlannedResource]]:
    """Planned resources of a few example stacks (one per cloud, and a two-cluster stack)."""
    return {stack: policy.planned_resources(plan_example(stack)) for stack in STACKS}


def find(resources: list[PlannedResource], type_: str, suffix: str = "") -> PlannedResource:
    """The one resource of ``type_`` whose logical name ends with ``suffix``."""
    found = [r for r in resources if r.type == type_ and r.name.endswith(suffix)]
    assert len(found) == 1, f"{type_} *{suffix}: {[r.name for r in found]}"
    return found[0]


def edited(res: PlannedResource, path: tuple[Any, ...], value: Any) -> PlannedResource:
    """A copy of ``res`` with the input at ``path`` replaced (``DELETE`` removes it)."""

    def put(node: Any, keys: tuple[Any, ...]) -> Any:
        if isinstance(node, dict):
            copy: Any = dict(node)
        else:
            copy = list(node)
        if len(keys) == 1:
            if value is DELETE:
                del copy[keys[0]]
            else:
                copy[keys[0]] = value
        else:
            copy[keys[0]] = put(node[keys[0]], keys[1:])
        return copy

    return dataclasses.replace(res, props=put(res.props, path))


DELETE = object()


# Stacks the config accepts and the policy pack refuses (policy/README.md): each file's
# `# fires: <policy> <resource name>` header lines say what must fire, and nothing else may.
PACK_ONLY_DIR = Path(__file__).resolve().parent / "stacks"
PACK_ONLY_STACKS = sorted(
    p.name[len("Pulumi.") : -len(".yaml")] for p in PACK_ONLY_DIR.glob("Pulumi.*.yaml")
)


def pack_only_fires(stack: str) -> set[tuple[str, str]]:
    """``(policy, resource name)`` pairs a pack-only stack's header says fire."""
    text = (PACK_ONLY_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
    fires: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if line.startswith("# fires: "):
            policy_name, resource = line.removeprefix("# fires: ").split()
            fires.add((policy_name, resource))
    return fires


def plan_pack_only(stack: str) -> ProgramRun:
    """The mock engine's run of a pack-only stack (secrets opaque, as on a user's machine)."""
    project = dataclasses.replace(stackfile.find_project(ROOT), stack_config_dir=PACK_ONLY_DIR)
    return run_program(stackfile.load_stack(project, stack, decrypt=False))
