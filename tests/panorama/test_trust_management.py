"""The trust side's management profile admits only the load balancer's health checks (issue 15).

Without ``permitted-ip`` PAN-OS lets every workload behind the firewall reach its HTTPS
management service on the trust interface; the profile lists the health-check sources of each
target, and a private cloud without health checks gets no management service there at all.
"""

from __future__ import annotations

import pytest

from components.clouds import build_intent, parse_stack_config
from components.deployment import panorama_inputs
from components.panorama.profiles import MGMT_PROFILE
from components.panorama.render import render_intent
from tests.helpers import example_values


def _intent(values: dict, secret: set[str]):
    return build_intent(panorama_inputs(parse_stack_config(values, secret)))


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        ("gcp-dev", ("35.191.0.0/16", "130.211.0.0/22")),
        ("azure-dev", ("168.63.129.16/32",)),
    ],
)
def test_health_check_sources_alone_reach_the_trust_interface(stack, expected) -> None:
    intent = _intent(*example_values(stack))
    (profile,) = intent.management_profiles
    assert profile.name == MGMT_PROFILE
    assert profile.permitted_ips == expected
    xml = next(o.element for o in render_intent(intent) if o.name == MGMT_PROFILE)
    for cidr in expected:
        assert f'<entry name="{cidr}"' in xml


def test_aws_admits_the_gwlb_subnets() -> None:
    values, secret = example_values("aws-dev")
    cfg = parse_stack_config(values, secret)
    intent = _intent(values, secret)
    (profile,) = intent.management_profiles
    gwlb = tuple(z.gwlb for z in cfg.security_project.zone_subnets().values())
    assert profile.permitted_ips == gwlb
    assert len(gwlb) == len(values["securityProject"]["zones"])


def test_private_cloud_lists_its_own_sources_or_opens_nothing() -> None:
    values, secret = example_values("openshift-dev")
    values["firewall"] = {k: v for k, v in values["firewall"].items() if k != "healthCheckSources"}
    bare = _intent(values, secret)
    assert bare.management_profiles == ()
    assert all(e.management_profile is None for e in bare.ethernet)
    values["firewall"]["healthCheckSources"] = ["10.99.0.0/28"]
    probed = _intent(values, secret)
    (profile,) = probed.management_profiles
    assert profile.permitted_ips == ("10.99.0.0/28",)
    assert {e.management_profile for e in probed.ethernet} == {MGMT_PROFILE}
    assert any(r.source == ("10.99.0.0/28",) for r in probed.security_rules)
