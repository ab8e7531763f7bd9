"""The benchmarks' pure helpers (no timing here: figures come from `scripts/bench`)."""

from __future__ import annotations

import ipaddress
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks import panorama_calls, plan_bench, scaling, validation
from benchmarks.measure import MAX_OVER_FLOOR, Figure, Sample
from components.cli import stackfile
from components.clouds import parse_stack_config
from components.config import StackConfig

DEV_STACKS = ["gcp-dev", "azure-dev", "aws-dev", "openshift-dev"]
POINTS = sorted({(a, c) for _, a, c in scaling.scaling_points()} | {(50, 20)})


def _config(
    tmp_path: Path, name: str, doc: dict[str, Any]
) -> tuple[stackfile.StackSettings, StackConfig]:
    project = stackfile.load_project(scaling.write_project(tmp_path, {name: doc}) / "Pulumi.yaml")
    settings = stackfile.load_stack(project, name, decrypt=False)
    raw, secret = stackfile.airs_values(settings)
    return settings, parse_stack_config(raw, secret)


def test_scaling_points_cover_the_issue_sizes() -> None:
    points = scaling.scaling_points()
    assert sorted({a for s, a, _ in points if s == "applications"}) == [1, 10, 50]
    assert sorted({c for s, _, c in points if s == "clusters"}) == [1, 5, 20]


@pytest.mark.parametrize("base", DEV_STACKS)
@pytest.mark.parametrize(("applications", "clusters"), POINTS)
def test_synthetic_stack_passes_config_validation(
    tmp_path: Path, base: str, applications: int, clusters: int
) -> None:
    doc = scaling.synthetic_stack(scaling.load_stack_document(base), applications, clusters)
    name = scaling.stack_name(base, applications, clusters)
    settings, cfg = _config(tmp_path, name, doc)
    assert settings.problems == []
    assert len(cfg.applications) == applications
    assert len(cfg.clusters) == clusters
    ids = [c.cluster_id for c in cfg.clusters.values()]
    names = [cfg.panorama_cluster_name(k) for k in cfg.clusters]
    assert len(set(ids)) == clusters
    assert len(set(names)) == clusters
    # The kubeconfig stays a secret copied from the base stack, never plaintext.
    assert all(c.kubeconfig is not None for c in cfg.clusters.values())
    assert "airs:clusters" in settings.secret_keys


def test_synthetic_stack_leaves_the_base_document_alone() -> None:
    base = scaling.load_stack_document("gcp-dev")
    before = repr(base)
    scaling.synthetic_stack(base, 10, 5)
    assert repr(base) == before


@pytest.mark.parametrize(("applications", "clusters"), [(0, 1), (1, 0), (201, 1)])
def test_synthetic_stack_refuses_out_of_range_counts(applications: int, clusters: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 200"):
        scaling.synthetic_stack(scaling.load_stack_document("gcp-dev"), applications, clusters)


def test_free_blocks_skip_taken_ranges_and_run_out() -> None:
    taken = [ipaddress.IPv4Network("10.1.0.0/16"), ipaddress.IPv4Network("10.3.5.0/24")]
    assert scaling.free_blocks("10.0.0.0/8", 16, 4, taken) == [
        "10.0.0.0/16",
        "10.2.0.0/16",
        "10.4.0.0/16",
        "10.5.0.0/16",
    ]
    with pytest.raises(ValueError, match="fewer than 3"):
        scaling.free_blocks("192.168.0.0/23", 24, 3, [])


def test_linearity_of_a_straight_line() -> None:
    lin = scaling.linearity([(100, 3.5), (60, 2.3), (300, 9.5)])
    assert lin.per_resource == pytest.approx(0.03)
    assert lin.fixed == pytest.approx(0.5)
    assert lin.r_squared == pytest.approx(1.0)
    assert lin.marginal == pytest.approx((0.03, 0.03))
    assert lin.marginal_ratio == pytest.approx(1.0)
    assert lin.verdict == "linear"


def test_linearity_flags_a_quadratic_cost() -> None:
    # cost = 1 + n² / 10,000: the per-resource step cost grows with size.
    points = [(n, 1 + n * n / 10_000) for n in (60, 100, 300)]
    lin = scaling.linearity(points)
    assert lin.marginal == pytest.approx((0.016, 0.04))
    assert lin.marginal_ratio == pytest.approx(2.5)
    assert lin.verdict == "SUPERLINEAR"


def test_linearity_with_a_step_that_got_cheaper_is_inconclusive() -> None:
    lin = scaling.linearity([(60, 3.0), (64, 2.9), (140, 5.0)])
    assert lin.marginal[0] < 0
    assert math.isinf(lin.marginal_ratio)
    assert lin.verdict == "inconclusive"


def test_linearity_with_a_material_step_down_is_inconclusive() -> None:
    lin = scaling.linearity([(60, 3.0), (90, 2.0), (200, 5.0)])
    assert lin.verdict == "inconclusive"


def test_linearity_ignores_immaterial_growth() -> None:
    # Memory-like: flat, then +10 MB over 120 resources at ~240 MB (under 5 % of the peak).
    lin = scaling.linearity([(59, 228.0), (86, 228.0), (206, 238.0)])
    assert lin.marginal[0] == 0
    assert lin.verdict == "linear"


def test_linearity_needs_two_sizes() -> None:
    with pytest.raises(ValueError, match="two distinct"):
        scaling.linearity([(60, 3.0), (60, 3.1)])


def test_dynamic_linearity_uses_only_the_work_around_series() -> None:
    points = [
        scaling.DynamicPoint(100, True, Figure(1.5, 70.0, 1)),
        scaling.DynamicPoint(400, True, Figure(3.0, 90.0, 1)),
        scaling.DynamicPoint(1600, True, Figure(9.0, 200.0, 1)),
        scaling.DynamicPoint(400, False, Figure(30.0, 90.0, 1)),
        scaling.DynamicPoint(1600, False, None, "failed: RecursionError"),
    ]
    lin = scaling.dynamic_linearity(points)
    assert lin is not None
    assert lin.marginal == pytest.approx((0.005, 0.005))
    assert lin.verdict == "linear"
    table = "\n".join(scaling.dynamic_markdown(points))
    assert "failed: RecursionError" in table
    assert scaling.dynamic_linearity(points[3:]) is None


def test_plan_checks_at_the_target_boundaries() -> None:
    floor = Figure(wall_s=4.0, peak_mb=200.0, runs=1)
    at_limit = plan_bench.PlanFigures(
        "s", plan=Figure(4.0 * MAX_OVER_FLOOR, 200.0 * MAX_OVER_FLOOR, 1), floor=floor
    )
    assert all(at_limit.checks().values())
    over = plan_bench.PlanFigures("s", plan=Figure(6.0, 400.0, 1), floor=floor)
    assert list(over.checks().values()) == [False, False, False, False]
    assert plan_bench.PlanFigures("s", note="skipped").checks() == {}


def test_figure_takes_medians_of_time_and_memory_separately() -> None:
    fig = Figure.of([Sample(3.0, 250.0), Sample(9.0, 200.0), Sample(4.0, 900.0)])
    assert (fig.wall_s, fig.peak_mb, fig.runs) == (4.0, 250.0, 3)


def test_plan_order_puts_security_stacks_first(tmp_path: Path) -> None:
    for name, extra in (("apps", "  airs:securityStack: sec\n"), ("sec", ""), ("solo", "")):
        (tmp_path / f"Pulumi.{name}.yaml").write_text(f"config:\n  airs:cloud: gcp\n{extra}")
    assert plan_bench.plan_order(["apps", "sec", "solo"], tmp_path) == ["sec", "apps", "solo"]
    assert plan_bench.plan_order(["solo", "apps"], tmp_path) == ["solo", "sec", "apps"]
    assert plan_bench.security_stack_of(tmp_path / "Pulumi.apps.yaml") == "sec"


def test_panorama_row_checks() -> None:
    idle = panorama_calls.CallRow("gcp", "no change", 0, 0, 0, 0, 0, 0)
    assert all(idle.checks().values())
    noisy_idle = panorama_calls.CallRow("gcp", "no change", 0, 1, 0, 1, 0, 0)
    assert not all(noisy_idle.checks().values())
    one = panorama_calls.CallRow("gcp", "change one route", 1, 9, 1, 8, 1, 2)
    assert all(one.checks().values())
    chatty = panorama_calls.CallRow("gcp", "change one route", 1, 11, 3, 8, 2, 2)
    assert list(chatty.checks().values()) == [False, False]


def test_floor_registers_through_the_sdk_classes_of_the_same_tokens() -> None:
    import pulumi_kubernetes

    from benchmarks import floor

    release = floor.sdk_class("kubernetes:helm.sh/v3:Release")
    assert release is pulumi_kubernetes.helm.v3.Release
    assert floor.sdk_class("pulumi:providers:kubernetes") is pulumi_kubernetes.Provider
    assert floor.sdk_class("airs:index:AirsDeployment") is None
    assert floor.python_names(release)["repositoryOpts"] == "repository_opts"
    dynamic = floor.dynamic_class("pulumi-python:dynamic/panorama:Object")
    assert dynamic._resource_type_name == "dynamic/panorama:Object"
    assert floor.dynamic_class("pulumi-python:dynamic/panorama:Object") is dynamic


def test_results_mark_a_smoke_run_and_targets_that_could_not_be_judged() -> None:
    from benchmarks.__main__ import _targets, render

    plans = [
        plan_bench.PlanFigures("layered", note="skipped: no --stack-outputs"),
        plan_bench.PlanFigures(
            "gcp-dev", resources=59, plan=Figure(2.0, 150.0, 1), floor=Figure(1.0, 100.0, 1)
        ),
    ]
    targets = dict(_targets(plans, [], []))
    assert targets["every example stack planned (1 of 2; skipped: layered)"] is None
    assert targets["every example stack: time ≤ 1.30× floor (missed: gcp-dev)"] is False
    assert targets["every example stack: plan < 6 s"] is True
    text = render(
        argv=["--quick"],
        repeat=1,
        quick=True,
        note="measured under load",
        machine={"CPU": "test"},
        elapsed_s=1.0,
        plans=plans,
        imports=[],
        scaling_base="gcp-dev",
        points=[],
        dynamic=[],
        calls=[],
    )
    assert "**Smoke run**" in text
    assert "measured under load" in text
    assert "- layered: skipped: no --stack-outputs" in text
    assert "**INCONCLUSIVE**: every example stack planned" in text


def test_peak_memory_is_the_childs_own_not_the_benchmark_process() -> None:
    from benchmarks.measure import PYTHON, run_measured

    # Linux would charge a vfork'ed child with its parent's resident pages: make this
    # process big, then check a tiny child reports a small peak.
    ballast = bytearray(200 * 10**6)
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    sample = run_measured([PYTHON, "-S", "-c", "pass"])
    assert sample.peak_mb < 50
    assert len(ballast) == 200 * 10**6


def test_engine_tree_memory_counts_children(tmp_path: Path) -> None:
    """The engine part's peak counts the whole tree: a child holding 64 MB is seen."""
    import sys

    from benchmarks import engine_bench

    code = "import time; b = bytearray(64 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {code!r}], check=True)"
    sample = engine_bench.run_tree([sys.executable, "-c", parent], cwd=tmp_path, env={})
    assert sample.peak_mb > 64
    assert sample.wall_s >= 0.5


def test_engine_section_reports_what_it_could_not_measure() -> None:
    from benchmarks import engine_bench

    lines = engine_bench.markdown(engine_bench.EngineFigures(None, None, {}, "no .engine/bin"))
    assert lines == ["Not measured: no .engine/bin"]
    figures = engine_bench.EngineFigures(
        12.0,
        None,
        {"up": [engine_bench.TreeSample(30.0, 900.0), engine_bench.TreeSample(20.0, 700.0)]},
    )
    text = "\n".join(engine_bench.markdown(figures))
    assert "not measured (run with --cold-engine)" in text
    assert "| `pulumi up` | 25.0 | 20.0–30.0 | 800 |" in text


# --------------------------------------------------------------------------- validation scaling


@pytest.mark.parametrize(
    ("base", "applications"),
    [(validation.DEFAULT_BASE, n) for n in validation.VALIDATION_COUNTS]
    + [(base, 50) for base in DEV_STACKS if base != validation.DEFAULT_BASE],
)
def test_validation_stack_passes_config_validation(
    tmp_path: Path, base: str, applications: int
) -> None:
    # The benchmark times valid stacks: every rule runs to the end, none stops early.
    doc = validation.validation_stack(scaling.load_stack_document(base), applications)
    settings, cfg = _config(tmp_path, validation.stack_name(base, applications), doc)
    assert settings.problems == []
    assert len(cfg.applications) == applications
    assert len({tuple(a.cidrs) for a in cfg.applications.values()}) == applications
    homes = {c.application for c in cfg.clusters.values()} - {None}
    assert homes <= {"app-0000"}


def test_validation_stack_needs_an_application() -> None:
    base = scaling.load_stack_document("gcp-dev")
    with pytest.raises(ValueError, match="at least 1"):
        validation.validation_stack(base, 0)
    del base["config"]["airs:applications"]
    with pytest.raises(ValueError, match="at least one application"):
        validation.validation_stack(base, 10)


def _points(*walls: float | None) -> list[validation.ValidationPoint]:
    return [
        validation.ValidationPoint(n, None if w is None else Figure(w, 60.0, 1, w * 0.9))
        for n, w in zip(validation.VALIDATION_COUNTS, walls, strict=True)
    ]


def test_validation_targets_at_the_boundary() -> None:
    under = validation.MAX_VALIDATE_SECONDS - 0.01
    met = dict(validation.targets(_points(0.5, under, under + 0.98)))
    assert met[f"validation: airs validate of 1,000 applications < 1 s ({under:.2f} s)"] is True
    linear = [v for k, v in met.items() if k.startswith("validation: time grows linearly")]
    assert linear == [True]
    missed = dict(validation.targets(_points(0.5, 1.0, 3.0)))
    assert missed["validation: airs validate of 1,000 applications < 1 s (1.00 s)"] is False
    # The issue's own figures (0.57 s, 4.65 s, 38.8 s): quadratic, and the target missed.
    before = validation.targets(_points(0.57, 4.65, 38.8))
    assert [ok for _, ok in before] == [False, False]
    assert "SUPERLINEAR" in before[1][0]


def test_validation_target_not_judged_when_a_size_failed() -> None:
    points = _points(0.5, 0.8, None)
    assert [ok for _, ok in validation.targets(points)] == [True, None]
    text = "\n".join(validation.markdown("gcp-dev", points))
    assert "| 3,000 | – | – | – | – |" in text
    assert validation.targets([]) == []


def test_results_carry_the_validation_section() -> None:
    from benchmarks.__main__ import _targets, render

    points = _points(0.5, 0.8, 1.4)
    assert [t for t, _ in _targets([], [], [], checked=points)] == [
        t for t, _ in validation.targets(points)
    ]
    text = render(
        argv=["--only", "validation"],
        repeat=1,
        quick=True,
        note="",
        machine={"CPU": "test"},
        elapsed_s=1.0,
        plans=[],
        imports=[],
        scaling_base="gcp-dev",
        points=[],
        dynamic=[],
        calls=[],
        checked=points,
    )
    assert "## Validation scaling" in text
    assert "| 1,000 | 0.80 | 0.72 | 60 | 0.429 |" in text


def test_a_partial_run_never_replaces_the_full_results() -> None:
    """`scripts/bench --only validation` once rewrote RESULTS.md with its part alone."""
    from benchmarks.__main__ import PARTS, results_path

    assert results_path(["validation"], None).name == "RESULTS-validation.md"
    assert results_path(["plan", "scaling"], None).name == "RESULTS-plan-scaling.md"
    assert results_path(list(PARTS), None).name == "RESULTS.md"
    assert results_path(["validation"], Path("x.md")) == Path("x.md")
