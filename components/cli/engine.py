"""Run the real program under Pulumi's mock engine and collect what it registered."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.cli.event_loops import OwnedLoops
from components.cli.mocks import AirsMocks, RecordingMonitor, Registration
from components.cli.stack_outputs import StackOutputs
from components.cli.stackfile import Project, StackSettings, load_stack


@dataclass
class SecretValue:
    """A resolved stack output that Pulumi holds as a secret (never printed)."""

    value: Any

    def __repr__(self) -> str:
        return "[secret]"


@dataclass
class ProgramRun:
    """Everything one offline run of the program produced."""

    stack: str
    project: str
    resources: list[Registration]
    outputs: dict[str, Any]
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    mock_values: frozenset[str] = frozenset()
    """Strings the mock engine made up (ids, ARNs, addresses) that are no config value."""


def children_by_parent(resources: Sequence[Registration]) -> dict[str | None, list[Registration]]:
    """Each parent URN's children, in the given order; top-level resources under None."""
    urns = {r.urn for r in resources}
    by_parent: dict[str | None, list[Registration]] = {}
    for r in resources:
        by_parent.setdefault(r.parent if r.parent in urns else None, []).append(r)
    return by_parent


def in_tree_order(resources: Sequence[Registration]) -> list[Registration]:
    """Parents before their children, siblings by type then name.

    The SDK sends registrations from a thread pool, so the order they arrive in changes
    from run to run; a plan people diff must not.
    """
    children = children_by_parent(resources)
    ordered: list[Registration] = []

    def visit(parent: str | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.type, r.name, r.urn)):
            ordered.append(r)
            visit(r.urn)

    visit(None)
    return ordered


def _program() -> None:
    from components.program import main

    main()


async def _resolve_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, value in outputs.items():
        out = pulumi.Output.from_input(value)
        result = await out.future(with_unknowns=True)
        secret = await out.is_secret()
        resolved[key] = SecretValue(result) if secret else result
    return resolved


def _config_strings(config: Mapping[str, str]) -> set[str]:
    """Every string of the stack config, inside objects too: a mock answer that repeats
    one (a zone, a region) is no made-up value."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None and not isinstance(value, bool):
            found.add(str(value))

    for text in config.values():
        with contextlib.suppress(ValueError):  # a plain string, not JSON
            walk(json.loads(text))
        found.add(text)
    return found


def run_program(
    settings: StackSettings,
    *,
    project: str = "airs",
    program: Callable[[], None] = _program,
    stack_outputs: Sequence[StackOutputs] = (),
) -> ProgramRun:
    """Run ``program`` (by default the same ``main`` as ``__main__.py``) with mocks.

    Each call gets a fresh event loop and fresh runtime state, so runs do not leak into
    each other. Exceptions from the program propagate unchanged. ``stack_outputs`` answer
    the program's stack references (a layered cluster stack's ``airs:securityStack``).
    """
    # Outputs used in f-strings must be an error, never a silent warning text.
    os.environ.setdefault("PULUMI_ERROR_OUTPUT_STRING", "true")
    loop = asyncio.new_event_loop()
    # The worker threads' loops too are closed at the end (event_loops.py says why).
    loops = OwnedLoops(loop)
    asyncio.set_event_loop(loop)
    try:
        mocks = AirsMocks(stack_outputs)
        monitor = RecordingMonitor(mocks)
        runtime_settings.reset_options(project=project, stack=settings.stack, preview=False)
        pulumi.runtime.set_all_config(dict(settings.config), list(settings.secret_keys))
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=settings.stack, preview=False, monitor=monitor
        )
        _sync_await(run_pulumi_func(program))
        root = runtime_settings.get_root_resource()
        raw_outputs: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
        outputs = _sync_await(_resolve_outputs(raw_outputs))
        return ProgramRun(
            stack=settings.stack,
            project=project,
            resources=in_tree_order(monitor.registrations),
            outputs=outputs,
            invokes=list(mocks.invokes),
            mock_values=frozenset(mocks.computed - _config_strings(settings.config)),
        )
    finally:
        runtime_settings.ROOT.set(None)
        pulumi.runtime.set_all_config({}, [])
        asyncio.set_event_loop(None)
        loops.close()


def run_stack(project: Project, stack: str) -> ProgramRun:
    """The offline run of one of ``project``'s stacks, secrets kept opaque.

    A layered cluster stack (``airs:securityStack``) reads the outputs of its security
    stack's offline run, as ``airs plan --stack-outputs`` would.
    """
    settings = load_stack(project, stack, decrypt=False)
    reference = settings.config.get("airs:securityStack")
    outputs = [outputs_of_run(run_stack(project, reference))] if reference else []
    return run_program(settings, project=project.name, stack_outputs=outputs)


def engine_urn(
    reg: Registration, by_urn: Mapping[str, Registration], stack: str, project: str
) -> str:
    """The URN the real engine gives ``reg``: its parents' types joined by ``$``.

    The mock monitor only keeps the immediate parent's type; the engine keeps the whole
    chain below the stack, which is what ``pulumi stack export`` holds.
    """
    types = [reg.type]
    parent = by_urn.get(reg.parent or "")
    while parent is not None:
        types.append(parent.type)
        parent = by_urn.get(parent.parent or "")
    return f"urn:pulumi:{stack}::{project}::{'$'.join(reversed(types))}::{reg.name}"


def outputs_of_run(run: ProgramRun) -> StackOutputs:
    """The outputs of an offline run, as its cluster stacks would read them (tests, helpers)."""
    return StackOutputs(
        project=run.project,
        stack=run.stack,
        values={k: v.value if isinstance(v, SecretValue) else v for k, v in run.outputs.items()},
        secret_names=frozenset(k for k, v in run.outputs.items() if isinstance(v, SecretValue)),
        source=f"offline plan of {run.stack}",
    )
