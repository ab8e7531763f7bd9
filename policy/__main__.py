"""The airs guardrail policy pack: ``pulumi preview --policy-pack policy``.

Every check lives in :mod:`components.guardrails.checks`, which ``airs plan --policy`` runs on the
offline plan too; this file only adapts pulumi-policy's arguments to it. The pack runs in the
project's virtualenv (``PulumiPolicy.yaml``: ``virtualenv: ../.venv``), where ``pip install -e
.`` made ``components`` importable (see ``policy/README.md``).

Secrets: pulumi-policy hands *validation* policies the inputs with every secret already
unwrapped, so a validation alone cannot tell a secret from plaintext. Its *remediation* hook
gets the same inputs with each secret still wrapped in :class:`pulumi_policy.Secret`, and the
engine calls ``Remediate`` for a resource before ``Analyze``. The secrets guardrail therefore
runs at enforcement level ``remediate``: its remediation only notes which input paths are
secret (it changes nothing), and its validation, reported as mandatory, reads that note.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import ResourceValidation, StackValidation
from pulumi_policy.proxy import UnknownValueError

from components.guardrails.checks import GUARDRAILS
from components.guardrails.model import UNKNOWN, Guardrail, PlannedResource, PropertyPath

PACK_NAME = "airs-guardrails"

# URN → secret input paths, noted by the remediation pass for the validation pass that follows.
_observed_secrets: dict[str, frozenset[PropertyPath]] = {}


def plain(value: Any) -> Any:
    """A policy argument's value as plain dicts and lists; unknowns become ``UNKNOWN``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:
            try:
                out[str(key)] = plain(value[key])
            except UnknownValueError:  # the SDK's proxy raises on reading an unknown value
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence):
        items: list[Any] = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def _unproxied(value: Any) -> Any:
    """The container behind one of the SDK's secrets-preserving proxies, Secret markers kept.

    The proxies unwrap secrets on item access; the SDK's own serializer reads the wrapped
    container through the key ``"__target"``, and so do we.
    """
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        try:
            return cast(Any, value)["__target"]
        except (KeyError, TypeError, IndexError):
            return value
    return value


def secret_paths(value: Any, path: PropertyPath = ()) -> Iterator[PropertyPath]:
    """Paths of every :class:`pulumi_policy.Secret` in remediation-time inputs."""
    if isinstance(value, Secret):
        yield path
        return
    container = _unproxied(value)
    if isinstance(container, Mapping):
        for key in container:
            yield from secret_paths(container[key], (*path, str(key)))
    elif isinstance(container, list | tuple):
        for i, item in enumerate(container):
            yield from secret_paths(item, (*path, i))


def observe_secrets(args: ResourceValidationArgs) -> None:
    """Remediation that changes nothing: it notes which inputs of the resource are secret."""
    _observed_secrets[args.urn] = frozenset(secret_paths(args.props))


def _resource_validation(guardrail: Guardrail) -> ResourceValidation:
    check = guardrail.resource_check
    assert check is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        observed = _observed_secrets.pop(args.urn, None) if guardrail.needs_secrets else None
        res = PlannedResource(
            urn=args.urn,
            type=args.resource_type,
            name=args.name,
            props=plain(args.props),
            secret_paths=observed,
        )
        for message in check(res):
            report_violation(message, None)

    return validate


def _planned(resource: PolicyResource) -> PlannedResource:
    deps = {d.urn for d in resource.dependencies}
    for prop_deps in resource.property_dependencies.values():
        deps |= {d.urn for d in prop_deps}
    return PlannedResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        props=plain(resource.props),
        secret_paths=None,
        dependencies=frozenset(deps),
    )


def _stack_validation(guardrail: Guardrail) -> StackValidation:
    check = guardrail.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for urn, message in check([_planned(r) for r in args.resources]):
            report_violation(message, urn)

    return validate


def build_policies() -> list[Policy]:
    """One pulumi-policy policy per guardrail, every one mandatory."""
    policies: list[Policy] = []
    for guardrail in GUARDRAILS:
        if guardrail.resource_check is not None:
            policies.append(
                ResourceValidationPolicy(
                    name=guardrail.name,
                    description=guardrail.description,
                    validate=_resource_validation(guardrail),
                    remediate=observe_secrets if guardrail.needs_secrets else None,
                    # The engine reports a remediate-level policy's violations as mandatory.
                    enforcement_level=EnforcementLevel.REMEDIATE
                    if guardrail.needs_secrets
                    else EnforcementLevel.MANDATORY,
                )
            )
        else:
            policies.append(
                StackValidationPolicy(
                    name=guardrail.name,
                    description=guardrail.description,
                    validate=_stack_validation(guardrail),
                    enforcement_level=EnforcementLevel.MANDATORY,
                )
            )
    return policies


POLICIES = build_policies()

if __name__ == "__main__":
    # Serves the analyzer over gRPC until the engine stops it (never returns).
    PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
