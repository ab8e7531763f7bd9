"""Fit what ``airs plan`` prints to the terminal: widths, truncation, wrapping, pretty XML.

The width is ``$COLUMNS`` when set, else the terminal's; output that goes to a file or a pipe
without ``COLUMNS`` keeps its full lines (``--json`` is always complete). Names wrap (they
are identifiers: nothing of them is lost), values are cut with an ellipsis.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

ELLIPSIS = "…"
MIN_WIDTH = 40
"""Narrower terminals are treated as this wide (a tree cannot be drawn in less)."""
MOCK = " (mock)"
"""Marks a value the cloud computes at ``pulumi up``, shown as the mock engine's stand-in."""


def terminal_width(stream: TextIO | None = None) -> int | None:
    """Columns to fit lines to: ``$COLUMNS``, else the terminal's width; None for a file or
    pipe without ``COLUMNS`` (full lines). Never less than :data:`MIN_WIDTH`."""
    raw = os.environ.get("COLUMNS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return max(int(raw), MIN_WIDTH)
    out = stream if stream is not None else sys.stdout
    try:
        if out.isatty():
            return max(os.get_terminal_size(out.fileno()).columns, MIN_WIDTH)
    except (OSError, ValueError, AttributeError):  # not a real file (captured output)
        pass
    return None


def clip(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when cut."""
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + ELLIPSIS


def wrap(text: str, width: int | None, indent: str = "    ") -> list[str]:
    """Prose wrapped at spaces to ``width``; continuation lines indented by ``indent``.

    A word longer than a line (a file path given on the command line) stays whole, on a
    line of its own, so that it can be copied.
    """
    if width is None or len(text) <= width:
        return [text]
    lines = textwrap.wrap(
        text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    return lines or [text]


_NAME_PIECES = re.compile(r"[^-/._]*[-/._]|[^-/._]+")


def split_name(name: str, room: int) -> list[str]:
    """``name`` in pieces of at most ``room`` characters, broken after ``-``, ``/``, ``.`` or
    ``_`` where possible; joined they give ``name`` back."""
    if len(name) <= room:
        return [name]
    lines: list[str] = []
    current = ""
    for piece in _NAME_PIECES.findall(name):
        while len(piece) > room:  # no separator close enough: break inside the piece
            if current:
                lines.append(current)
                current = ""
            lines.append(piece[:room])
            piece = piece[room:]
        if len(current) + len(piece) > room:
            lines.append(current)
            current = ""
        current += piece
    if current:
        lines.append(current)
    return lines


def split_xpath(xpath: str, room: int) -> list[str]:
    """An xpath in pieces of at most ``room`` characters, each break before a ``/`` step
    where possible; joined they give the xpath back."""
    if len(xpath) <= room:
        return [xpath]
    steps = re.findall(r"/?[^/]*", xpath)
    lines: list[str] = []
    current = ""
    for step in (s for s in steps if s):
        if current and len(current) + len(step) > room:
            lines.append(current)
            current = ""
        current += step
        while len(current) > room:
            lines.append(current[:room])
            current = current[room:]
    if current:
        lines.append(current)
    return lines


def pretty_xml(element: str) -> list[str]:
    """A Panorama element one XML element per line, indented by two spaces per level.

    Display only: attributes are re-quoted; the exact text is what ``airs render
    --panorama`` prints. Text that does not parse is returned as it is.
    """
    from xml.etree import ElementTree as ET

    from components.panorama.client import parse_xml

    try:
        root = parse_xml(element)
    except ET.ParseError:
        return [element]
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode").splitlines()


# --------------------------------------------------------------------------- nested values


@dataclass(frozen=True)
class Row:
    """One line of a nested value: ``lead`` (indent and key), then ``text`` (the value)."""

    lead: str
    text: str = ""
    mock: bool = False

    def fit(self, width: int | None) -> str:
        """The line, its value cut so that it fits ``width``; a mock mark is kept whole."""
        suffix = MOCK if self.mock else ""
        if width is None:
            return f"{self.lead}{self.text}{suffix}"
        room = width - len(self.lead) - len(suffix)
        if room < 8:  # not even a few characters of the value: cut the whole line
            return clip(f"{self.lead}{self.text}{suffix}", width)
        return f"{self.lead}{clip(self.text, room)}{suffix}"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else '""'
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value


def value_rows(
    mapping: dict[str, Any], indent: int, is_mock: Callable[[Any], bool], width: int | None
) -> list[Row]:
    """YAML-like rows of a mapping: one key per line, nested values indented by two spaces,
    lists of scalars inline when they fit; values ``is_mock`` says the mock engine made up
    are marked."""

    def pair(lead: str, value: Any, depth: int) -> list[Row]:
        if isinstance(value, dict) and value:
            return [Row(lead.rstrip()), *mapping_rows(value, depth + 2)]
        if isinstance(value, list) and value:
            if all(_is_scalar(v) for v in value):
                inline = "[" + ", ".join(_scalar(v) for v in value) + "]"
                row = Row(lead, inline, any(is_mock(v) for v in value))
                if width is None or len(row.fit(None)) <= width:
                    return [row]
            rows = [Row(lead.rstrip())]
            for item in value:
                dash = " " * (depth + 2) + "- "
                if isinstance(item, dict) and item:
                    rows += mapping_rows(item, depth + 4, first=dash)
                else:
                    rows += pair(dash, item, depth + 4)
            return rows
        return [Row(lead, _scalar(value), is_mock(value))]

    def mapping_rows(value: dict[str, Any], depth: int, first: str | None = None) -> list[Row]:
        rows: list[Row] = []
        for i, (key, sub) in enumerate(value.items()):
            start = first if (i == 0 and first is not None) else " " * depth
            rows += pair(f"{start}{key}: ", sub, depth)
        return rows

    return mapping_rows(mapping, indent)


def fit_rows(rows: Iterable[Row], width: int | None) -> list[str]:
    """Each row as a line fitted to ``width``."""
    return [row.fit(width) for row in rows]
