"""Derive a compact PAN-OS config schema from Palo Alto's pan-os-codegen specs.

The specs (``specs/*.yaml`` of ``PaloAltoNetworks/pan-os-codegen``, MIT licence) describe,
per configuration object, where it lives (``locations`` + ``panos_xpath``) and every child
element: its XML tag, type, enum values, integer range and string length limit. This
script keeps only those facts and writes them as JSON for the emulator's schema check
(``tests/panorama/panos_schema.py``)::

    scripts/panos_schema.py                 # write tests/panorama/panos_schema.json
    scripts/panos_schema.py --check         # exit 1 if regenerating would change it
    scripts/panos_schema.py --specs DIR --out FILE

Every object with an xpath is kept (about 130 specs; the JSON stays well under 2 MB).
Objects with the same xpath (``deviceconfig/system`` is split over four specs) are merged.

Schema node (JSON), every field optional except ``kind``:

- ``kind``: ``object`` | ``entry-list`` | ``member-list`` | ``string`` | ``int`` |
  ``bool`` | ``enum`` | ``float``;
- ``children``: tag -> node (``object``; for ``entry-list`` the children of each
  ``<entry name=...>``);
- ``one_of``: groups of child tags that are alternatives (the spec's ``variants``);
- ``member``: the node of each ``<member>`` of a ``member-list``;
- ``values`` (enum), ``min`` / ``max`` (int), ``max_length`` (string),
  ``name_max_length`` (entry names of an object's own entry list),
  ``min_version`` / ``max_version`` (PAN-OS versions that have the element).

An object is ``{"element": node, "locations": [...], "specs": [...]}``: ``element`` is the
node at the object's xpath (the entry list for entry objects, e.g. ``.../rules``), and
each location is the full path of tags above it (``entry`` stands for any
``entry[@name=...]``; a rulebase variable is expanded to each allowed value).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = ROOT.parent / "shared" / "reference" / "pan-os-codegen" / "specs"
DEFAULT_OUT = ROOT / "tests" / "panorama" / "panos_schema.json"
# The commit the reference copy was taken at (its README says so; checked when present).
SOURCE_COMMIT = "9920a6f"
SOURCE_REPO = "https://github.com/PaloAltoNetworks/pan-os-codegen"
# Resource types whose element is an entry list under the object's xpath.
ENTRY_TYPES = frozenset({"entry", "uuid"})
KINDS = {
    "string": "string",
    "int64": "int",
    "bool": "bool",
    "enum": "enum",
    "float64": "float",
    "object": "object",
}

Node = dict[str, Any]
# libyaml's safe loader when PyYAML has it (ten times faster); the same documents either way.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(Exception):
    """The specs do not have the shape this script understands."""


# ----------------------------------------------------------------------------- leaves


def _limits(validators: Iterable[Mapping[str, Any]] | None) -> dict[str, Any]:
    """``length`` / ``range`` validators as ``{"min": .., "max": ..}``."""
    out: dict[str, Any] = {}
    for v in validators or []:
        if v.get("type") in ("length", "range"):
            spec = v.get("spec") or {}
            for key in ("min", "max"):
                if key in spec:
                    out[key] = int(spec[key])
    return out


def _enum_values(spec: Mapping[str, Any] | None) -> list[str]:
    values = [str(v["value"]) for v in (spec or {}).get("values") or []]
    return sorted(set(values))


def _leaf(kind: str, spec: Mapping[str, Any] | None, validators: Any) -> Node:
    """A string / int / bool / enum / float node."""
    node: Node = {"kind": KINDS[kind]}
    limits = _limits(validators)
    if kind == "string" and "max" in limits:
        node["max_length"] = limits["max"]
    elif kind == "int64":
        node.update({k: limits[k] for k in ("min", "max") if k in limits})
    elif kind == "enum":
        node["values"] = _enum_values(spec)
    return node


# ----------------------------------------------------------------------------- objects


def _merge(a: Node, b: Node, where: str) -> Node:
    """Two nodes for the same tag (one spec's ``a/b`` next to another's ``a``)."""
    if a == b:
        return a
    if a["kind"] != b["kind"] or a["kind"] not in ("object", "entry-list"):
        raise SpecError(f"{where}: conflicting definitions {a} and {b}")
    out: Node = {"kind": a["kind"]}
    children = dict(a.get("children") or {})
    for tag, node in (b.get("children") or {}).items():
        children[tag] = _merge(children[tag], node, f"{where}/{tag}") if tag in children else node
    if children:
        out["children"] = children
    groups = {tuple(g) for g in (a.get("one_of") or []) + (b.get("one_of") or [])}
    if groups:
        out["one_of"] = [list(g) for g in sorted(groups)]
    for key in ("name_max_length",):
        if key in a or key in b:
            out[key] = max(a.get(key, 0), b.get(key, 0))
    return out


def _insert(children: dict[str, Node], path: list[str], node: Node, where: str) -> None:
    """Put ``node`` at ``path`` below ``children``, making plain objects on the way."""
    head, rest = path[0], path[1:]
    if rest:
        inner: Node = {"kind": "object", "children": {}}
        _insert(inner["children"], rest, node, f"{where}/{head}")
        node = inner
    children[head] = _merge(children[head], node, f"{where}/{head}") if head in children else node


def _param(p: Mapping[str, Any], where: str) -> tuple[list[str], Node] | None:
    """The tag path and node of one spec param / variant; None if it is no element."""
    profiles = p.get("profiles") or []
    if len(profiles) != 1:
        raise SpecError(f"{where}/{p.get('name')}: expected one profile, got {len(profiles)}")
    profile = profiles[0]
    xpath = [str(s) for s in profile.get("xpath") or []]
    if not xpath:  # a value the SDK computes (parent name, audit comment): no element
        return None
    kind = p["type"]
    spec = p.get("spec") or {}
    name = f"{where}/{'/'.join(xpath)}"
    if kind == "list":
        items = spec.get("items") or {}
        if profile.get("type") == "entry":
            if xpath[-1] != "entry" or items.get("type") != "object":
                raise SpecError(f"{name}: entry list of {items.get('type')}")
            node = {"kind": "entry-list", **_body(items.get("spec") or {}, name)}
            xpath = xpath[:-1]
        else:
            if items.get("type") == "object":
                raise SpecError(f"{name}: member list of objects")
            if xpath[-1] == "member":
                xpath = xpath[:-1]
            member = _leaf(
                items.get("type") or "string", items.get("spec"), items.get("validators")
            )
            node = {"kind": "member-list", "member": member}
    elif kind == "object":
        node = {"kind": "object", **_body(spec, name)}
    elif kind in KINDS:
        node = _leaf(kind, spec, p.get("validators"))
    else:
        raise SpecError(f"{name}: unknown type {kind}")
    for key in ("min_version", "max_version"):
        if profile.get(key):
            node[key] = str(profile[key])
    return xpath, node


def _body(spec: Mapping[str, Any], where: str) -> Node:
    """``children`` and ``one_of`` of an object's ``spec`` (params + variants)."""
    children: dict[str, Node] = {}
    groups: dict[int, set[str]] = {}
    for section in ("params", "variants"):
        for p in spec.get(section) or []:
            found = _param(p, where)
            if found is None:
                continue
            path, node = found
            _insert(children, path, node, where)
            if section == "variants":
                groups.setdefault(int(p.get("variant_group_id") or 0), set()).add(path[0])
    out: Node = {}
    if children:
        out["children"] = children
    if groups:
        out["one_of"] = [sorted(groups[g]) for g in sorted(groups)]
    return out


def _expand(path: list[str], variables: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """A spec xpath as tag paths: ``$var`` is ``entry`` or, for an object variable, each of
    its allowed values (``$rulebase`` -> ``pre-rulebase`` / ``post-rulebase``)."""
    kinds = {str(v["name"]): v for v in variables}
    out: list[list[str]] = [[]]
    for seg in path:
        if not seg.startswith("$"):
            out = [[*p, seg] for p in out]
            continue
        var = kinds.get(seg[1:], {})
        if var.get("type") == "object":
            values = [
                str(x)
                for v in var.get("validators") or []
                if v.get("type") == "values"
                for x in (v.get("spec") or {}).get("values") or []
            ]
            if not values:
                raise SpecError(f"variable {seg} has no values")
            out = [[*p, x] for p in out for x in values]
        else:
            out = [[*p, "entry"] for p in out]
    return out


def _object(doc: Mapping[str, Any], rel: str) -> tuple[str, Node] | None:
    """(key, object) of one spec file, or None when it describes no config xpath."""
    rtype = (doc.get("terraform_provider_config") or {}).get("resource_type")
    panos_xpath = doc.get("panos_xpath") or {}
    path = [str(s) for s in panos_xpath.get("path") or []]
    if rtype not in (*ENTRY_TYPES, "config") or not path:
        return None
    own = _expand(path, panos_xpath.get("vars") or [])
    if len(own) != 1:
        raise SpecError(f"{rel}: panos_xpath expands to {own}")
    suffix = own[0]
    if rtype in ENTRY_TYPES and suffix[-1] == "entry" and path[-1].startswith("$"):
        suffix = suffix[:-1]  # ``.../units/$name``: the object's entry list is ``units``
    locations: set[str] = set()
    for loc in doc.get("locations") or []:
        xp = loc.get("xpath") or {}
        for prefix in _expand([str(s) for s in xp.get("path") or []], xp.get("vars") or []):
            locations.add("/".join(prefix))
    body = _body(doc.get("spec") or {}, rel)
    element: Node
    if rtype in ENTRY_TYPES:
        element = {"kind": "entry-list", **body}
        limits = _limits(v for e in doc.get("entries") or [] for v in e.get("validators") or [])
        if "max" in limits:
            element["name_max_length"] = limits["max"]
    else:
        element = {"kind": "object", **body}
    key = "/".join(suffix)
    return key, {"element": element, "locations": sorted(locations), "specs": [rel]}


# ----------------------------------------------------------------------------- build


def spec_files(specs: Path) -> list[Path]:
    """Every spec YAML, in a stable order."""
    return sorted(p for p in specs.rglob("*.yaml") if p.is_file())


def source_commit(specs: Path) -> str:
    """The upstream commit the specs were taken at (from the reference README if present)."""
    readme = specs.parent / "README.md"
    if readme.is_file():
        m = re.search(r"commit\s+([0-9a-f]{7,40})", readme.read_text(encoding="utf-8"))
        if m and m.group(1) != SOURCE_COMMIT:
            raise SpecError(f"{readme} names commit {m.group(1)}, this script {SOURCE_COMMIT}")
    return SOURCE_COMMIT


def build(specs: Path) -> dict[str, Any]:
    """The schema document for the specs in ``specs``."""
    files = spec_files(specs)
    if not files:
        raise SpecError(f"no spec files in {specs}")
    digest = hashlib.sha256()
    objects: dict[str, Node] = {}
    skipped: list[str] = []
    for path in files:
        rel = path.relative_to(specs).as_posix()
        data = path.read_bytes()
        digest.update(rel.encode() + b"\0" + data + b"\0")
        doc = yaml.load(data, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)
        found = _object(doc, rel) if isinstance(doc, dict) else None
        if found is None:
            skipped.append(rel)
            continue
        key, obj = found
        if key in objects:
            old = objects[key]
            obj = {
                "element": _merge(old["element"], obj["element"], key),
                "locations": sorted(set(old["locations"]) | set(obj["locations"])),
                "specs": sorted({*old["specs"], *obj["specs"]}),
            }
        objects[key] = obj
    return {
        "source": {
            "what": "derived facts: element names, types, enums, limits",
            "from": f"pan-os-codegen specs/ ({SOURCE_REPO}), commit {source_commit(specs)}",
            "licence": "MIT (Copyright (c) Palo Alto Networks), see the upstream LICENSE.md",
            "generator": "scripts/panos_schema.py",
            "specs_sha256": digest.hexdigest(),
            "skipped_specs": skipped,
        },
        "objects": objects,
    }


def dump(schema: Mapping[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, one object per line, trailing newline."""
    objects = schema["objects"]
    head = {k: v for k, v in schema.items() if k != "objects"}
    lines = ["{", f'"source": {json.dumps(head["source"], sort_keys=True)},', '"objects": {']
    keys = sorted(objects)
    for n, key in enumerate(keys):
        text = json.dumps(objects[key], sort_keys=True, separators=(",", ":"))
        lines.append(f"{json.dumps(key)}: {text}{',' if n < len(keys) - 1 else ''}")
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: write the schema, or ``--check`` that the committed one is current."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS, help="pan-os-codegen specs/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the JSON file")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if regenerating would change --out"
    )
    args = parser.parse_args(argv)
    if not args.specs.is_dir():
        print(f"error: no specs folder {args.specs}", file=sys.stderr)
        return 2
    try:
        text = dump(build(args.specs))
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
        if current != text:
            print(f"{args.out} is not what {args.specs} gives: regenerate it", file=sys.stderr)
            return 1
        print(f"{args.out} is current")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode())} bytes, {text.count(chr(10)) - 5} objects)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
