"""create -> change one route -> remove one rule -> destroy, per cloud, on the emulator."""

from __future__ import annotations

import pytest

from components.panorama.render import render_intent
from tests.panorama.engine import running_matches
from tests.panorama.helpers import (
    SERIAL,
    change_one_route,
    intent_for,
    late_for,
    pending,
    remove_one_rule,
)


@pytest.mark.parametrize("cloud", ["private", "gcp", "azure", "aws"])
def test_lifecycle(cloud, emu, engine):
    intent = intent_for(cloud)
    late = late_for(intent)
    # Bootstrap registers the firewall in the stack and device group before we configure.
    emu.register_firewall(SERIAL, intent.template_stack, intent.device_group)

    # 1. create
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 1
    assert pending(emu) == []
    assert emu.pushes == [
        ("template-stack", intent.template_stack),
        ("device-group", intent.device_group),
    ]
    stack_devices = emu.node(rendered[1].xpath + f"/devices/entry[@name='{SERIAL}']")
    assert stack_devices is not None, "merge of the template stack must keep registered firewalls"

    # a run that changes nothing makes no API call and no commit, and plans no step: the
    # commit resource's diff says "no change", so a preview does not list it
    before = len(emu.requests)
    engine.log.clear()
    engine.up(intent, late)
    assert len(emu.requests) == before
    assert len(emu.commits) == 1
    assert engine.log == []

    # 2. change one route
    changed = change_one_route(intent)
    before = len(emu.requests)
    rendered = engine.up(changed, late)
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 2
    assert pending(emu) == []
    router_xpath = next(o.xpath for o in rendered if o.kind in ("logical-router", "virtual-router"))
    assert "10.99.0.0/16" in "".join(emu.node(router_xpath).itertext())
    # the AI security profile check (device group, then Shared), one multi-config, commit +
    # poll, and per push: device check + push + poll
    assert len(emu.requests) - before == 11

    # 3. remove one rule: deleted and committed in the same up
    gone = next(
        o
        for o in rendered
        if o.kind == "security-rule" and o.name == changed.security_rules[-1].name
    )
    smaller = remove_one_rule(changed)
    before = len(emu.requests)
    rendered = engine.up(smaller, late)
    assert running_matches(emu, rendered, late) == []
    # The commit resource deletes it inside its one multi-config; the removed object's own
    # delete (which the engine runs after the commit) sends nothing: a delete of its own
    # would be an uncommitted change left behind, or remove a re-created object.
    single_writes = [
        (r["action"], r["xpath"])
        for r in emu.requests[before:]
        if r.get("type") == "config" and r.get("action") in ("set", "edit", "delete")
    ]
    assert single_writes == []
    assert engine.log[-1] == f"delete airs-security-rule-{gone.name}"
    assert emu.node(gone.xpath) is None
    assert emu.node(gone.xpath, running=False) is None
    assert len(emu.commits) == 3
    assert pending(emu) == []
    assert not any(o.xpath == gone.xpath for o in render_intent(smaller))

    # 4. destroy: nothing of ours left, committed
    engine.destroy()
    assert len(emu.commits) == 4
    assert pending(emu) == []
    for o in rendered:
        assert emu.node(o.xpath) is None, o.xpath
        assert emu.node(o.xpath, running=False) is None, o.xpath


def test_replace_on_rename_deletes_old_object_in_same_up(emu, engine):
    import dataclasses

    intent = intent_for("gcp")
    late = late_for(intent)
    engine.up(intent, late)
    old = intent.nat_rules[0]
    renamed = dataclasses.replace(
        intent, nat_rules=(dataclasses.replace(old, name="airs-gcp-snat"),)
    )
    rendered = engine.up(renamed, late)
    assert running_matches(emu, rendered, late) == []
    old_xpath = next(o.xpath for o in render_intent(intent) if o.name == old.name)
    assert emu.node(old_xpath) is None
    assert len(emu.commits) == 2


def test_late_bound_change_rewrites_only_that_object(emu, engine):
    intent = intent_for("azure")
    late = late_for(intent)
    engine.up(intent, late)
    engine.log.clear()
    late2 = {**late, "public-lb-address": "20.30.40.99"}
    rendered = engine.up(intent, late2)
    assert running_matches(emu, rendered, late2) == []
    updated = [x for x in engine.log if x.startswith("update airs-")]
    assert sorted(updated) == [
        "update airs-nat-rule-inbound-web",
        "update airs-security-rule-airs-az-allow-inbound",
    ]
    assert len(emu.commits) == 2
