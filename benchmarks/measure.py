"""Fresh-process measurement, medians, the machine's description and the targets.

Every figure in RESULTS.md comes from a child process started for that one measurement:
wall time from start to exit, peak memory as the child's own maximum resident set size
(``os.wait4`` returns the rusage of exactly that child, not of its siblings).

The child is started by a tiny launcher (``python -S``, ~9 MB), not by the benchmark
process itself: Linux records the high-water RSS of the memory image a process had before
``exec`` in its ``ru_maxrss``, and with ``vfork`` that image is the parent's. Spawned
straight from the benchmark process (which has imported pulumi and the emulator), a small
child would report the benchmark's own RSS instead of its own.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Targets (issue 8): our code adds at most 30% over the bare-SDK floor; a default example
# stack plans in under 6 s and 400 MB on the 2-core machine.
MAX_OVER_FLOOR = 1.30
MAX_PLAN_SECONDS = 6.0
MAX_PLAN_MB = 400.0
# Scaling: the marginal cost per resource of the last step (largest sizes) may be at most this
# many times that of the first step before the series is flagged superlinear...
MAX_MARGINAL_RATIO = 2.0
# ... unless what it costs beyond the first step's rate is under this share of the cost at the
# largest size: growth that small is within the noise of a wall-time measurement.
MATERIAL_SHARE = 0.05


class BenchmarkError(RuntimeError):
    """A measured command failed; the message carries the end of its stderr."""


@dataclass(frozen=True)
class Sample:
    """One fresh process: wall seconds and peak resident memory in MB (10^6 bytes)."""

    wall_s: float
    peak_mb: float
    cpu_s: float = 0.0
    """User + system CPU seconds of the process: on a loaded machine, what it cost when its
    wall time also counts the wait for a core."""


def airs_command() -> list[str]:
    """The ``airs`` console script of this interpreter's environment (what users run)."""
    script = Path(PYTHON).parent / "airs"
    return [str(script)] if script.exists() else [PYTHON, "-m", "components.cli.main"]


def child_env() -> dict[str, str]:
    """The environment of measured children: secrets stay opaque, as in a plain ``airs plan``.

    With a passphrase set, ``airs plan`` would spend ~1 s per stack in PBKDF2 (1,000,000
    rounds); the benchmark measures the default, passphrase-free plan.
    """
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
    }


# argv: result file, command...; writes "<wall s> <ru_maxrss KiB> <exit code> <CPU s>".
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{wall} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {cpu}")
"""


def run_measured(cmd: Sequence[str], *, cwd: Path = ROOT) -> Sample:
    """Run ``cmd`` once in a fresh process; its wall time and its own peak RSS.

    Raises:
        BenchmarkError: the command exited non-zero (with the end of its stderr).
    """
    with (
        tempfile.TemporaryDirectory() as tmp,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        result = Path(tmp) / "result"
        launcher = [PYTHON, "-S", "-c", LAUNCHER, str(result), *cmd]
        proc = subprocess.run(launcher, cwd=cwd, env=child_env(), stdout=out, stderr=err)
        try:
            wall, maxrss_kib, code, cpu = result.read_text().split()
        except (OSError, ValueError):
            wall, maxrss_kib, code, cpu = "0", "0", str(proc.returncode or 1), "0"
        if int(code) != 0 or proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise BenchmarkError(f"`{shlex.join(cmd)}` exited {code}:\n{tail}")
    # Linux reports ru_maxrss in KiB.
    return Sample(wall_s=float(wall), peak_mb=int(maxrss_kib) * 1024 / 1e6, cpu_s=float(cpu))


def run_interleaved(commands: Mapping[str, Sequence[str]], repeat: int) -> dict[str, list[Sample]]:
    """``repeat`` rounds of every command, one after another, so load drift hits all alike."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            samples[name].append(run_measured(cmd))
    return samples


@dataclass(frozen=True)
class Figure:
    """Median of several fresh-process samples."""

    wall_s: float
    peak_mb: float
    runs: int
    cpu_s: float = 0.0
    """Median CPU seconds (user + system) of the samples."""

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Figure:
        """The medians of ``samples`` (time, memory and CPU time taken separately)."""
        if not samples:
            raise ValueError("no samples")
        return cls(
            wall_s=statistics.median(s.wall_s for s in samples),
            peak_mb=statistics.median(s.peak_mb for s in samples),
            runs=len(samples),
            cpu_s=statistics.median(s.cpu_s for s in samples),
        )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, str]:
    """What the figures were measured on (the header of RESULTS.md)."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": _cpu_model(),
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable by this process)",
        "memory": f"{_memory_gib():.1f} GiB",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "pulumi SDK": _version("pulumi"),
        "provider SDKs": ", ".join(
            f"{d} {_version(d)}"
            for d in ("pulumi-gcp", "pulumi-azure-native", "pulumi-aws", "pulumi-kubernetes")
        ),
        "load average at start (1, 5, 15 min)": load,
    }
