"""Every public module, class and function of ``components`` is documented, and every
argument of a Pulumi component or resource is named in its docstring (issue 8)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

SOURCES = sorted((ROOT / "components").rglob("*.py"))
RESOURCE_BASES = ("ComponentResource", "Resource")


def _undocumented(path: Path, base: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text())
    rel = path.relative_to(base)
    out = [] if ast.get_docstring(tree) else [f"{rel}: module"]
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.ClassDef) or node.name.startswith("_"):
            continue
        if not ast.get_docstring(node):
            out.append(f"{rel}:{node.lineno} {node.name}")
        if not isinstance(node, ast.ClassDef):
            continue
        is_resource = any(ast.unparse(b).endswith(RESOURCE_BASES) for b in node.bases)
        for sub in node.body:
            if not isinstance(sub, ast.FunctionDef):
                continue
            doc = ast.get_docstring(sub) or ""
            if sub.name == "__init__" and is_resource:
                documented = doc + (ast.get_docstring(node) or "")
                args = [a.arg for a in sub.args.args[1:] + sub.args.kwonlyargs]
                out += [
                    f"{rel}:{sub.lineno} {node.name} argument {a}"
                    for a in args
                    if a not in documented
                ]
            elif not sub.name.startswith("_") and not doc:
                out.append(f"{rel}:{sub.lineno} {node.name}.{sub.name}")
    return out


def test_components_are_documented() -> None:
    missing = [line for path in SOURCES for line in _undocumented(path)]
    assert not missing, "undocumented:\n" + "\n".join(missing)


def test_the_check_finds_a_missing_argument(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    source = '''"""m."""
import pulumi


class Thing(pulumi.ComponentResource):
    """A thing."""

    def __init__(self, name: str, size: int) -> None:
        """Args: name: the name."""
'''
    sample.write_text(source)
    assert _undocumented(sample, tmp_path) == ["sample.py:8 Thing argument size"]
