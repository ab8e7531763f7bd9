"""Panorama XML API calls and commits per ``pulumi up`` scenario, per cloud.

Each cloud's dev example stack (and one synthetic large stack) is rendered to its Panorama
intent exactly as ``airs plan`` does (``components.deployment.panorama_inputs`` →
``profiles.build_intent``) and applied to the local PAN-OS emulator
(tests/panorama/emulator.py) through the real dynamic providers, driven in engine order by
tests/panorama/engine.py: full apply, a run that changes nothing, one changed route, one
removed rule, destroy. The emulator records every request.

Calls are split into object writes (config set/edit/delete/move/multi-config) and the
commit-and-push part (commit, job polls, the registered-firewall checks and the pushes to the
template stack and device group), which is a fixed cost per changing run, not per object.

Targets: object writes ≤ 2 per changed object; 0 calls and 0 commits for a run that
changes nothing; exactly 1 commit per changing run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ROOT
from components.cli import stackfile
from components.clouds import build_intent, parse_stack_config
from components.config import StackConfig
from components.deployment import panorama_inputs
from components.panorama.intent import PanoramaIntent
from components.panorama.provider import ProviderSettings
from tests.panorama.emulator import PanoramaEmulator
from tests.panorama.engine import Engine
from tests.panorama.helpers import SERIAL, change_one_route, late_for, remove_one_rule

# Cloud → its dev example stack.
CLOUD_STACKS = {
    "private": "openshift-dev",
    "gcp": "gcp-dev",
    "azure": "azure-dev",
    "aws": "aws-dev",
}
# A large synthetic stack: (base stack, applications, clusters).
LARGE = ("gcp-dev", 50, 20)
OBJECT_WRITES = ("set", "edit", "delete", "move", "multi-config")
MAX_WRITES_PER_OBJECT = 2
WRITES_CHECK = f"writes ≤ {MAX_WRITES_PER_OBJECT}/object"


@dataclass(frozen=True)
class CallRow:
    """What one scenario cost against the emulator."""

    label: str
    scenario: str
    objects_changed: int
    calls: int
    object_writes: int
    commit_push_calls: int
    commits: int
    pushes: int

    def checks(self) -> dict[str, bool]:
        """Pass/fail of each target that applies to this scenario."""
        if self.objects_changed == 0:
            return {"0 calls": self.calls == 0, "0 commits": self.commits == 0}
        return {
            WRITES_CHECK: self.object_writes <= MAX_WRITES_PER_OBJECT * self.objects_changed,
            "1 commit": self.commits == 1,
        }


def _is_object_write(request: dict[str, str]) -> bool:
    return request.get("type") == "config" and request.get("action") in OBJECT_WRITES


def config_of(project: stackfile.Project, stack: str) -> StackConfig:
    """A stack's validated config (secrets opaque: the intent only needs their keys)."""
    raw, secret = stackfile.airs_values(stackfile.load_stack(project, stack, decrypt=False))
    return parse_stack_config(raw, secret)


def scenarios(label: str, intent: PanoramaIntent) -> list[CallRow]:
    """Full apply, no change, one route changed, one rule removed, destroy: one row each."""
    rows: list[CallRow] = []
    late = late_for(intent)
    with PanoramaEmulator() as emu:
        settings = ProviderSettings(
            ca_bundle=str(emu.cert), timeout=5, poll_interval=0.005, retry_base_delay=0.01
        )
        engine = Engine(emu, settings)
        emu.register_firewall(SERIAL, intent.template_stack, intent.device_group)
        changed = change_one_route(intent)
        steps: list[tuple[str, PanoramaIntent | None]] = [
            ("full apply", intent),
            ("no change", intent),
            ("change one route", changed),
            ("remove one rule", remove_one_rule(changed)),
            ("destroy", None),
        ]
        for scenario, target in steps:
            first_request, commits, pushes = len(emu.requests), len(emu.commits), len(emu.pushes)
            first_log = len(engine.log)
            if target is None:
                n = len(engine.objects)
                engine.destroy()
            else:
                engine.up(target, late)
                n = sum(1 for line in engine.log[first_log:] if "commit" not in line)
            requests = emu.requests[first_request:]
            writes = sum(1 for r in requests if _is_object_write(r))
            rows.append(
                CallRow(
                    label=label,
                    scenario=scenario,
                    objects_changed=n,
                    calls=len(requests),
                    object_writes=writes,
                    commit_push_calls=len(requests) - writes,
                    commits=len(emu.commits) - commits,
                    pushes=len(emu.pushes) - pushes,
                )
            )
    return rows


def run(workdir: Path) -> list[CallRow]:
    """Every cloud's dev stack, then the large synthetic stack."""
    from benchmarks import scaling

    project = stackfile.load_project(ROOT / "Pulumi.yaml")
    rows: list[CallRow] = []
    for cloud, stack in CLOUD_STACKS.items():
        rows += scenarios(
            f"{cloud} ({stack})", build_intent(panorama_inputs(config_of(project, stack)))
        )
    base, apps, clusters = LARGE
    name = scaling.stack_name(base, apps, clusters)
    doc = scaling.synthetic_stack(scaling.load_stack_document(base), apps, clusters)
    large = stackfile.load_project(
        scaling.write_project(workdir / "panorama-large", {name: doc}) / "Pulumi.yaml"
    )
    intent = build_intent(panorama_inputs(config_of(large, name)))
    rows += scenarios(f"gcp ({name})", intent)
    return rows


def markdown(rows: Sequence[CallRow]) -> list[str]:
    """The calls table."""
    lines = [
        "| stack | scenario | objects changed | API calls | object writes | writes/object "
        "| commit+push calls | commits | pushes | targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        per = f"{r.object_writes / r.objects_changed:.2f}" if r.objects_changed else "–"
        verdict = ", ".join(f"{k}: {'pass' if ok else '**FAIL**'}" for k, ok in r.checks().items())
        lines.append(
            f"| {r.label} | {r.scenario} | {r.objects_changed} | {r.calls} | {r.object_writes} "
            f"| {per} | {r.commit_push_calls} | {r.commits} | {r.pushes} | {verdict} |"
        )
    return lines


def main() -> int:
    """Print the table; exit 1 if a target is missed."""
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(Path(tmp))
    print("\n".join(markdown(rows)))
    ok = all(all(r.checks().values()) for r in rows)
    print("\ntargets met" if ok else "\nTARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
