"""docs/vendor-steps.md maps every step of the vendor pages to what does it, and stays true.

The steps come from the pages themselves (``tests/vendor_pages.py`` parses the text), never
from a list kept here. Each row's references are checked: ``file.py:Symbol.attr`` must be
defined in that file (read with ``ast``, so no cloud SDK is imported), ``file:text`` must be
in that file, and ``airs:key.path`` must be a key the stack config accepts.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from components import config
from components.clouds import TARGETS
from components.config.engine import _allowed_keys
from components.config.parse import KNOWN_KEYS
from tests.helpers import ROOT
from tests.vendor_pages import (
    BULLET,
    GLUED_ITEM,
    NUMBERED,
    PAGES_DIR,
    Step,
    all_steps,
    pages,
)
from tests.vendor_pages import steps as page_steps

DOC = ROOT / "docs" / "vendor-steps.md"
ROW = re.compile(r"^\| (?P<id>\d{3}/\S+) \| (?P<says>.*?) \| (?P<refs>.*?) \| (?P<how>.*) \|$")
REFERENCE = re.compile(r"`([^`]+)`")
NO_CODE = "No code"


@pytest.fixture(autouse=True)
def vendor_pages_present() -> None:
    """The map is checked where the pages are; where they must be, their absence fails.

    A user's clone has no ``../shared``: the checks skip with one line. CI sets
    ``AIRS_VENDOR_PAGES`` (``.ci/run``), and there a missing page fails instead of skipping,
    since a skipped map check would pass a missing row.
    """
    if pages():
        return
    if os.environ.get("AIRS_VENDOR_PAGES"):
        pytest.fail(
            f"vendor pages not found in {PAGES_DIR} (AIRS_VENDOR_PAGES is set: they must be)",
            pytrace=False,
        )
    pytest.skip(f"vendor pages not in {PAGES_DIR}: set AIRS_VENDOR_PAGES to check the step map")


@dataclass(frozen=True)
class Row:
    """One row of docs/vendor-steps.md."""

    id: str
    says: str
    references: tuple[str, ...]
    how: str


@cache
def rows() -> dict[str, Row]:
    found: dict[str, Row] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m is None:
            continue
        assert m["id"] not in found, f"two rows for {m['id']}"
        found[m["id"]] = Row(
            m["id"], m["says"], tuple(REFERENCE.findall(m["refs"])), m["how"].strip()
        )
    return found


@cache
def steps() -> dict[str, Step]:
    return {step.id: step for step in all_steps()}


def test_every_step_has_a_row() -> None:
    missing = [
        f"{s.id} (line {s.line}: {s.excerpt})" for s in steps().values() if s.id not in rows()
    ]
    assert missing == [], "steps of the vendor pages with no row in docs/vendor-steps.md"


def test_no_row_for_a_step_the_pages_do_not_have() -> None:
    assert sorted(set(rows()) - set(steps())) == []


def test_rows_quote_their_step() -> None:
    """A row whose quote no longer matches was written for another version of the page."""
    stale = {
        sid: (row.says, steps()[sid].excerpt)
        for sid, row in rows().items()
        if sid in steps() and row.says != steps()[sid].excerpt
    }
    assert stale == {}


def test_every_row_names_what_does_it_or_why_nothing_needs_to() -> None:
    bare = [r.id for r in rows().values() if not r.references and not r.how.startswith(NO_CODE)]
    assert bare == []
    assert all(r.how for r in rows().values())


@cache
def _definitions(path: Path) -> dict[str, set[str]]:
    """Top-level names of a module → names defined in their body (classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}

    def names(node: ast.stmt) -> list[str]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return [node.name]
        if isinstance(node, ast.Assign):  # `A = …` and `A, B = …`
            targets = [e for t in node.targets for e in getattr(t, "elts", [t])]
            return [t.id for t in targets if isinstance(t, ast.Name)]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            return [node.target.id]
        return []

    for node in tree.body:
        for name in names(node):
            members = out.setdefault(name, set())
            if isinstance(node, ast.ClassDef):
                for inner in node.body:
                    members.update(names(inner))
    return out


def _config_key_problem(reference: str) -> str | None:
    """Why ``airs:<key path>`` is not a key the stack config accepts (None if it is)."""
    top, *path = reference.removeprefix(f"{config.NAMESPACE}:").split(".")
    if top not in KNOWN_KEYS:
        return f"{top} is not a top-level key"
    if not path:
        return None
    models: dict[str, list[type[config.Model]]] = {
        **{
            key: [t.config_model for t in TARGETS.values() if t.config_key == key]
            for key in ("securityProject", "firewall")
        },
        "panorama": [config.Panorama],
        "applications": [config.Application],
        "clusters": [config.Cluster],
    }
    if top not in models:
        return f"{top} is a scalar"
    if top in ("applications", "clusters"):
        if not (path[0].startswith("<") and path[0].endswith(">")):
            return f"{top} is a map: write airs:{top}.<key>.…"
        path = path[1:]
    *parents, leaf = path
    if any(leaf in _allowed_keys(model, parents) for model in models[top]):
        return None
    return f"no key {leaf!r} under airs:{top}{''.join('.' + p for p in parents)}"


def _reference_problem(reference: str) -> str | None:
    if reference.startswith(f"{config.NAMESPACE}:"):
        return _config_key_problem(reference)
    file, _, symbol = reference.partition(":")
    path = ROOT / file
    if not path.is_file():
        return f"no file {file}"
    if not symbol:
        return None
    if path.suffix != ".py":
        return None if symbol in path.read_text(encoding="utf-8") else f"{symbol!r} not in it"
    top, _, member = symbol.partition(".")
    defined = _definitions(path)
    if top not in defined:
        return f"{top} is not defined there"
    if member and member not in defined[top]:
        return f"{top} has no {member}"
    return None


def test_every_reference_exists() -> None:
    broken = {
        f"{row.id}: {ref}": problem
        for row in rows().values()
        for ref in row.references
        if (ref.startswith(f"{config.NAMESPACE}:") or "/" in ref)
        and (problem := _reference_problem(ref)) is not None
    }
    assert broken == {}
    # Every reference is one of the checked kinds (a path or a config key), not prose.
    unchecked = [
        f"{row.id}: {ref}"
        for row in rows().values()
        for ref in row.references
        if not (ref.startswith(f"{config.NAMESPACE}:") or "/" in ref)
    ]
    assert unchecked == []


def test_reference_checks_can_fail() -> None:
    assert _reference_problem("components/clouds/gcp/panorama.py:profile") is None
    assert _reference_problem("components/panorama/render.py:_Renderer._kubernetes") is None
    assert _reference_problem("components/panorama/profiles.py:_nowhere") is not None
    assert _reference_problem("components/panorama/render.py:_Renderer._nothing") is not None
    assert _reference_problem("components/nowhere.py:x") == "no file components/nowhere.py"
    assert _reference_problem("helm/templates/service.yaml:pan-ngfw-svc") is None
    assert _reference_problem("helm/templates/service.yaml:no-such-text") is not None
    assert _reference_problem("airs:clusters.<key>.protect") is None
    assert _reference_problem("airs:securityProject.firewall.bootstrap.authKey") is None
    assert _reference_problem("airs:clusters.protect") is not None
    assert _reference_problem("airs:panorama.nope") is not None
    assert _reference_problem("airs:nope") is not None


def test_the_parser_keeps_every_list_line_of_the_pages() -> None:
    """Every numbered or bulleted line (and glued item) of the pages is a step, once."""
    for page in pages():
        text = page.read_text(encoding="utf-8")
        listed = sum(
            1
            for line in text.splitlines()
            for part in GLUED_ITEM.split(line)
            if NUMBERED.match(part) or BULLET.match(part)
        )
        found = list(page_steps(page))
        assert len(found) == listed, page.name
        assert len({s.id for s in found}) == len(found)
