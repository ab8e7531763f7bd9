"""Validation scaling: ``airs validate`` on stacks with 300, 1,000 and 3,000 applications.

Issue 16, item 10: validation time grew with the square of the number of applications
(0.57 s for 300, 4.65 s for 1,000, 38.8 s for 3,000), because the overlap rule compared every
pair of ranges. The target is linear growth and **1,000 applications validated in under
1 s** — the whole ``airs validate`` command, as a user runs it: interpreter start, imports,
reading the stack file and every rule.

The stacks are built in code from an example stack (``gcp-dev`` by default): its first
application is copied N times, each copy with its own key (``app-0000``…), network name or id
and a /24 of 10.0.0.0/8 that overlaps nothing the base stack uses (security side, clusters);
AWS copies get their own subnet ids and GWLB endpoint subnets, Azure copies their own VNet and
subnet ids. The base stack's clusters stay as they are, those of the copied application moved
to ``app-0000``. Every stack passes validation (tests/test_benchmarks_smoke.py), so the
figures are those of a valid stack: every rule runs to the end.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measure import (
    BenchmarkError,
    Figure,
    Sample,
    airs_command,
    run_measured,
)
from benchmarks.scaling import (
    Linearity,
    _application,
    _cidrs_in,
    free_blocks,
    linearity,
    load_stack_document,
    write_project,
)

VALIDATION_COUNTS = (300, 1000, 3000)
"""The sizes of the issue's report."""
TARGET_APPLICATIONS = 1000
MAX_VALIDATE_SECONDS = 1.0
"""Target: ``airs validate`` of a stack with :data:`TARGET_APPLICATIONS` applications."""
DEFAULT_BASE = "gcp-dev"
APPLICATION_POOL = ("10.0.0.0/8", 24)


def validation_stack(base: dict[str, Any], applications: int) -> dict[str, Any]:
    """A copy of stack document ``base`` whose first application is copied ``applications`` times.

    Raises:
        ValueError: ``applications`` below 1, or the base stack has no application.
    """
    if applications < 1:
        raise ValueError("applications must be at least 1")
    doc = copy.deepcopy(base)
    config: dict[str, Any] = doc["config"]
    cloud = str(config["airs:cloud"])
    templates: dict[str, Any] = config.get("airs:applications") or {}
    if not templates:
        raise ValueError("the base stack needs at least one application")
    template = next(iter(templates.values()))
    taken = list(_cidrs_in(config.get("airs:securityProject")))
    taken += _cidrs_in(config.get("airs:firewall"))
    taken += _cidrs_in(config.get("airs:clusters"))
    zones = list((config.get("airs:securityProject") or {}).get("zones") or [])
    blocks = free_blocks(*APPLICATION_POOL, applications, taken)
    keys = [f"app-{i:04d}" for i in range(applications)]
    config["airs:applications"] = {
        key: _application(cloud, template, i, blocks[i], zones) for i, key in enumerate(keys)
    }
    for cluster in (config.get("airs:clusters") or {}).values():
        if cluster.get("application") in templates:
            cluster["application"] = keys[0]
    return doc


def stack_name(base: str, applications: int) -> str:
    """Name of a validation stack, e.g. ``gcp-dev-v1000``."""
    return f"{base}-v{applications}"


@dataclass(frozen=True)
class ValidationPoint:
    """``airs validate`` of one size: its figure, or why it was not measured."""

    applications: int
    figure: Figure | None
    note: str = ""


def run(base: str, repeat: int, workdir: Path) -> list[ValidationPoint]:
    """Validate every size of ``base`` ``repeat`` times in fresh processes (sizes interleaved)."""
    base_doc = load_stack_document(base)
    docs = {stack_name(base, n): validation_stack(base_doc, n) for n in VALIDATION_COUNTS}
    project = write_project(workdir / f"validation-{base}", docs)
    commands = {
        n: [*airs_command(), "--project", str(project), "validate", "--stack", stack_name(base, n)]
        for n in VALIDATION_COUNTS
    }
    failed: dict[int, str] = {}
    for n, cmd in commands.items():  # untimed warm-up: the page cache, and a first failure
        try:
            run_measured(cmd)
        except BenchmarkError as exc:
            failed[n] = str(exc).strip().splitlines()[-1]
    samples: dict[int, list[Sample]] = {n: [] for n in commands if n not in failed}
    # One round of every size at a time, so load drift hits all sizes alike.
    for _ in range(repeat):
        for n in samples:
            samples[n].append(run_measured(commands[n]))
    points: list[ValidationPoint] = []
    for n in VALIDATION_COUNTS:
        if n in failed:
            points.append(ValidationPoint(n, None, f"failed: {failed[n]}"))
            print(f"  validation {n} applications: failed", flush=True)
            continue
        figure = Figure.of(samples[n])
        points.append(ValidationPoint(n, figure))
        print(f"  validation {n} applications: {figure.wall_s:.2f} s", flush=True)
    return points


def validation_linearity(points: Sequence[ValidationPoint]) -> Linearity | None:
    """Wall time against the number of applications; None with fewer than two sizes."""
    pairs = [(p.applications, p.figure.wall_s) for p in points if p.figure is not None]
    return linearity(pairs) if len({n for n, _ in pairs}) >= 2 else None


def targets(points: Sequence[ValidationPoint]) -> list[tuple[str, bool | None]]:
    """(description, met) of the validation targets; None: could not be judged."""
    if not points:
        return []
    at_target = next((p for p in points if p.applications == TARGET_APPLICATIONS), None)
    out: list[tuple[str, bool | None]] = []
    label = f"validation: airs validate of {TARGET_APPLICATIONS:,} applications < "
    label += f"{MAX_VALIDATE_SECONDS:g} s"
    if at_target is None or at_target.figure is None:
        out.append((f"{label} (not measured)", None))
    else:
        seconds = at_target.figure.wall_s
        out.append((f"{label} ({seconds:.2f} s)", seconds < MAX_VALIDATE_SECONDS))
    lin = validation_linearity(points)
    if lin is None or any(p.figure is None for p in points):
        out.append(("validation: time grows linearly with applications (not measured)", None))
    else:
        met = None if lin.verdict == "inconclusive" else lin.verdict == "linear"
        out.append(
            (
                f"validation: time grows linearly with applications ({lin.verdict}, "
                f"{lin.per_resource * 1000:.2f} ms per application, R² {lin.r_squared:.2f})",
                met,
            )
        )
    return out


def markdown(base: str, points: Sequence[ValidationPoint]) -> list[str]:
    """The validation table and its linearity line."""
    lines = [
        f"Base stack: `{base}`.",
        "",
        "| applications | `airs validate` s | CPU s | peak MB | marginal ms per application |",
        "|---:|---:|---:|---:|---:|",
    ]
    previous: ValidationPoint | None = None
    for p in points:
        if p.figure is None:
            lines.append(f"| {p.applications:,} | – | – | – | – |")
            continue
        step = "–"
        if previous is not None and previous.figure is not None:
            delta = p.figure.wall_s - previous.figure.wall_s
            step = f"{delta / (p.applications - previous.applications) * 1000:.3f}"
        lines.append(
            f"| {p.applications:,} | {p.figure.wall_s:.2f} | {p.figure.cpu_s:.2f} "
            f"| {p.figure.peak_mb:.0f} | {step} |"
        )
        previous = p
    notes = [f"- {p.applications} applications: {p.note}" for p in points if p.note]
    lin = validation_linearity(points)
    if lin is not None:
        lines += [
            "",
            f"Least squares: {lin.fixed:.2f} s fixed + {lin.per_resource * 1000:.3f} ms per "
            f"application (R² {lin.r_squared:.3f}); {lin.verdict}.",
        ]
    return lines + (["", *notes] if notes else [])
