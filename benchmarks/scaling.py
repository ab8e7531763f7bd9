"""Scaling: ``airs plan`` on synthetic stacks with 1, 10, 50 applications and 1, 5, 20 clusters.

The synthetic stacks are built in code from an example stack (``gcp-dev`` by default): its
first application network and first cluster are copied N times with unique names, CIDRs
(application /16s from 10.0.0.0/8, pod /18s from 100.64.0.0/10, service /24s from
192.168.0.0/16, skipping anything the security side uses), ``clusterId`` and
``panoramaName``, so each passes the stack-config rules (components/config/). The stacks are
written to a temporary project (a copy of ``Pulumi.yaml`` plus ``stacks/``) and planned with
``airs --project DIR plan``, each point with its bare-SDK floor (benchmarks/floor.py).

Linearity: for each series, the marginal cost per resource of each step
(Δ wall time / Δ resources) and a least-squares line through the points. The series is
flagged superlinear when the last step's marginal cost exceeds ``MAX_MARGINAL_RATIO`` × the
first step's and the excess is material (see :attr:`Linearity.verdict`).
"""

from __future__ import annotations

import copy
import ipaddress
import math
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.measure import (
    MATERIAL_SHARE,
    MAX_MARGINAL_RATIO,
    PYTHON,
    ROOT,
    BenchmarkError,
    Figure,
    run_interleaved,
    run_measured,
)
from benchmarks.plan_bench import PlanFigures, prepare_plan

APPLICATION_COUNTS = (1, 10, 50)
CLUSTER_COUNTS = (1, 5, 20)
DEFAULT_BASE = "gcp-dev"

APPLICATION_POOL = ("10.0.0.0/8", 16)
POD_POOL = ("100.64.0.0/10", 18)
SERVICE_POOL = ("192.168.0.0/16", 24)
ENDPOINT_PREFIX = 28  # AWS GWLB endpoint subnets, cut from the application's last /24


# --------------------------------------------------------------------------- synthetic stacks


def _cidrs_in(value: Any) -> Iterator[ipaddress.IPv4Network]:
    """Every string in ``value`` (nested) that is an IPv4 CIDR."""
    if isinstance(value, str) and "/" in value:
        try:
            yield ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            return
    elif isinstance(value, dict):
        for v in value.values():
            yield from _cidrs_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _cidrs_in(v)


def free_blocks(
    pool: str, prefix: int, count: int, taken: Sequence[ipaddress.IPv4Network]
) -> list[str]:
    """The first ``count`` /``prefix`` subnets of ``pool`` that overlap nothing in ``taken``."""
    out: list[str] = []
    for net in ipaddress.IPv4Network(pool).subnets(new_prefix=prefix):
        if len(out) == count:
            break
        if not any(net.overlaps(t) for t in taken):
            out.append(str(net))
    if len(out) < count:
        raise ValueError(f"{pool} has fewer than {count} free /{prefix} blocks")
    return out


def _numbered_network(cloud: str, network: str, index: int) -> str:
    if cloud == "aws":
        return f"vpc-{index + 1:017x}"
    # GCP VPC name or Azure VNet resource id: a numbered sibling of the example's.
    return f"{network}-{index:03d}"


def _application(
    cloud: str, template: dict[str, Any], index: int, block: str, zones: Sequence[str]
) -> dict[str, Any]:
    app = copy.deepcopy(template)
    app["cidrs"] = [block]
    network = template.get("network")
    if network:
        app["network"] = _numbered_network(cloud, str(network), index)
    if cloud == "azure" and network:
        app["subnets"] = [
            str(s).replace(str(network), app["network"], 1) for s in template.get("subnets", [])
        ]
    if cloud == "aws":
        app["subnets"] = [
            f"subnet-{index + 1:08x}{k:09x}" for k in range(len(template.get("subnets", [])))
        ]
        last = list(ipaddress.IPv4Network(block).subnets(new_prefix=24))[-1]
        cuts = list(last.subnets(new_prefix=ENDPOINT_PREFIX))
        app["endpointSubnets"] = {zone: str(cuts[k]) for k, zone in enumerate(zones)}
    return app


def synthetic_stack(base: dict[str, Any], applications: int, clusters: int) -> dict[str, Any]:
    """A copy of stack document ``base`` with ``applications`` networks and ``clusters`` clusters.

    The first application and cluster of ``base`` are the templates. Each copy gets its own
    name, CIDRs, ``clusterId`` and ``panoramaName``; cluster k lives in application
    k mod ``applications``. Secure values (kubeconfigs) are copied as they are, still
    encrypted under the base stack's ``encryptionsalt``.

    Raises:
        ValueError: counts out of range, or the base stack has no application or cluster.
    """
    if not 1 <= applications <= 200 or not 1 <= clusters <= 200:
        raise ValueError("applications and clusters must be between 1 and 200")
    doc = copy.deepcopy(base)
    config: dict[str, Any] = doc["config"]
    cloud = str(config["airs:cloud"])
    app_templates = config.get("airs:applications") or {}
    cluster_templates = config.get("airs:clusters") or {}
    if not app_templates or not cluster_templates:
        raise ValueError("the base stack needs at least one application and one cluster")
    app_template = next(iter(app_templates.values()))
    cluster_template = next(iter(cluster_templates.values()))
    taken = list(_cidrs_in(config.get("airs:securityProject")))
    taken += _cidrs_in(config.get("airs:firewall"))
    zones = list((config.get("airs:securityProject") or {}).get("zones") or [])

    app_blocks = free_blocks(*APPLICATION_POOL, applications, taken)
    app_keys = [f"app-{i:03d}" for i in range(applications)]
    config["airs:applications"] = {
        key: _application(cloud, app_template, i, app_blocks[i], zones)
        for i, key in enumerate(app_keys)
    }

    taken += [ipaddress.IPv4Network(b) for b in app_blocks]
    pods = free_blocks(*POD_POOL, clusters, taken)
    services = free_blocks(*SERVICE_POOL, clusters, taken)
    out: dict[str, Any] = {}
    for k in range(clusters):
        cluster = copy.deepcopy(cluster_template)
        cluster["clusterId"] = k + 1
        cluster["panoramaName"] = f"k8s-{k:03d}"
        cluster["podCidr"] = pods[k]
        cluster["serviceCidr"] = services[k]
        home = k % applications
        if "application" in cluster_template:
            cluster["application"] = app_keys[home]
        if "nodeCidr" in cluster_template:
            # Each cluster of an application gets its own /22 of that application's /16.
            slot = k // applications
            cluster["nodeCidr"] = str(
                list(ipaddress.IPv4Network(app_blocks[home]).subnets(new_prefix=22))[slot]
            )
        out[f"cluster-{k:03d}"] = cluster
    config["airs:clusters"] = out
    return doc


def scaling_points() -> list[tuple[str, int, int]]:
    """(series, applications, clusters): the application series, then the cluster series."""
    points = [("applications", a, CLUSTER_COUNTS[0]) for a in APPLICATION_COUNTS]
    points += [("clusters", APPLICATION_COUNTS[0], c) for c in CLUSTER_COUNTS]
    return points


def stack_name(base: str, applications: int, clusters: int) -> str:
    """Name of a synthetic stack, e.g. ``gcp-dev-a10-c1``."""
    return f"{base}-a{applications}-c{clusters}"


def load_stack_document(stack: str) -> dict[str, Any]:
    """An example stack file as a YAML document."""
    path = ROOT / "stacks" / f"Pulumi.{stack}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a stack file")
    return doc


def write_project(directory: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """A project folder (``Pulumi.yaml`` + ``stacks/Pulumi.<name>.yaml``) holding ``stacks``."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", directory / "Pulumi.yaml")
    stack_dir = directory / "stacks"
    stack_dir.mkdir(exist_ok=True)
    for name, doc in stacks.items():
        (stack_dir / f"Pulumi.{name}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
        )
    return directory


# --------------------------------------------------------------------------- linearity


@dataclass(frozen=True)
class Linearity:
    """How a cost grows with the resource count along one series."""

    fixed: float
    """Intercept of the least-squares line (cost at zero resources)."""
    per_resource: float
    """Slope of the least-squares line."""
    r_squared: float
    steps: tuple[tuple[float, float], ...]
    """(Δ resources, Δ cost) of each step between consecutive sizes, smallest first."""
    largest: float
    """The cost at the largest size (the scale for what counts as material)."""

    @property
    def marginal(self) -> tuple[float, ...]:
        """Δ cost ÷ Δ resources of each step."""
        return tuple(dy / dx for dx, dy in self.steps)

    @property
    def marginal_ratio(self) -> float:
        """Largest over smallest marginal cost (inf when a step cost nothing or less)."""
        low = min(self.marginal)
        return math.inf if low <= 0 else max(self.marginal) / low

    @property
    def verdict(self) -> str:
        """``linear``, ``SUPERLINEAR`` or ``inconclusive``.

        SUPERLINEAR: the last step costs more than ``MAX_MARGINAL_RATIO`` × the first step per
        resource, and what it costs beyond the first step's rate is material (more than
        ``MATERIAL_SHARE`` of the cost at the largest size; below that, growth is within
        noise). Inconclusive: a step got cheaper by a material amount, or the first step cost
        nothing while the last cost materially more (noise is larger than the effect).
        """
        material = MATERIAL_SHARE * abs(self.largest)
        if any(dy < -material for _, dy in self.steps):
            return "inconclusive"
        first, last = self.marginal[0], self.marginal[-1]
        excess = (last - max(first, 0.0)) * self.steps[-1][0]
        if excess <= material:
            return "linear"
        if first <= 0:
            return "inconclusive"
        return "SUPERLINEAR" if last > MAX_MARGINAL_RATIO * first else "linear"


def linearity(points: Sequence[tuple[int, float]]) -> Linearity:
    """Fit ``cost = fixed + per_resource × resources`` and the marginal cost of each step.

    ``points`` are (resources, cost) pairs; at least two distinct resource counts.

    Raises:
        ValueError: fewer than two distinct resource counts.
    """
    pts = sorted(points)
    xs = [float(x) for x, _ in pts]
    ys = [y for _, y in pts]
    if len(set(xs)) < 2:
        raise ValueError("need at least two distinct resource counts")
    n = len(pts)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    fixed = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (fixed + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    steps = tuple(
        (xs[i + 1] - xs[i], ys[i + 1] - ys[i]) for i in range(n - 1) if xs[i + 1] != xs[i]
    )
    return Linearity(fixed=fixed, per_resource=slope, r_squared=r2, steps=steps, largest=ys[-1])


# --------------------------------------------------------------------------- dynamic resources

# Panorama objects alone, far past what the stacks above reach (≤ ~60 objects, where the SDK's
# pickler bug costs milliseconds): as shipped, the SDK fails with RecursionError near 500.
DYNAMIC_COUNTS = (100, 400, 1600)
WITHOUT_WORKAROUND = "--without-workaround"


def dynamic_program(count: int) -> None:
    """Register ``count`` Panorama objects with our dynamic resource class and provider."""
    from components.panorama.component import PanoramaObject
    from components.panorama.provider import PanoramaObjectProvider, ProviderSettings, flatten

    provider = PanoramaObjectProvider(ProviderSettings())
    for i in range(count):
        name = f"route-{i:05d}"
        element = (
            f'<entry name="{name}"><destination>10.{i // 256 % 256}.{i % 256}.0/24'
            "</destination><nexthop><ip-address>10.10.2.1</ip-address></nexthop></entry>"
        )
        props = {
            "hostname": "203.0.113.10",
            "kind": "static-route",
            "name": name,
            "xpath": f"/config/devices/entry/template/entry[@name='t']/static-route/{name}",
            "element": element,
            "mode": "merge",
            "fields": flatten(element),
            "managed": True,
            "late": {},
        }
        PanoramaObject(provider, name, props)


def dynamic_main(argv: Sequence[str]) -> int:
    """Fresh-process entry: register ``argv[0]`` objects (optionally with the SDK as shipped)."""
    from components.cli.engine import run_program
    from components.cli.stackfile import StackSettings

    count = int(argv[0])
    if WITHOUT_WORKAROUND in argv[1:]:
        from components.panorama import component

        component.unwrap_sdk_pickler = lambda: None  # type: ignore[attr-defined]
    settings = StackSettings(stack="dynamic", config={}, secret_keys=[])
    run = run_program(settings, program=lambda: dynamic_program(count))
    print(len(run.resources))
    return 0


@dataclass
class DynamicPoint:
    """Registering ``count`` dynamic resources in one fresh process."""

    count: int
    workaround: bool
    figure: Figure | None
    note: str = ""


def run_dynamic(repeat: int) -> list[DynamicPoint]:
    """Each count with the work-around (medians), then once with the SDK as shipped."""
    out: list[DynamicPoint] = []
    for workaround in (True, False):
        runs = repeat if workaround else 1
        for count in DYNAMIC_COUNTS:
            cmd = [
                PYTHON,
                "-c",
                "import sys; from benchmarks.scaling import dynamic_main; "
                "sys.exit(dynamic_main(sys.argv[1:]))",
                str(count),
                *([] if workaround else [WITHOUT_WORKAROUND]),
            ]
            try:
                figure = Figure.of([run_measured(cmd) for _ in range(runs)])
                out.append(DynamicPoint(count, workaround, figure))
                shown = f"{figure.wall_s:.2f} s / {figure.peak_mb:.0f} MB"
            except BenchmarkError as exc:
                error = str(exc).strip().splitlines()[-1]
                out.append(DynamicPoint(count, workaround, None, f"failed: {error}"))
                shown = error
            label = "with work-around" if workaround else "SDK as shipped"
            print(f"  dynamic {count} ({label}): {shown}", flush=True)
    return out


def dynamic_markdown(points: Sequence[DynamicPoint]) -> list[str]:
    """The dynamic-resource table and the linearity of the work-around's series."""
    lines = [
        "| Panorama objects | pickler | wall s | peak MB | wall ÷ objects (with start-up) |",
        "|---:|---|---:|---:|---:|",
    ]
    for p in points:
        label = "work-around (ours)" if p.workaround else "SDK as shipped"
        if p.figure is None:
            lines.append(f"| {p.count} | {label} | {p.note} | – | – |")
            continue
        per = p.figure.wall_s / p.count * 1000
        lines.append(
            f"| {p.count} | {label} | {p.figure.wall_s:.2f} | {p.figure.peak_mb:.0f} "
            f"| {per:.1f} ms |"
        )
    lin = dynamic_linearity(points)
    if lin is not None:
        steps = ", ".join(f"{m * 1000:.2f}" for m in lin.marginal)
        lines += [
            "",
            f"With the work-around: {lin.per_resource * 1000:.2f} ms per object "
            f"(R² {lin.r_squared:.3f}); marginal per step {steps} ms; verdict "
            f"**{lin.verdict}**.",
        ]
    return lines


def dynamic_linearity(points: Sequence[DynamicPoint]) -> Linearity | None:
    """Linearity of wall time over the work-around's points (None if fewer than two ran)."""
    pairs = [(p.count, p.figure.wall_s) for p in points if p.workaround and p.figure is not None]
    return linearity(pairs) if len(pairs) >= 2 else None


# --------------------------------------------------------------------------- the run


@dataclass
class ScalingPoint:
    """One synthetic stack's figures."""

    series: str
    applications: int
    clusters: int
    figures: PlanFigures


def run(base: str, repeat: int, workdir: Path) -> list[ScalingPoint]:
    """Plan every scaling point of ``base`` (with its floor) in fresh processes."""
    base_doc = load_stack_document(base)
    points = scaling_points()
    docs = {
        stack_name(base, a, c): synthetic_stack(base_doc, a, c) for _, a, c in dict.fromkeys(points)
    }
    project = write_project(workdir / f"scaling-{base}", docs)
    measured: dict[str, PlanFigures] = {}
    commands: dict[str, list[str]] = {}
    for name in docs:
        measured[name], timed = prepare_plan(name, workdir=workdir, project_dir=project)
        commands.update({f"{name} {side}": cmd for side, cmd in timed.items()})
    # Every size's plan and floor in each round, so load drift over the minutes this takes
    # hits all sizes alike instead of making one size look cheaper than a smaller one.
    samples = run_interleaved(commands, repeat)
    for key, taken in samples.items():
        name, side = key.rsplit(" ", 1)
        setattr(measured[name], side, Figure.of(taken))
    for name, fig in measured.items():
        shown = (
            f"{fig.resources} resources, plan {fig.plan.wall_s:.2f} s / "
            f"{fig.plan.peak_mb:.0f} MB, floor {fig.floor.wall_s:.2f} s"
            if fig.plan is not None and fig.floor is not None
            else fig.note
        )
        print(f"  scaling {name}: {shown}", flush=True)
    return [ScalingPoint(series, a, c, measured[stack_name(base, a, c)]) for series, a, c in points]


def series_linearity(points: Sequence[ScalingPoint], series: str, what: str) -> Linearity | None:
    """Linearity of ``what`` (plan_s, plan_mb, floor_s) along ``series``; None if not measured."""
    pairs: list[tuple[int, float]] = []
    for p in points:
        f = p.figures
        if p.series != series or f.plan is None or f.floor is None:
            continue
        value = {"plan_s": f.plan.wall_s, "plan_mb": f.plan.peak_mb, "floor_s": f.floor.wall_s}
        pairs.append((f.resources, value[what]))
    if len({x for x, _ in pairs}) < 2:
        return None
    return linearity(pairs)


def markdown(base: str, points: Sequence[ScalingPoint]) -> list[str]:
    """The scaling table and the linearity summary."""
    lines = [
        f"Base stack: `{base}`.",
        "",
        "| series | applications | clusters | resources | plan s | plan MB | floor s "
        "| floor MB | time ×floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        f = p.figures
        if f.plan is None or f.floor is None:
            lines.append(
                f"| {p.series} | {p.applications} | {p.clusters} | – | – | – | – | – | – |"
            )
            continue
        lines.append(
            f"| {p.series} | {p.applications} | {p.clusters} | {f.resources} "
            f"| {f.plan.wall_s:.2f} | {f.plan.peak_mb:.0f} | {f.floor.wall_s:.2f} "
            f"| {f.floor.peak_mb:.0f} | {f.time_ratio:.2f} |"
        )
    lines += [
        "",
        "| series | measure | fixed | per resource | R² | marginal per step "
        "| largest ÷ smallest | verdict |",
        "|---|---|---:|---:|---:|---|---:|---|",
    ]
    units = {
        "plan_s": ("plan time", 1000.0, "ms"),
        "floor_s": ("floor time", 1000.0, "ms"),
        "plan_mb": ("plan memory", 1.0, "MB"),
    }
    for series in ("applications", "clusters"):
        for what, (label, scale, unit) in units.items():
            lin = series_linearity(points, series, what)
            if lin is None:
                lines.append(f"| {series} | {label} | – | – | – | – | – | not measured |")
                continue
            steps = ", ".join(f"{m * scale:.1f}" for m in lin.marginal)
            ratio = "∞" if math.isinf(lin.marginal_ratio) else f"{lin.marginal_ratio:.2f}"
            fixed_unit = "MB" if unit == "MB" else "s"
            lines.append(
                f"| {series} | {label} | {lin.fixed:.2f} {fixed_unit} "
                f"| {lin.per_resource * scale:.2f} {unit} | {lin.r_squared:.3f} "
                f"| {steps} {unit} | {ratio} | {lin.verdict} |"
            )
    return lines
