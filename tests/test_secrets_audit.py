"""Secrets audit: a unique marker in every secret the program accepts never surfaces in plaintext.

Secrets the program accepts (``SecretStr`` fields of the config models (``components/config/``, ``components/clouds/*/config.py``), plus what the
cluster hands back): ``airs:panoramaApiKey``, ``airs:panoramaPassword``,
``securityProject.firewall.bootstrap.authKey`` (GCP, Azure, AWS), every
``clusters.<key>.kubeconfig``, and the ``pan-plugin-user-secret`` token the program reads
from each cluster and turns into the Panorama plugin credential.

Each test plants markers, drives one surface, and searches everything that surface shows
(stdout, stderr, files, recorded registrations and state, outputs, logs at DEBUG), plainly and
inside base64 / gzip blobs (decoded recursively). A marker may only live inside values the
engine holds as secrets; the positive controls prove the markers did reach the program, so
a test cannot pass because a secret was never used.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import rpc

import components.cli.engine as engine_module
import components.cli.mock_kubernetes as k8s_mocks
from components.cli import stackfile
from components.cli.engine import ProgramRun, SecretValue
from components.cli.main import main
from components.cli.mocks import RecordingMonitor, is_secret, unwrap
from components.cli.stackfile import PassphraseCrypter
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.helpers import EXAMPLE_STACKS, ROOT
from tests.planted import (
    kubeconfig_with,
    new_marker,
    planted_project,
    write_planted_stack,
)

SECRET_SHOWN = "[secret]"


# ----------------------------------------------------------------------------- searching

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")


def _decoded(blob: str) -> Iterator[bytes]:
    padded = blob + "=" * (-len(blob) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(padded)
        except (binascii.Error, ValueError):
            continue
        yield raw
        if raw[:2] == b"\x1f\x8b":
            with contextlib.suppress(OSError, EOFError, zlib.error):
                yield gzip.decompress(raw)


def expand(text: str, depth: int = 3) -> Iterator[str]:
    """``text`` and every base64 (and gzip-inside-base64) blob in it, decoded, recursively."""
    yield text
    if depth == 0:
        return
    for match in _B64_RUN.finditer(text):
        for raw in _decoded(match.group(0)):
            yield from expand(raw.decode("latin-1"), depth - 1)


def found(text: str, markers: Iterable[str]) -> set[str]:
    """Markers present in ``text`` plainly or encoded."""
    wanted = set(markers)
    hits: set[str] = set()
    for layer in expand(text):
        hits |= {m for m in wanted if m in layer}
        if hits == wanted:
            break
    return hits


def masked(value: Any) -> Any:
    """A JSON-safe view of recorded values with every engine-held secret masked."""
    if is_secret(value) or isinstance(value, SecretValue):
        return SECRET_SHOWN
    if isinstance(value, dict):
        return {str(k): masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def secret_payloads(value: Any, inside: bool = False) -> Iterator[str]:
    """The plaintext inside every secret of a recorded value (for the positive controls)."""
    if is_secret(value):
        yield from secret_payloads(unwrap(value), True)
    elif isinstance(value, SecretValue):
        yield from secret_payloads(value.value, True)
    elif isinstance(value, dict):
        for v in value.values():
            yield from secret_payloads(v, inside)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from secret_payloads(v, inside)
    elif inside and value is not None:
        yield str(value)


def as_text(value: Any) -> str:
    return json.dumps(masked(value), sort_keys=True, default=repr)


# ----------------------------------------------------------------------------- recording


class AuditMonitor(RecordingMonitor):
    """Also keeps the state the engine would store for each resource.

    The real engine stores a resource's outputs with its secret inputs still secret and with
    ``additionalSecretOutputs`` made secret; the mock monitor does neither for the second,
    so that is applied here before the state is searched.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.states: list[tuple[str, str, dict[str, Any]]] = []
        self.registered_outputs: list[tuple[str, dict[str, Any]]] = []

    def _keep(self, request: Any, props: Any) -> None:
        state = rpc.deserialize_properties(props, keep_unknowns=True)
        for key in request.additionalSecretOutputs:
            if key in state:
                state[key] = rpc.wrap_rpc_secret(state[key])
        self.states.append((request.type, request.name, state))

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self._keep(request, response.object)
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        self._keep(request, response.properties)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        # What components (and the stack) pass to ``register_outputs``: the engine stores
        # these in state as well, so a component output is as much a leak as a resource's.
        outputs = rpc.deserialize_properties(request.outputs, keep_unknowns=True)
        self.registered_outputs.append((request.urn, outputs))
        return super().RegisterResourceOutputs(request)


@dataclass
class Recorder:
    """What the engine saw during the runs of one test."""

    monitors: list[AuditMonitor] = field(default_factory=list)
    runs: list[ProgramRun] = field(default_factory=list)
    pulumi_logs: list[str] = field(default_factory=list)
    plugin_tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Record monitors, program runs and Pulumi log calls; plant a marker in each plugin token."""
    rec = Recorder()

    def monitor(mocks: pulumi.runtime.Mocks) -> AuditMonitor:
        m = AuditMonitor(mocks)
        rec.monitors.append(m)
        return m

    real_run = engine_module.run_program

    def run_program(*args: Any, **kwargs: Any) -> ProgramRun:
        run = real_run(*args, **kwargs)
        rec.runs.append(run)
        return run

    monkeypatch.setattr(engine_module, "RecordingMonitor", monitor)
    monkeypatch.setattr(engine_module, "run_program", run_program)

    real_new_resource = k8s_mocks.new_resource

    def new_resource(args: Any, resource_id: str) -> tuple[str, dict[str, Any]]:
        rid, state = real_new_resource(args, resource_id)
        data = state.get("data")
        if args.typ == "kubernetes:core/v1:Secret" and isinstance(data, dict) and "token" in data:
            # What the cluster's token controller writes into pan-plugin-user-secret.
            token = rec.plugin_tokens.setdefault(args.name, new_marker("plugintoken", args.name))
            state = {**state, "data": {**data, "token": base64.b64encode(token.encode()).decode()}}
        return rid, state

    monkeypatch.setattr(k8s_mocks, "new_resource", new_resource)

    for level in ("debug", "info", "warn", "error"):
        real = getattr(pulumi.log, level)

        def logged(msg: str, *a: Any, _real: Callable[..., None] = real, **kw: Any) -> None:
            rec.pulumi_logs.append(str(msg))
            _real(msg, *a, **kw)

        monkeypatch.setattr(pulumi.log, level, logged)
    return rec


# ----------------------------------------------------------------------------- stacks


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway project folder; planted secrets decrypt with the example passphrase."""
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", EXAMPLE_PASSPHRASE)
    return planted_project(tmp_path / "project")


def _airs(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--project", str(project), *args])
    out = capsys.readouterr()
    return code, out.out + "\n" + out.err


# ----------------------------------------------------------------------------- the program


@pytest.mark.parametrize("example", EXAMPLE_STACKS)
def test_plan_render_state_and_logs_hold_no_secret(
    example: str,
    project: Path,
    recorder: Recorder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`airs validate|plan --json --show helm --show panorama|render --helm|render --panorama`,
    the recorded registrations, reads, invokes and state, the outputs and every log line."""
    caplog.set_level(logging.DEBUG)
    stack = write_planted_stack(project, example)
    markers = set(stack.markers.values())
    shown: dict[str, str] = {}
    layered: list[str] = []
    if stack.security_stack is not None:
        # A layered cluster stack reads its security stack's outputs: plan that one first.
        security = write_planted_stack(project, stack.security_stack)
        markers |= set(security.markers.values())
        outputs = tmp_path / "security.json"
        code, text = _airs(
            project, capsys, "plan", "--stack", security.name, "--json", str(outputs)
        )
        assert code == 0, text
        shown["security stack plan"] = text + outputs.read_text(encoding="utf-8")
        layered = ["--stack-outputs", str(outputs)]
    plan_json = tmp_path / "plan.json"
    runs_before = len(recorder.runs)
    for label, args in {
        "validate": ["validate", "--stack", stack.name],
        "plan": [
            *("plan", "--stack", stack.name, "--json", str(plan_json), *layered),
            *("--show", "helm", "--show", "panorama"),
        ],
        "render --helm": ["render", "--stack", stack.name, "--helm", *layered],
        "render --panorama": ["render", "--stack", stack.name, "--panorama", *layered],
    }.items():
        code, text = _airs(project, capsys, *args)
        assert code == 0, f"airs {label}: {text}"
        shown[f"airs {label}"] = text
    shown["plan.json"] = plan_json.read_text(encoding="utf-8")
    assert len(recorder.runs) - runs_before == 2  # plan and render --helm ran the program
    assert len(recorder.monitors) == len(recorder.runs)
    for i, (run, monitor) in enumerate(zip(recorder.runs, recorder.monitors, strict=True)):
        # Registrations and reads (``Resource.get``), with secret inputs masked.
        shown[f"run {i} registrations"] = as_text([r.__dict__ for r in run.resources])
        shown[f"run {i} invokes"] = as_text(run.invokes)
        shown[f"run {i} outputs"] = as_text(run.outputs)
        shown[f"run {i} engine state"] = as_text(monitor.states)
        shown[f"run {i} registered outputs"] = as_text(monitor.registered_outputs)
    shown["logs"] = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    shown["pulumi.log"] = "\n".join(recorder.pulumi_logs)

    markers |= set(recorder.plugin_tokens.values())
    leaks = {where: sorted(found(text, markers)) for where, text in shown.items()}
    assert {w: m for w, m in leaks.items() if m} == {}

    # Positive controls: every planted secret reached the program, and only as a secret.
    inside = "\n".join(
        p
        for run, monitor in zip(recorder.runs, recorder.monitors, strict=True)
        for p in (
            *secret_payloads([r.inputs for r in run.resources]),
            *secret_payloads(run.outputs),
            *secret_payloads([s for _, _, s in monitor.states]),
        )
    )
    used_in_resources = (
        stack.markers_where("securityProject")
        | stack.markers_where("clusters")
        | set(recorder.plugin_tokens.values())
    )
    assert used_in_resources, "the example stack has no secret a resource consumes"
    assert found(inside, used_in_resources) == used_in_resources
    # Each cluster's plugin token reaches its component's registered outputs, as a secret.
    in_outputs = "\n".join(
        p for monitor in recorder.monitors for p in secret_payloads(monitor.registered_outputs)
    )
    tokens = set(recorder.plugin_tokens.values())
    assert found(in_outputs, tokens) == tokens
    # Each run read each cluster's token Secret once.
    assert len(recorder.plugin_tokens) == len(stack.clusters)
    # The Panorama credentials are not resources' business: they reach the program as secret
    # config, which the dynamic providers read in configure() at deploy time.
    settings = stackfile.load_stack(stackfile.load_project(project / "Pulumi.yaml"), stack.name)
    for key in ("panoramaApiKey", "panoramaPassword"):
        assert f"airs:{key}" in settings.secret_keys
        assert settings.config[f"airs:{key}"] == stack.markers[key]


@pytest.mark.parametrize(("old", "new"), [("gcp-dev", "gcp-prod"), ("rancher-dev", "rancher-prod")])
def test_diff_between_stacks_masks_secrets(
    old: str,
    new: str,
    project: Path,
    recorder: Recorder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`airs diff A B` compares secrets by hash and prints them masked."""
    a, b = write_planted_stack(project, old), write_planted_stack(project, new)
    diff_json = tmp_path / "diff.json"
    code, text = _airs(project, capsys, "diff", a.name, b.name, "--json", str(diff_json))
    assert code == 3, text  # the stacks differ
    markers = set(a.markers.values()) | set(b.markers.values())
    markers |= set(recorder.plugin_tokens.values())
    assert found(text + diff_json.read_text(), markers) == set()
    assert SECRET_SHOWN in text  # the kubeconfigs differ: shown, masked


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("case", "edit"),
    [
        # A secret key mistyped at the top level, set with --secret.
        (
            "top-level typo",
            lambda c, m: c.update({"airs:panoramaApikey": {"secure": m}}),
        ),
        # A secret field mistyped inside an object (the object is secret as a whole).
        (
            "nested typo",
            lambda c, m: c["airs:securityProject"]["firewall"]["bootstrap"].update(
                {"authkey": {"secure": m}}
            ),
        ),
        (
            "kubeconfig typo",
            lambda c, m: next(iter(c["airs:clusters"].values())).update(
                {"kubeConfig": {"secure": m}}
            ),
        ),
        # Secrets set without --secret: refused, and still not echoed.
        (
            "plaintext secrets",
            lambda c, m: (
                c.update({"airs:panoramaApiKey": m}),
                c["airs:securityProject"]["firewall"]["bootstrap"].update({"authKey": m}),
                next(iter(c["airs:clusters"].values())).update({"kubeconfig": m}),
            ),
        ),
    ],
)
def test_config_errors_never_echo_a_secret(
    case: str,
    edit: Callable[[dict[str, Any], str], Any],
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every way a secret can be misplaced ends in exit 2 without printing it."""
    doc = yaml.safe_load((ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text())
    crypter = PassphraseCrypter(EXAMPLE_PASSPHRASE, doc["encryptionsalt"])
    marker = new_marker(case)
    edit(doc["config"], marker)

    def encrypt(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"secure"}:
            plain = value["secure"]
            return {"secure": crypter.encrypt(plain) if plain == marker else plain}
        if isinstance(value, dict):
            return {k: encrypt(v) for k, v in value.items()}
        return value

    doc["config"] = encrypt(doc["config"])
    (project / "stacks" / "Pulumi.bad.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    for verb in ("validate", "plan"):
        code, text = _airs(project, capsys, verb, "--stack", "bad")
        assert code == 2, text
        assert "configuration problem" in text
        assert found(text, {marker}) == set(), text


# ----------------------------------------------------------------------------- Panorama


def test_panorama_provider_outputs_logs_and_errors_hold_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Provider create/update/delete against the PAN-OS emulator with planted credentials."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config
    from pulumi.dynamic.dynamic import serialize_provider

    from components.cluster.intercept import plugin_credential
    from components.panorama.client import PanoramaError
    from tests.panorama.conftest import FAST
    from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile
    from tests.panorama.engine import ADMIN, Engine
    from tests.panorama.helpers import SERIAL, change_one_route, intent_for

    caplog.set_level(logging.DEBUG)
    password = new_marker("panoramapassword")
    api_key = new_marker("panoramaapikey")
    shown: dict[str, str] = {}
    tokens: set[str] = set()
    with PanoramaEmulator(users={ADMIN: password, "other": "other-pw"}) as emu:
        seed_ai_profile(emu)
        emu.keys[api_key] = ADMIN
        settings = replace(FAST, ca_bundle=str(emu.cert))
        for cloud in ("gcp", "azure", "aws", "private"):
            intent = intent_for(cloud)
            emu.register_firewall(f"{SERIAL}{cloud}", intent.template_stack, intent.device_group)
            late: dict[str, str] = {}
            for key in intent.late_keys():
                if key.startswith("credential/"):
                    token = new_marker("plugintoken", cloud)
                    tokens.add(token)
                    data = {"token": base64.b64encode(token.encode()).decode()}
                    late[key] = plugin_credential({"data": data})
                else:
                    late[key] = "20.30.40.50"
            engine = Engine(emu, settings)
            # API key on two clouds, username + password (keygen) on the others.
            credential = (
                {"airs:panoramaApiKey": api_key}
                if cloud in ("gcp", "aws")
                else {"airs:panoramaPassword": password}
            )
            raw = {**credential, "airs:panorama": json.dumps({"username": ADMIN})}
            for provider in (engine.obj_provider, engine.commit_provider):
                provider.configure(ConfigureRequest(Config(raw, "airs")))
            engine.up(intent, late)
            emu.faults.commit_fail = "route 'app-app-vpc' nexthop is invalid"
            with pytest.raises(PanoramaError) as failed:
                engine.up(change_one_route(intent), late)
            emu.faults.commit_fail = None
            engine.up(change_one_route(intent), late)
            shown[f"{cloud} error"] = str(failed.value) + repr(failed.value)
            shown[f"{cloud} object state"] = json.dumps(engine.objects, default=repr)
            shown[f"{cloud} commit state"] = json.dumps(engine.commit, default=repr)
            shown[f"{cloud} pickled providers"] = "\n".join(
                serialize_provider(p) for p in (engine.obj_provider, engine.commit_provider)
            )
            shown[f"{cloud} reprs"] = repr(
                [
                    engine.commit_provider._creds,
                    engine.commit_provider.client(emu.hostname),
                    engine.commit_provider.client(emu.hostname).stats,
                ]
            )
            # Positive control: Panorama itself received this cloud's plugin credentials.
            cloud_tokens = {t for t in tokens if cloud in t}
            assert found(xml_text(emu.running), cloud_tokens) == cloud_tokens
            engine.destroy()
            shown[f"{cloud} after destroy"] = json.dumps(
                [engine.objects, engine.commit], default=repr
            )
        # Wrong password: the error names the problem, not the password.
        wrong = Engine(emu, settings)
        bad = {"airs:panoramaPassword": password + "x", "airs:panorama": '{"username": "admin"}'}
        wrong.commit_provider.configure(ConfigureRequest(Config(bad, "airs")))
        with pytest.raises(PanoramaError, match="refused the credentials") as refused:
            wrong.commit_provider.client(emu.hostname).get("/config/shared")
        shown["refused"] = str(refused.value)
        # Positive control: Panorama itself received the credentials and every token.
        assert {a for a, _ in emu.commits} == {ADMIN}
        assert any(
            r.get("type") == "keygen" and r.get("password") == password for r in emu.requests
        )
        running = xml_text(emu.running)
    shown["logs"] = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    markers = {password, api_key} | tokens
    leaks = {where: sorted(found(text, markers)) for where, text in shown.items()}
    assert {w: m for w, m in leaks.items() if m} == {}
    assert len(tokens) == 5  # gcp, azure, aws: one cluster each; private: two
    assert found(running, tokens) == set()  # destroy removed the plugin entries


def xml_text(root: Any) -> str:
    """An emulator configuration tree as text."""
    import xml.etree.ElementTree as ET

    return ET.tostring(root, encoding="unicode")


# ----------------------------------------------------------------------------- cluster side


def test_workload_restart_errors_hold_no_kubeconfig_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The one place our code talks to a cluster: its errors name the call, not the secret."""
    import sys

    from components.cluster.restart import KubeApiError, WorkloadRestartProvider

    caplog.set_level(logging.DEBUG)
    token = new_marker("kubetoken")
    argument = new_marker("execarg")
    env_value = new_marker("execenv")
    failing_plugin = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": sys.executable,
        # e.g. `kubelogin get-token --client-secret …`: arguments can carry credentials.
        "args": ["-c", "import sys; sys.exit(3)", "--client-secret", argument],
        "env": [{"name": "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "value": env_value}],
    }
    doc = yaml.safe_load(kubeconfig_with(token))
    exec_doc = {**doc, "users": [{"name": "audit", "user": {"exec": failing_plugin}}]}
    errors: list[str] = []
    for kubeconfig in (kubeconfig_with(token), yaml.safe_dump(exec_doc)):
        with pytest.raises(KubeApiError) as err:
            WorkloadRestartProvider().create({"namespace": "ai-apps", "kubeconfig": kubeconfig})
        errors.append(f"{err.value}\n{err.value!r}")
    text = "\n".join(errors) + caplog.text
    assert "GET /apis/apps/v1/namespaces/ai-apps/deployments" in errors[0]  # names the call
    assert "credential plugin" in errors[1]
    assert found(text, {token, argument, env_value}) == set(), text
