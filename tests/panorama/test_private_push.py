"""An on-prem firewall receives the configuration: its serials are in the template stack and
the device group, and an ``up`` whose push reaches none of the named firewalls fails (issue 15,
defect 1). Cloud firewalls join by bootstrap instead; nothing is required of them."""

from __future__ import annotations

import dataclasses

import pytest

from components.panorama.client import PanoramaError
from tests.panorama.engine import running_matches
from tests.panorama.helpers import intent_for, late_for

SERIALS = ("007951000223456", "007951000223457")


def test_serials_are_rendered_in_the_stack_and_group_and_pushed_to(emu, engine):
    intent = dataclasses.replace(intent_for("private"), devices=SERIALS)
    late = late_for(intent)
    for serial in SERIALS:
        emu.manage_device(serial)
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    for kind in ("template-stack", "device-group"):
        (obj,) = [o for o in rendered if o.kind == kind]
        for serial in SERIALS:
            assert f'<entry name="{serial}" />' in obj.element
    assert [k for k, _ in emu.pushes] == ["template-stack", "device-group"]
    stack = emu.node(
        "/config/devices/entry[@name='localhost.localdomain']/template-stack/"
        f"entry[@name='{intent.template_stack}']/devices"
    )
    assert stack is not None
    assert sorted(e.get("name") for e in stack) == sorted(SERIALS)


def test_a_push_that_reaches_no_named_firewall_fails_the_up(emu, engine, monkeypatch):
    from tests.panorama import engine as engine_module

    # The commit is told a firewall must receive the configuration, but the template stack
    # and device group hold none (as when the firewall was moved elsewhere out of band).
    render = engine_module.render_intent
    monkeypatch.setattr(
        engine_module, "render_intent", lambda i: render(dataclasses.replace(i, devices=()))
    )
    intent = dataclasses.replace(intent_for("private"), devices=("007951000999999",))
    with pytest.raises(PanoramaError) as err:
        engine.up(intent, late_for(intent))
    message = str(err.value)
    assert "007951000999999 is not in it" in message
    assert "airs:firewall.serials" in message


def test_cloud_stacks_without_firewalls_yet_push_nothing_and_succeed(emu, engine):
    intent = intent_for("gcp")
    assert intent.devices == ()
    engine.up(intent, late_for(intent))
    assert emu.pushes == []
