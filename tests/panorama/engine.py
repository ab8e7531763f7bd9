"""Drive the providers the way the Pulumi engine does (without the engine).

``up``: check/diff/create/update every object in dependency order, then the commit
resource, then deletes of objects that left the program. ``destroy``: the commit resource
first (it depends on every object), then the objects in reverse order. ``refresh``: read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from components.panorama.component import commit_requirements, resource_name
from components.panorama.elements import contains, digest, flatten, substitute
from components.panorama.intent import PanoramaIntent, late_keys_in
from components.panorama.provider import (
    PanoramaCommitProvider,
    PanoramaObjectProvider,
    ProviderSettings,
)
from components.panorama.render import RenderedObject, render_intent
from tests.panorama.emulator import PanoramaEmulator

ADMIN = "automation"


def configure_request(emu: PanoramaEmulator, user: str = ADMIN) -> ConfigureRequest:
    raw = {
        "airs:panoramaApiKey": emu.key_for(user),
        "airs:panorama": json.dumps({"hostname": emu.hostname, "username": user}),
    }
    return ConfigureRequest(Config(raw, "airs"))


def object_props(emu: PanoramaEmulator, o: RenderedObject, late: dict[str, str]) -> dict[str, Any]:
    return {
        "hostname": emu.hostname,
        "kind": o.kind,
        "name": o.name,
        "xpath": o.xpath,
        "element": o.element,
        "mode": o.mode,
        "fields": flatten(o.element),
        "managed": True,
        "late": {k: late[k] for k in sorted(late_keys_in(o.element))},
        "digest": None,
        "rev": None,
    }


@dataclass
class Engine:
    emu: PanoramaEmulator
    settings: ProviderSettings
    prefix: str = "airs"
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # urn -> outs
    commit: dict[str, Any] | None = None
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.obj_provider = PanoramaObjectProvider(self.settings)
        self.commit_provider = PanoramaCommitProvider(self.settings)
        for p in (self.obj_provider, self.commit_provider):
            p.configure(configure_request(self.emu))

    def up(self, intent: PanoramaIntent, late: dict[str, str]) -> list[RenderedObject]:
        rendered = render_intent(intent)
        desired: dict[str, dict[str, Any]] = {}
        replaced: list[tuple[str, dict[str, Any]]] = []
        for o in rendered:
            urn = resource_name(self.prefix, o)
            news = self.obj_provider.check({}, object_props(self.emu, o, late)).inputs
            olds = self.objects.get(urn)
            if olds is None:
                outs = self.obj_provider.create(news).outs
                self.log.append(f"create {urn}")
            else:
                d = self.obj_provider.diff(olds["xpath"], olds, news)
                if d.replaces:
                    replaced.append((urn, olds))
                    outs = self.obj_provider.create(news).outs
                    self.log.append(f"replace {urn}")
                elif d.changes:
                    outs = self.obj_provider.update(olds["xpath"], olds, news).outs
                    self.log.append(f"update {urn}")
                else:
                    outs = olds
            assert outs is not None
            desired[urn] = outs
        entries = [
            {
                k: desired[resource_name(self.prefix, o)][k]
                for k in ("kind", "name", "xpath", "element", "mode", "rev")
            }
            for o in rendered
        ]
        used = sorted(intent.late_keys())
        news = {
            "hostname": self.emu.hostname,
            "template_stack": intent.template_stack,
            "device_group": intent.device_group,
            "push": True,
            "description": f"{intent.name}: airs-intercept",
            **({"devices": list(intent.devices)} if intent.devices else {}),
            **commit_requirements(intent),
            "objects": entries,
            "late": {k: late[k] for k in used},
        }
        removed = {u: o for u, o in self.objects.items() if u not in desired}
        # The engine records successful object steps even when the commit fails later.
        self.objects = {**removed, **desired}
        if self.commit is None:
            self.commit = self.commit_provider.create(news).outs
            self.log.append("create commit")
        elif self.commit_provider.diff("c", self.commit, news).changes:
            self.commit = self.commit_provider.update("c", self.commit, news).outs
            self.log.append("update commit")
        for urn, outs in [*replaced, *removed.items()]:
            self.obj_provider.delete(outs["xpath"], outs)
            if urn in removed:
                self.objects.pop(urn, None)
            self.log.append(f"delete {urn}")
        return rendered

    def refresh(self) -> None:
        for urn, outs in list(self.objects.items()):
            r = self.obj_provider.read(outs["xpath"], outs)
            if r.id is None:
                del self.objects[urn]
            else:
                assert r.outs is not None
                self.objects[urn] = r.outs

    def destroy(self) -> None:
        if self.commit is not None:
            self.commit_provider.delete("c", self.commit)
            self.commit = None
        for urn, outs in reversed(list(self.objects.items())):
            self.obj_provider.delete(outs["xpath"], outs)
            del self.objects[urn]


def running_matches(
    emu: PanoramaEmulator, rendered: list[RenderedObject], late: dict[str, str]
) -> list[str]:
    """Objects whose running config differs from the rendered intent (empty = equal)."""
    bad = []
    for o in rendered:
        node = emu.node(o.xpath, running=True)
        element = substitute(o.element, late)
        if node is None:
            bad.append(f"missing {o.xpath}")
        elif o.mode == "merge":
            import xml.etree.ElementTree as ET

            if not contains(node, ET.fromstring(element)):
                bad.append(f"differs {o.xpath}")
        elif digest(node) != digest(element):
            bad.append(f"differs {o.xpath}")
    return bad
