"""Where things live (issue 17): one folder per target, layers that import one way, short files.

Read with ``ast`` (nothing executed); each rule has a companion test showing it can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT
from tests.test_import_graph import import_graph

COMPONENTS = ROOT / "components"
CLOUDS = COMPONENTS / "clouds"
MAX_LINES = 450

# Layer → the layers it must never import (data flows config → clouds → panorama/cluster →
# deployment → program → cli). Panorama's model (intent, objects, profiles) is what each
# target builds its profile from, so clouds may import panorama; panorama never imports a
# cloud.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "components.config": (
        "components.clouds",
        "components.panorama",
        "components.cluster",
        "components.deployment",
        "components.layered",
        "components.program",
        "components.cli",
    ),
    "components.clouds": (
        "components.cluster",
        "components.deployment",
        "components.layered",
        "components.program",
        "components.cli",
    ),
    "components.panorama": (
        "components.clouds",
        "components.deployment",
        "components.program",
        "components.cli",
    ),
    "components.cluster": (
        "components.clouds",
        "components.deployment",
        "components.program",
        "components.cli",
    ),
    "components.deployment": ("components.program", "components.cli"),
    "components.program": ("components.cli",),
}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """``a -> b`` for every import that runs against the layers."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for layer, forbidden in FORBIDDEN.items()
        if _in(module, layer)
        for target in targets
        if any(_in(target, f) for f in forbidden)
    )


def test_layers_import_one_way() -> None:
    assert layer_violations(import_graph(COMPONENTS)) == []


def test_the_layer_check_finds_an_upward_import() -> None:
    graph = {"components.config.parse": {"components.clouds"}, "components.clouds": set()}
    assert layer_violations(graph) == ["components.config.parse -> components.clouds"]


def long_files(root: Path, limit: int = MAX_LINES) -> list[str]:
    """Python files under ``root`` over ``limit`` lines."""
    return sorted(
        f"{p.relative_to(root)}: {n}"
        for p in root.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    )


def test_no_file_in_components_is_over_450_lines() -> None:
    assert long_files(COMPONENTS) == []


def test_the_length_check_finds_a_long_file(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "short.py").write_text("x = 1\n" * MAX_LINES)
    assert long_files(tmp_path) == [f"long.py: {MAX_LINES + 1}"]


def cloud_config_types() -> set[str]:
    """Names of the classes each target defines in its ``config.py``."""
    return {
        node.name
        for path in CLOUDS.glob("*/config.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }


def isinstance_on(path: Path, names: set[str]) -> list[str]:
    """``isinstance`` calls in ``path`` whose class argument names one of ``names``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
            if len(node.args) < 2:
                continue
            used = {
                n.id if isinstance(n, ast.Name) else n.attr
                for n in ast.walk(node.args[1])
                if isinstance(n, ast.Name | ast.Attribute)
            }
            out += [f"{path.name}:{node.lineno} {name}" for name in sorted(used & names)]
    return out


def test_no_isinstance_on_cloud_config_types_outside_clouds() -> None:
    names = cloud_config_types()
    assert {"GcpSecurityProject", "AzureSecurityProject", "AwsSecurityProject"} <= names
    assert "PrivateFirewall" in names
    found = [
        hit
        for path in sorted(COMPONENTS.rglob("*.py"))
        if CLOUDS not in path.parents
        for hit in isinstance_on(path, names)
    ]
    assert found == []


def test_the_isinstance_check_finds_a_cloud_switch(tmp_path: Path) -> None:
    sample = tmp_path / "deployment.py"
    sample.write_text(
        "def f(sp):\n"
        "    if isinstance(sp, cfg.GcpSecurityProject | AwsSecurityProject):\n"
        "        return 1\n"
        "    return isinstance(sp, str)\n"
    )
    assert isinstance_on(sample, cloud_config_types()) == [
        "deployment.py:2 AwsSecurityProject",
        "deployment.py:2 GcpSecurityProject",
    ]
