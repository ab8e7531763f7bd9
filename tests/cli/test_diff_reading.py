"""How one stack's text reads in another's (``airs diff A B``)."""

from __future__ import annotations

import base64

from components.cli.diff_reading import Reading, identity_values, promotion_reading
from components.cli.engine import ProgramRun
from components.cli.mocks import Registration


def test_longest_first_in_one_pass() -> None:
    reading = Reading((("vpc-aaaaaaaa", "vpc-bbbbbbbb"), ("arn:x:vpc/vpc-aaaaaaaa", "arn:y")))
    assert reading.text("arn:x:vpc/vpc-aaaaaaaa and vpc-aaaaaaaa") == "arn:y and vpc-bbbbbbbb"


def test_base64_text_is_read_decoded() -> None:
    """User data is base64 of text holding the names (tplname, dgname)."""
    reading = Reading((("airs-aws-dev", "airs-aws-prod"),))
    dev = base64.b64encode(b"tplname=airs-aws-dev-stack\ndgname=airs-aws-dev-dg").decode()
    prod = base64.b64encode(b"tplname=airs-aws-prod-stack\ndgname=airs-aws-prod-dg").decode()
    assert reading.text(dev) == prod
    other = base64.b64encode(b"tplname=elsewhere").decode()
    assert reading.text(other) == other


def test_keys_and_nested_values_are_read() -> None:
    reading = Reading((("a-dev", "a-prod"),))
    assert reading({"a-dev-x": ["a-dev-y", 1]}) == {"a-prod-x": ["a-prod-y", 1]}


def test_identity_values_are_the_id_and_what_names_it() -> None:
    reg = Registration(
        urn="urn",
        type="gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
        name="fw-mig",
        parent=None,
        custom=True,
        inputs={"name": "airs-gcp-dev-fw-mig"},
        id="projects/p/regions/r/instanceGroupManagers/airs-gcp-dev-fw-mig",
        outputs={
            "name": "airs-gcp-dev-fw-mig",  # an input: compared as such
            "selfLink": "https://x/projects/p/regions/r/instanceGroupManagers/airs-gcp-dev-fw-mig",
            "instanceGroup": "https://x/projects/p/regions/r/instanceGroups/airs-gcp-dev-fw-mig",
            "gatewayAddress": "10.10.2.1",  # a computed fact, not a name of the resource
            "status": "RUNNING",
        },
    )
    assert set(identity_values(reg)) == {"id", "selfLink", "instanceGroup"}


def _run(stack: str, name: str, ids: dict[str, str], deployment: str) -> ProgramRun:
    regs = [
        Registration(
            urn=f"urn:pulumi:{stack}::airs::t:m:R::{name}-{key}",
            type="t:m:R",
            name=f"{name}-{key}",
            parent=None,
            custom=True,
            inputs={},
            id=rid,
            outputs={"arn": f"arn:t:{rid}"},
        )
        for key, rid in ids.items()
    ]
    return ProgramRun(stack, "airs", regs, {"deploymentId": deployment})


def test_promotion_reads_names_deployment_id_and_ids_of_matched_resources() -> None:
    dev = _run("dev", "airs-dev", {"vpc": "vpc-0000dev1", "sg": "sg-0000dev2"}, "1111aaaa")
    prod = _run("prod", "airs-prod", {"vpc": "vpc-000prod1", "old": "sg-000prod2"}, "2222bbbb")
    reading = promotion_reading(dev, prod, "airs-dev", "airs-prod")
    assert reading.stated == (("airs-dev", "airs-prod"), ("1111aaaa", "2222bbbb"))
    assert reading.text("arn:t:vpc-0000dev1") == "arn:t:vpc-000prod1"
    assert reading.text("vpc-0000dev1") == "vpc-000prod1"
    assert reading.text("sg-0000dev2") == "sg-0000dev2"  # no such resource in prod


def test_a_value_two_resources_would_read_differently_is_not_read() -> None:
    dev = _run("dev", "airs-dev", {"a": "shared-id-01", "b": "shared-id-01"}, "x")
    prod = _run("prod", "airs-prod", {"a": "prod-id-0001", "b": "prod-id-0002"}, "y")
    assert promotion_reading(dev, prod, "airs-dev", "airs-prod").text("shared-id-01") == (
        "shared-id-01"
    )
