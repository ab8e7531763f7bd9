"""PanoramaConfig under Pulumi's mock engine: registration only (create() is not called)."""

from __future__ import annotations

import asyncio

import pulumi
import pytest
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor

from components.panorama.component import PanoramaConfig
from components.panorama.render import render_intent
from tests.panorama.helpers import intent_for, late_for


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.resources.append(args)
        outs = dict(args.inputs)
        if args.typ.endswith("panorama:Object"):
            outs.update(rev="r-" + args.name, digest="d")
        if args.typ.endswith("panorama:Commit"):
            outs.update(commit_job=7, object_count=len(args.inputs.get("objects", [])))
        return [args.name + "_id", outs]

    def call(self, args):
        return {}


class SecretOutputsMonitor(MockMonitor):
    """The mock monitor, noting which outputs each registration asks the engine to keep secret
    (``additional_secret_outputs``: the mock runtime itself ignores them)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.secret_outputs: dict[str, set[str]] = {}

    def RegisterResource(self, request):  # the gRPC method's name
        self.secret_outputs[request.name] = set(request.additionalSecretOutputs)
        return super().RegisterResource(request)


@pytest.fixture
def monitor():
    # Pulumi's mock runtime needs a current event loop; earlier tests in this process
    # (airs plan runs) leave none, as a program run should.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # A root stack left by another test belongs to its closed loop (and may never have
    # registered, if that test failed on purpose): set_mocks makes a new one only when none is set.
    runtime_settings.ROOT.set(None)
    m = SecretOutputsMonitor(Mocks())
    pulumi.runtime.set_mocks(m.mocks, preview=False, monitor=m)
    yield m
    runtime_settings.ROOT.set(None)
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def mocks(monitor):
    return monitor.mocks


@pulumi.runtime.test
def test_component_registers_one_resource_per_object_and_a_commit(mocks):
    intent = intent_for("azure")
    late = {k: pulumi.Output.from_input(v) for k, v in late_for(intent).items()}
    comp = PanoramaConfig("pano", intent, hostname="panorama.example.com", late_bound=late)
    n = len(render_intent(intent))

    def check(commit_id):
        types = [r.typ for r in mocks.resources]
        assert types.count("pulumi-python:dynamic/panorama:Object") == n
        assert types.count("pulumi-python:dynamic/panorama:Commit") == 1
        assert "airs:index:PanoramaConfig" in types
        commit = next(r for r in mocks.resources if r.typ.endswith("Commit"))
        assert len(commit.inputs["objects"]) == n
        assert commit.inputs["objects"][0]["rev"].startswith("r-pano-template-")
        assert comp.object_count == n
        assert commit_id == 7
        names = [r.name for r in mocks.resources if r.typ.endswith("Object")]
        assert "pano-ethernet-ethernet1_1" in names
        assert len(set(names)) == n

    def parents(urns):
        for urn in urns:
            assert "::airs:index:PanoramaConfig$pulumi-python:dynamic/panorama:" in urn, urn

    pulumi.Output.all(*[r.urn for r in comp.resources], comp.commit.urn).apply(parents)
    return comp.commit_id.apply(check)


@pulumi.runtime.test  # runs the root stack's registration, which set_mocks started
def test_missing_late_bound_value_is_an_error(mocks):
    intent = intent_for("azure")
    with pytest.raises(ValueError, match="public-lb-address"):
        PanoramaConfig("pano", intent, hostname="h", late_bound={})
    assert mocks.resources == []  # refused before anything was registered


@pulumi.runtime.test
def test_late_value_hashes_are_secret_in_state(monitor):
    """State keeps sha256 of the late-bound values (the plugin credential, load balancer
    addresses): every object and the commit ask the engine to keep ``late_sha256`` secret,
    so a guessable credential can never be confirmed from the state file."""
    intent = intent_for("gcp")
    late = {k: pulumi.Output.from_input(v) for k, v in late_for(intent).items()}
    comp = PanoramaConfig("pano", intent, hostname="panorama.example.com", late_bound=late)

    def check(_):
        registered = {r.name: r.typ for r in monitor.mocks.resources}
        dynamic = [n for n, typ in registered.items() if typ.startswith("pulumi-python:dynamic")]
        assert len(dynamic) == len(render_intent(intent)) + 1  # every object and the commit
        assert {n: monitor.secret_outputs[n] for n in dynamic} == {
            n: {"late_sha256"} for n in dynamic
        }
        # The plugin credential is among the late values whose hashes are kept.
        lates = [r.inputs.get("late") or {} for r in monitor.mocks.resources]
        keys = {k for late in lates for k in late.get("value", late)}  # secrets are wrapped
        assert "credential/gke-airs" in keys

    return comp.commit_id.apply(check)
