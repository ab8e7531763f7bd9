"""A stack's outputs for the offline plan of a layered cluster stack (``--stack-outputs``).

A cluster stack (``airs:securityStack``) reads its security stack's outputs through a
``pulumi.StackReference``. Offline there is no backend to ask, so the outputs come from a
file: a saved ``airs plan --json`` of the security stack, or its ``pulumi stack export``
(the same two files ``airs diff --against`` reads, told apart by :func:`plan_files.file_kind`).
The mock engine answers the reference with them (``components/cli/mocks.py``).

Secrets stay secret: an output the file marks secret (``[secret]`` in a saved plan, a
``ciphertext`` or ``plaintext`` secret in an export) is answered as a secret output, so
everything computed from it in the cluster stack is a secret too. A saved plan never holds
a secret's value, nor does an encrypted export: such outputs read as ``[secret]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.cli.plan_files import SIG_KEY, STACK_TYPE, file_kind

SECRET_PLACEHOLDER = "[secret]"


class StackOutputsError(ValueError):
    """The file cannot be read as a stack's outputs."""


@dataclass(frozen=True)
class StackOutputs:
    """The outputs of one stack, and which of them are secret."""

    project: str
    stack: str
    values: Mapping[str, Any]
    secret_names: frozenset[str]
    source: str
    """Where they came from (a file path), for messages."""

    def matches(self, reference: str, project: str) -> bool:
        """Whether ``reference`` (an ``airs:securityStack`` value) names this stack.

        A plain stack name refers to a stack of ``project`` (the referring stack's);
        ``<organization>/<project>/<stack>`` names the project itself. Neither file kind
        records the organization, so it is not compared.
        """
        parts = reference.split("/")
        if len(parts) == 3:
            return parts[1] == self.project and parts[2] == self.stack
        return self.project == project and reference == self.stack


def _contains_secret(value: Any) -> bool:
    if value == SECRET_PLACEHOLDER:
        return True
    if isinstance(value, Mapping):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def _from_plan(doc: Mapping[str, Any], source: str) -> StackOutputs:
    outputs = doc.get("outputs")
    stack, project = doc.get("stack"), doc.get("project")
    if not isinstance(outputs, Mapping) or not isinstance(stack, str):
        raise StackOutputsError(f"{source}: a saved plan without `stack` and `outputs`")
    return StackOutputs(
        project=str(project or "airs"),
        stack=stack,
        values=dict(outputs),
        secret_names=frozenset(k for k, v in outputs.items() if _contains_secret(v)),
        source=source,
    )


def _export_value(value: Any) -> tuple[Any, bool]:
    """A value of an export with its secrets decoded (plaintext) or masked (ciphertext)."""
    if isinstance(value, Mapping) and SIG_KEY in value:
        if "plaintext" in value:  # `pulumi stack export --show-secrets`
            try:
                return json.loads(str(value["plaintext"])), True
            except ValueError:
                return str(value["plaintext"]), True
        return SECRET_PLACEHOLDER, True  # encrypted, or an asset/archive: opaque
    if isinstance(value, Mapping):
        pairs = {str(k): _export_value(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_export_value(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _from_export(doc: Mapping[str, Any], source: str) -> StackOutputs:
    resources = doc["deployment"].get("resources") or []
    stacks = [r for r in resources if isinstance(r, Mapping) and r.get("type") == STACK_TYPE]
    if len(stacks) != 1:
        raise StackOutputsError(
            f"{source}: a stack export holds one {STACK_TYPE} resource (found {len(stacks)}); "
            "has the stack been deployed?"
        )
    # urn:pulumi:<stack>::<project>::pulumi:pulumi:Stack::<project>-<stack>
    urn = str(stacks[0].get("urn", ""))
    head = urn.split("::")
    if len(head) < 2 or not head[0].startswith("urn:pulumi:"):
        raise StackOutputsError(f"{source}: the stack resource has no valid URN ({urn!r})")
    values: dict[str, Any] = {}
    secret: set[str] = set()
    for key, raw in (stacks[0].get("outputs") or {}).items():
        values[str(key)], is_secret = _export_value(raw)
        if is_secret:
            secret.add(str(key))
    return StackOutputs(
        project=head[1],
        stack=head[0].removeprefix("urn:pulumi:"),
        values=values,
        secret_names=frozenset(secret),
        source=source,
    )


def outputs_of_file(doc: Any, source: str) -> StackOutputs:
    """The stack outputs held by a saved plan or a stack export.

    Raises:
        StackOutputsError: the document is neither, or holds no stack outputs.
    """
    try:
        kind = file_kind(doc)
    except ValueError as exc:
        raise StackOutputsError(f"{source}: {exc}") from None
    return _from_export(doc, source) if kind == "export" else _from_plan(doc, source)


def load(path: Path) -> StackOutputs:
    """Read ``path`` (``--stack-outputs``).

    Raises:
        StackOutputsError: unreadable, not JSON, or not a plan/export with stack outputs.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StackOutputsError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise StackOutputsError(f"{path}: not JSON ({exc})") from None
    return outputs_of_file(doc, str(path))


def find(candidates: Iterable[StackOutputs], reference: str, project: str) -> StackOutputs | None:
    """The outputs among ``candidates`` that ``reference`` names (the last one given wins)."""
    found = None
    for outputs in candidates:
        if outputs.matches(reference, project):
            found = outputs
    return found
