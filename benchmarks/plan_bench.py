"""``airs plan`` per example stack against the bare-SDK floor, in fresh processes.

For each stack (every ``stacks/Pulumi.*.yaml``):

1. an untimed warm-up ``airs plan --stack S --json F`` (writes the plan the floor replays and
   warms the page cache and ``.pyc`` files for both sides);
2. an untimed warm-up of the floor on F (also reports how many resources it registered);
3. ``repeat`` interleaved rounds of the timed ``airs plan --stack S`` and the floor
   (``benchmarks/floor.py``), each a fresh process; the figures are medians.

A layered stack (``airs:securityStack: X``) is planned with ``--stack-outputs`` pointing at
X's saved plan when ``airs plan`` offers that option; otherwise it is skipped with a note.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.measure import (
    MAX_OVER_FLOOR,
    MAX_PLAN_MB,
    MAX_PLAN_SECONDS,
    PYTHON,
    ROOT,
    BenchmarkError,
    Figure,
    airs_command,
    child_env,
    run_interleaved,
    run_measured,
)

# The floor freezes its startup heap where `airs` does (components/cli/main.py
# _freeze_startup_heap): after its own imports, before the SDK's. Same GC policy both sides.
FLOOR_COMMAND = [
    PYTHON,
    "-c",
    "import gc; gc.freeze(); import sys; from benchmarks.floor import main; "
    "sys.exit(main(sys.argv[1:]))",
]


@dataclass
class PlanFigures:
    """One stack's plan and floor medians (or why it was skipped)."""

    stack: str
    resources: int = 0
    plan: Figure | None = None
    floor: Figure | None = None
    floor_registered: int = 0
    floor_generic: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def time_ratio(self) -> float:
        """Plan wall time over the floor's."""
        assert self.plan is not None
        assert self.floor is not None
        return self.plan.wall_s / self.floor.wall_s

    @property
    def memory_ratio(self) -> float:
        """Plan peak RSS over the floor's."""
        assert self.plan is not None
        assert self.floor is not None
        return self.plan.peak_mb / self.floor.peak_mb

    def checks(self) -> dict[str, bool]:
        """Pass/fail of each target (empty when skipped)."""
        if self.plan is None or self.floor is None:
            return {}
        return {
            f"time ≤ {MAX_OVER_FLOOR:.2f}× floor": self.time_ratio <= MAX_OVER_FLOOR,
            f"memory ≤ {MAX_OVER_FLOOR:.2f}× floor": self.memory_ratio <= MAX_OVER_FLOOR,
            f"plan < {MAX_PLAN_SECONDS:g} s": self.plan.wall_s < MAX_PLAN_SECONDS,
            f"plan < {MAX_PLAN_MB:g} MB": self.plan.peak_mb < MAX_PLAN_MB,
        }


# Fixed costs inside every plan that the floor does not have: each measured as a fresh
# `python -c "import pulumi, <modules>"` against a bare `import pulumi`.
IMPORT_PROBES: dict[str, str] = {
    # `import pydantic` alone is lazy; BaseModel and SecretStr are what config.py loads.
    "pydantic (config validation)": "pydantic.main, pydantic.types",
    "pan-os-python (Panorama rendering)": "panos.panorama",
    "helm_python (Helm's Go engine, in-process)": "helm_python",
    "our CLI and components (with pydantic, PyYAML; without the two above)": (
        "components.cli.main, components.cli.engine, components.cli.report, components.deployment"
    ),
}


@dataclass(frozen=True)
class ImportCost:
    """What importing one dependency adds to a fresh ``import pulumi`` process."""

    label: str
    seconds: float
    megabytes: float


def import_costs(repeat: int) -> list[ImportCost]:
    """Δ wall time and Δ peak RSS of each ``IMPORT_PROBES`` entry over ``import pulumi``."""
    commands = {"pulumi": [PYTHON, "-c", "import pulumi"]}
    for label, modules in IMPORT_PROBES.items():
        commands[label] = [PYTHON, "-c", f"import pulumi, {modules}"]
    for cmd in commands.values():
        run_measured(cmd)  # warm-up
    figures = {k: Figure.of(v) for k, v in run_interleaved(commands, repeat).items()}
    base = figures.pop("pulumi")
    return [
        ImportCost(label, f.wall_s - base.wall_s, f.peak_mb - base.peak_mb)
        for label, f in figures.items()
    ]


def import_markdown(costs: Sequence[ImportCost]) -> list[str]:
    """The table of fixed import costs."""
    lines = [
        "| import (fresh process) | + time over `import pulumi` | + peak MB |",
        "|---|---:|---:|",
    ]
    lines += [f"| {c.label} | {c.seconds:.2f} s | {c.megabytes:.0f} |" for c in costs]
    return lines


def supports_stack_outputs() -> bool:
    """Whether this ``airs plan`` accepts ``--stack-outputs`` (layered stacks)."""
    proc = subprocess.run(
        [*airs_command(), "plan", "--help"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return "--stack-outputs" in proc.stdout


def security_stack_of(stack_file: Path) -> str | None:
    """The ``airs:securityStack`` a layered stack reads its security project from, if any."""
    data = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
    value = (data.get("config") or {}).get("airs:securityStack")
    return str(value) if value else None


def plan_order(stacks: Sequence[str], stack_dir: Path) -> list[str]:
    """``stacks`` with every security stack before the layered stacks that read it.

    A security stack that is not in ``stacks`` but has a stack file is added: its saved plan
    is what a layered stack reads with ``--stack-outputs``.
    """
    ordered: list[str] = []

    def visit(stack: str, seen: tuple[str, ...]) -> None:
        if stack in ordered or stack in seen:
            return
        dep = security_stack_of(stack_dir / f"Pulumi.{stack}.yaml")
        if dep is not None and (stack_dir / f"Pulumi.{dep}.yaml").is_file():
            visit(dep, (*seen, stack))
        ordered.append(stack)

    for stack in stacks:
        visit(stack, ())
    return ordered


def _first_error(exc: BenchmarkError) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines()[1:] if ln.strip()]
    return lines[0] if lines else str(exc).splitlines()[0]


def prepare_plan(
    stack: str,
    *,
    workdir: Path,
    project_dir: Path | None = None,
    extra_args: Sequence[str] = (),
) -> tuple[PlanFigures, dict[str, list[str]]]:
    """One untimed plan (saving its JSON) and floor: the figures so far and the two commands
    to time (none when the plan failed; ``PlanFigures.note`` says why)."""
    result = PlanFigures(stack=stack)
    project = ["--project", str(project_dir)] if project_dir is not None else []
    plan_json = workdir / f"{stack}.plan.json"
    plan_cmd = [*airs_command(), *project, "plan", "--stack", stack, *extra_args]
    try:
        run_measured([*plan_cmd, "--json", str(plan_json)])  # warm-up; writes the plan
    except BenchmarkError as exc:
        result.note = f"skipped: `airs plan` failed: {_first_error(exc)}"
        return result, {}
    doc = json.loads(plan_json.read_text(encoding="utf-8"))
    result.resources = len(doc["resources"])
    floor_cmd = [*FLOOR_COMMAND, str(plan_json)]
    warm = subprocess.run(
        floor_cmd, cwd=ROOT, env=child_env(), capture_output=True, text=True, check=False
    )
    if warm.returncode != 0:
        raise BenchmarkError(f"floor failed for {stack}:\n{warm.stderr[-2000:]}")
    counts = json.loads(warm.stdout.strip().splitlines()[-1])
    result.floor_registered = int(counts["registered"])
    result.floor_generic = int(counts["generic"])
    return result, {"plan": plan_cmd, "floor": floor_cmd}


def measure_plan(
    stack: str,
    *,
    repeat: int,
    workdir: Path,
    project_dir: Path | None = None,
    extra_args: Sequence[str] = (),
) -> PlanFigures:
    """Plan and floor medians for one stack; ``PlanFigures.note`` says why if it could not run."""
    result, commands = prepare_plan(
        stack, workdir=workdir, project_dir=project_dir, extra_args=extra_args
    )
    if commands:
        samples = run_interleaved(commands, repeat)
        result.plan = Figure.of(samples["plan"])
        result.floor = Figure.of(samples["floor"])
    return result


def run(stacks: Sequence[str], repeat: int, workdir: Path) -> list[PlanFigures]:
    """Measure every stack in ``stacks`` and the security stacks they read, those first."""
    stack_dir = ROOT / "stacks"
    layered_ok = supports_stack_outputs()
    results: list[PlanFigures] = []
    for stack in plan_order(stacks, stack_dir):
        dep = security_stack_of(stack_dir / f"Pulumi.{stack}.yaml")
        extra: list[str] = []
        if dep is not None:
            saved = workdir / f"{dep}.plan.json"
            if not layered_ok:
                results.append(
                    PlanFigures(
                        stack,
                        note=f"skipped: layered on {dep} (airs:securityStack); this `airs plan` "
                        "has no --stack-outputs to read its outputs offline",
                    )
                )
                continue
            if not saved.is_file():
                results.append(
                    PlanFigures(stack, note=f"skipped: its security stack {dep} did not plan")
                )
                continue
            extra = ["--stack-outputs", str(saved)]
        result = measure_plan(stack, repeat=repeat, workdir=workdir, extra_args=extra)
        if dep is not None:
            result.extra["layered on"] = dep
        results.append(result)
        print(f"  plan {stack}: {summary(result)}", flush=True)
    return results


def summary(r: PlanFigures) -> str:
    """One line for progress output."""
    if r.plan is None or r.floor is None:
        return r.note
    return (
        f"{r.resources} resources, plan {r.plan.wall_s:.2f} s / {r.plan.peak_mb:.0f} MB, "
        f"floor {r.floor.wall_s:.2f} s / {r.floor.peak_mb:.0f} MB "
        f"(×{r.time_ratio:.2f} time, ×{r.memory_ratio:.2f} memory)"
    )


def _mark(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def markdown(results: Sequence[PlanFigures]) -> list[str]:
    """The per-stack table and its notes."""
    lines = [
        "| stack | resources | plan s | plan MB | floor s | floor MB | time ×floor "
        "| memory ×floor | ≤ 1.30× floor (time, memory) | < 6 s | < 400 MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    notes: list[str] = []
    for r in results:
        if r.plan is None or r.floor is None:
            lines.append(f"| {r.stack} | – | – | – | – | – | – | – | – | – | – |")
            notes.append(f"- {r.stack}: {r.note}")
            continue
        c = list(r.checks().values())
        lines.append(
            f"| {r.stack} | {r.resources} | {r.plan.wall_s:.2f} | {r.plan.peak_mb:.0f} "
            f"| {r.floor.wall_s:.2f} | {r.floor.peak_mb:.0f} | {r.time_ratio:.2f} "
            f"| {r.memory_ratio:.2f} | {_mark(c[0])}, {_mark(c[1])} | {_mark(c[2])} "
            f"| {_mark(c[3])} |"
        )
        if r.floor_registered != r.resources:
            notes.append(
                f"- {r.stack}: the floor registered {r.floor_registered} of {r.resources} resources"
            )
        if r.floor_generic:
            notes.append(
                f"- {r.stack}: {r.floor_generic} resource(s) refused by their SDK class were "
                "registered in the floor as plain `CustomResource` of the same type"
            )
        for key, value in r.extra.items():
            notes.append(f"- {r.stack}: {key} {value}")
    return lines + (["", *notes] if notes else [])
