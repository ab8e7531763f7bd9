"""Rendering: golden XML per cloud, determinism, xpaths, vsys imports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from components.clouds import build_intent
from components.panorama import xpaths
from components.panorama.render import dump, render_intent, split_xpath
from tests.helpers import fresh_python
from tests.panorama import fixtures
from tests.update_switch import update_requested

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("cloud", sorted(fixtures.ALL))
def test_golden_xml(cloud):
    text = dump(render_intent(build_intent(fixtures.ALL[cloud]())))
    path = GOLDEN / f"{cloud}.xml.txt"
    if update_requested("AIRS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.read_text() == text, f"regenerate with AIRS_UPDATE_GOLDEN=1 if intended ({path})"


@pytest.mark.parametrize("cloud", sorted(fixtures.ALL))
def test_vm_series_plugin_publishing_per_cloud(cloud):
    """GCP turns on Cloud Monitoring publishing (``gcp-cloudwatch``), AWS CloudWatch
    (``aws-cloudwatch``), the others write nothing under the VM-Series plugin."""
    objects = render_intent(build_intent(fixtures.ALL[cloud]()))
    plugin = _entry_xpath_prefix(cloud) + "/deviceconfig/plugins/vm_series/"
    written = {
        (o.kind, o.xpath[len(plugin) :], o.mode) for o in objects if o.xpath.startswith(plugin)
    }
    expected = {
        "gcp": {("gcp-cloudwatch", "gcp-cloudwatch", "replace")},
        "aws": {("aws-cloudwatch", "aws-cloudwatch", "replace")},
    }
    assert written == expected.get(cloud, set())
    if cloud == "gcp":
        (gcp,) = [o for o in objects if o.kind == "gcp-cloudwatch"]
        assert gcp.element == (
            "<gcp-cloudwatch><enabled>yes</enabled><update-interval>1</update-interval>"
            "</gcp-cloudwatch>"
        )


def _entry_xpath_prefix(cloud):
    """The template's firewall config root of a fixture."""
    return (
        "/config/devices/entry[@name='localhost.localdomain']/template"
        f"/entry[@name='{fixtures.ALL[cloud]().template}']/config/devices"
        "/entry[@name='localhost.localdomain']"
    )


def test_deterministic_across_interpreters():
    code = (
        "from tests.panorama import fixtures as f;"
        "from components.clouds import build_intent;"
        "from components.panorama.render import render_intent, dump;"
        "import sys; sys.stdout.write(dump(render_intent(build_intent(f.azure()))))"
    )
    out = fresh_python(code, env={"PYTHONHASHSEED": "12345"})  # cwd is the project root
    assert out == dump(render_intent(build_intent(fixtures.azure())))


def test_order_and_modes():
    objs = render_intent(build_intent(fixtures.gcp()))
    kinds = [o.kind for o in objs]
    assert kinds[:3] == ["template", "template-stack", "device-group"]
    assert (
        kinds.index("ethernet")
        < kinds.index("vsys-import")
        < kinds.index("zone")
        < kinds.index("logical-router")
    )
    assert kinds.index("profile-group") < kinds.index("security-rule")
    modes = {o.kind: o.mode for o in objs}
    assert modes["template"] == modes["template-stack"] == modes["device-group"] == "merge"
    assert modes["vsys-import"] == "merge"
    assert modes["zone"] == "replace"
    for o in objs:
        parent, last = split_xpath(o.xpath)
        assert o.xpath == f"{parent}/{last}"


def test_vsys_import_and_unverified_paths_come_from_the_table():
    objs = {(o.kind, o.name): o for o in render_intent(build_intent(fixtures.gcp()))}
    imp = objs[("vsys-import", "loopback.1")]
    assert imp.xpath.endswith(
        "/vsys/entry[@name='vsys1']/import/network/interface/member[text()='loopback.1']"
    )
    assert imp.element == "<member>loopback.1</member>"
    # The AI security profile is the administrator's: referenced, never written (issue 15).
    assert not any(kind == "ai-security-profile" for kind, _ in objs)
    assert objs[("k8s-cluster", "gke-airs")].xpath == xpaths.K8S_CLUSTER.format(name="gke-airs")
    assert (
        "<ai-security><member>airs-ai-security</member></ai-security>"
        in objs[("profile-group", "airs-ai-group")].element
    )
    assert "{{late:credential/gke-airs}}" in objs[("k8s-cluster", "gke-airs")].element
    assert (
        objs[("advanced-routing", "advance-routing")].element
        == "<advance-routing>yes</advance-routing>"
    )


def test_logical_router_uses_next_lr_and_virtual_router_next_vr(monkeypatch):
    az = {
        o.name: o
        for o in render_intent(build_intent(fixtures.azure()))
        if o.kind == "logical-router"
    }
    assert "<next-lr>vr-public</next-lr>" in az["vr-private"].element
    assert "next-vr" not in az["vr-private"].element
    from components.panorama import profiles

    monkeypatch.setattr(profiles, "VR_CLOUDS_ROUTER_KIND", "virtual")
    legacy = {
        o.name: o
        for o in render_intent(build_intent(fixtures.azure()))
        if o.kind == "virtual-router"
    }
    assert "<next-vr>vr-public</next-vr>" in legacy["vr-private"].element
    gcp = [o for o in render_intent(build_intent(fixtures.gcp())) if o.kind == "logical-router"]
    assert "<ip-address>10.10.2.1</ip-address>" in gcp[0].element
    assert "next-vr" not in gcp[0].element


def test_as_dict_for_plan_json():
    o = render_intent(build_intent(fixtures.aws()))[0]
    assert set(o.as_dict()) >= {"xpath", "element"}


def test_decryption_is_complete_and_decrypts() -> None:
    """Issue 15, defect 6: certificates set, a real profile, an explicit decrypt rule."""
    objs = {o.kind: o for o in render_intent(build_intent(fixtures.gcp()))}
    trust = objs["forward-trust-certificate"]
    assert trust.xpath.endswith(
        "/template/entry[@name='airs-gcp-tpl']/config/shared/ssl-decrypt/forward-trust-certificate"
    )
    assert (
        trust.element
        == "<forward-trust-certificate><rsa>airs-forward-trust</rsa></forward-trust-certificate>"
    )
    assert "<rsa>airs-forward-untrust</rsa>" in objs["forward-untrust-certificate"].element
    profile = ET.fromstring(objs["decryption-profile"].element)
    assert profile.findtext("ssl-forward-proxy/block-expired-certificate") == "yes"
    assert profile.findtext("ssl-forward-proxy/block-untrusted-issuer") == "yes"
    assert profile.findtext("ssl-protocol-settings/min-version") == "tls1-2"
    # PAN-OS would cap at TLS 1.2 without an explicit maximum.
    assert profile.findtext("ssl-protocol-settings/max-version") == "max"
    assert profile.findtext("ssl-protocol-settings/enc-algo-rc4") == "no"
    rule = ET.fromstring(objs["decryption-rule"].element)
    assert rule.findtext("action") == "decrypt"
    assert rule.find("type/ssl-forward-proxy") is not None
    assert rule.findtext("profile") == "airs-decryption"
    for tag in ("service", "category", "source-user"):
        assert [m.text for m in rule.findall(f"{tag}/member")] == ["any"]
    # No unreferenced SSL/TLS service profile any more.
    assert not any("ssl-tls-service-profile" in o.xpath for o in objs.values())
