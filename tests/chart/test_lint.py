"""`helm lint --strict` through Helm's own linter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from components.cluster import chart
from tests.chart.conftest import K8S_VERSIONS, THREE_ZONES, values_for


def assert_clean(report: dict[str, Any]) -> None:
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    # Strict: warnings count too; only informational messages may remain.
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_lint_default_values_strict():
    defaults = yaml.safe_load((chart.CHART_DIR / "values.yaml").read_text())
    assert_clean(helm_python.lint(chart.CHART_DIR, defaults, strict=True))
    assert_clean(helm_python.lint(chart.CHART_DIR, None, strict=True))


@pytest.mark.parametrize("platform", chart.PLATFORMS)
def test_lint_every_platform_strict(platform):
    values = values_for(platform, THREE_ZONES) if platform == "eks" else values_for(platform)
    for version in (K8S_VERSIONS[0], K8S_VERSIONS[-1]):
        report = helm_python.lint(
            chart.CHART_DIR,
            values,
            strict=True,
            namespace=chart.RELEASE_NAMESPACE,
            kube_version=f"v{version}.0",
        )
        assert_clean(report)


def test_chart_packages_and_the_archive_renders_the_same(tmp_path: Path) -> None:
    """`helm package` works and the archive holds the whole chart (schema included)."""
    archive = helm_python.package(chart.CHART_DIR, destination=tmp_path)
    meta = yaml.safe_load((chart.CHART_DIR / "Chart.yaml").read_text())
    assert Path(archive).name == f"{chart.CHART_NAME}-{meta['version']}.tgz"
    values = values_for("openshift", THREE_ZONES)
    with (
        helm_python.Chart.load(archive) as packed,
        helm_python.Chart.load(chart.CHART_DIR) as source,
    ):
        assert packed.schema == source.schema is not None
        assert packed.render(values=values, name=chart.RELEASE_NAME) == source.render(
            values=values, name=chart.RELEASE_NAME
        )
        assert sorted(t["name"] for t in packed.templates) == sorted(
            t["name"] for t in source.templates
        )


def test_checkov_suppressions_are_documented() -> None:
    """Each accepted checkov finding in .checkov.yaml has its reason right above it."""
    config_file = chart.CHART_DIR.parent / ".checkov.yaml"
    config = yaml.safe_load(config_file.read_text())
    assert config["framework"] == ["kubernetes"]
    lines = config_file.read_text().splitlines()
    skips = config["skip-check"]
    assert skips, "expected the CNI's accepted findings"
    for check in skips:
        (index,) = [i for i, line in enumerate(lines) if line.strip() == f"- {check}"]
        assert lines[index - 1].strip().startswith("#"), f"{check} has no reason"
