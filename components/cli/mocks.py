"""Pulumi mock engine for the offline plan and the tests.

``AirsMocks`` answers resource registrations and invokes with realistic values: ids and
self-links shaped like the cloud's, addresses inside the configured CIDRs, so that the
values that flow downstream (Helm endpoints, Panorama routes) are visible in a plan.
Per-cloud answers live in ``components/clouds/<target>/mocks.py`` (Kubernetes's in
``mock_kubernetes.py``) and are imported only when a resource of that provider appears (a
GCP plan never loads the AWS module).

``RecordingMonitor`` keeps what the engine would see: every registration with its parent,
type, name and inputs (secrets still wrapped), for the plan tree and ``--json``.

A ``pulumi.StackReference`` (layered stacks, ``airs:securityStack``) is answered from the
stack outputs the run was given (``--stack-outputs``), secret outputs as secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from components.cli.plan_files import STACK_REFERENCE, STACK_TYPE
from components.cli.stack_outputs import StackOutputs, find
from components.clouds import TARGETS
from components.clouds.mocking import MockCloud, is_secret, stable_hex, unwrap

__all__ = ["AirsMocks", "RecordingMonitor", "Registration", "is_secret", "stable_hex", "unwrap"]


def _cloud_module(token: str) -> MockCloud | None:
    """The mock answers for the provider of ``token`` (a resource type or invoke)."""
    prefix = token.split(":", 1)[0]
    if prefix == "kubernetes":
        from components.cli import mock_kubernetes

        return mock_kubernetes
    for cloud in TARGETS.values():
        if cloud.provider_prefix == prefix:
            return cloud.mocks()
    return None


class AirsMocks(pulumi.runtime.Mocks):
    """Realistic computed outputs for every resource type the program registers."""

    def __init__(self, stack_outputs: Sequence[StackOutputs] = ()) -> None:
        """Start with no recorded invokes.

        Args:
            stack_outputs: outputs of the stacks a ``StackReference`` may name.
        """
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self.stack_outputs = list(stack_outputs)
        self.computed: set[str] = set()
        """Every string the mocks made up (ids, ARNs, addresses): ``airs plan`` marks them."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Answer one registration: the inputs plus what the cloud would compute."""
        if args.custom is False:  # components have no state; reads leave `custom` unset
            return None, {}
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(str(args.inputs.get("name") or args.resource_id))
        state = dict(args.inputs)
        resource_id = f"{args.name}-{stable_hex(args.typ, args.name)}"
        module = _cloud_module(args.typ)
        extra: dict[str, Any] = {}
        if module is not None:
            resource_id, extra = module.new_resource(args, resource_id)
            state.update(extra)
        echoed = set(_strings(args.inputs))  # what the program gave is not made up
        self.computed.update(s for s in _strings([resource_id, extra]) if s not in echoed)
        return resource_id, state

    def _stack_reference(self, reference: str) -> tuple[str, dict[str, Any]]:
        """What the engine reads for a stack reference: outputs, and which are secret."""
        found = find(self.stack_outputs, reference, pulumi.get_project())
        if found is None:
            given = ", ".join(f"{o.project}/{o.stack}" for o in self.stack_outputs) or "none"
            raise LookupError(
                f"no stack outputs for the StackReference {reference!r} (given: {given})"
            )
        outputs = {
            # The engine marks a secret output inside `outputs` and lists it by name.
            key: rpc.wrap_rpc_secret(value) if key in found.secret_names else value
            for key, value in found.values.items()
        }
        state = {
            "name": reference,
            "outputs": outputs,
            "secretOutputNames": sorted(found.secret_names & set(found.values)),
        }
        return reference, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Answer one invoke (look-up)."""
        self.invokes.append((args.token, dict(args.args)))
        module = _cloud_module(args.token)
        result: dict[str, Any] = module.call(args) if module is not None else {}
        echoed = set(_strings(dict(args.args)))
        self.computed.update(s for s in _strings(result) if s not in echoed)
        return result, []


def _strings(value: Any) -> list[str]:
    """Every non-empty string inside ``value`` (secrets unwrapped)."""
    value = unwrap(value) if is_secret(value) else value
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass
class Registration:
    """One resource as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    provider: str | None = None
    dependencies: list[str] = field(default_factory=list)
    read: bool = False
    """A read of an existing object (``Resource.get``), not something to create."""
    aliases: list[dict[str, str]] = field(default_factory=list)
    """The resource's aliases: ``{"urn": ...}`` or a spec (``name``, ``type``, ``parent``)."""
    id: str | None = None
    """The id the mock cloud gave it (custom resources)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """Its state as the mock cloud answered it: the inputs and what the cloud computes
    (``airs diff`` reads one stack's computed ids as another's)."""


def _aliases(request: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for alias in getattr(request, "aliases", []):
        if alias.HasField("urn"):
            out.append({"urn": alias.urn})
        else:
            spec = alias.spec
            entry = {
                "name": spec.name,
                "type": spec.type,
                "stack": spec.stack,
                "project": spec.project,
                "parent": spec.parentUrn,
                "noParent": "true" if spec.noParent else "",
            }
            out.append({k: v for k, v in entry.items() if v})
    return out


class RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps the parent chain and the secret-wrapped inputs."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        """Wrap ``mocks``."""
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        """Record the registration, then answer it like the base mock monitor."""
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != STACK_TYPE:
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    custom=bool(request.custom),
                    inputs=inputs,
                    provider=request.provider or None,
                    dependencies=list(request.dependencies),
                    aliases=_aliases(request),
                    id=response.id or None,
                    outputs=rpc.deserialize_properties(response.object, keep_unknowns=True),
                )
            )
        return response

    def ReadResource(self, request: Any) -> Any:
        """Record the read (``Resource.get``), then answer it like the base mock monitor."""
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                custom=True,
                inputs={"id": request.id},
                provider=request.provider or None,
                read=True,
            )
        )
        return response
