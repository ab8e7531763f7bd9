"""``components/`` imports one way: no module reaches itself through its imports.

Every import counts — at the top, inside a function (a lazy import still ties the two
modules together) or under ``TYPE_CHECKING`` — read with ``ast``, so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT


def module_name(path: Path, base: Path) -> str:
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports (names relative to its parent folder)."""
    files = {module_name(p, package.parent): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    # `from a.b import c`: c may be a module of its own, else it is in a.b.
                    target = f"{node.module}.{alias.name}"
                    graph[module].add(target if target in files else node.module)
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names)
        graph[module] = {m for m in graph[module] if m in files and m != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_components_import_graph_has_no_cycle() -> None:
    assert cycles(import_graph(ROOT / "components")) == []


def test_the_check_finds_a_cycle(tmp_path: Path) -> None:
    """The same walk on a package whose two modules import each other, one of them lazily."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import f\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n")
    (package / "c.py").write_text("from pkg.a import f\n")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b"]]
