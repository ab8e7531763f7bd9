"""Fixtures: the example stacks' plans as the guardrail policies see them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from components.cli import policy
from components.guardrails.model import PlannedResource
from tests.helpers import plan_example

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
