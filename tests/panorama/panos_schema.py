"""Check a PAN-OS ``set`` / ``edit`` element against the vendor's schema.

The schema is ``panos_schema.json`` next to this file, derived by ``scripts/panos_schema.py``
from Palo Alto's pan-os-codegen specs (element names, types, enums, limits). Nothing here
reads the specs themselves, so the checks run where ``../shared`` is absent.

Every object's full tag path (location + object xpath, ``entry`` for any named entry) goes
into one trie. A request's xpath is walked down that trie and, once inside an object, down
the object's schema; then the element is walked the same way. Problems name the element
path and the rule it breaks. Paths the specs do not cover pass unchecked only when listed in
:data:`NOT_COVERED`; any other unknown tag is a problem.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("panos_schema.json")

_PANORAMA = "config/devices/entry"
_TEMPLATE_NGFW = _PANORAMA + "/template/entry/config/devices/entry"
_DG = _PANORAMA + "/device-group/entry"

# Tag paths (from /config; ``entry`` = any named entry) that the pan-os-codegen specs do not
# describe, with where our XML for them comes from. Below these nothing is checked.
NOT_COVERED: dict[str, str] = {
    _DG + "/profiles/ai-security": (
        "AI security profile (Prisma AIRS, CloudConnector plugin 2.1.0): the administrator's, "
        "made in Panorama and referenced (never written) by the program; its element names are "
        "not published (xpaths.py AI_SECURITY_PROFILE, UNVERIFIED)"
    ),
    "config/shared/profiles/ai-security": (
        "the same AI security profile in Shared, where it outlives a deployment"
    ),
    _DG + "/profile-group/entry/ai-security": (
        "ai-security member of a security profile group: tag from the same third-party "
        "PAN-OS 12.1 fixture, UNVERIFIED (xpaths.py PROFILE_GROUP_AI_SECURITY_TAG); "
        "the spec's profile-group has no ai-security child"
    ),
    _PANORAMA + "/plugins/kubernetes": (
        "Panorama Kubernetes plugin: root by Panorama's plugin convention, leaves from "
        "CN-Series-Deployer CLI tokens, partly UNVERIFIED (xpaths.py K8S_*)"
    ),
    _TEMPLATE_NGFW + "/deviceconfig/plugins/vm_series/aws-cloudwatch": (
        "VM-Series plugin CloudWatch publishing (enabled, namespace as name, interval in "
        "minutes as timeout): the vendor's exported autoscaling template in "
        "terraform-aws-swfw-modules (examples/combined_design_autoscale); no spec covers plugins"
    ),
    _TEMPLATE_NGFW + "/deviceconfig/plugins/vm_series/gcp-cloudwatch": (
        "VM-Series plugin Google Cloud Monitoring (Stackdriver) publishing (enabled, interval in "
        "minutes as update-interval): configurations exported from GCP builds Palo Alto engineers "
        "publish, PAN-OS 9.0 (wwce/terraform gcp/ilbnh-mig) and 10.1 (wwce/gcp-tf-cie-lab)"
    ),
    _TEMPLATE_NGFW + "/deviceconfig/setting/advance-routing": (
        "advanced routing engine switch: pan-os-python panos.device.AdvancedRoutingEngine "
        "(PAN-OS 10.2+); no pan-os-codegen spec covers deviceconfig/setting"
    ),
}

# Of those, the ones the program only reads (the administrator writes them).
REFERENCED_ONLY: frozenset[str] = frozenset(
    {_DG + "/profiles/ai-security", "config/shared/profiles/ai-security"}
)

_LEAVES = ("string", "int", "bool", "enum", "float")
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Problem:
    """One broken rule: the element's path (xpath form), the rule, and PAN-OS-style text."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class _Trie:
    children: dict[str, _Trie] = field(default_factory=dict)
    nodes: list[dict[str, Any]] = field(default_factory=list)  # object elements here
    objects: list[str] = field(default_factory=list)  # their keys
    not_covered: str | None = None  # the source, when the specs do not cover this path

    def child(self, tag: str) -> _Trie:
        return self.children.setdefault(tag, _Trie())


@dataclass(frozen=True)
class _State:
    """Where a walk is: schema nodes that apply here, and the trie node (if on a trie path)."""

    nodes: tuple[dict[str, Any], ...]
    trie: _Trie | None
    xpath: str  # xpath of this element, for problems
    label: tuple[str, ...]  # PAN-OS style path (entry names instead of ``entry``)
    in_entry_list: bool = False  # the nodes describe the items of an entry list

    def at(self, xpath: str, label: tuple[str, ...]) -> _State:
        """The same nodes, reported at another path (a child that does not fit here)."""
        return _State(self.nodes, self.trie, xpath, label, self.in_entry_list)


@cache
def schema() -> dict[str, Any]:
    """The committed schema document."""
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _root() -> _Trie:
    root = _Trie()
    for key, obj in sorted(schema()["objects"].items()):
        for location in obj["locations"]:
            node = root
            for tag in [*location.split("/"), *key.split("/")]:
                node = node.child(tag)
            node.nodes.append(obj["element"])
            node.objects.append(key)
    for path, source in NOT_COVERED.items():
        node = root
        for tag in path.split("/"):
            node = node.child(tag)
        node.not_covered = source
    return root


def object_at(xpath: str) -> list[str]:
    """Keys of the schema objects whose container the xpath names or is inside (outermost
    first), e.g. ``['template', 'network/interface/ethernet']`` for an ethernet entry of a
    template."""
    found: list[str] = []
    node: _Trie | None = _root()
    for tag, _pred in _steps(xpath):
        node = node.children.get(tag) if node is not None else None
        if node is None:
            break
        found += node.objects
    return found


def not_covered_source(xpath: str) -> str | None:
    """The :data:`NOT_COVERED` source for an xpath at or below a listed path, else None."""
    tags = [t for t, _ in _steps(xpath)]
    for path, source in NOT_COVERED.items():
        parts = path.split("/")
        if tags[: len(parts)] == parts:
            return source
    return None


# ----------------------------------------------------------------------------- xpath


_STEP = re.compile(r"^([^\[]+)(?:\[(@name|text\(\))\s*=\s*(['\"])(.*?)\3\])?$")


def split_steps(xpath: str) -> list[str]:
    """The steps of an xpath, split at ``/`` outside predicates and quotes."""
    parts, buf, depth, quote = [], "", 0, ""
    for ch in xpath.strip():
        if quote:
            buf += ch
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"" and depth:
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "/" and depth == 0:
            if buf:
                parts.append(buf)
            buf = ""
            continue
        buf += ch
    if buf:
        parts.append(buf)
    return parts


def _steps(xpath: str) -> list[tuple[str, str | None]]:
    """(tag, @name or text() value) per step."""
    out: list[tuple[str, str | None]] = []
    for raw in split_steps(xpath):
        m = _STEP.match(raw)
        if m is None:
            raise ValueError(f"unsupported xpath step {raw!r}")
        out.append((m.group(1), m.group(4)))
    return out


def _pred(tag: str, value: str | None, kind: str) -> str:
    if value is None:
        return tag
    return f"{tag}[@name='{value}']" if kind == "name" else f"{tag}[text()='{value}']"


# ----------------------------------------------------------------------------- walk


class _Walk:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, state: _State, rule: str, text: str) -> None:
        label = " -> ".join(state.label) if state.label else state.xpath
        self.problems.append(Problem(state.xpath, rule, f"{label} {text}"))

    def step(self, state: _State, tag: str, name: str | None, text: str | None) -> _State | None:
        """The state of child ``tag`` of ``state``; None (after a problem) if it is unknown,
        or a state with ``trie.not_covered`` set when the path is listed as not covered."""
        xpath = (
            state.xpath
            + "/"
            + (_pred(tag, name, "name") if name is not None else _pred(tag, text, "text"))
        )
        shown = name if tag == "entry" and name is not None else tag
        if tag == "member" and text is not None:
            shown = text
        trie = state.trie.children.get(tag) if state.trie is not None else None
        label = (*state.label, shown)
        nodes: list[dict[str, Any]] = []
        in_list = False
        for node in state.nodes:
            kind = node["kind"]
            if kind == "entry-list" and not state.in_entry_list:
                if tag == "entry":
                    nodes.append(node)
                    in_list = True
                    limit = node.get("name_max_length")
                    if name is None:
                        self.add(state, "entry without name", f"-> {tag} has no name")
                    elif limit is not None and len(name) > limit:
                        self.add(
                            state,
                            f"entry name longer than {limit}",
                            f"-> '{name}' is too long (name max {limit} characters)",
                        )
                elif tag == "member":
                    self.add(
                        state.at(xpath, label),
                        "member where entry belongs",
                        "unexpected here: 'member' where an 'entry' list belongs",
                    )
                    return None
            elif kind == "member-list":
                if tag == "member":
                    nodes.append(node["member"])
                elif tag == "entry":
                    self.add(
                        state.at(xpath, label),
                        "entry where member belongs",
                        "unexpected here: 'entry' where a 'member' list belongs",
                    )
                    return None
            elif kind == "object" or (kind == "entry-list" and state.in_entry_list):
                child = (node.get("children") or {}).get(tag)
                if child is not None:
                    nodes.append(child)
        if trie is not None and trie.nodes:
            nodes += trie.nodes  # an object's own element starts here
            label = (shown,)
        if not nodes and trie is None:
            self.add(
                state.at(xpath, label),
                "unknown child",
                "unexpected here (not in the PAN-OS schema)",
            )
            return None
        return _State(tuple(nodes), trie, xpath, label, in_list)

    def value(self, state: _State, text: str) -> None:
        """Check a leaf's text against its node(s)."""
        leaves = [n for n in state.nodes if n["kind"] in _LEAVES]
        if not leaves:
            return
        node = leaves[0]
        kind = node["kind"]
        if kind == "bool" and text not in ("yes", "no"):
            self.add(state, "bool not yes/no", f"'{text}' is not a valid value (yes or no)")
        elif kind == "enum":
            values = node.get("values") or []
            if values and text not in values:
                self.add(
                    state,
                    "enum outside its values",
                    f"'{text}' is not an allowed keyword (allowed: {', '.join(values)})",
                )
        elif kind == "int":
            if not _INT.match(text):
                self.add(state, "not an integer", f"'{text}' is not a valid integer")
                return
            number, lo, hi = int(text), node.get("min"), node.get("max")
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                self.add(
                    state,
                    f"integer out of range {lo}-{hi}",
                    f"'{text}' is out of range {lo}-{hi}",
                )
        elif kind == "float":
            try:
                float(text)
            except ValueError:
                self.add(state, "not a number", f"'{text}' is not a valid number")
        elif kind == "string":
            limit = node.get("max_length")
            if limit is not None and len(text) > limit:
                self.add(
                    state,
                    f"string longer than {limit}",
                    f"is too long ({len(text)} characters, max {limit})",
                )

    def element(self, state: _State, el: ET.Element) -> None:
        """Walk ``el``'s content (its children or its text) in ``state``."""
        if state.trie is not None and state.trie.not_covered is not None:
            return
        kinds = {n["kind"] for n in state.nodes}
        text = (el.text or "").strip()
        if kinds and kinds <= set(_LEAVES):
            if len(el):
                self.add(
                    state,
                    f"children in a {'/'.join(sorted(kinds))} value",
                    f"unexpected child '{el[0].tag}': a {'/'.join(sorted(kinds))} value "
                    "belongs here",
                )
            else:
                self.value(state, el.text or "")
            return
        if text and len(el) == 0 and (kinds or state.trie is not None):
            self.add(
                state,
                "text in a container",
                f"'{text}' unexpected here: a container ({', '.join(sorted(kinds)) or 'path'}) "
                "belongs here, not a value",
            )
            return
        for group in (g for n in state.nodes for g in n.get("one_of") or []):
            present = [c.tag for c in el if c.tag in group]
            if len(set(present)) > 1:
                self.add(
                    state,
                    "more than one alternative",
                    f"has {', '.join(sorted(set(present)))}: only one of "
                    f"{', '.join(group)} may be set",
                )
        for child in el:
            member = child.text if child.tag == "member" else None
            sub = self.step(state, child.tag, child.get("name"), member)
            if sub is not None:
                self.element(sub, child)


def _walk_xpath(walk: _Walk, steps: list[tuple[str, str | None]]) -> _State | None:
    """The state at the end of ``steps`` (from ``config``), or None after a problem or when
    the path is listed in :data:`NOT_COVERED` (then no problem)."""
    state = _State((), _root(), "", ())
    for tag, value in steps:
        name = value if tag != "member" else None
        text = value if tag == "member" else None
        nxt = walk.step(state, tag, name, text)
        if nxt is None:
            return None
        state = nxt
        if state.trie is not None and state.trie.not_covered is not None:
            return None
    return state


def check(action: str, xpath: str, element: ET.Element) -> list[Problem]:
    """Problems of a ``set`` (``element`` wraps the children to merge at ``xpath``; its text
    is the value when ``xpath`` names a leaf) or an ``edit`` (``element`` is the node at
    ``xpath`` itself). An empty list when it fits the schema or is :data:`NOT_COVERED`."""
    walk = _Walk()
    steps = _steps(xpath)
    if action == "edit":
        if not steps:
            return []
        parent = _walk_xpath(walk, steps[:-1])
        if parent is None:
            return walk.problems
        text = element.text if element.tag == "member" else None
        sub = walk.step(parent, element.tag, element.get("name"), text)
        if sub is not None:
            walk.element(sub, element)
        return walk.problems
    state = _walk_xpath(walk, steps)
    if state is not None:
        walk.element(state, element)
    return walk.problems


def check_text(action: str, xpath: str, element: str) -> list[Problem]:
    """:func:`check` for the ``element`` parameter as sent (``set``: zero or more nodes)."""
    if action == "set":
        return check(action, xpath, ET.fromstring(f"<wrap>{element}</wrap>"))
    return check(action, xpath, ET.fromstring(element))
