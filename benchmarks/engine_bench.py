"""The real engine: how long `scripts/engine` takes, and `pulumi preview`/`up` of openshift-dev.

Build: ``scripts/engine --force`` as a whole, warm (the Go caches of this machine: what CI meets
on a machine that built before) and, with ``--cold-engine``, cold (empty build and module caches
in a temporary folder, so every module is downloaded and every package compiled; tens of
minutes on 2 cores).

Deploy: the engine tier's own set-up (``tests/engine``: etcd, kube-apiserver and
kube-controller-manager on loopback, the PAN-OS emulator, a throwaway project and file
backend), then for openshift-dev a fresh ``pulumi preview``, ``pulumi up``, a no-change
``pulumi preview`` and ``pulumi destroy``, each measured ``repeat`` times (a fresh stack
each round). Peak memory is that of the whole process tree the CLI starts (the CLI, the
language host, the Python program, the Kubernetes provider and the dynamic-provider
processes), sampled from /proc every 20 ms: the figure a machine must have room for.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ROOT

ENGINE_BIN = ROOT / ".engine" / "bin"
STACK = "openshift-dev"
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class TreeSample:
    """Wall time and the peak of the summed RSS of a command's process tree."""

    wall_s: float
    peak_mb: float


@dataclass(frozen=True)
class EngineFigures:
    """What the engine part measured."""

    warm_build_s: float | None
    cold_build_s: float | None
    steps: dict[str, list[TreeSample]]
    error: str = ""


def _tree_rss_kb(root: int) -> int:
    """Summed resident memory of ``root`` and all its descendants, in KiB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * PAGE_KB
    total, todo, seen = 0, [root], set()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def run_tree(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> TreeSample:
    """Run ``cmd``; its wall time and the peak RSS of its process tree. Raises on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate(timeout=1800)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited {proc.returncode}:\n{out[-3000:]}")
    return TreeSample(wall_s=wall, peak_mb=peak * 1024 / 1e6)


def build_time(cold: bool) -> float:
    """Wall seconds of one ``scripts/engine --force`` (no binaries to start from).

    Warm is what CI meets on a machine that built before: a fresh clone, this machine's Go
    caches. Cold is a new machine: empty Go caches in a temporary folder.
    """
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="airs-cold-go-") as tmp:
        if cold:
            env.update(GOCACHE=f"{tmp}/build", GOMODCACHE=f"{tmp}/mod")
        start = time.perf_counter()
        subprocess.run(
            [str(ROOT / "scripts" / "engine"), "--force"],
            env=env,
            check=True,
            capture_output=True,
            timeout=7200,
        )
        elapsed = time.perf_counter() - start
        if cold:
            # The module cache is read-only by design; make it removable.
            subprocess.run(["chmod", "-R", "u+w", tmp], check=False)
    return elapsed


def deploy_steps(repeat: int, workdir: Path) -> dict[str, list[TreeSample]]:
    """preview, up, no-change preview and destroy of openshift-dev, ``repeat`` rounds."""
    from tests.engine.cluster import ControlPlane
    from tests.engine.conftest import PANORAMA_ADMIN
    from tests.engine.project import EngineProject
    from tests.engine.stacks import SERIAL, point_at_local_servers, push_targets
    from tests.panorama.emulator import PanoramaEmulator

    steps: dict[str, list[TreeSample]] = {
        "preview": [],
        "up": [],
        "preview (no change)": [],
        "destroy": [],
    }
    plane = ControlPlane(ENGINE_BIN, workdir / "control-plane").start()
    try:
        with PanoramaEmulator(users={PANORAMA_ADMIN: "not-used"}) as emu:
            plane.ensure_namespace("ai-apps")
            for n in range(repeat):
                project = EngineProject(workdir / f"round-{n}").create([STACK])
                project.run("stack", "init", STACK)
                point_at_local_servers(project, STACK, plane, emu, PANORAMA_ADMIN)
                if n == 0:
                    emu.register_firewall(SERIAL, *push_targets(project, STACK))
                pulumi = [str(ENGINE_BIN / "pulumi")]
                for step, args in (
                    ("preview", ["preview"]),
                    ("up", ["up", "--yes"]),
                    ("preview (no change)", ["preview", "--expect-no-changes"]),
                    ("destroy", ["destroy", "--yes"]),
                ):
                    cmd = [*pulumi, *args, "--stack", STACK, "--non-interactive"]
                    steps[step].append(run_tree(cmd, cwd=project.folder, env=project.env()))
    finally:
        plane.stop()
    return steps


def run(repeat: int, workdir: Path, *, cold: bool) -> EngineFigures:
    """Every figure of the part; an error (no .engine/bin, a failed step) is reported."""
    if not (ENGINE_BIN / "pulumi").exists() and not cold:
        return EngineFigures(None, None, {}, "no .engine/bin: run scripts/engine first")
    try:
        cold_s = build_time(cold=True) if cold else None
        warm_s = build_time(cold=False)
        steps = deploy_steps(repeat, workdir)
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        return EngineFigures(None, None, {}, str(exc)[-2000:])
    return EngineFigures(warm_s, cold_s, steps)


def markdown(figures: EngineFigures) -> list[str]:
    """The RESULTS.md section."""
    if figures.error:
        return [f"Not measured: {figures.error}"]

    def minutes(s: float | None) -> str:
        return (
            "not measured (run with --cold-engine)"
            if s is None
            else f"{s:.0f} s ({s / 60:.1f} min)"
        )

    lines = [
        "| build | wall time |",
        "|---|---:|",
        f"| `scripts/engine`, cold (empty Go caches, every module downloaded) | {minutes(figures.cold_build_s)} |",
        f"| `scripts/engine`, warm (this machine's caches) | {minutes(figures.warm_build_s)} |",
        "",
        f"| {STACK} on the real engine | s (median) | s (min–max) | peak MB, process tree (median) |",
        "|---|---:|---:|---:|",
    ]
    for step, samples in figures.steps.items():
        walls = [s.wall_s for s in samples]
        peaks = [s.peak_mb for s in samples]
        lines.append(
            f"| `pulumi {step}` | {statistics.median(walls):.1f} | "
            f"{min(walls):.1f}–{max(walls):.1f} | {statistics.median(peaks):.0f} |"
        )
    return lines
