"""Plan time and peak memory per example stack, against the bare-SDK floor.

    .venv/bin/python benchmarks/plan_bench.py [--stacks gcp-dev,aws-dev] [--repeat 3] [--markdown FILE]

For each stack, in fresh processes:
- **plan**: ``airs plan --stack S --json`` — config validation, the program under the mock
  engine, the report.
- **floor**: the same resources registered with no logic of ours: every resource the plan
  recorded is constructed again from the SDK's own class (same type, same inputs, flat under
  one component) under the same mock engine. That is the cost of the SDKs and the engine alone.

Prints wall time and peak RSS (best of ``--repeat``) and the ratios plan/floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

FLOOR = r"""
import importlib, json, re, sys
import pulumi
from components.cli.engine import run_program
from components.cli.stackfile import StackSettings

PLAN = json.load(open(sys.argv[1]))
PACKAGES = {"gcp": "pulumi_gcp", "aws": "pulumi_aws", "azure-native": "pulumi_azure_native",
            "kubernetes": "pulumi_kubernetes"}

def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

def snake_keys(value, depth=0):
    if isinstance(value, dict):
        return {snake(k) if depth == 0 else k: snake_keys(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v, depth + 1) for v in value]
    return value

def sdk_class(token):
    if token.startswith("pulumi:providers:"):
        pkg = PACKAGES.get(token.split(":")[2])
        return getattr(importlib.import_module(pkg), "Provider") if pkg else None
    pkg, mod, cls = token.split(":")
    package = PACKAGES.get(pkg)
    if package is None:
        return None
    if pkg == "kubernetes":
        module = package + "." + mod.replace("helm.sh", "helm").replace("/", ".")
    else:
        module = package + "." + mod.split("/")[0]
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):
        return None

def program():
    parent = pulumi.ComponentResource("floor:index:Floor", "floor")
    opts = pulumi.ResourceOptions(parent=parent)
    fallback = 0
    for res in PLAN["resources"]:
        if not res["custom"]:
            pulumi.ComponentResource(res["type"], res["name"], None, opts)
            continue
        cls = sdk_class(res["type"])
        inputs = {k: v for k, v in res["inputs"].items() if v not in ("[secret]", "[unknown]")}
        try:
            if cls is None:
                raise TypeError
            cls(res["name"], opts=opts, **snake_keys(inputs))
        except Exception:
            fallback += 1
            pulumi.CustomResource(res["type"], res["name"], inputs, opts)
    print(json.dumps({"fallback": fallback}), file=sys.stderr)

run = run_program(StackSettings(stack=PLAN["stack"], config={}, secret_keys=[]), program=program)
print(len(run.resources))
"""


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MiB) of one fresh child process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    # RUSAGE_CHILDREN keeps the maximum over all children so far: run each in its own
    # measuring process so the figure is this command's own peak.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak / 1024, proc.stderr


def isolated(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``measure`` in a fresh interpreter so RUSAGE_CHILDREN is this command's own."""
    probe = (
        f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"from benchmarks.plan_bench import measure; print(json.dumps(measure({cmd!r})))"
    )
    out = subprocess.run([PY, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    wall, rss, err = json.loads(out.stdout.strip().splitlines()[-1])
    return float(wall), float(rss), str(err)


def bench_stack(stack: str, repeat: int) -> dict[str, object]:
    """Best-of-``repeat`` plan and floor figures for one stack."""
    with tempfile.TemporaryDirectory() as tmp:
        plan_json = Path(tmp) / "plan.json"
        plan_cmd = [
            str(ROOT / ".venv" / "bin" / "airs"),
            "plan",
            "--stack",
            stack,
            "--json",
            str(plan_json),
        ]
        plans = [isolated(plan_cmd) for _ in range(repeat)]
        doc = json.loads(plan_json.read_text())
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text(FLOOR)
        floors = [isolated([PY, str(floor_script), str(plan_json)]) for _ in range(repeat)]
    fallback = json.loads(floors[0][2].strip().splitlines()[-1]).get("fallback", 0)
    plan_wall = min(p[0] for p in plans)
    plan_rss = min(p[1] for p in plans)
    floor_wall = min(f[0] for f in floors)
    floor_rss = min(f[1] for f in floors)
    return {
        "stack": stack,
        "resources": len(doc["resources"]),
        "plan_s": round(plan_wall, 2),
        "plan_mib": round(plan_rss),
        "floor_s": round(floor_wall, 2),
        "floor_mib": round(floor_rss),
        "time_ratio": round(plan_wall / floor_wall, 2),
        "mem_ratio": round(plan_rss / floor_rss, 2),
        "floor_generic": fallback,
    }


def machine() -> str:
    """One line describing this machine."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> int:
    """Run the benchmark and print (and optionally write) a Markdown table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stacks", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from components.cli.stackfile import load_project

    stacks = args.stacks.split(",") if args.stacks else load_project(ROOT / "Pulumi.yaml").stacks()
    rows = [bench_stack(s, args.repeat) for s in stacks]
    lines = [
        f"Machine: {machine()}; best of {args.repeat} fresh processes each.",
        "",
        "| stack | resources | plan s | plan MiB | floor s | floor MiB | time ×floor | memory ×floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['stack']} | {r['resources']} | {r['plan_s']} | {r['plan_mib']} | {r['floor_s']} | "
            f"{r['floor_mib']} | {r['time_ratio']} | {r['mem_ratio']} |"
        )
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
