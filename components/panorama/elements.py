"""The desired state of a Panorama object as the providers compare and write it.

Canonical XML and its digest (what ``read`` and ``diff`` compare), the per-leaf view a
preview shows, late-bound value substitution and the write (``ConfigOp``) of one object.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from components.panorama.client import ConfigOp, PanoramaClient, PanoramaError, parse_xml
from components.panorama.intent import LATE_BOUND_RE
from components.panorama.render import split_xpath


def _canonical(el: ET.Element) -> ET.Element:
    """Order-insensitive copy: only the ``name`` attribute, stripped text, sorted children."""
    out = ET.Element(el.tag, {"name": el.get("name", "")} if el.get("name") is not None else {})
    text = (el.text or "").strip()
    if text:
        out.text = text
    kids = [_canonical(c) for c in el]
    kids.sort(key=lambda c: ET.tostring(c, encoding="unicode"))
    out.extend(kids)
    return out


def canonical_xml(element: str | ET.Element) -> str:
    """Canonical string of an element (whitespace, attribute and order noise removed)."""
    el = parse_xml(element) if isinstance(element, str) else element
    return ET.tostring(_canonical(el), encoding="unicode")


def digest(element: str | ET.Element) -> str:
    """sha256 of the canonical element."""
    return hashlib.sha256(canonical_xml(element).encode()).hexdigest()


def contains(live: ET.Element, desired: ET.Element) -> bool:
    """Whether every leaf of ``desired`` is present in ``live`` (merge-mode objects)."""
    text = (desired.text or "").strip()
    if len(desired) == 0 and text and (live.text or "").strip() != text:
        return False
    return all(any(_same_key(c, child) and contains(c, child) for c in live) for child in desired)


def _same_key(a: ET.Element, b: ET.Element) -> bool:
    if a.tag != b.tag or a.get("name") != b.get("name"):
        return False
    return a.tag != "member" or (a.text or "").strip() == (b.text or "").strip()


def flatten(element: str) -> dict[str, str]:
    """Leaf path -> value, so previews show per-setting diffs instead of one XML string."""
    out: dict[str, str] = {}

    def walk(el: ET.Element, prefix: str) -> None:
        members = [c.text or "" for c in el if c.tag == "member"]
        if members:
            out[prefix] = ",".join(members)
        for c in el:
            if c.tag == "member":
                continue
            step = f"{c.tag}[{c.get('name')}]" if c.get("name") is not None else c.tag
            path = f"{prefix}/{step}" if prefix else step
            if len(c) == 0:
                out[path] = (c.text or "").strip()
            else:
                walk(c, path)

    root = parse_xml(element)
    if len(root) == 0:
        out["."] = (root.text or "").strip()
    walk(root, "")
    return out


def substitute(element: str, late: Mapping[str, str]) -> str:
    """Replace ``{{late:key}}`` placeholders with XML-escaped values."""

    def repl(m: Any) -> str:
        key = m.group(1)
        if key not in late:
            raise PanoramaError(f"late-bound value {key!r} was not provided")
        return _xml_escape(str(late[key]))

    return str(LATE_BOUND_RE.sub(repl, element))


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sha(text: str) -> str:
    """sha256 hex digest of ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()


def has_unknown(value: Any) -> bool:
    """Whether a property bag holds Pulumi's unknown sentinel anywhere."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknown(v) for v in value)
    return False


def late_hashes(late: Mapping[str, Any] | None) -> dict[str, str]:
    """sha256 of each late-bound value, by key (state keeps hashes, never the values)."""
    return {k: sha(str(v)) for k, v in sorted((late or {}).items())}


def desired_digest(props: Mapping[str, Any]) -> str:
    """Digest of an object's element with late-bound values substituted."""
    return digest(substitute(str(props["element"]), props.get("late") or {}))


def config_op(obj: Mapping[str, Any], late: Mapping[str, str]) -> ConfigOp:
    """The write for one desired object: edit (replace) or set at the parent (merge)."""
    element = substitute(str(obj["element"]), late)
    label = f"{obj.get('kind', 'object')} '{obj.get('name', '')}'"
    if obj.get("mode") == "merge":
        return ConfigOp("set", split_xpath(str(obj["xpath"]))[0], element, label)
    return ConfigOp("edit", str(obj["xpath"]), element, label)


class MissingRequirement(PanoramaError):
    """Something the configuration relies on is missing from Panorama; nothing was written."""


def check_requirements(client: PanoramaClient, requires: Sequence[Mapping[str, Any]]) -> None:
    """Objects the configuration relies on but does not own must exist and say something.

    The AI security profile is one: its protections are chosen in Panorama (their XML is not
    published for automation), and a profile with only a description would let the AI rule
    pass traffic it does not inspect. Checked before anything is written.
    """
    for need in requires:
        nodes = [client.get(str(x)) for x in need["xpaths"]]  # any one place will do
        found = [n for n in nodes if n is not None]
        if not any(any(c.tag != "description" for c in n) for n in found):
            state = "has no protections configured" if found else "does not exist"
            raise MissingRequirement(f"{need['what']} {state}: {need['fix']}; nothing was written")
