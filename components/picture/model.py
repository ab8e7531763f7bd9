"""The picture as data (boxes, groups, arrows) and its DOT text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

# Colour-blind-safe pairs (Okabe-Ito), with a dashed border for what a promotion removes so
# the status reads in grey print too.
STATUS_STYLE = {
    ADDED: ('color="#009E73" penwidth=2.5', "+ added"),
    REMOVED: ('color="#D55E00" penwidth=2.5 style="dashed,rounded"', "- removed"),
    CHANGED: ('color="#E69F00" penwidth=2.5', "~ changed"),
}
MAX_FACT = 44


def node_id(key: str) -> str:
    """A stable DOT identifier for a resource URN or a synthetic key."""
    return "n" + hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass
class Box:
    """One element: a resource (titled with its ``pulumi preview`` name) or a fact of the stack."""

    key: str
    title: str
    kind: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Its DOT identifier."""
        return node_id(self.key)


@dataclass
class Group:
    """A framed group of boxes (a stage, a cluster, the management plane)."""

    key: str
    title: str
    boxes: list[Box] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def every_box(self) -> list[Box]:
        """Its boxes and those of its subgroups."""
        out = list(self.boxes)
        for group in self.groups:
            out.extend(group.every_box())
        return out


@dataclass(frozen=True)
class Arrow:
    """A connection between two boxes."""

    tail: str
    head: str
    label: str = ""
    dashed: bool = False
    invisible: bool = False
    """Only orders the stages left to right; not drawn."""
    label_at_tail: bool = False
    """Label the arrow where it starts (a long arrow's middle may lie in another column)."""
    constraint: bool = True
    """Whether it pulls its head a column to the right (False for management-plane arrows,
    which are drawn across the traffic path without reordering it)."""


@dataclass
class Picture:
    """The whole drawing: the traffic path's stages left to right, the management plane apart."""

    title: str
    stages: list[Group]
    management: Group
    arrows: list[Arrow] = field(default_factory=list)

    def every_box(self) -> list[Box]:
        """Every box in the picture."""
        out: list[Box] = []
        for group in [*self.stages, self.management]:
            out.extend(group.every_box())
        return out


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _short(text: str, limit: int = MAX_FACT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _box_dot(box: Box) -> str:
    row = '<TR><TD ALIGN="LEFT">{}</TD></TR>'
    rows = [row.format(f"<B>{_html(box.title)}</B>")]
    rows.append(row.format(f'<FONT POINT-SIZE="9" COLOR="#555555">{_html(box.kind)}</FONT>'))
    for label, value in box.facts:
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">{_html(label)}: '
            f"{_html(_short(value))}</FONT></TD></TR>"
        )
    if box.status is not None:
        rows.append(f'<TR><TD ALIGN="LEFT"><B>{_html(STATUS_STYLE[box.status][1])}</B></TD></TR>')
    for change in box.changes[:4]:
        rows.append(row.format(f'<FONT POINT-SIZE="10">{_html(_short(change, 60))}</FONT>'))
    style = STATUS_STYLE[box.status][0] if box.status else 'color="#333333"'
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
    label = f"<{table}{''.join(rows)}</TABLE>>"
    return f"{box.id} [label={label} {style}];"


def _group_dot(group: Group, depth: int) -> list[str]:
    pad = "  " * depth
    fill = "#F4F7FB" if depth == 1 else "#FFFFFF"
    lines = [
        f"{pad}subgraph cluster_{node_id(group.key)} {{",
        f'{pad}  label=<<B>{_html(group.title)}</B>>; style="rounded,filled"; '
        f'fillcolor="{fill}"; color="#7A8CA5";',
    ]
    for box in group.boxes:
        lines.append(f"{pad}  {_box_dot(box)}")
    for sub in group.groups:
        lines.extend(_group_dot(sub, depth + 1))
    lines.append(f"{pad}}}")
    return lines


def to_dot(picture: Picture) -> str:
    """The picture as a DOT graph: left to right, one framed group per stage."""
    lines = [
        "digraph airs {",
        f"  graph [rankdir=LR compound=true newrank=true nodesep=0.25 ranksep=0.9 "
        f'fontname="Arimo" fontsize=12 labelloc=t label={_quote(picture.title)}];',
        '  node [shape=box style=rounded fontname="Arimo" fontsize=11 margin="0.12,0.06"];',
        '  edge [fontname="Arimo" fontsize=9 color="#4A5A70"];',
    ]
    for group in [*picture.stages, picture.management]:
        if group.every_box():
            lines.extend(_group_dot(group, 1))
    # Each stage is one column: its boxes share a rank, and the stages follow each other.
    for stage in picture.stages:
        ids = [box.id for box in stage.every_box()]
        if ids:
            lines.append(f"  {{rank=same; {'; '.join(ids)};}}")
    drawn = {box.id for box in picture.every_box()}
    for arrow in picture.arrows:
        if node_id(arrow.tail) not in drawn or node_id(arrow.head) not in drawn:
            continue  # an end left out of this drawing (the management plane without --panorama)
        attrs = []
        if arrow.label:
            # A label on an arrow that does not rank its head floats far from it: an xlabel
            # stays beside the line.
            key = "label" if arrow.constraint else "xlabel"
            if arrow.label_at_tail:
                key = "taillabel"
                attrs.append("labelangle=-12 labeldistance=6")
            attrs.append(f"{key}={_quote(arrow.label)}")
        if arrow.invisible:
            attrs.append("style=invis weight=5")
        elif arrow.dashed:
            attrs.append("style=dashed")
        if not arrow.constraint:
            attrs.append("constraint=false")
        suffix = f" [{' '.join(attrs)}]" if attrs else ""
        lines.append(f"  {node_id(arrow.tail)} -> {node_id(arrow.head)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
