"""The policy pack (policy/): wiring, and the same findings through pulumi-policy's analyzer.

There is no Pulumi CLI here, so the engine's side is played by requests shaped as the engine
builds them: inputs as a protobuf Struct with each secret as a ``{sig: secret, value}`` object
and unknowns as the unknown sentinel (pulumi's analyzer_plugin.go marshals with KeepSecrets and
KeepUnknowns), ``Remediate`` before ``Analyze`` for each resource (step_generator.go), then
``AnalyzeStack`` with dependencies.
"""

from __future__ import annotations

import runpy
import select
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer

from components.cli import policy
from components.cli.engine import ProgramRun, engine_urn, run_program
from components.cli.stackfile import StackSettings
from components.guardrails import checks as guardrails
from components.guardrails import model
from tests.helpers import ROOT, plan_example
from tests.policy.bad_program import bad_program
from tests.policy.conftest import PACK_ONLY_STACKS, pack_only_fires, plan_pack_only

PACK_DIR = ROOT / "policy"


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    """The pack's module globals, loaded without starting its gRPC server."""
    return runpy.run_path(str(PACK_DIR / "__main__.py"), run_name="airs_policy_pack_under_test")


@pytest.fixture(scope="module")
def bad_run() -> ProgramRun:
    return run_program(StackSettings(stack="bad", config={}, secret_keys=[]), program=bad_program)


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    # Assets and archives (AWS Lambda code) take their wire form; the rest already has it.
    struct.update(serialize_properties({k: v for k, v in props.items() if not k.startswith("__")}))
    return struct


def _requests(run: ProgramRun) -> tuple[list[Any], Any]:
    """Per-resource AnalyzeRequests and the AnalyzeStackRequest the engine would send."""
    by_urn = {r.urn: r for r in run.resources}

    def urn(mock_urn: str) -> str:
        reg = by_urn.get(mock_urn)
        return engine_urn(reg, by_urn, run.stack, run.project) if reg else mock_urn

    # The recorded inputs are already in wire form: secrets as sig objects, rpc.UNKNOWN strings.
    requests = [
        proto.AnalyzeRequest(urn=urn(r.urn), type=r.type, name=r.name, properties=_struct(r.inputs))
        for r in run.resources
    ]
    stack = proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(
                urn=urn(r.urn),
                type=r.type,
                name=r.name,
                properties=_struct(r.inputs),
                dependencies=[urn(d) for d in r.dependencies],
            )
            for r in run.resources
        ]
    )
    return requests, stack


def _analyze(servicer: Any, run: ProgramRun, *, remediate: bool = True) -> list[Any]:
    requests, stack = _requests(run)
    diagnostics = []
    for request in requests:
        if remediate:
            assert list(servicer.Remediate(request, None).remediations) == []  # changes nothing
        diagnostics += [(d, request.urn) for d in servicer.Analyze(request, None).diagnostics]
    diagnostics += [(d, d.urn) for d in servicer.AnalyzeStack(stack, None).diagnostics]
    return diagnostics


def _servicer(pack: dict[str, Any]) -> Any:
    return _PolicyAnalyzerServicer(
        pack["PACK_NAME"], "0.1.0", pack["POLICIES"], EnforcementLevel.MANDATORY
    )


def test_pack_registers_one_mandatory_policy_per_guardrail(pack: dict[str, Any]) -> None:
    policies = pack["POLICIES"]
    assert [p.name for p in policies] == [g.name for g in guardrails.GUARDRAILS]
    for p, g in zip(policies, guardrails.GUARDRAILS, strict=True):
        assert p.description == g.description
        if g.stack_check is not None:
            assert isinstance(p, StackValidationPolicy)
            assert p.enforcement_level == EnforcementLevel.MANDATORY
        else:
            assert isinstance(p, ResourceValidationPolicy)
            # The secrets policy must run at "remediate" to see secrets (policy/__main__.py).
            wanted = EnforcementLevel.REMEDIATE if g.needs_secrets else EnforcementLevel.MANDATORY
            assert p.enforcement_level == wanted
            assert p.has_remediation() == g.needs_secrets


def test_pulumi_policy_yaml_runs_the_pack_in_the_project_venv() -> None:
    doc = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert doc["runtime"]["name"] == "python"
    venv = (PACK_DIR / doc["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (ROOT / ".venv").resolve()
    requirements = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in requirements if line and not line.startswith("#")] == ["-e .."]


def test_pack_reports_what_airs_plan_reports(pack: dict[str, Any], bad_run: ProgramRun) -> None:
    found = _analyze(_servicer(pack), bad_run)
    assert {(d.policyName, urn) for d, urn in found} == {
        (v.policy, v.urn) for v in policy.check(bad_run)
    }
    assert all(d.enforcementLevel == proto.MANDATORY for d, _ in found)
    assert all(d.policyPackName == "airs-guardrails" for d, _ in found)


def test_pack_is_quiet_on_an_example_stack(pack: dict[str, Any]) -> None:
    assert _analyze(_servicer(pack), plan_example("aws-dev")) == []


def test_pack_fails_closed_when_remediation_did_not_run(
    pack: dict[str, Any], bad_run: ProgramRun
) -> None:
    """Without the remediation pass secrecy is not visible: every sensitive value is flagged."""
    found = _analyze(_servicer(pack), bad_run, remediate=False)
    secrets = [d for d, _ in found if d.policyName == "sensitive-values-are-secret"]
    # Plaintext and secret kubeconfigs alike, plus the bootstrap auth key.
    assert len(secrets) == 3
    assert all(model.SECRETS_NOT_OBSERVED in d.message for d in secrets)


def test_pack_skips_values_unknown_in_preview(pack: dict[str, Any]) -> None:
    request = proto.AnalyzeRequest(
        urn="urn:pulumi:dev::airs::gcp:compute/firewall:Firewall::x-security-allow-mgmt",
        type=model.GCP_FIREWALL,
        name="x-security-allow-mgmt",
        properties=_struct(
            {
                "name": "x-allow-mgmt-ingress",
                "network": rpc.UNKNOWN,
                "sourceRanges": rpc.UNKNOWN,
                "allows": [{"protocol": "tcp", "ports": ["22"]}],
            }
        ),
    )
    servicer = _servicer(pack)
    servicer.Remediate(request, None)
    assert list(servicer.Analyze(request, None).diagnostics) == []
    opened = proto.AnalyzeRequest()
    opened.CopyFrom(request)
    opened.properties["sourceRanges"] = ["0.0.0.0/0"]
    servicer.Remediate(opened, None)
    [diagnostic] = servicer.Analyze(opened, None).diagnostics
    assert diagnostic.policyName == "mgmt-not-open-to-internet"


@pytest.fixture
def served_pack() -> Iterator[Any]:
    """The pack started the way Pulumi's python policy analyzer starts it, reached over gRPC."""
    process = subprocess.Popen(  # the analyzer shim runs `python -u -m pulumi.policy <engine> .`
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        port = process.stdout.readline().strip() if ready else ""
        assert port.isdigit(), f"pack did not start: {port!r} {process.stderr}"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_pack_serves_its_policies_over_grpc(served_pack: Any, bad_run: ProgramRun) -> None:
    info = served_pack.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "airs-guardrails"
    assert [p.name for p in info.policies] == [g.name for g in guardrails.GUARDRAILS]
    requests, stack = _requests(bad_run)
    template = next(r for r in requests if r.name == "bad-security-fw-template")
    served_pack.Remediate(template, timeout=30)
    [diagnostic] = served_pack.Analyze(template, timeout=30).diagnostics
    assert diagnostic.policyName == "sensitive-values-are-secret"
    assert "metadata.vm-auth-key" in diagnostic.message
    assert "plain-auth-key" not in diagnostic.message
    found = served_pack.AnalyzeStack(stack, timeout=30).diagnostics
    assert sorted(d.policyName for d in found) == [
        "cluster-identity-unique",
        "cluster-identity-unique",
        "panorama-objects-committed",
    ]


@pytest.mark.parametrize("stack", PACK_ONLY_STACKS)
def test_served_pack_fires_on_a_pack_only_stack(served_pack: Any, stack: str) -> None:
    """The pack process, as the engine starts it, fires on a stack the config accepts, on
    the resources `airs plan --policy` names (tests/policy/stacks, policy/README.md)."""
    run = plan_pack_only(stack)
    requests, stack_request = _requests(run)
    found: set[tuple[str, str]] = set()
    for request in requests:
        served_pack.Remediate(request, timeout=30)
        for d in served_pack.Analyze(request, timeout=30).diagnostics:
            assert d.enforcementLevel == proto.MANDATORY
            found.add((d.policyName, request.name))
    found |= {
        (d.policyName, d.urn.rsplit("::", 1)[-1])
        for d in served_pack.AnalyzeStack(stack_request, timeout=30).diagnostics
    }
    assert found == pack_only_fires(stack)
    assert {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in policy.check(run)} == found
