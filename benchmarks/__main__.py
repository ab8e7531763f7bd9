"""Run every benchmark and write benchmarks/RESULTS.md.

    scripts/bench              # 9 repetitions per figure (medians), all parts
    scripts/bench --quick      # 1 repetition: a smoke run, marked as such in RESULTS.md
    scripts/bench --only plan,scaling --stacks gcp-dev,aws-dev --repeat 3
    scripts/bench --quick --note "measured while the test suite ran"

Exit status 0 when every target is met, 1 when one is missed or could not be judged
(RESULTS.md is written either way), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import engine_bench, panorama_calls, plan_bench, scaling, validation
from benchmarks.measure import MATERIAL_SHARE, MAX_MARGINAL_RATIO, ROOT, machine_info

PARTS = ("plan", "scaling", "validation", "panorama", "engine")
# CI builds the engine cold on a new machine inside its 90 minutes, with the tests after it.
MAX_COLD_BUILD_S = 45 * 60
# 9, not 5: with 5 the clusters series' first scaling step (~28 resources, ~0.2 s) was
# within this 2-core machine's run-to-run noise and judged inconclusive.
DEFAULT_REPEAT = 9


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="one repetition per figure (a smoke run)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"fresh-process repetitions per figure (default {DEFAULT_REPEAT})",
    )
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts: {', '.join(PARTS)}")
    parser.add_argument(
        "--cold-engine",
        action="store_true",
        help="engine part: also time a cold scripts/engine (empty Go caches; tens of minutes)",
    )
    parser.add_argument("--stacks", default="", help="example stacks (default: every one)")
    parser.add_argument(
        "--scaling-base", default=scaling.DEFAULT_BASE, help="example stack the scaling grows"
    )
    parser.add_argument(
        "--validation-base",
        default=validation.DEFAULT_BASE,
        help="example stack whose first application the validation part copies",
    )
    parser.add_argument(
        "--note", default="", help="a sentence to put at the top of RESULTS.md (e.g. the load)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the results (default: benchmarks/RESULTS.md for a full run, "
        "benchmarks/RESULTS-<parts>.md for --only, so a partial run never replaces the full one)",
    )
    return parser


def _targets(
    plans: Sequence[plan_bench.PlanFigures],
    points: Sequence[scaling.ScalingPoint],
    calls: Sequence[panorama_calls.CallRow],
    dynamic: Sequence[scaling.DynamicPoint] = (),
    engine: engine_bench.EngineFigures | None = None,
    checked: Sequence[validation.ValidationPoint] = (),
) -> list[tuple[str, bool | None]]:
    """(description, met) for every target the run measured; None: could not be judged."""
    out: list[tuple[str, bool | None]] = []
    if engine is not None and engine.error:
        out.append((f"real engine: not measured ({engine.error.splitlines()[0]})", None))
    elif engine is not None and engine.cold_build_s is not None:
        out.append(
            (
                f"real engine: cold scripts/engine ≤ {MAX_COLD_BUILD_S // 60} min "
                f"({engine.cold_build_s / 60:.1f} min)",
                engine.cold_build_s <= MAX_COLD_BUILD_S,
            )
        )
    measured = [p for p in plans if p.plan is not None]
    skipped = [p.stack for p in plans if p.plan is None]
    if plans:
        out.append(
            (
                f"every example stack planned ({len(measured)} of {len(plans)}"
                + (f"; skipped: {', '.join(skipped)}" if skipped else "")
                + ")",
                None if skipped else True,
            )
        )
    if measured:
        for name in measured[0].checks():
            missed = [p.stack for p in measured if not p.checks()[name]]
            label = f"every example stack: {name}"
            out.append((label + (f" (missed: {', '.join(missed)})" if missed else ""), not missed))
    for series in ("applications", "clusters"):
        lin = scaling.series_linearity(points, series, "plan_s")
        if points and lin is None:
            out.append((f"scaling by {series}: not measured (a point failed)", None))
        elif lin is not None:
            met = None if lin.verdict == "inconclusive" else lin.verdict == "linear"
            out.append(
                (
                    f"scaling by {series}: plan time grows linearly ({lin.verdict}, "
                    f"{lin.per_resource * 1000:.1f} ms per resource, R² {lin.r_squared:.2f})",
                    met,
                )
            )
    lin = scaling.dynamic_linearity(dynamic)
    if dynamic:
        ran = all(p.figure is not None for p in dynamic if p.workaround)
        verdict = lin.verdict if lin is not None and ran else "did not run at every size"
        met = None if verdict == "inconclusive" else verdict == "linear"
        out.append(
            (
                f"dynamic resources: registration time grows linearly up to "
                f"{max(scaling.DYNAMIC_COUNTS)} Panorama objects ({verdict})",
                met,
            )
        )
    out += validation.targets(checked)
    if calls:
        changing = [r for r in calls if r.objects_changed]
        idle = [r for r in calls if not r.objects_changed]
        out.append(
            (
                f"Panorama: object writes ≤ {panorama_calls.MAX_WRITES_PER_OBJECT} per changed "
                "object",
                all(r.checks()[panorama_calls.WRITES_CHECK] for r in changing),
            )
        )
        out.append(("Panorama: 1 commit per changing run", all(r.commits == 1 for r in changing)))
        out.append(
            (
                "Panorama: 0 calls, 0 commits for a run that changes nothing",
                all(all(r.checks().values()) for r in idle),
            )
        )
    return out


def _verdict(met: bool | None, *, markdown: bool) -> str:
    word = "pass" if met else ("inconclusive" if met is None else "FAIL")
    return f"**{word.upper()}**" if markdown and met is not True else word


def render(
    *,
    argv: Sequence[str],
    repeat: int,
    quick: bool,
    note: str,
    machine: dict[str, str],
    elapsed_s: float,
    plans: Sequence[plan_bench.PlanFigures],
    imports: Sequence[plan_bench.ImportCost],
    scaling_base: str,
    points: Sequence[scaling.ScalingPoint],
    dynamic: Sequence[scaling.DynamicPoint],
    calls: Sequence[panorama_calls.CallRow],
    engine: engine_bench.EngineFigures | None = None,
    validation_base: str = validation.DEFAULT_BASE,
    checked: Sequence[validation.ValidationPoint] = (),
) -> str:
    """RESULTS.md."""
    lines = ["# Benchmark results", ""]
    if quick:
        lines += [
            "> **Smoke run** (`--quick`: one fresh process per figure, no medians). The "
            "figures show that the benchmarks run and their rough size; single samples are "
            "noisy, the more so on a loaded machine (see the load averages below). They are "
            "not the final figures: run `scripts/bench` on a quiet machine for those.",
            "",
        ]
    if note:
        lines += [f"> **Note:** {note}", ""]
    load_end = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines += [
        f"Command: `{shlex.join(['scripts/bench', *argv])}` — "
        f"{repeat} fresh process(es) per figure, "
        f"{'the single sample' if repeat == 1 else 'medians'}; total {elapsed_s:.0f} s. "
        "How each figure is measured: [README.md](README.md).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in machine.items()),
        f"| load average at end (1, 5, 15 min) | {load_end} |",
        "",
    ]
    targets = _targets(plans, points, calls, dynamic, engine, checked)
    if targets:
        lines += ["## Targets", ""]
        lines += [f"- {_verdict(ok, markdown=True)}: {text}" for text, ok in targets]
        lines.append("")
    if plans:
        lines += [
            "## `airs plan` per example stack against the bare-SDK floor",
            "",
            "Wall time and peak RSS of a fresh `airs plan --stack S` process; the floor "
            "registers the same resources with the same provider SDK classes under Pulumi's "
            'mock engine and nothing of ours (README.md, "The floor"). MB = 10^6 bytes.',
            "",
            *plan_bench.markdown(plans),
            "",
        ]
    if engine is not None:
        plan_s = next(
            (p.plan.wall_s for p in plans if p.stack == engine_bench.STACK and p.plan), None
        )
        lines += [
            "## The real engine",
            "",
            "`scripts/engine` builds the Pulumi CLI, the language host, the Kubernetes provider, "
            "kube-apiserver, kube-controller-manager and etcd (docs/engine.md). Then "
            f"{engine_bench.STACK} runs on them against a local API server and the PAN-OS "
            "emulator, a fresh stack each round"
            + (
                f"; beside it, `airs plan --stack {engine_bench.STACK}` took {plan_s:.2f} s "
                "(table below)."
                if plan_s is not None
                else "."
            ),
            "",
            *engine_bench.markdown(engine),
            "",
        ]
    if imports:
        lines += [
            "Where the fixed part of the overhead goes: imports the plan needs and the floor "
            "does not (fresh processes, medians; the SDK imports are in both).",
            "",
            *plan_bench.import_markdown(imports),
            "",
        ]
    if points:
        lines += [
            "## Scaling",
            "",
            "Synthetic stacks grown from the base stack's first application and cluster; "
            "marginal cost per step = Δ cost ÷ Δ resources between consecutive points; "
            f"superlinear when the last step costs more than {MAX_MARGINAL_RATIO:g}× "
            f"the first per resource and the excess is over {MATERIAL_SHARE:.0%} of the "
            "cost at the largest size (README.md).",
            "",
            *scaling.markdown(scaling_base, points),
            "",
        ]
    if dynamic:
        lines += [
            "### Dynamic resources alone",
            "",
            "N Panorama objects (our `PanoramaObject` and provider) registered in one fresh "
            "process under the mock engine, with our undo of the SDK's accumulating pickler "
            "wrappers and, once each, with the SDK as shipped.",
            "",
            *scaling.dynamic_markdown(dynamic),
            "",
        ]
    if checked:
        lines += [
            "## Validation scaling",
            "",
            "Wall time, CPU time (user + system) and peak RSS of a fresh `airs validate "
            "--stack S` process (interpreter start, imports, reading the stack file, every "
            "rule) on stacks whose first application is copied N times; on a loaded machine "
            "the wall time also counts waiting for a core, the CPU time does not. Marginal "
            "cost = Δ wall time ÷ Δ applications (README.md).",
            "",
            *validation.markdown(validation_base, checked),
            "",
        ]
    if calls:
        lines += [
            "## Panorama XML API calls and commits",
            "",
            'Against the local PAN-OS emulator through the real providers. "commit+push '
            'calls" is the fixed part of every changing run: commit, its job poll, and per '
            "push target (template stack, device group) a registered-firewall check, the "
            "push and its poll.",
            "",
            *panorama_calls.markdown(calls),
            "",
        ]
    return "\n".join(lines)


def results_path(parts: Sequence[str], output: Path | None) -> Path:
    """Where the results go: ``--output``, else RESULTS.md for a full run and
    RESULTS-<parts>.md for a partial one (which once replaced the full results)."""
    if output is not None:
        return output
    partial = sorted(parts) != sorted(PARTS)
    return ROOT / "benchmarks" / (f"RESULTS-{'-'.join(parts)}.md" if partial else "RESULTS.md")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen parts, write RESULTS.md, exit 1 if a target is missed."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(args_list)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"error: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
        return 2
    args.output = results_path(parts, args.output)
    repeat = 1 if args.quick else (args.repeat or DEFAULT_REPEAT)
    if repeat < 1:
        print("error: --repeat must be at least 1")
        return 2
    from components.cli.stackfile import load_project

    all_stacks = load_project(ROOT / "Pulumi.yaml").stacks()
    stacks = [s for s in args.stacks.split(",") if s] or all_stacks
    missing = [s for s in stacks if s not in all_stacks]
    missing += [b for b in (args.scaling_base, args.validation_base) if b not in all_stacks]
    if missing:
        print(f"error: unknown stack(s) {', '.join(missing)}")
        return 2

    machine = machine_info()
    started = time.perf_counter()
    plans: list[plan_bench.PlanFigures] = []
    imports: list[plan_bench.ImportCost] = []
    dynamic: list[scaling.DynamicPoint] = []
    points: list[scaling.ScalingPoint] = []
    calls: list[panorama_calls.CallRow] = []
    checked: list[validation.ValidationPoint] = []
    with tempfile.TemporaryDirectory(prefix="airs-bench-") as tmp:
        workdir = Path(tmp)
        if "plan" in parts:
            print(f"airs plan vs floor, {len(stacks)} stack(s), {repeat} run(s) each", flush=True)
            plans = plan_bench.run(stacks, repeat, workdir)
            imports = plan_bench.import_costs(repeat)
        if "scaling" in parts:
            print(f"scaling from {args.scaling_base}, {repeat} run(s) each", flush=True)
            points = scaling.run(args.scaling_base, repeat, workdir)
            dynamic = scaling.run_dynamic(repeat)
        if "validation" in parts:
            print(f"validation scaling from {args.validation_base}, {repeat} run(s)", flush=True)
            checked = validation.run(args.validation_base, repeat, workdir)
        if "panorama" in parts:
            print("Panorama API calls against the emulator", flush=True)
            calls = panorama_calls.run(workdir)
        engine: engine_bench.EngineFigures | None = None
        if "engine" in parts:
            print(f"the real engine, {repeat} round(s)", flush=True)
            engine = engine_bench.run(repeat, workdir, cold=args.cold_engine)
    text = render(
        argv=args_list,
        repeat=repeat,
        quick=args.quick,
        note=args.note,
        machine=machine,
        elapsed_s=time.perf_counter() - started,
        plans=plans,
        imports=imports,
        scaling_base=args.scaling_base,
        points=points,
        dynamic=dynamic,
        calls=calls,
        engine=engine,
        validation_base=args.validation_base,
        checked=checked,
    )
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"\nwritten {args.output}")
    targets = _targets(plans, points, calls, dynamic, engine, checked)
    for text_line, ok in targets:
        print(f"  {_verdict(ok, markdown=False)}: {text_line}")
    return 0 if all(ok is True for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
