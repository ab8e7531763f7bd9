"""values.schema.json refuses bad values at install time, naming the offending value."""

from __future__ import annotations

import helm_python
import pytest

from components.cluster import chart
from tests.chart.conftest import THREE_ZONES, render, values_for

BAD = [
    # (id, values change, dotted key, text that must appear in the error)
    ("clusterid-0", {"clusterid": 0}, "clusterid", "clusterid = 0: minimum: got 0, want 1"),
    ("clusterid-2049", {"clusterid": 2049}, "clusterid", "clusterid = 2049: maximum"),
    ("clusterid-string", {"clusterid": "7"}, "clusterid", "clusterid = '7': got string"),
    (
        "octet-300",
        {"endpoints": [{"ip": "10.0.0.300"}]},
        "endpoints[0].ip",
        "endpoints[0].ip = '10.0.0.300': '10.0.0.300' does not match pattern",
    ),
    (
        "not-an-ip",
        {"endpoints": [{"ip": "10.0.0.1"}, {"ip": "not-an-ip"}]},
        "endpoints[1].ip",
        "endpoints[1].ip = 'not-an-ip': 'not-an-ip' does not match pattern",
    ),
    ("no-endpoints", {"endpoints": []}, "endpoints", "endpoints = []: minItems: got 0, want 1"),
    (
        "endpoint-unknown-key",
        {"endpoints": [{"ip": "10.0.0.1", "az": "a"}]},
        "endpoints[0]",
        "additional properties 'az' not allowed",
    ),
    ("platform-eks2", {"platform": "eks2"}, "platform", "platform = 'eks2': value must be one of"),
    (
        "latest-tag",
        {"cniimage": "gcr.io/pan-cn-series/airs/pan-cni:latest"},
        "cniimage",
        "cniimage = 'gcr.io/pan-cn-series/airs/pan-cni:latest': "
        "'gcr.io/pan-cn-series/airs/pan-cni:latest' does not match pattern",
    ),
    (
        "no-tag",
        {"cniimage": "gcr.io/pan-cn-series/airs/pan-cni"},
        "cniimage",
        "'gcr.io/pan-cn-series/airs/pan-cni' does not match pattern",
    ),
    ("unknown-key", {"deployTo": "native"}, "", "(top level): additional properties 'deployTo'"),
    ("bad-cidr", {"fwtrustcidr": "10.0.2.0/33"}, "fwtrustcidr", "fwtrustcidr = '10.0.2.0/33'"),
    (
        "bad-namespace",
        {"nadNamespaces": ["App_A"]},
        "nadNamespaces[0]",
        "nadNamespaces[0] = 'App_A'",
    ),
    ("pull-policy", {"imagePullPolicy": "Sometimes"}, "imagePullPolicy", "'Sometimes'"),
]


@pytest.mark.parametrize(("change", "key", "text"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_render_chart_refuses(change, key, text):
    values = {**values_for("eks", THREE_ZONES), **change}
    with pytest.raises(chart.ChartError) as caught:
        chart.render_chart(values)
    message = str(caught.value)
    assert "values refused by helm/values.schema.json" in message
    assert text in message
    assert key in [k for k, _, _ in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "raw"),
    [
        ({"clusterid": 0}, "at '/clusterid': minimum: got 0, want 1"),
        ({"clusterid": 2049}, "at '/clusterid': maximum: got 2,049, want 2,048"),
        ({"endpoints": [{"ip": "not-an-ip"}]}, "at '/endpoints/0/ip': 'not-an-ip' does not match"),
        ({"platform": "eks2"}, "at '/platform': value must be one of 'gke', 'eks', 'aks'"),
        ({"endpoints": []}, "at '/endpoints': minItems: got 0, want 1"),
        ({"cniimage": "x/pan-cni:latest"}, "at '/cniimage': 'x/pan-cni:latest' does not match"),
    ],
)
def test_helm_itself_names_the_value(change, raw):
    """What `helm install` prints: Helm's render enforces the schema (HelmValuesError)."""
    with (
        helm_python.Chart.load(chart.CHART_DIR) as loaded,
        pytest.raises(helm_python.HelmValuesError) as caught,
    ):
        loaded.render(values={**values_for("gke"), **change}, name=chart.RELEASE_NAME)
    assert raw in str(caught.value)


def test_lint_reports_schema_errors():
    report = helm_python.lint(chart.CHART_DIR, {**values_for("gke"), "clusterid": 0}, strict=True)
    assert any("at '/clusterid': minimum: got 0, want 1" in e for e in report["errors"])


def test_several_problems_are_all_reported():
    values = {**values_for("gke"), "clusterid": 0, "platform": "k3s"}
    with pytest.raises(chart.ChartError) as caught:
        chart.render_chart(values)
    assert {k for k, _, _ in caught.value.problems} == {"clusterid", "platform"}


@pytest.mark.parametrize(
    "change",
    [
        {"clusterid": 1},
        {"clusterid": 2048},
        {"endpoints": [{"ip": "255.255.255.254", "zone": ""}]},
        {"endpoints": [{"ip": "0.0.0.1", "zone": "eastus-1"}]},
        {"cniimage": "gcr.io/pan-cn-series/airs/pan-cni:v4.0.3-rc1"},
        {"cniimage": "registry.local:5000/pan-cni:4.0.3"},
        {"cniimage": "gcr.io/pan-cn-series/airs/pan-cni@sha256:" + "0" * 64},
        {"fwtrustcidr": ""},
        {"fwtrustcidr": "192.168.0.0/16"},
        {"global": {}},
    ],
)
def test_accepted_edge_values(change):
    assert render({**values_for("native"), **change})
