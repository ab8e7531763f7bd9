"""docs/vendor-steps.md maps every step of the vendor pages to what does it, and stays true.

The steps come from the pages themselves (``tests/vendor_pages.py`` parses the text), never
from a list kept here. A row names its step by id and by a short hash of the step's text, and
describes it in our words: no run of eight words of the pages may appear in ``docs/``. Each
row's references are checked: ``file.py:Symbol.attr`` must be defined in that file (read with
``ast``, so no cloud SDK is imported), ``file:text`` must be in that file, and
``airs:key.path`` must be a key the stack config accepts.

The checks against the pages need them (``../shared/reference``, or ``AIRS_VENDOR_PAGES``):
a user's clone has no pages and skips those with one line; CI sets ``AIRS_VENDOR_PAGES``
(``.ci/run``), and there a missing page fails. The reference checks need only this clone.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from components import config
from components.clouds import TARGETS
from components.config.engine import _allowed_keys
from components.config.parse import KNOWN_KEYS
from tests.helpers import ROOT, pytest_in_subprocess
from tests.vendor_pages import (
    BULLET,
    GLUED_ITEM,
    NUMBERED,
    PAGES_DIR,
    RUN_WORDS,
    Step,
    all_steps,
    pages,
    word_runs,
)
from tests.vendor_pages import steps as page_steps

DOC = ROOT / "docs" / "vendor-steps.md"
DOCS = ROOT / "docs"
ROW = re.compile(
    r"^\| (?P<id>\d{3}/\S+) \| `(?P<hash>[0-9a-f]{8})` \| (?P<ours>[^|]*?) \| (?P<refs>.*?) "
    r"\| (?P<how>.*) \|$"
)
REFERENCE = re.compile(r"`([^`]+)`")
NO_CODE = "No code"


@pytest.fixture
def vendor_pages() -> list[Path]:
    """The vendor pages; where they must be (``AIRS_VENDOR_PAGES`` set), their absence fails.

    Without them a check of the map against the pages is skipped, with one line: a skipped
    map check would pass a missing row, so CI, which has the pages, must never skip it.
    """
    found = pages()
    if found:
        return found
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
    hash: str
    """Short hash of the step's text (:attr:`tests.vendor_pages.Step.digest`)."""
    ours: str
    """What the step asks for, in our words."""
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
            m["id"],
            m["hash"],
            m["ours"].strip(),
            tuple(REFERENCE.findall(m["refs"])),
            m["how"].strip(),
        )
    return found


@cache
def steps() -> dict[str, Step]:
    return {step.id: step for step in all_steps()}


def test_the_map_has_its_rows() -> None:
    """Every row of the doc parses (a row the pattern missed would go unchecked)."""
    table_rows = [
        line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\| \d{3}/", line)
    ]
    assert len(rows()) == len(table_rows) > 200


@pytest.mark.usefixtures("vendor_pages")
def test_every_step_has_a_row() -> None:
    missing = [f"{s.id} (line {s.line})" for s in steps().values() if s.id not in rows()]
    assert missing == [], "steps of the vendor pages with no row in docs/vendor-steps.md"


@pytest.mark.usefixtures("vendor_pages")
def test_no_row_for_a_step_the_pages_do_not_have() -> None:
    assert sorted(set(rows()) - set(steps())) == []


@pytest.mark.usefixtures("vendor_pages")
def test_rows_hash_their_step() -> None:
    """A row whose hash is not its step's was written for another version of the page."""
    stale = {
        sid: f"row has {row.hash}, the page's step (line {steps()[sid].line}) hashes to "
        f"{steps()[sid].digest}: review the row, then record the new hash"
        for sid, row in rows().items()
        if sid in steps() and row.hash != steps()[sid].digest
    }
    assert stale == {}


def test_every_row_describes_its_step() -> None:
    assert [r.id for r in rows().values() if len(r.ours.split()) < 2] == []


@pytest.mark.usefixtures("vendor_pages")
def test_docs_carry_no_sentence_of_the_vendor_pages(vendor_pages: list[Path]) -> None:
    """Our documents state facts about the pages; none copies their text: no run of eight
    words of a page appears in any file under docs/."""
    theirs: set[tuple[str, ...]] = set()
    for page in vendor_pages:
        theirs |= word_runs(page.read_text(encoding="utf-8"))
    copied = {
        str(path.relative_to(ROOT)): sorted(" ".join(run) for run in word_runs(text) & theirs)
        for path in sorted(DOCS.rglob("*"))
        if path.is_file()
        and path.suffix in (".md", ".txt", ".html", ".svg")
        and (text := path.read_text(encoding="utf-8", errors="replace"))
    }
    assert {path: runs for path, runs in copied.items() if runs} == {}


def test_word_runs_see_through_punctuation_and_markdown() -> None:
    page = "Select Commit → Commit and Push, to push the policy configurations to the firewall."
    doc = "*select* commit -- commit AND push to push | the policy `configurations`"
    assert RUN_WORDS == 8
    assert word_runs(page) & word_runs(doc) == {
        ("select", "commit", "commit", "and", "push", "to", "push", "the"),
        ("commit", "commit", "and", "push", "to", "push", "the", "policy"),
        ("commit", "and", "push", "to", "push", "the", "policy", "configurations"),
    }
    assert word_runs("only seven words here in this line") == set()


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


def test_the_parser_keeps_every_list_line_of_the_pages(vendor_pages: list[Path]) -> None:
    """Every numbered or bulleted line (and glued item) of the pages is a step, once."""
    for page in vendor_pages:
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


def test_ci_points_the_checks_at_the_pages() -> None:
    """`.ci/run` exports AIRS_VENDOR_PAGES as ../shared/reference beside this clone, where CI
    has the pages; set, the checks above fail rather than skip when pages are missing."""
    script = ROOT / ".ci" / "run"
    exports = [
        line
        for line in script.read_text(encoding="utf-8").splitlines()
        if line.startswith("export AIRS_VENDOR_PAGES=")
    ]
    assert len(exports) == 1
    shown = subprocess.run(
        ["bash", "-c", f'{exports[0]} && printf %s "$AIRS_VENDOR_PAGES"'],
        cwd=ROOT,  # .ci/run works from the repository's root
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    ).stdout
    assert Path(shown) == ROOT.parent / "shared" / "reference"


def test_missing_pages_fail_where_they_must_be(tmp_path: Path) -> None:
    """With AIRS_VENDOR_PAGES set (as CI sets it) and no page there, the map checks fail."""
    run = pytest_in_subprocess(
        str(Path(__file__)), "every_step_has_a_row", {"AIRS_VENDOR_PAGES": str(tmp_path)}
    )
    assert run.returncode == 1, run.stdout
    assert "1 error" in run.stdout  # the fixture fails the test: not a skip, not a pass
    assert "skipped" not in run.stdout
    assert (
        f"vendor pages not found in {tmp_path} (AIRS_VENDOR_PAGES is set: they must be)"
        in run.stdout
    )
