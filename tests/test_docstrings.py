"""Every public module, class and function of ``components`` is documented, every argument
of a Pulumi component or resource has an ``Args:`` entry, and every field of the stack-config
models (what the components' ``cfg`` argument carries: the ``airs:*`` keys) has a docstring
(issue 8)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers import ROOT

SOURCES = sorted((ROOT / "components").rglob("*.py"))
RESOURCE_BASES = ("ComponentResource", "Resource")
# The stack-config models: the common ones and each target's own.
CONFIGS = [
    ROOT / "components" / "config" / "models.py",
    *sorted((ROOT / "components" / "clouds").glob("*/config.py")),
]


def _has_entry(doc: str, arg: str) -> bool:
    """An ``Args:``-style line for ``arg`` (``name: …`` or ``name (type): …``)."""
    return re.search(rf"^\s*{re.escape(arg)}(?: \([^)]*\))?:\s", doc, re.MULTILINE) is not None


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
                    if not _has_entry(documented, a)
                ]
            elif not sub.name.startswith("_") and not doc:
                out.append(f"{rel}:{sub.lineno} {node.name}.{sub.name}")
    return out


def test_components_are_documented() -> None:
    missing = [line for path in SOURCES for line in _undocumented(path)]
    assert not missing, "undocumented:\n" + "\n".join(missing)


def _undocumented_fields(path: Path, base: Path = ROOT) -> list[str]:
    """Public fields of public classes without an attribute docstring right below them."""
    rel = path.relative_to(base)
    out = []
    for cls in ast.parse(path.read_text()).body:
        if not isinstance(cls, ast.ClassDef) or cls.name.startswith("_"):
            continue
        for i, node in enumerate(cls.body):
            if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
                continue
            if node.target.id.startswith("_") or node.target.id == "model_config":
                continue
            after = cls.body[i + 1] if i + 1 < len(cls.body) else None
            documented = (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
            if not documented:
                out.append(f"{rel}:{node.lineno} {cls.name}.{node.target.id}")
    return out


def test_stack_config_fields_are_documented() -> None:
    missing = [line for path in CONFIGS for line in _undocumented_fields(path)]
    assert len(CONFIGS) == 5
    assert not missing, "undocumented config fields:\n" + "\n".join(missing)


def test_the_check_finds_a_missing_argument(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    source = '''"""m."""
import pulumi


class Thing(pulumi.ComponentResource):
    """A thing."""

    def __init__(self, name: str, size: int, cfg: str, opts: object) -> None:
        """Make a thing for this hostname from cfgs, sized to size.

        Args:
            name: the name.
            opts (ResourceOptions): resource options.
        """
'''
    sample.write_text(source)
    # "size" and "cfg" appear in the text ("sized", "cfgs") but have no Args entry.
    assert _undocumented(sample, tmp_path) == [
        "sample.py:8 Thing argument size",
        "sample.py:8 Thing argument cfg",
    ]


def test_the_check_finds_an_undocumented_field(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '''"""m."""


class Model:
    """A model."""

    documented: int = 1
    """What it is."""
    bare: str = ""
    _private: int = 0
'''
    )
    assert _undocumented_fields(sample, tmp_path) == ["sample.py:9 Model.bare"]
