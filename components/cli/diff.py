"""``airs diff``: what differs between two stacks, or between a stack and a recorded state.

- ``airs diff A B``: promotion review. Both stacks' plans are compared resource by resource
  (matched by type, parent chain and name), property by property, old (A) → new (B). What
  makes each deployment unique is read across (:mod:`components.cli.diff_reading`): A's
  ``airs:name`` as B's, A's deployment id as B's, and a reference to a resource both stacks
  have as the same reference. That reading only matches and compares; each side's own value
  is what is printed.
- ``airs diff --stack S --against FILE``: FILE is a saved ``airs plan --json`` or the output
  of ``pulumi stack export``. Resources are matched by URN and the program's inputs are
  compared with the recorded inputs: what ``pulumi up`` would change. Provider-side defaults
  and computed values are not compared.

Secrets print as ``[secret]``; between two stacks they are compared by hash. Assets and
archives (a Lambda's code) are compared by content (:mod:`components.cli.assets`).

:func:`compare` is the comparison itself, free of any printing: it returns the added, removed
and changed resources, each change with its property paths and both sides' values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

from components.cli.assets import ARCHIVE_SIG, ASSET_KEY, ASSET_SIG, asset_from_state, asset_json
from components.cli.assets import is_asset as _is_asset_object
from components.cli.diff_reading import IDENTITY, Reading
from components.cli.engine import ProgramRun, SecretValue, engine_urn
from components.cli.mocks import is_secret, unwrap
from components.cli.plan_files import SIG_KEY, STACK_TYPE, file_kind

SECRET = "[secret]"
AGAINST_NOTE = (
    "Compared: the program's inputs with the recorded inputs. Not compared: provider-side "
    "defaults and computed values (ids, addresses the cloud assigns), encrypted secrets "
    "and archives given by path in a stack export."
)
PROMOTION_NOTE = (
    "Read across: names, the deployment id and references to resources both stacks have "
    "(ids, ARNs, self-links); what differs in such a resource is listed on it. Old values "
    "are A's own."
)


@dataclass(frozen=True)
class Secret:
    """A secret value: shown masked, compared by hash (None: not comparable)."""

    digest: str | None

    def __repr__(self) -> str:
        return SECRET


@dataclass(frozen=True)
class NotCompared:
    """A recorded value the diff cannot compare with the program's, shown as ``label``."""

    label: str

    def __repr__(self) -> str:
        return self.label


class _Absent:
    """The side of a property that does not have it (added or removed key or list item)."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class PropertyChange:
    """One leaf that differs: its path (``a.b[0]``), its keys, and each side's own value.

    Unpacks as ``path, old, new``.
    """

    path: str
    old: Any
    new: Any
    keys: tuple[str | int, ...] = ()
    """The path as a list of keys and list indexes (a key may contain dots)."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.path, self.old, self.new))


@dataclass
class Resource:
    """One resource as the diff sees it."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    key: str = ""
    """What it is matched by: its URN, or A's URN read under B's names (promotion)."""

    def __post_init__(self) -> None:
        self.key = self.key or self.urn


@dataclass
class Change:
    """One resource whose properties differ (named as on the new side; ``old_*`` as on A)."""

    urn: str
    type: str
    name: str
    properties: list[PropertyChange] = field(default_factory=list)
    old_urn: str = ""
    old_name: str = ""


@dataclass
class DiffResult:
    """Added, removed and changed resources."""

    added: list[Resource]
    removed: list[Resource]
    changed: list[Change]
    read_as: tuple[tuple[str, str], ...] = ()
    """What the old side's text was read as on the new side (names, deployment id)."""

    @property
    def empty(self) -> bool:
        """No difference at all."""
        return not (self.added or self.removed or self.changed)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _is_asset(value: Any) -> bool:
    return isinstance(value, dict) and ASSET_KEY in value


def normalise(value: Any, reading: Reading = IDENTITY) -> Any:
    """Plain comparable data: secrets → :class:`Secret`, assets by content, internal keys
    dropped. A secret is hashed as it reads in the other stack (``reading``): secrets are
    never printed, so only their comparison needs it."""
    if isinstance(value, Mapping) and "ciphertext" in value and SIG_KEY in value:
        return Secret(None)  # an encrypted secret in a stack export: not comparable
    if is_secret(value):
        return Secret(_digest(reading(normalise(unwrap(value)))))
    if isinstance(value, Mapping) and SIG_KEY in value:  # another special value in an export
        if value[SIG_KEY] in (ASSET_SIG, ARCHIVE_SIG):
            content = asset_from_state(value)
            return content if content is not None else NotCompared("[archive by path]")
        return Secret(None)  # not comparable
    if isinstance(value, SecretValue):
        return Secret(_digest(reading(normalise(value.value))))
    if _is_asset_object(value):
        return asset_json(value)
    if isinstance(value, Mapping):
        if ASSET_KEY in value:  # an asset as a saved plan holds it
            return dict(value)
        return {
            str(k): normalise(v, reading) for k, v in value.items() if not str(k).startswith("__")
        }
    if isinstance(value, list | tuple):
        return [normalise(v, reading) for v in value]
    if value is rpc.UNKNOWN:
        return "[unknown]"
    if isinstance(value, str):
        return Secret(None) if value == SECRET else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def resources_of_run(
    run: ProgramRun, reading: Reading = IDENTITY, stack: str | None = None
) -> list[Resource]:
    """Resources of a program run with engine URNs (reads excluded: nothing to change).

    ``reading`` and ``stack`` give each resource the key it is matched by in another stack
    (its URN in ``stack``, read under the other stack's names); its URN, name and values
    stay its own.
    """
    by_urn = {r.urn: r for r in run.resources}
    out = []
    for reg in run.resources:
        if reg.read:
            continue
        urn = engine_urn(reg, by_urn, run.stack, run.project)
        key = reading.text(engine_urn(reg, by_urn, stack or run.stack, run.project))
        out.append(
            Resource(
                urn=urn,
                type=reg.type,
                name=reg.name,
                inputs=normalise(reg.inputs, reading) if reg.custom else {},
                key=key,
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


def property_changes(
    old: Any,
    new: Any,
    path: str = "",
    reading: Reading = IDENTITY,
    keys: tuple[str | int, ...] = (),
) -> list[PropertyChange]:
    """Leaf-level differences between two property values, with their paths.

    A key or list item on one side only is a change (:data:`ABSENT` on the other side).
    ``reading`` says how ``old``'s text reads on the new side: used to match keys and decide
    equality, never to alter the values reported.
    """
    if isinstance(old, NotCompared) or isinstance(new, NotCompared):
        return []
    if isinstance(old, Secret) and isinstance(new, Secret):
        if old.digest is None or new.digest is None or old.digest == new.digest:
            return []
        return [PropertyChange(path, old, new, keys)]
    if _is_asset(old) or _is_asset(new):  # one value: equal when the content hashes are
        return [] if old == new else [PropertyChange(path, old, new, keys)]
    if isinstance(old, dict) and isinstance(new, dict):
        pairs: dict[Any, tuple[Any, Any]] = {}
        for key, value in old.items():
            read = reading.text(key) if isinstance(key, str) else key
            shown = read if read in new else key  # a key both have is named as B names it
            pairs[shown] = (value, new.get(read, ABSENT))
        for key, value in new.items():
            if key not in pairs:
                pairs[key] = (ABSENT, value)
        changes: list[PropertyChange] = []
        for key in sorted(pairs, key=str):
            sub, (before, after) = f"{path}.{key}" if path else key, pairs[key]
            if before is ABSENT or after is ABSENT:
                changes.append(PropertyChange(sub, before, after, (*keys, key)))
            else:
                changes.extend(property_changes(before, after, sub, reading, (*keys, key)))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            before = old[i] if i < len(old) else ABSENT
            after = new[i] if i < len(new) else ABSENT
            sub = f"{path}[{i}]"
            if before is ABSENT or after is ABSENT:
                changes.append(PropertyChange(sub, before, after, (*keys, i)))
            else:
                changes.extend(property_changes(before, after, sub, reading, (*keys, i)))
        return changes
    return [] if reading(old) == new else [PropertyChange(path, old, new, keys)]


def compare(old: list[Resource], new: list[Resource], reading: Reading = IDENTITY) -> DiffResult:
    """Match by key (URN); report added, removed and changed resources.

    Args:
        old: the old side's resources (A, or the recorded state).
        new: the new side's resources (B, or the program).
        reading: how the old side's text reads on the new side (identity by default).
    """
    old_by = {r.key: r for r in old}
    new_by = {r.key: r for r in new}
    added = [r for key, r in new_by.items() if key not in old_by]
    removed = [r for key, r in old_by.items() if key not in new_by]
    changed = []
    for key, res in new_by.items():
        before = old_by.get(key)
        if before is None:
            continue
        props = property_changes(before.inputs, res.inputs, reading=reading)
        if props:
            changed.append(
                Change(
                    urn=res.urn,
                    type=res.type,
                    name=res.name,
                    properties=props,
                    old_urn=before.urn,
                    old_name=before.name,
                )
            )
    return DiffResult(added=added, removed=removed, changed=changed, read_as=reading.stated)


def _show(value: Any) -> str:
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, NotCompared):
        return value.label
    if _is_asset(value):
        content = value.get("hash") or value.get("uri") or value.get("path")
        return f"{value[ASSET_KEY]}({content})"
    return json.dumps(_jsonable(value), sort_keys=True)


def _jsonable(value: Any) -> Any:
    if value is ABSENT:
        return None
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, NotCompared):
        return value.label
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
        for prop in change.properties:
            if prop.old is ABSENT:
                lines.append(f"      + {prop.path}: {_show(prop.new)}")
            elif prop.new is ABSENT:
                lines.append(f"      - {prop.path}: {_show(prop.old)}")
            else:
                lines.append(f"      ~ {prop.path}: {_show(prop.old)} => {_show(prop.new)}")
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
    """The ``--json`` document.

    ``type`` is the engine's type token (as in URNs and the plan JSON), ``displayType`` the
    short form the text diff prints. A property's ``old``/``new`` is null on the side that
    does not have it; ``keys`` is its path as a list (keys may contain dots).
    """
    from components.cli.report import display_type

    def resource(r: Resource) -> dict[str, Any]:
        return {"urn": r.urn, "type": r.type, "displayType": display_type(r.type), "name": r.name}

    return {
        **meta,
        "added": [resource(r) for r in result.added],
        "removed": [resource(r) for r in result.removed],
        "changed": [
            {
                "urn": c.urn,
                "type": c.type,
                "displayType": display_type(c.type),
                "name": c.name,
                "oldUrn": c.old_urn,
                "oldName": c.old_name,
                "properties": [
                    {
                        "path": p.path,
                        "keys": list(p.keys),
                        "old": _jsonable(p.old),
                        "new": _jsonable(p.new),
                    }
                    for p in c.properties
                ],
            }
            for c in result.changed
        ],
    }
