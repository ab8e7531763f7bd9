"""`airs graph`: the picture is drawn from the plan (issue 18).

Each check reads the plan document the picture was drawn from, so what it expects is the
plan's own names and ranges, never a list written here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from components.cli.engine import run_program, run_stack
from components.cli.main import main
from components.cli.report import plan_json
from components.picture.build import picture_of
from components.picture.model import ADDED, CHANGED, REMOVED, to_dot
from components.picture.render import render
from scripts import pictures
from tests.helpers import EXAMPLE_STACKS, PROJECT, ROOT, example_values, settings_from

pytestmark = pytest.mark.xdist_group("pictures")

# Types whose names must appear: the load balancer and the firewall group of each cloud.
PATH_TYPES = (
    "gcp:compute/forwardingRule:ForwardingRule",
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
    "azure-native:network:LoadBalancer",
    "azure-native:compute:VirtualMachineScaleSet",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:autoscaling/group:Group",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "airs:index:ClusterIntercept",
    "kubernetes:helm.sh/v3:Release",
)


@cache
def plan_doc(stack: str) -> dict[str, Any]:
    return plan_json(run_stack(PROJECT, stack))


@cache
def svg_of(stack: str) -> str:
    return render(to_dot(picture_of(plan_doc(stack))), "svg").decode()


def _text(svg: str) -> str:
    """The SVG's visible text, unescaped (names are split across no elements)."""
    return " ".join(
        t.replace("&#45;", "-").replace("&gt;", ">").replace("&amp;", "&")
        for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    )


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_the_picture_shows_the_plans_path(stack: str) -> None:
    doc = plan_doc(stack)
    text = _text(svg_of(stack))
    names = [r["name"] for r in doc["resources"] if r["type"] in PATH_TYPES]
    assert names, f"{stack}: no load balancer, firewall group or cluster in the plan"
    for name in names:
        assert name in text, f"{stack}: {name} missing from the picture"
    outputs = doc["outputs"]
    for key, app in (outputs.get("applications") or {}).items():
        assert key in text
        for cidr in app["cidrs"]:
            assert cidr in text, f"{stack}: application range {cidr} missing"
    for cluster in (outputs.get("clusters") or {}).values():
        assert cluster["podCidr"] in text
        assert cluster["serviceCidr"] in text
    if "firewallTrustIp" in outputs:
        assert outputs["firewallTrustIp"] in text


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_resource_box_is_titled_with_its_preview_name(stack: str) -> None:
    doc = plan_doc(stack)
    names = {r["urn"]: r["name"] for r in doc["resources"]}
    boxes = [b for b in picture_of(doc).every_box() if b.key.startswith("urn:")]
    assert boxes
    for box in boxes:
        assert box.title == names[box.key]


def test_pan_cni_points_at_the_load_balancer_frontend() -> None:
    picture = picture_of(plan_doc("gcp-dev"))
    by_key = {b.key: b for b in picture.every_box()}
    arrows = [(by_key[a.tail], by_key[a.head], a.label) for a in picture.arrows]
    ilb_ip = plan_doc("gcp-dev")["outputs"]["loadBalancerIp"]
    hits = [
        (tail.title, head.title)
        for tail, head, label in arrows
        if tail.kind == "kubernetes:helm.sh/v3:Release" and label.endswith(ilb_ip)
    ]
    assert hits == [("airs-gcp-dev-apps-pan-cni", "airs-gcp-dev-security-ilb-rule")]


def test_health_check_sources_come_from_the_management_profile() -> None:
    text = _text(svg_of("gcp-dev"))
    assert "35.191.0.0/16, 130.211.0.0/22" in text
    assert "health-check sources" not in _text(svg_of("openshift-dev"))  # none on trust


def test_removing_an_application_removes_it_from_the_picture() -> None:
    values, secret = example_values("gcp-dev")
    before = plan_json(run_program(settings_from(values, secret, stack="gcp-dev")))
    del values["applications"]
    for cluster in values["clusters"].values():
        cluster.pop("application", None)
    after = plan_json(run_program(settings_from(values, secret, stack="gcp-dev")))
    text_before = to_dot(picture_of(before))
    text_after = to_dot(picture_of(after))
    assert "app-vpc" in text_before
    assert "10.20.0.0/16" in text_before
    assert "app-vpc" not in text_after
    assert "10.20.0.0/16" not in text_after


def test_the_committed_pictures_are_current() -> None:
    assert pictures.stale(PROJECT, pictures.PICTURES) == [], (
        "run .venv/bin/python scripts/pictures.py"
    )


def test_drawing_is_byte_for_byte_repeatable() -> None:
    dot = to_dot(picture_of(plan_doc("aws-dev")))
    assert render(dot, "svg") == render(dot, "svg")
    assert render(dot, "png", 40).startswith(b"\x89PNG")


def test_graph_diff_marks_a_changed_firewall_count(tmp_path: Path) -> None:
    out = tmp_path / "promotion.dot"
    assert main(["graph", "--diff", "gcp-dev", "gcp-prod", "-o", str(out)]) == 0
    dot = out.read_text()
    autoscaler = next(
        line for line in dot.splitlines() if "airs-gcp-prod-security-fw-autoscaler" in line
    )
    assert "~ changed" in autoscaler
    assert re.search(r"autoscalingPolicy\.maxReplicas: \d+ → \d+", autoscaler)
    assert "#E69F00" in autoscaler  # the changed colour


def test_graph_diff_draws_what_a_promotion_adds_and_removes() -> None:
    from components.cli import diff as diffing
    from components.picture.marks import promotion_marks

    doc = plan_doc("gcp-dev")
    resources = diffing.resources_of_file(doc)[1]
    # A promotion that adds the trust VPC and removes a peering, read against gcp-dev.
    added = next(r for r in resources if r.name.endswith("security-trust-vpc"))
    removed = next(r for r in resources if r.name.endswith("app-vpc-app-to-trust"))
    result = diffing.DiffResult(added=[added], removed=[removed], changed=[])
    picture = picture_of(
        {**doc, "resources": [r for r in doc["resources"] if r["urn"] != removed.urn]}
    )
    promotion_marks(result, "gcp")(picture)
    status = {b.title: b.status for b in picture.every_box()}
    assert status[added.name] == ADDED
    assert status[removed.name] == REMOVED
    assert CHANGED not in status.values()


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("missing-folder/x.svg", "does not exist"),
        ("x.pdf", "must end in .svg, .png or .dot"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_planning(
    output: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "--stack", "gcp-dev", "-o", str(tmp_path / output)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_readme_shows_the_gcp_picture() -> None:
    assert "docs/pictures/gcp-dev.svg" in (ROOT / "README.md").read_text()


def test_layered_cluster_stack_points_at_its_security_stack() -> None:
    picture = picture_of(plan_doc("gcp-apps-dev"))
    titles = {b.title for b in picture.every_box()}
    assert "security stack gcp-security-dev" in titles
