"""Unmodified pan-os-python and pan.xapi talk to the emulator."""

from __future__ import annotations

import pan.xapi
import pytest
from panos import network
from panos.panorama import Panorama, PanoramaCommitAll, Template

from tests.panorama.helpers import SERIAL


def test_pan_xapi(emu):
    host, port = emu.hostname.split(":")
    x = pan.xapi.PanXapi(
        hostname=host, port=int(port), api_username="automation", api_password="auto-pw"
    )
    x.keygen()
    assert x.api_key == emu.key_for("automation")
    x.set(
        xpath="/config/shared/address",
        element="<entry name='a1'><ip-netmask>10.0.0.1</ip-netmask></entry>",
    )
    x.get(xpath="/config/shared/address/entry[@name='a1']")
    assert "10.0.0.1" in x.xml_result()
    with pytest.raises(pan.xapi.PanXapiError, match="No such node"):
        x.show(xpath="/config/shared/address/entry[@name='a1']")  # not committed yet
    x.op(cmd="<check><pending-changes/></check>")
    assert x.xml_result() == "yes"
    x.commit(
        cmd="<commit><partial><admin><member>automation</member></admin></partial></commit>",
        sync=True,
        interval=0.01,
        timeout=5,
    )
    assert x.status == "success"
    x.show(xpath="/config/shared/address/entry[@name='a1']")
    assert "10.0.0.1" in x.xml_result()
    x.delete(xpath="/config/shared/address/entry[@name='a1']")
    x.delete(xpath="/config/shared/address/entry[@name='a1']")
    assert x.status_code == "7"


def test_pan_os_python(emu):
    host, port = emu.hostname.split(":")
    pano = Panorama(host, api_key=emu.key_for("automation"), port=int(port))
    pano.refresh_system_info()
    assert pano.version == "11.1.2"
    tpl = Template("t1")
    pano.add(tpl)
    tpl.create()
    eth = network.EthernetInterface("ethernet1/1", mode="layer3", enable_dhcp=True)
    tpl.add(eth)
    eth.create()
    live = network.EthernetInterface("ethernet1/1")
    tpl.add(live)
    live.refresh()
    assert live.enable_dhcp is True
    assert pano.pending_changes()
    result = pano.commit(sync=True)
    assert result["success"]
    assert result["jobid"]
    assert pano.commit(sync=True) is None  # nothing left to commit
    names = network.EthernetInterface.refreshall(tpl, name_only=True)
    assert [n.name for n in names] == ["ethernet1/1"]
    emu.register_firewall(SERIAL, "s1", "d1")
    from panos.panorama import DeviceGroup, TemplateStack

    pano.add(TemplateStack("s1", templates=["t1"])).create()
    pano.add(DeviceGroup("d1")).create()
    pano.commit(sync=True)
    push = pano.commit(cmd=PanoramaCommitAll("template stack", "s1"), sync=True, sync_all=True)
    assert push["success"]
    assert SERIAL in push["devices"]


def test_move_locks_and_pending_changes(emu):
    host, port = emu.hostname.split(":")
    x = pan.xapi.PanXapi(hostname=host, port=int(port), api_key=emu.key_for("automation"))
    rules = "/config/devices/entry[@name='localhost.localdomain']/device-group/entry[@name='d']/pre-rulebase/security/rules"
    x.set(xpath=rules, element="<entry name='a'/><entry name='b'/><entry name='c'/>")
    x.move(xpath=rules + "/entry[@name='c']", where="top")
    x.move(xpath=rules + "/entry[@name='a']", where="after", dst="b")
    assert [e.get("name") for e in emu.node(rules, running=False)] == ["c", "b", "a"]
    x.op(cmd="<request><config-lock><add><comment>x</comment></add></config-lock></request>")
    x.op(cmd="<show><config-locks/></show>")
    assert "automation" in x.xml_result()
    other = pan.xapi.PanXapi(hostname=host, port=int(port), api_key=emu.key_for("other"))
    with pytest.raises(pan.xapi.PanXapiError, match="locked by automation"):
        other.set(xpath=rules, element="<entry name='z'/>")
    x.op(cmd="<request><config-lock><remove/></config-lock></request>")
    other.set(xpath=rules, element="<entry name='z'/>")
    x.op(cmd="<check><pending-changes/></check>")
    assert x.xml_result() == "yes"
    x.op(cmd="<revert><config/></revert>")
    x.op(cmd="<check><pending-changes/></check>")
    assert x.xml_result() == "no"
    with pytest.raises(pan.xapi.PanXapiError, match="Invalid Credential"):
        pan.xapi.PanXapi(hostname=host, port=int(port), api_key="WRONG").op(
            cmd="<show><system><info/></system></show>"
        )
