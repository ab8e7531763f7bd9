"""``airs diff``: what differs between two stacks, or between a stack and a recorded state.

- ``airs diff A B``: promotion review. Both stacks' plans are compared resource by resource
  (matched by type, parent chain and name, with A's ``airs:name`` read as B's), property by
  property, old (A) → new (B).
- ``airs diff --stack S --against FILE``: FILE is a saved ``airs plan --json`` or the output
  of ``pulumi stack export``. Resources are matched by URN and the program's inputs are
  compared with the recorded inputs: what ``pulumi up`` would change. Provider-side defaults
  and computed values are not compared.

Secrets print as ``[secret]``; between two stacks they are compared by hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

from components.cli.engine import ProgramRun, SecretValue, engine_urn
from components.cli.mocks import is_secret, unwrap
from components.cli.plan_files import SIG_KEY, STACK_TYPE, file_kind

SECRET = "[secret]"
AGAINST_NOTE = (
    "Compared: the program's inputs with the recorded inputs. Not compared: provider-side "
    "defaults and computed values (ids, addresses the cloud assigns), and encrypted secrets "
    "in a stack export."
)


@dataclass(frozen=True)
class Secret:
    """A secret value: shown masked, compared by hash."""

    digest: str | None

    def __repr__(self) -> str:
        return SECRET


@dataclass
class Resource:
    """One resource as the diff sees it."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]


@dataclass
class Change:
    """One resource whose properties differ."""

    urn: str
    type: str
    name: str
    properties: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class DiffResult:
    """Added, removed and changed resources."""

    added: list[Resource]
    removed: list[Resource]
    changed: list[Change]

    @property
    def empty(self) -> bool:
        """No difference at all."""
        return not (self.added or self.removed or self.changed)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def normalise(value: Any, rename: tuple[str, str] | None = None) -> Any:
    """Plain comparable data: secrets → :class:`Secret`, internal keys dropped."""
    if isinstance(value, Mapping) and "ciphertext" in value and SIG_KEY in value:
        return Secret(None)  # an encrypted secret in a stack export: not comparable
    if is_secret(value):
        return Secret(_digest(unwrap(value)))
    if isinstance(value, SecretValue):
        return Secret(_digest(value.value))
    if isinstance(value, Mapping):
        if SIG_KEY in value:  # another special value (asset, archive) in a stack export
            return Secret(None)
        return {
            str(k): normalise(v, rename) for k, v in value.items() if not str(k).startswith("__")
        }
    if isinstance(value, list | tuple):
        return [normalise(v, rename) for v in value]
    if value is rpc.UNKNOWN:
        return "[unknown]"
    if isinstance(value, str):
        if value == SECRET:
            return Secret(None)
        if rename is not None:
            return value.replace(rename[0], rename[1])
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def resources_of_run(
    run: ProgramRun, rename: tuple[str, str] | None = None, stack: str | None = None
) -> list[Resource]:
    """Resources of a program run with engine URNs (reads excluded: nothing to change).

    ``rename`` reads one deployment name as another; ``stack`` puts the URNs in another
    stack, so two stacks' resources can be matched.
    """
    by_urn = {r.urn: r for r in run.resources}
    out = []
    for reg in run.resources:
        if reg.read:
            continue
        urn = engine_urn(reg, by_urn, stack or run.stack, run.project)
        if rename is not None:
            urn = urn.replace(rename[0], rename[1])
        out.append(
            Resource(
                urn=urn,
                type=reg.type,
                name=reg.name if rename is None else reg.name.replace(rename[0], rename[1]),
                inputs=normalise(reg.inputs, rename) if reg.custom else {},
            )
        )
    return out


def resources_of_file(doc: Mapping[str, Any]) -> tuple[str, list[Resource]]:
    """Resources of a saved plan (``airs plan --json``) or of ``pulumi stack export``.

    Returns the kind of file (``plan`` or ``export``) and its resources.
    """
    if file_kind(doc) == "export":
        raw = (doc.get("deployment") or {}).get("resources") or []
        out = []
        for res in raw:
            rtype = str(res.get("type", ""))
            # Reads (`Resource.get`) are kept as external resources: nothing to change.
            if rtype == STACK_TYPE or res.get("external"):
                continue
            urn = str(res["urn"])
            out.append(
                Resource(
                    urn=urn,
                    type=rtype,
                    name=urn.rsplit("::", 1)[-1],
                    inputs=normalise(res.get("inputs") or {}) if res.get("custom", True) else {},
                )
            )
        return "export", out
    return "plan", [
        Resource(
            urn=str(r.get("engineUrn") or r["urn"]),
            type=str(r["type"]),
            name=str(r["name"]),
            inputs=normalise(r.get("inputs") or {}) if r.get("custom", True) else {},
        )
        for r in doc["resources"]
        if not r.get("read") and r["type"] != STACK_TYPE
    ]


def property_changes(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Leaf-level differences between two property values, with their paths."""
    if isinstance(old, Secret) and isinstance(new, Secret):
        if old.digest is None or new.digest is None or old.digest == new.digest:
            return []
        return [(path, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[tuple[str, Any, Any]] = []
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in old:
                changes.append((sub, None, new[key]))
            elif key not in new:
                changes.append((sub, old[key], None))
            else:
                changes.extend(property_changes(old[key], new[key], sub))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                changes.append((sub, None, new[i]))
            elif i >= len(new):
                changes.append((sub, old[i], None))
            else:
                changes.extend(property_changes(old[i], new[i], sub))
        return changes
    return [] if old == new else [(path, old, new)]


def compare(old: list[Resource], new: list[Resource]) -> DiffResult:
    """Match by URN; report added, removed and changed resources."""
    old_by = {r.urn: r for r in old}
    new_by = {r.urn: r for r in new}
    added = [r for urn, r in new_by.items() if urn not in old_by]
    removed = [r for urn, r in old_by.items() if urn not in new_by]
    changed = []
    for urn, res in new_by.items():
        before = old_by.get(urn)
        if before is None:
            continue
        props = property_changes(before.inputs, res.inputs)
        if props:
            changed.append(Change(urn=urn, type=res.type, name=res.name, properties=props))
    return DiffResult(added=added, removed=removed, changed=changed)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Secret):
        return SECRET
    return json.dumps(_jsonable(value), sort_keys=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def format_tree(result: DiffResult, header: str, note: str | None = None) -> list[str]:
    """Readable ``+ - ~`` tree, as ``pulumi preview --diff`` prints."""
    from components.cli.report import display_type

    lines = [header, ""]
    for res in result.added:
        lines.append(f"  + {display_type(res.type)}  {res.name}")
    for res in result.removed:
        lines.append(f"  - {display_type(res.type)}  {res.name}")
    for change in result.changed:
        lines.append(f"  ~ {display_type(change.type)}  {change.name}")
        for path, old, new in change.properties:
            if old is None:
                lines.append(f"      + {path}: {_show(new)}")
            elif new is None:
                lines.append(f"      - {path}: {_show(old)}")
            else:
                lines.append(f"      ~ {path}: {_show(old)} => {_show(new)}")
    if result.empty:
        lines.append("  (no differences)")
    lines += [
        "",
        f"Resources: {len(result.added)} to add, {len(result.removed)} to remove, "
        f"{len(result.changed)} to change",
    ]
    if note:
        lines += ["", note]
    return lines


def as_json(result: DiffResult, **meta: Any) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        **meta,
        "added": [{"urn": r.urn, "type": r.type, "name": r.name} for r in result.added],
        "removed": [{"urn": r.urn, "type": r.type, "name": r.name} for r in result.removed],
        "changed": [
            {
                "urn": c.urn,
                "type": c.type,
                "name": c.name,
                "properties": [
                    {"path": p, "old": _jsonable(o), "new": _jsonable(n)}
                    for p, o, n in c.properties
                ],
            }
            for c in result.changed
        ],
    }
