"""``airs plan --policy``: the guardrail policies on the offline plan.

The mock engine's recording (:class:`components.cli.mocks.RecordingMonitor`) keeps every
registration's inputs with secrets still wrapped. This module turns them into the
:class:`components.guardrails.model.PlannedResource` view that the policy pack also builds, and runs
the same checks (:func:`components.guardrails.checks.evaluate`). URNs are the ones the real engine
gives (parent chain of types), so a violation names the resource as ``pulumi preview`` would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

from components.cli.engine import ProgramRun, engine_urn
from components.cli.mocks import is_secret, unwrap
from components.guardrails.checks import GUARDRAILS, evaluate
from components.guardrails.model import UNKNOWN, PlannedResource, PropertyPath, Violation


def _plain(value: Any, path: PropertyPath, secrets: set[PropertyPath]) -> Any:
    """``value`` with secrets unwrapped (their paths noted) and unknowns as ``UNKNOWN``.

    Keys starting with ``__`` are dropped, as the engine drops them before analysis.
    """
    if is_secret(value):
        secrets.add(path)
        return _plain(unwrap(value), path, secrets)
    if value is rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {
            str(k): _plain(v, (*path, str(k)), secrets)
            for k, v in value.items()
            if not str(k).startswith("__")
        }
    if isinstance(value, list | tuple):
        return [_plain(v, (*path, i), secrets) for i, v in enumerate(value)]
    return value


def planned_resources(run: ProgramRun) -> list[PlannedResource]:
    """Every registration of ``run`` as the policies see it."""
    by_urn = {r.urn: r for r in run.resources}

    def urn(mock_urn: str) -> str:
        reg = by_urn.get(mock_urn)
        return engine_urn(reg, by_urn, run.stack, run.project) if reg is not None else mock_urn

    out = []
    for reg in run.resources:
        secrets: set[PropertyPath] = set()
        props = _plain(reg.inputs, (), secrets)
        out.append(
            PlannedResource(
                urn=urn(reg.urn),
                type=reg.type,
                name=reg.name,
                props=props,
                secret_paths=frozenset(secrets),
                dependencies=frozenset(urn(d) for d in reg.dependencies),
            )
        )
    return out


def check(run: ProgramRun) -> list[Violation]:
    """Every guardrail violation in the offline plan."""
    return evaluate(planned_resources(run))


def format_violations(violations: list[Violation]) -> list[str]:
    """Lines for the terminal: a summary, then policy, resource URN and message per finding."""
    if not violations:
        return [f"Policies: no violation ({len(GUARDRAILS)} mandatory guardrails checked)"]
    lines = [f"Policies: {len(violations)} mandatory violation(s)"]
    for v in violations:
        lines += [f"  [{v.policy}] {v.urn}", f"      {v.message}"]
    return lines
