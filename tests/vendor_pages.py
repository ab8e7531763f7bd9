"""The numbered steps of the vendor pages in ``../shared/reference/*.txt``, parsed from the text.

The pages are text dumps of two vendor web pages. The private-cloud page numbers its steps
(``  1.``, nested by two spaces per level); the public-cloud page lost its numbers in the dump
and lists every step as a ``- `` line. Both are split into sections by their headings: a
short capitalised line with no closing full stop. A heading followed within three lines by the
page's "Where Can I Use This?" box opens a top-level section (GCP, Azure, AWS); the page's own
title does not count. Step ids: ``<page number>/<top>/<section>/<step>``, where a section is
named by the first four words of its heading and a step by its (dotted) number, or by its
position in the section when the page has no numbers. A number the page repeats at the same
place gets ``#2``. A list item the dump glued to the end of a line counts as its own step.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT

PAGES_DIR = Path(os.environ.get("AIRS_VENDOR_PAGES") or ROOT.parent / "shared" / "reference")
NUMBERED = re.compile(r"^(?P<indent> +)(?P<number>\d+)\.\s+(?P<text>\S.*)$")
BULLET = re.compile(r"^- (?P<text>\S.*)$")
# The dump sometimes glues a list item to the end of the previous line ("… IPs. - Add a …").
GLUED_ITEM = re.compile(r"(?<=[.):]) (?=- [A-Z])")
BOX = "Where Can I Use This?"
DIGEST_CHARS = 8


@dataclass(frozen=True)
class Step:
    """One step of a vendor page."""

    id: str
    text: str
    line: int

    @property
    def digest(self) -> str:
        """A short hash of the step's text, as docs/vendor-steps.md records it.

        The map keeps this, never the vendor's words: a changed step changes its hash, and
        its row must be reviewed. Runs of white space count as one space.
        """
        return text_digest(self.text)


def text_digest(text: str) -> str:
    """First hex digits of the sha256 of ``text`` with its white space collapsed."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:DIGEST_CHARS]


def slug(heading: str) -> str:
    """``Install a Kubernetes Application with Helm`` → ``install-a-kubernetes-application``."""
    words = re.sub(r"[^a-z0-9 ]+", "", heading.lower()).split()
    return "-".join(words[:4])


def is_heading(line: str, before: str = "x", after: str = "x") -> bool:
    """A capitalised line that is not a sentence, a list item or a table row, and is short
    or stands alone between blank lines."""
    text = line.strip()
    return (
        bool(text)
        and line == text
        and text[0].isupper()
        and (len(text.split()) <= 6 or not (before.strip() or after.strip()))
        and not text.endswith(".")
        and not any(ch in text for ch in "|?")
        and not BULLET.match(text)
    )


def pages() -> list[Path]:
    """The vendor pages (``NNN_*.txt``)."""
    return sorted(PAGES_DIR.glob("[0-9][0-9][0-9]_*.txt"))


WORD = re.compile(r"[a-z0-9]+")
RUN_WORDS = 8


def word_runs(text: str, length: int = RUN_WORDS) -> set[tuple[str, ...]]:
    """Every run of ``length`` consecutive words of ``text`` (lowercase, letters and digits
    only, so punctuation, Markdown and line breaks do not hide a copied sentence)."""
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


def page_number(page: Path) -> str:
    """``000_9a2e….txt`` → ``000``."""
    return page.name.split("_", 1)[0]


def steps(page: Path) -> Iterator[Step]:
    """Every step of one page, in order."""
    lines: list[str] = []
    where: list[int] = []
    for number, physical in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        for part in GLUED_ITEM.split(physical):
            lines.append(part)
            where.append(number)
    title = lines[0].strip() if lines else ""
    top, section = "", ""
    numbers: list[int] = []
    indents: list[int] = []
    position = 0
    seen: set[str] = set()

    def make_id(step: str) -> str:
        base = "/".join(p for p in (page_number(page), top, section, step) if p)
        uid, n = base, 1
        while uid in seen:
            n += 1
            uid = f"{base}#{n}"
        seen.add(uid)
        return uid

    for i, line in enumerate(lines):
        before = lines[i - 1] if i else ""
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if is_heading(line, before, after):
            opens_top = any(later.startswith(BOX) for later in lines[i + 1 : i + 4])
            if opens_top and line.strip() != title:
                top, section = slug(line), ""
            elif not opens_top:
                section = slug(line)
            numbers, indents, position = [], [], 0
            continue
        numbered = NUMBERED.match(line)
        if numbered:
            indent = len(numbered["indent"])
            while indents and indents[-1] > indent:
                indents.pop()
                numbers.pop()
            if indents and indents[-1] == indent:
                numbers[-1] = int(numbered["number"])
            else:
                indents.append(indent)
                numbers.append(int(numbered["number"]))
            yield Step(make_id(".".join(map(str, numbers))), numbered["text"].strip(), where[i])
            continue
        bullet = BULLET.match(line)
        if bullet:
            position += 1
            yield Step(make_id(str(position)), bullet["text"].strip(), where[i])


def all_steps() -> list[Step]:
    """Every step of every page."""
    return [step for page in pages() for step in steps(page)]
