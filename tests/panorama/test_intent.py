"""Intent validation and the per-cloud profiles (golden intent per cloud)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from components.clouds import build_intent
from components.panorama.intent import IntentError, StaticRoute, to_plain
from components.panorama.profiles import ClusterEntry, encode_plugin_credential, route_name
from tests.panorama import fixtures
from tests.update_switch import update_requested

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("cloud", sorted(fixtures.ALL))
def test_golden_intent(cloud):
    intent = build_intent(fixtures.ALL[cloud]())
    text = json.dumps(to_plain(intent), indent=1, sort_keys=True) + "\n"
    path = GOLDEN / f"{cloud}.intent.json"
    if update_requested("AIRS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.read_text() == text, f"regenerate with AIRS_UPDATE_GOLDEN=1 if intended ({path})"


def _routes(intent, router):
    return {r.name: r for r in next(x for x in intent.routers if x.name == router).routes}


def test_gcp_follows_vendor_page():
    i = build_intent(fixtures.gcp())
    eth = {e.name: e for e in i.ethernet}
    assert (eth["ethernet1/1"].zone, eth["ethernet1/2"].zone) == ("untrust", "trust")
    assert eth["ethernet1/1"].create_default_route
    assert not eth["ethernet1/2"].create_default_route
    assert i.loopbacks[0].ips == ("10.10.2.253",)
    assert i.loopbacks[0].management_profile == "allow-health-checks"
    routes = _routes(i, "lr-airs")
    dests = {r.destination for r in routes.values()}
    assert {
        "35.191.0.0/16",
        "130.211.0.0/22",
        "10.20.0.0/16",
        "10.40.0.0/14",
        "10.44.0.0/20",
    } <= dests
    assert all(r.nexthop == "10.10.2.1" and r.interface == "ethernet1/2" for r in routes.values())
    (nat,) = i.nat_rules
    assert (nat.from_zones, nat.to_zone, nat.snat_interface) == (
        ("trust",),
        "untrust",
        "ethernet1/1",
    )
    assert i.advanced_routing
    assert i.routers[0].kind == "logical"


@pytest.mark.parametrize("cloud", sorted(fixtures.ALL))
def test_only_gcp_publishes_metrics_to_cloud_monitoring(cloud):
    """GCP's autoscaler reads the plugin's Cloud Monitoring metrics; AWS publishes to
    CloudWatch instead, Azure and private clouds scale on nothing the plugin writes."""
    i = build_intent(fixtures.ALL[cloud]())
    if cloud == "gcp":
        assert i.cloud_monitoring is not None
        assert i.cloud_monitoring.interval_minutes == 1
    else:
        assert i.cloud_monitoring is None


@pytest.mark.parametrize("minutes", [1, 5])
def test_cloud_monitoring_interval_the_plugin_offers(minutes):
    i = build_intent(dataclasses.replace(fixtures.gcp(), cloud_monitoring_interval=minutes))
    assert i.cloud_monitoring is not None
    assert i.cloud_monitoring.interval_minutes == minutes


@pytest.mark.parametrize("minutes", [0, 6])
def test_cloud_monitoring_interval_outside_what_the_plugin_offers(minutes):
    with pytest.raises(IntentError) as err:
        build_intent(dataclasses.replace(fixtures.gcp(), cloud_monitoring_interval=minutes))
    assert err.value.problems == [
        f"cloud monitoring: update interval {minutes} outside 1..5 minutes"
    ]


def test_azure_follows_vendor_page():
    i = build_intent(fixtures.azure())
    priv, pub = _routes(i, "vr-private"), _routes(i, "vr-public")
    assert priv["default"].nexthop_type == "next-router"
    assert priv["default"].nexthop == "vr-public"
    assert pub["default"].nexthop == "10.110.0.65"
    assert pub["default"].interface == "ethernet1/2"
    assert priv["azure-probe"].destination == pub["azure-probe"].destination == "168.63.129.16/32"
    assert priv["azure-probe"].nexthop == "10.110.0.129"
    assert pub["app-app-vnet"].nexthop_type == "next-router"
    assert priv["pod-aks-airs"].destination == "10.244.0.0/16"
    assert pub["svc-aks-airs"].nexthop == "vr-private"
    nat = {n.name: n for n in i.nat_rules}
    assert nat["inbound-web"].destination == ("{{late:public-lb-address}}",)
    assert nat["inbound-web"].snat_interface == "ethernet1/1"
    assert nat["airs-az-outbound-internet"].snat_interface == "ethernet1/2"
    # vr-private / vr-public are logical routers: the bootstrap enables advanced routing
    assert i.advanced_routing
    assert {r.kind for r in i.routers} == {"logical"}
    assert i.late_keys() == {"public-lb-address", "credential/aks-airs"}


def test_private_and_aws():
    p = build_intent(fixtures.private())
    assert p.ethernet[0].static_ips == ("192.0.2.253/24",)
    assert not p.ethernet[0].dhcp
    assert set(_routes(p, "lr-private")) == {"app-apps", "default"}
    assert p.nat_rules[0].name == "airs-dc-inbound-web"
    assert {c.cluster_type for c in p.kubernetes.clusters} == {"OpenShift", "Native"}
    a = build_intent(fixtures.aws())
    assert [e.name for e in a.ethernet] == ["ethernet1/1"]
    assert a.routers[0].name == "vr-private"
    assert a.nat_rules == ()


def test_validation_reports_every_problem_at_once():
    inputs = dataclasses.replace(
        fixtures.gcp(),
        monitoring_interval=10,
        clusters=(
            ClusterEntry(
                "a-cluster-name-that-is-too-long",
                "not a host!",
                "Mesos",
                "10.0.0.0/8",
                "10.1.0.0/16",
            ),
        ),
        trust_gateway="not-an-ip",
    )
    with pytest.raises(IntentError) as err:
        build_intent(inputs)
    text = "\n".join(err.value.problems)
    assert "monitoring interval 10" in text
    assert "1..20" in text
    assert "API server" in text
    assert "Mesos" in text
    assert "not-an-ip" in text
    assert len(err.value.problems) >= 5


def test_router_rules():
    i = build_intent(fixtures.gcp())
    lr = i.routers[0]
    bad = dataclasses.replace(
        lr,
        routes=(
            *lr.routes,
            StaticRoute("x", "10.0.0.0/8", "next-router", "lr-airs"),
            StaticRoute("y", "10.0.0.1/8", "ip-address", "10.1.1.1", "ethernet9/9"),
        ),
    )
    problems = dataclasses.replace(i, routers=(bad,)).problems()
    assert any("next router 'lr-airs'" in p for p in problems)
    assert any("'10.0.0.1/8' is not an IPv4 network" in p for p in problems)
    assert any("ethernet9/9 is not in router" in p for p in problems)


def test_default_route_only_on_untrust():
    i = build_intent(fixtures.gcp())
    eth = dataclasses.replace(i.ethernet[1], create_default_route=True)
    problems = dataclasses.replace(i, ethernet=(i.ethernet[0], eth)).problems()
    assert any("is for DHCP on untrust, if there is one" in p for p in problems)
    assert any("only one may take its DHCP default route" in p for p in problems)
    static = dataclasses.replace(i.ethernet[0], dhcp=False, static_ips=("10.0.0.4/24",))
    problems = dataclasses.replace(i, ethernet=(static, i.ethernet[1])).problems()
    assert any("ethernet1/1: 'create default route' is for DHCP" in p for p in problems)


def test_trust_takes_the_default_route_where_there_is_no_untrust_side():
    """AWS without overlay routing: the GWLB's health checks are answered by that route."""
    import xml.etree.ElementTree as ET

    from tests.helpers import plan_example

    run = plan_example("aws-dev")
    (eth1,) = [
        r
        for r in run.resources
        if r.inputs.get("kind") == "ethernet" and r.inputs.get("name") == "ethernet1/1"
    ]
    element = ET.fromstring(eth1.inputs["element"])
    assert element.findtext("layer3/dhcp-client/create-default-route") == "yes"
    i = build_intent(fixtures.gcp())
    trust_only = dataclasses.replace(i.ethernet[1], create_default_route=True)
    assert not [
        p for p in dataclasses.replace(i, ethernet=(trust_only,)).problems() if "default route" in p
    ]


def test_route_name_is_bounded_and_stable():
    long = route_name("app", "a-very-long-application-network-name-indeed")
    assert len(long) <= 31
    assert long == route_name("app", "a-very-long-application-network-name-indeed")


def test_unknown_cloud():
    with pytest.raises(ValueError, match="not one of"):
        build_intent(dataclasses.replace(fixtures.gcp(), cloud="oci"))


def test_plugin_credential_encoding_is_deterministic_and_bounded():
    import base64
    import gzip

    token = '{"token": "abc", "ca.crt": "-----BEGIN CERTIFICATE-----"}'
    a, b = encode_plugin_credential(token), encode_plugin_credential(token.encode())
    assert a == b
    assert gzip.decompress(base64.b64decode(a)).decode() == token
    assert base64.b64decode(a)[4:8] == b"\0\0\0\0"  # no timestamp in the gzip header
    with pytest.raises(ValueError, match="32768"):
        encode_plugin_credential("x" * 40_000)
