"""The cluster side when a cluster's API server is unreachable: what plan, preview and up do.

Our code talks to a cluster in one place only, ``WorkloadRestart`` (restart.py), and only
when it is created. Everything else on the cluster side (the Helm release, namespace patches,
the read of the plugin token Secret) is the pulumi-kubernetes provider's work; what our
program decides is *when* the token read happens: its id derives from the release's status,
so a first preview, before the release exists, defers it. Each case runs with a kubeconfig
whose server is a closed local port and records every socket connection the process makes.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from tests.fault_matrix import NOT_CONTACTED, Row

EXAMPLE = "gcp-dev"
CLUSTER = "apps"
NAMESPACE = "ai-apps"
READ_TYPE = "kubernetes:core/v1:Secret"
PANORAMA_OBJECT = "pulumi-python:dynamic/panorama:Object"
PANORAMA_COMMIT = "pulumi-python:dynamic/panorama:Commit"


@dataclass
class Observed:
    """What one case did."""

    case: Case
    connections: list[Any] = field(default_factory=list)
    ok: bool = False
    result: str = ""
    rerun: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def row(self) -> Row:
        """The matrix row, from the observations only."""
        return Row(
            fault=self.case.title,
            injected=self.case.injected,
            struck=self.case.struck,
            calls=f"{len(self.connections)} connection(s) to the cluster",
            result=self.result,
            commits_pushes=NOT_CONTACTED,
            candidate=NOT_CONTACTED,
            running=NOT_CONTACTED,
            rerun=self.rerun or NOT_CONTACTED,
        )


@dataclass(frozen=True)
class Case:
    """One way the cluster side meets an unreachable API server."""

    key: str
    title: str
    injected: str
    struck: str
    run: Callable[[Observed], None]


@contextlib.contextmanager
def connections(into: list[Any]) -> Iterator[None]:
    """Record the address of every socket connection attempted (and still make it)."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(sock: socket.socket, address: Any) -> None:
        into.append(address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        into.append(address)
        return real_connect_ex(sock, address)

    with (
        mock.patch.object(socket.socket, "connect", connect),
        mock.patch.object(socket.socket, "connect_ex", connect_ex),
    ):
        yield


@contextlib.contextmanager
def planted_project() -> Iterator[tuple[Path, str]]:
    """A project with the example stack, its kubeconfigs pointing at a closed port."""
    from scripts.example_secrets import EXAMPLE_PASSPHRASE
    from tests.planted import planted_project as make_project
    from tests.planted import write_planted_stack

    with (
        tempfile.TemporaryDirectory(prefix="airs-unreachable-") as tmp,
        mock.patch.dict(os.environ, {"PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE}),
    ):
        project = make_project(Path(tmp))
        yield project, write_planted_stack(project, EXAMPLE).name


def _offline_plan(seen: Observed) -> None:
    from components.cli.main import main

    with planted_project() as (project, stack):
        out, err = io.StringIO(), io.StringIO()
        with (
            connections(seen.connections),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(["--project", str(project), "plan", "--stack", stack])
    text = out.getvalue()
    seen.ok = code == 0
    seen.facts = {
        "exit": code,
        "release": "kubernetes:helm.sh/v3:Release" in text,
        "token read": any(" >  " in line and "plugin-token" in line for line in text.splitlines()),
    }
    listed = [what for what in ("release", "token read") if seen.facts[what]]
    shown = " and the ".join(listed) or "neither the release nor the token read"
    seen.result = f"`airs plan` exits {code}; it lists the {shown}"


@contextlib.contextmanager
def preview_mode() -> Iterator[None]:
    """The mock engine as in a first ``pulumi preview``: a dry run, the release not yet made.

    The release's status is unknown until it exists; a read whose id is unknown is one the
    engine skips in a preview, so it answers nothing.
    """
    import pulumi
    from pulumi.runtime import rpc
    from pulumi.runtime import settings as runtime_settings

    import components.cli.mock_kubernetes as k8s_mocks

    real_set_mocks, real_reset = pulumi.runtime.set_mocks, runtime_settings.reset_options
    real_new_resource = k8s_mocks.new_resource

    def new_resource(args: Any, resource_id: str) -> tuple[str, dict[str, Any]]:
        rid, state = real_new_resource(args, resource_id)
        if args.typ == "kubernetes:helm.sh/v3:Release":
            state = {**state, "status": rpc.UNKNOWN}
        if args.typ == READ_TYPE and args.resource_id == rpc.UNKNOWN:
            state = {}
        return rid, state

    with (
        mock.patch.object(
            pulumi.runtime,
            "set_mocks",
            lambda *a, **k: real_set_mocks(*a, **{**k, "preview": True}),
        ),
        mock.patch.object(
            runtime_settings,
            "reset_options",
            lambda *a, **k: real_reset(*a, **{**k, "preview": True}),
        ),
        mock.patch.object(k8s_mocks, "new_resource", new_resource),
    ):
        yield


def _first_preview(seen: Observed) -> None:
    from pulumi.runtime import rpc

    from components.cli import stackfile
    from components.cli.engine import run_program
    from components.cli.mocks import is_secret, unwrap

    with planted_project() as (project, stack):
        settings = stackfile.load_stack(stackfile.load_project(project / "Pulumi.yaml"), stack)
        with preview_mode(), connections(seen.connections):
            run = run_program(settings)

    def credential(reg: Any) -> Any:
        late = reg.inputs.get("late")
        late = unwrap(late) if is_secret(late) else late
        values = list((late or {}).values())
        return values[0] if values else None

    read = next(r for r in run.resources if r.read and r.type == READ_TYPE)
    entry = next(r for r in run.resources if r.type == PANORAMA_OBJECT and "k8s-cluster" in r.name)
    commit = next(r for r in run.resources if r.type == PANORAMA_COMMIT)
    unknown = {
        "read id": read.inputs.get("id") == rpc.UNKNOWN,
        "plugin entry credential": not isinstance(credential(entry), str),
        "commit credential": not isinstance(credential(commit), str),
    }
    seen.ok = True
    seen.facts = unknown
    seen.result = (
        "preview completes; the token read's id is "
        + ("unknown, so the engine defers the read" if unknown["read id"] else "known")
        + "; the Panorama plugin entry and the commit carry "
        + (
            "an unknown credential"
            if unknown["plugin entry credential"] and unknown["commit credential"]
            else "a known credential"
        )
    )


def _unreachable_kubeconfig() -> str:
    from tests.planted import kubeconfig_with, new_marker

    return kubeconfig_with(new_marker("unreachable"))


def _restart_preview(seen: Observed) -> None:
    from components.cluster.restart import WorkloadRestartProvider

    kubeconfig = _unreachable_kubeconfig()
    provider = WorkloadRestartProvider()
    with connections(seen.connections):
        # What a preview calls on a dynamic provider: diff (and check), never create.
        same = provider.diff(NAMESPACE, {"namespace": NAMESPACE}, {"namespace": NAMESPACE})
        other = provider.diff(
            NAMESPACE,
            {"namespace": NAMESPACE, "kubeconfig": kubeconfig},
            {"namespace": "ai-gateway", "kubeconfig": kubeconfig},
        )
    seen.ok = True
    seen.facts = {"same": same.changes, "other": other.replaces}
    seen.result = (
        f"diff answers without the cluster: same namespace → changes={same.changes}; "
        f"another namespace → replaces {other.replaces}"
    )


def _restart_create(seen: Observed) -> None:
    from components.cluster.restart import KubeApiError, WorkloadRestartProvider
    from tests.cluster.test_restart import FakeApi, _kubeconfig

    props = {"namespace": NAMESPACE, "kubeconfig": _unreachable_kubeconfig()}
    with connections(seen.connections):
        try:
            WorkloadRestartProvider().create(props)
        except KubeApiError as exc:
            seen.result = f"fails: {exc}"
        else:
            seen.ok = True
            seen.result = "succeeds"
    api = FakeApi()
    api.thread.start()
    try:
        reachable = _kubeconfig(api.url, {"token": "good-token"})
        done = WorkloadRestartProvider().create({"namespace": NAMESPACE, "kubeconfig": reachable})
    finally:
        api.server.shutdown()
        api.server.server_close()
    restarted = (done.outs or {})["restarted"]
    seen.facts = {"restarted": restarted}
    seen.rerun = f"once reachable: restarts {len(restarted)} workload(s) ({', '.join(restarted)})"


CASES: tuple[Case, ...] = (
    Case(
        "plan-offline",
        "Cluster API server unreachable",
        "kubeconfig `server: https://127.0.0.1:9` (closed port), restartWorkloads on",
        "`airs plan` (offline)",
        _offline_plan,
    ),
    Case(
        "first-preview",
        "Cluster API server unreachable",
        "same kubeconfig; release not created yet",
        "`pulumi preview`, first run (mock engine, dry run)",
        _first_preview,
    ),
    Case(
        "restart-preview",
        "Cluster API server unreachable",
        "same kubeconfig",
        "WorkloadRestart in a preview (diff)",
        _restart_preview,
    ),
    Case(
        "restart-create",
        "Cluster API server unreachable",
        "same kubeconfig",
        "WorkloadRestart in `pulumi up` (create)",
        _restart_create,
    ),
)


def run(case: Case) -> Observed:
    """Run one case and observe."""
    seen = Observed(case)
    case.run(seen)
    return seen
