"""Every fault the PAN-OS emulator injects, run the same way, with what the code did observed.

Each scenario: apply the GCP intent cleanly (one firewall registered, so pushes happen), arm
one fault, apply a change (one route moved), observe, disarm, apply the change again. The
provider runs with the shipped retry and polling settings; only time is virtual (the client's
sleep and clock are replaced), so backoff waits and poll counts are exact and nothing waits
for real, except the HTTP timeout scenarios, which need a real (short) socket timeout.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.panorama.client import PanoramaClient, PanoramaError
from components.panorama.provider import ProviderSettings
from components.panorama.render import render_intent
from tests.fault_matrix import Row, seconds
from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile
from tests.panorama.engine import ADMIN, Engine, running_matches
from tests.panorama.helpers import SERIAL, change_one_route, intent_for, late_for, pending

Request = dict[str, str]
SHIPPED = ProviderSettings()
SHORT_HTTP_TIMEOUT = 1.0  # the timeout scenarios: the emulator answers after TIMEOUT_DELAY
TIMEOUT_DELAY = 1.5
NEVER = 10**9  # "the job never finishes": more ACT polls than the poll timeout allows


@dataclass
class VirtualClock:
    """Time for the client's backoff and polling: sleeping advances it instantly."""

    now: float = 0.0
    waits: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def backoff(self, seconds: float) -> None:
        """The retry sleep: recorded, then the same as any sleep."""
        self.waits.append(seconds)
        self.sleep(seconds)


@dataclass
class Lab:
    """One scenario's emulator, engine (the provider as the Pulumi engine drives it), clock."""

    emu: PanoramaEmulator
    engine: Engine
    time: VirtualClock

    def client(self) -> PanoramaClient:
        """The commit provider's client (the single writer), on virtual time."""
        client = self.engine.commit_provider.client(self.emu.hostname)
        client.retry = dataclasses.replace(client.retry, sleep=self.time.backoff)
        client.poll = dataclasses.replace(client.poll, sleep=self.time.sleep, clock=self.time.clock)
        return client

    def reconfigure(self, api_key: str) -> None:
        """Swap the commit provider's API key, as a changed stack config would."""
        raw = {
            "airs:panoramaApiKey": api_key,
            "airs:panorama": json.dumps({"hostname": self.emu.hostname, "username": ADMIN}),
        }
        provider = self.engine.commit_provider
        provider.configure(ConfigureRequest(Config(raw, "airs")))
        provider._clients.clear()  # the next call builds a client with the new key
        self.client()


def _is_write(r: Request) -> bool:
    return r.get("action") == "multi-config"


def _is_read(r: Request) -> bool:
    return r.get("type") == "config" and r.get("action") == "get"


def _is_commit(r: Request) -> bool:
    return r.get("type") == "commit" and r.get("action") != "all"


def _is_push(r: Request) -> bool:
    return r.get("type") == "commit" and r.get("action") == "all"


def _is_job_poll(r: Request) -> bool:
    return "<jobs>" in r.get("cmd", "")


def _is_revert(r: Request) -> bool:
    return "<revert>" in r.get("cmd", "")


@dataclass(frozen=True)
class Fault:
    """One injected fault and what the code is expected to do about it."""

    key: str
    title: str
    injected: str
    struck: str
    is_struck: Callable[[Request], bool]
    arm: Callable[[Lab], None]
    disarm: Callable[[Lab], None]
    expect_ok: bool
    expect_calls: int
    expect_waits: int = 0
    """Backoff waits: one per retry of a retried call."""
    expect_says: str = ""
    """Part of the error text (PAN-OS's words or ours)."""
    expect_commits: int = 0
    expect_running: str = "previous config"
    expect_clean: bool = True
    http_timeout: float = 10.0


def _set(**switches: Any) -> Callable[[Lab], None]:
    def arm(lab: Lab) -> None:
        # Transport faults strike the config write the scenario is about, not the reads
        # before it (the AI security profile check).
        lab.emu.faults.strikes = _is_write
        for name, value in switches.items():
            setattr(lab.emu.faults, name, value)

    return arm


def _reset(lab: Lab) -> None:
    lab.emu.faults = type(lab.emu.faults)()


def _break_revert(lab: Lab) -> None:
    lab.emu.faults.commit_fail = "route 'app-app-vpc' nexthop is invalid"

    def revert(_admin: str | None) -> None:
        raise PanoramaError(f"HTTP 500 from {lab.emu.hostname}")

    lab.client().revert = revert  # type: ignore[method-assign,assignment]


def _mend_revert(lab: Lab) -> None:
    _reset(lab)
    del lab.client().revert  # back to the class's method


A = SHIPPED.retry_attempts
ROUTE_REFUSED = "lr-airs -> static-route 'app-app-vpc' nexthop is invalid"
FAULTS: tuple[Fault, ...] = (
    Fault(
        "http-500-transient",
        "HTTP 500, twice",
        "`faults.http_500 = 2`",
        "config write (multi-config)",
        _is_write,
        _set(http_500=2),
        _reset,
        expect_ok=True,
        expect_calls=3,
        expect_waits=2,
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "http-500-persistent",
        "HTTP 500 on every attempt",
        f"`faults.http_500 = {A}`",
        "config write (multi-config)",
        _is_write,
        _set(http_500=A),
        _reset,
        expect_ok=False,
        expect_calls=A,
        expect_waits=A - 1,
        expect_says="HTTP 500 from panorama; nothing was committed",
    ),
    Fault(
        "timeout-transient",
        "No answer within the HTTP timeout, once",
        f"`faults.timeouts = 1` (answers after {TIMEOUT_DELAY:g} s; client timeout "
        f"{SHORT_HTTP_TIMEOUT:g} s)",
        "config write (multi-config)",
        _is_write,
        _set(timeouts=1, timeout_delay=TIMEOUT_DELAY),
        _reset,
        expect_ok=True,
        expect_calls=2,
        expect_waits=1,
        expect_commits=1,
        expect_running="new config",
        http_timeout=SHORT_HTTP_TIMEOUT,
    ),
    Fault(
        "timeout-persistent",
        "No answer within the HTTP timeout, every attempt",
        f"`faults.timeouts = {A}`",
        "config write (multi-config)",
        _is_write,
        _set(timeouts=A, timeout_delay=TIMEOUT_DELAY),
        _reset,
        expect_ok=False,
        expect_calls=A,
        expect_waits=A - 1,
        expect_says="cannot reach panorama",
        http_timeout=SHORT_HTTP_TIMEOUT,
    ),
    Fault(
        "commit-in-progress-transient",
        "Another commit in progress, twice",
        "`faults.commit_in_progress = 2`",
        "commit",
        _is_commit,
        _set(commit_in_progress=2),
        _reset,
        expect_ok=True,
        expect_calls=3,
        expect_waits=2,
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "commit-in-progress-persistent",
        "Another commit in progress, every attempt",
        f"`faults.commit_in_progress = {A}`",
        "commit",
        _is_commit,
        _set(commit_in_progress=A),
        _reset,
        expect_ok=False,
        expect_calls=A,
        expect_waits=A - 1,
        expect_says="Another commit/validate is in progress",
    ),
    Fault(
        "config-lock",
        "Config lock held by another admin",
        '`faults.config_lock_admin = "other"`',
        "config write (multi-config)",
        _is_write,
        _set(config_lock_admin="other"),
        _reset,
        expect_ok=False,
        expect_calls=A,
        expect_waits=A - 1,
        expect_says="Config is locked by other",
    ),
    Fault(
        "commit-lock",
        "Commit lock held by another admin",
        '`faults.commit_lock_admin = "other"`',
        "commit",
        _is_commit,
        _set(commit_lock_admin="other"),
        _reset,
        expect_ok=False,
        expect_calls=A,
        expect_waits=A - 1,
        expect_says="Commit lock is currently held by other",
    ),
    Fault(
        "validation-error",
        "PAN-OS refuses one object (validation error)",
        '`faults.reject = ("app-app-vpc", "\'10.99.0.0/16\' is not a valid reference")`',
        "config write (multi-config)",
        _is_write,
        _set(reject=("app-app-vpc", "'10.99.0.0/16' is not a valid reference")),
        _reset,
        expect_ok=False,
        expect_calls=1,
        expect_says="is not a valid reference",
    ),
    Fault(
        "commit-fails",
        "Commit job finishes with FAIL",
        f'`faults.commit_fail = "{ROUTE_REFUSED}"`',
        "commit",
        _is_commit,
        _set(commit_fail=ROUTE_REFUSED),
        _reset,
        expect_ok=False,
        expect_calls=1,
        expect_says="nexthop is invalid",
    ),
    Fault(
        "slow-jobs",
        "Slow jobs (ACT polls, then firewalls PEND)",
        "`faults.job_polls = 4`, `faults.device_pending_polls = 3`",
        "job status (show jobs)",
        _is_job_poll,
        _set(job_polls=4, device_pending_polls=3),
        _reset,
        expect_ok=True,
        expect_calls=5 + 8 + 8,  # commit: 4 ACT + FIN; each push: 4 ACT + 3 PEND + done
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "job-never-finishes",
        "Commit job never finishes",
        f"`faults.job_polls = {NEVER:_}`",
        "job status (show jobs)",
        _is_job_poll,
        _set(job_polls=NEVER),
        _reset,
        expect_ok=False,
        expect_calls=int(SHIPPED.poll_timeout // SHIPPED.poll_interval) + 1,
        expect_says="did not finish within",
        # The emulator, like Panorama, commits the change even though its job looks stuck.
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "push-fails",
        "Push to a firewall fails",
        '`faults.push_fail = {serial: "vsys1: zone trust: interface ethernet1/2 not found"}`',
        "push (commit-all)",
        _is_push,
        _set(push_fail={SERIAL: "vsys1: zone trust: interface ethernet1/2 not found"}),
        _reset,
        expect_ok=False,
        expect_calls=1,
        expect_says="interface ethernet1/2 not found",
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "push-job-ok-device-fails",
        "Push job reports OK while a firewall failed",
        '`faults.push_fail = {serial: "…"}`, `faults.push_job_result = "OK"`',
        "push (commit-all)",
        _is_push,
        _set(
            push_fail={SERIAL: "vsys1: zone trust: interface ethernet1/2 not found"},
            push_job_result="OK",
        ),
        _reset,
        expect_ok=False,
        expect_calls=1,
        expect_says="interface ethernet1/2 not found",
        expect_commits=1,
        expect_running="new config",
    ),
    Fault(
        "revert-fails",
        "Commit fails and the revert fails too",
        "`faults.commit_fail` + the client's revert raises HTTP 500",
        "commit, then revert",
        _is_commit,
        _break_revert,
        _mend_revert,
        expect_ok=False,
        expect_calls=1,
        expect_says="reverting the candidate ALSO failed",
        expect_clean=False,
    ),
    Fault(
        "credentials-refused",
        "API key refused (403)",
        "provider configured with a key Panorama does not know",
        "the first read (the AI security profile check, before any write)",
        _is_read,
        lambda lab: lab.reconfigure("not-a-key-panorama-issued"),
        lambda lab: lab.reconfigure(lab.emu.key_for(ADMIN)),
        expect_ok=False,
        expect_calls=1,
        expect_says="Panorama refused the credentials",
    ),
)


@dataclass
class Observed:
    """What one scenario did: the failing up, the state it left, and the re-run."""

    fault: Fault
    error: str | None
    calls: int
    waits: list[float]
    commits: int
    pushes: int
    pending: list[str]
    running: str
    rerun_commits: int
    rerun_pushes: int
    rerun_pending: list[str]
    rerun_running: str
    reverts: int

    def row(self) -> Row:
        """The matrix row, from the observations only."""
        calls = f"{self.calls}" + (f" ({seconds(self.waits)})" if self.waits else "")
        candidate = (
            "clean"
            if not self.pending
            else f"{len(self.pending)} change(s) of ours left uncommitted"
        )
        rerun = (
            f"converges: {self.rerun_commits} commit(s), {self.rerun_pushes} push(es)"
            if self.rerun_running == "new config" and not self.rerun_pending
            else f"does not converge (running: {self.rerun_running})"
        )
        return Row(
            fault=self.fault.title,
            injected=self.fault.injected,
            struck=self.fault.struck,
            calls=calls,
            result="succeeds" if self.error is None else f"fails: {self.error}",
            commits_pushes=f"{self.commits} / {self.pushes}",
            candidate=candidate,
            running=self.running,
            rerun=rerun,
        )


def _running(emu: PanoramaEmulator, new: Any, old: Any, late: dict[str, str]) -> str:
    if running_matches(emu, new, late) == []:
        return "new config"
    if running_matches(emu, old, late) == []:
        return "previous config"
    return "mixed: " + ", ".join(running_matches(emu, new, late))


def run(fault: Fault) -> Observed:
    """Run one fault scenario against a fresh emulator and observe."""
    with PanoramaEmulator() as emu:
        seed_ai_profile(emu)
        settings = ProviderSettings(ca_bundle=str(emu.cert), timeout=fault.http_timeout)
        lab = Lab(emu, Engine(emu, settings), VirtualClock())
        lab.client()
        intent = intent_for("gcp")
        late = late_for(intent)
        emu.register_firewall(SERIAL, intent.template_stack, intent.device_group)
        old = lab.engine.up(intent, late)
        changed = change_one_route(intent)
        new = render_intent(changed)
        seen, commits, pushes = len(emu.requests), len(emu.commits), len(emu.pushes)
        lab.time.waits.clear()
        fault.arm(lab)
        error: str | None = None
        try:
            lab.engine.up(changed, late)
        except PanoramaError as exc:
            error = str(exc).replace(emu.hostname, "panorama")
        requests = emu.requests[seen:]
        observed = Observed(
            fault=fault,
            error=error,
            calls=sum(1 for r in requests if fault.is_struck(r)),
            waits=list(lab.time.waits),
            commits=len(emu.commits) - commits,
            pushes=len(emu.pushes) - pushes,
            pending=pending(emu),
            running=_running(emu, new, old, late),
            rerun_commits=0,
            rerun_pushes=0,
            rerun_pending=[],
            rerun_running="",
            reverts=sum(1 for r in requests if _is_revert(r)),
        )
        fault.disarm(lab)
        commits, pushes = len(emu.commits), len(emu.pushes)
        lab.engine.up(changed, late)
        observed.rerun_commits = len(emu.commits) - commits
        observed.rerun_pushes = len(emu.pushes) - pushes
        observed.rerun_pending = pending(emu)
        observed.rerun_running = _running(emu, new, old, late)
        return observed
