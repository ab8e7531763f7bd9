"""Every independent problem in one pass: cross-checks run on the parts that parsed.

Issue 16, item 3: a stack with five mistakes printed three; the cross-checks (``trustIp``
outside ``trustCidr``) and the ``panoramaName`` length waited for the other fixes. The corpus
case ``tests/bad_inputs/Pulumi.openshift-five-mistakes.yaml`` pins the issue's stack; these
pin the rules of "what parsed": a check that needs a broken part is skipped, never misled
into a problem that is not there.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.clouds import parse_stack_config
from components.config import ConfigError
from tests.helpers import example_values


def _lines(values: dict[str, Any], secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def _gcp() -> tuple[dict[str, Any], set[str]]:
    values, secret = example_values("gcp-dev")
    return copy.deepcopy(values), secret


# A cross-check of the security project (a zone of another region), stated once here.
ZONE_LINE = "airs:securityProject.zones[0]: us-west1-a — is not a zone of region us-east1"


def test_a_cross_check_shows_beside_a_field_problem_elsewhere() -> None:
    values, secret = _gcp()
    values["securityProject"]["zones"] = ["us-west1-a"]
    values["clusters"]["apps"]["clusterId"] = 5000
    values["name"] = "Bad Name"
    lines = _lines(values, secret)
    assert ZONE_LINE in lines
    assert "airs:clusters.apps.clusterId: 5000 — must be between 1 and 2048" in lines
    assert len(lines) == 3, lines


def test_a_given_panorama_name_is_checked_with_the_other_fields() -> None:
    values, secret = _gcp()
    values["clusters"]["apps"]["clusterId"] = 0
    values["clusters"]["apps"]["panoramaName"] = "g" * 21
    assert _lines(values, secret) == [
        "airs:clusters.apps.clusterId: 0 — must be between 1 and 2048",
        f"airs:clusters.apps.panoramaName: {'g' * 21} — must be at most 20 characters "
        "(Panorama tags pods with it)",
    ]


def test_the_key_a_panorama_name_defaults_to_is_still_checked() -> None:
    values, secret = _gcp()
    cluster = values["clusters"].pop("apps")
    del cluster["panoramaName"]
    values["clusters"]["apps-in-the-east-region"] = cluster  # 23 characters, a valid key
    assert _lines(values, secret) == [
        "airs:clusters.apps-in-the-east-region.panoramaName: apps-in-the-east-region — must be "
        "at most 20 characters (Panorama tags pods with it)"
    ]


def test_a_broken_application_is_still_a_key_of_applications() -> None:
    """The cluster names app-vpc; app-vpc does not parse: no 'is not a key' line for it."""
    values, secret = _gcp()
    values["applications"]["app-vpc"]["cidrs"] = ["10.20.0.0/33"]
    values["securityProject"]["zones"] = ["us-west1-a"]
    lines = _lines(values, secret)
    assert [line.split(" — ")[0] for line in lines] == [
        "airs:applications.app-vpc.cidrs[0]: 10.20.0.0/33",
        "airs:securityProject.zones[0]: us-west1-a",
    ]


def test_a_missing_application_is_still_reported() -> None:
    values, secret = _gcp()
    values["clusters"]["apps"]["application"] = "nowhere"
    values["clusters"]["apps"]["clusterId"] = 1
    values["name"] = "Bad Name"
    lines = _lines(values, secret)
    assert (
        "airs:clusters.apps.application: nowhere — is not a key of airs:applications (app-vpc)"
        in lines
    )


def test_a_broken_panorama_skips_the_interval_checks_only() -> None:
    """The one interval is Panorama's: while airs:panorama does not parse it is unknown."""
    values, secret = _gcp()
    values["panorama"]["hostname"] = "not a host"
    values["panorama"]["monitoringInterval"] = 120  # the cluster says 60
    values["securityProject"]["zones"] = ["us-west1-a"]
    lines = _lines(values, secret)
    assert [line.split(" — ")[0] for line in lines] == [
        "airs:panorama.hostname: not a host",
        "airs:securityProject.zones[0]: us-west1-a",
    ]
    # With Panorama whole, the same interval is refused.
    values["panorama"]["hostname"] = "203.0.113.10"
    assert _lines(values, secret) == [
        ZONE_LINE,
        "airs:clusters.apps.monitoringInterval: 60 — must equal "
        "airs:panorama.monitoringInterval (120) (Panorama's Kubernetes plugin has one interval)",
    ]


def test_a_bad_map_key_is_named_beside_the_item_problems() -> None:
    values, secret = _gcp()
    cluster = values["clusters"].pop("apps")
    cluster["clusterId"] = 5000
    values["clusters"]["Apps_1"] = cluster
    lines = _lines(values, secret)
    assert lines == [
        "airs:clusters.Apps_1.clusterId: 5000 — must be between 1 and 2048",
        "airs:clusters.Apps_1: Apps_1 — names must be 1–30 lowercase letters, digits or "
        "hyphens (they become cloud resource names)",
    ]


def test_overlaps_are_checked_among_the_items_that_parsed() -> None:
    values, secret = _gcp()
    apps = values["clusters"]["apps"]
    two = {**copy.deepcopy(apps), "clusterId": 2, "panoramaName": "gke-two"}
    two["podCidr"] = "10.40.0.0/16"  # inside apps' 10.40.0.0/14
    two["serviceCidr"] = "10.60.0.0/20"
    three = {**copy.deepcopy(two), "clusterId": 0, "panoramaName": "gke-three"}
    three["podCidr"] = "10.70.0.0/16"
    three["serviceCidr"] = "10.61.0.0/20"
    values["clusters"].update(two=two, three=three)
    assert _lines(values, secret) == [
        "airs:clusters.three.clusterId: 0 — must be between 1 and 2048",
        "airs:clusters.two.podCidr: 10.40.0.0/16 — overlaps airs:clusters.apps.podCidr "
        "(10.40.0.0/14)",
    ]
