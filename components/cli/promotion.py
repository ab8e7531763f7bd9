"""``airs diff A B``: the promotion of stack A to stack B, as one comparison.

:func:`promote` plans both stacks (through the caller's loader), reads A's text as B's
(:mod:`components.cli.diff_reading`) and compares (:func:`components.cli.diff.compare`).
``airs diff A B`` prints the result; ``airs graph --diff A B`` colours a picture with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.cli import diff
from components.cli.diff_reading import promotion_reading
from components.cli.engine import ProgramRun

Loaded = Any
"""``(validated config, program run)`` of a stack, or an exit code (int)."""


def promote(
    load: Callable[[str], Loaded], stack_a: str, stack_b: str
) -> tuple[ProgramRun, diff.DiffResult] | int:
    """(B's program run, the differences A → B), or the exit code ``load`` returned.

    Args:
        load: plans one stack by name: ``(config, run)`` or an exit code.
        stack_a: the old stack.
        stack_b: the new stack.
    """
    runs = []
    for stack in (stack_a, stack_b):
        done = load(stack)
        if isinstance(done, int):
            return done
        runs.append(done)
    (cfg_a, run_a), (cfg_b, run_b) = runs
    # A's names, deployment id and the ids of resources both have, read as B's.
    reading = promotion_reading(run_a, run_b, cfg_a.name, cfg_b.name)
    old = diff.resources_of_run(run_a, reading, stack=run_b.stack)
    return run_b, diff.compare(old, diff.resources_of_run(run_b), reading)


def header(stack_a: str, stack_b: str, result: diff.DiffResult) -> tuple[str, dict[str, Any]]:
    """The first line of ``airs diff A B`` and the facts its ``--json`` starts with."""
    across = ", ".join(f"{a} → {b}" for a, b in result.read_as)
    read = f"read as {across}; " if across else ""
    line = f"Promoting {stack_a} to {stack_b} ({read}old = {stack_a}, new = {stack_b})"
    meta = {"from": stack_a, "to": stack_b, "readAs": [list(p) for p in result.read_as]}
    return line, meta
