"""The picture of one offline plan (the document ``airs plan --json`` writes).

Every box is a registered resource, titled with the name ``pulumi preview`` shows, or a fact
the plan states (an application network from the ``applications`` output, the on-prem
firewall from ``firewallTrustIp``, the health-check sources from the Panorama management
profile): nothing is described twice, so the picture cannot drift from the plan.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from components.clouds import TARGETS
from components.clouds.base import load
from components.panorama.client import parse_xml
from components.picture import roles as r
from components.picture.model import Arrow, Box, Group, Picture, to_dot
from components.picture.render import render

PANORAMA_OBJECT = "pulumi-python:dynamic/panorama:Object"
PANORAMA_COMMIT = "pulumi-python:dynamic/panorama:Commit"
MANAGEMENT_KINDS = ("template", "template-stack", "device-group", "k8s-notify-group", "k8s-cluster")


def _short_type(token: str) -> str:
    from components.cli.report import display_type

    return display_type(token).replace("pulumi-python:dynamic/", "")


def cloud_roles(cloud: str) -> r.Roles:
    """The Kubernetes roles plus those of ``cloud``'s own resource types."""
    target = TARGETS.get(cloud)
    own: r.Roles = {}
    if target is not None and target.picture_roles is not None:
        own = load(target.picture_roles)
    return {**r.KUBERNETES, **own}


class _Plan:
    """The plan document, indexed."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.resources: list[dict[str, Any]] = [
            res for res in doc.get("resources", []) if not res.get("read")
        ]
        self.by_urn = {res["urn"]: res for res in self.resources}
        self.outputs: Mapping[str, Any] = doc.get("outputs") or {}

    def component_of(self, res: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The nearest enclosing component (a resource that is not custom)."""
        parent = self.by_urn.get(res.get("parent") or "")
        while parent is not None and parent.get("custom", True):
            parent = self.by_urn.get(parent.get("parent") or "")
        return parent

    def components(self, suffix: str) -> list[Mapping[str, Any]]:
        """Components whose type ends with ``suffix`` (``ClusterIntercept``…)."""
        return [
            c for c in self.resources if not c.get("custom", True) and c["type"].endswith(suffix)
        ]

    def children(self, component: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Custom resources whose nearest component is ``component``."""
        return [
            res
            for res in self.resources
            if res.get("custom", True) and self.component_of(res) is component
        ]


def _resource_box(res: Mapping[str, Any], role: r.Role) -> Box:
    return Box(
        key=res["urn"],
        title=res["name"],
        kind=_short_type(res["type"]),
        facts=r.facts(role, res.get("inputs") or {}),
    )


def _element(text: str) -> ET.Element | None:
    try:
        return parse_xml(text)
    except ET.ParseError:
        return None


class _Builder:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.plan = _Plan(doc)
        self.cloud = str(self.plan.outputs.get("cloud", ""))
        self.roles = cloud_roles(self.cloud)
        self.stages = {
            stage: Group(f"stage:{stage}", r.STAGE_TITLES[stage]) for stage in r.TRAFFIC_PATH
        }
        self.management = Group("stage:management", r.STAGE_TITLES[r.MANAGEMENT])
        self.arrows: list[Arrow] = []
        self.role_of_box: dict[str, str] = {}

    def add(self, group: Group, box: Box, role: str = "") -> Box:
        group.boxes.append(box)
        self.role_of_box[box.key] = role
        return box

    def boxes(self, role: str, stage: str | None = None) -> list[Box]:
        stages = [self.stages[stage]] if stage else list(self.stages.values())
        return [
            box
            for group in stages
            for box in group.every_box()
            if self.role_of_box.get(box.key) == role
        ]

    def build(self, panorama: bool) -> Picture:
        self.applications()
        self.clusters()
        self.connections()
        self.security_side()
        self.health_checks()
        if panorama:
            self.management_plane()
        self.wire()
        stack = self.plan.doc.get("stack", "")
        return Picture(
            title=f"airs graph: stack {stack} ({self.cloud}), from the offline plan",
            stages=[self.stages[s] for s in r.TRAFFIC_PATH],
            management=self.management,
            arrows=self.arrows,
        )

    def applications(self) -> None:
        apps = self.plan.outputs.get("applications") or {}
        for key, app in sorted(apps.items()):
            facts = [
                ("ranges", ", ".join(app.get("cidrs") or [])),
                ("protection", str(app.get("protection", ""))),
            ]
            self.add(
                self.stages[r.APPLICATIONS],
                Box(f"app:{key}", key, f"airs:applications.{key}", facts),
                "application",
            )

    def clusters(self) -> None:
        known = self.plan.outputs.get("clusters") or {}
        for component in self.plan.components("ClusterIntercept"):
            key = next((k for k in known if component["name"].endswith(f"-{k}")), None)
            stated = known.get(key, {}) if key else {}
            group = Group(component["urn"], f"cluster {key or component['name']}")
            facts = [
                ("platform", stated.get("platform")),
                ("Panorama name", stated.get("panoramaName")),
                ("cluster id", stated.get("clusterId")),
                ("pods", stated.get("podCidr")),
                ("services", stated.get("serviceCidr")),
                ("protected namespaces", ", ".join(stated.get("protectedNamespaces") or [])),
            ]
            group.boxes.append(
                Box(
                    component["urn"],
                    component["name"],
                    _short_type(component["type"]),
                    [(label, str(value)) for label, value in facts if value not in (None, "")],
                )
            )
            self.role_of_box[component["urn"]] = "cluster"
            for res in self.plan.children(component):
                role = r.role_of(self.roles, res["type"], res["name"])
                if role is not None:
                    self.add(group, _resource_box(res, role), role.role)
            self.stages[r.APPLICATIONS].groups.append(group)

    def connections(self) -> None:
        apps = sorted(self.plan.outputs.get("applications") or {}, key=len, reverse=True)
        for component in self.plan.components("ApplicationConnection"):
            per_app: dict[str, Group] = {}
            for res in self.plan.children(component):
                role = r.role_of(self.roles, res["type"], res["name"])
                if role is None:
                    continue
                app = next(
                    (a for a in apps if res["name"].startswith(f"{component['name']}-{a}-")), ""
                )
                group = per_app.get(app)
                if group is None:
                    title = f"{component['name']}: {app}" if app else component["name"]
                    group = per_app[app] = Group(f"{component['urn']}:{app}", title)
                self.add(group, _resource_box(res, role), role.role)
            for _, group in sorted(per_app.items()):
                self.stages[r.STEERING].groups.append(group)

    def security_side(self) -> None:
        for component in self.plan.components("SecurityProject"):
            for res in self.plan.children(component):
                role = r.role_of(self.roles, res["type"], res["name"])
                if role is not None and role.stage in self.stages:
                    self.add(self.stages[role.stage], _resource_box(res, role), role.role)
        trust_ip = self.plan.outputs.get("firewallTrustIp")
        if trust_ip:  # a private cloud: the firewall exists; the plan names its trust side
            facts = [
                ("trust address", str(trust_ip)),
                ("trust range", str(self.plan.outputs.get("trustCidr", ""))),
            ]
            serials = self.devices()
            if serials:
                facts.append(("serials", ", ".join(serials)))
            self.add(
                self.stages[r.FIREWALLS],
                Box("firewall:on-prem", "on-prem firewall", "airs:firewall", facts),
                "group",
            )

    def panorama_objects(self, kind: str) -> list[dict[str, Any]]:
        return [
            res
            for res in self.plan.resources
            if res["type"] == PANORAMA_OBJECT and (res.get("inputs") or {}).get("kind") == kind
        ]

    def devices(self) -> list[str]:
        serials: list[str] = []
        for res in self.panorama_objects("template-stack"):
            element = _element(str((res.get("inputs") or {}).get("element", "")))
            if element is not None:
                serials += [e.get("name", "") for e in element.findall("./devices/entry")]
        return serials

    def health_checks(self) -> None:
        sources: list[str] = []
        for res in self.panorama_objects("management-profile"):
            element = _element(str((res.get("inputs") or {}).get("element", "")))
            if element is not None:
                sources += [e.get("name", "") for e in element.findall("./permitted-ip/entry")]
            if sources:
                box = Box(
                    "health-checks",
                    "health-check sources",
                    f"admitted on trust by {res['name']}",
                    [("from", ", ".join(sources))],
                )
                self.add(self.stages[r.LOAD_BALANCER], box, "health")
                return

    def management_plane(self) -> None:
        host = self.plan.outputs.get("panoramaHostname")
        commits = [res for res in self.plan.resources if res["type"] == PANORAMA_COMMIT]
        panorama = Box(
            "panorama",
            f"Panorama {host}" if host else "Panorama",
            "managed by this stack" if commits else "",
        )
        self.management.boxes.append(panorama)
        for res in commits:
            box = Box(
                res["urn"],
                res["name"],
                _short_type(res["type"]),
                [("device group", str(res["inputs"].get("device_group", "")))],
            )
            self.management.boxes.append(box)
            self.arrows.append(Arrow("panorama", box.key, "one commit and push per up"))
        for kind in MANAGEMENT_KINDS:
            for res in self.panorama_objects(kind):
                inputs = res.get("inputs") or {}
                box = Box(
                    res["urn"],
                    res["name"],
                    f"Panorama {kind}",
                    [("name", str(inputs.get("name", "")))],
                )
                self.management.boxes.append(box)
                self.role_of_box[box.key] = kind
                self.arrows.append(Arrow("panorama", box.key))

    def steering_path(self) -> list[Box]:
        """Arrows through the steering column; returns the boxes that hand traffic on."""
        top = [b for b in self.stages[r.STEERING].boxes if self.role_of_box.get(b.key) == "route"]
        ends: list[Box] = []
        for group in self.stages[r.STEERING].groups:
            roles = {b.key: self.role_of_box.get(b.key) for b in group.boxes}
            entry = next(
                (b for want in ("route", "peering") for b in group.boxes if roles[b.key] == want),
                group.boxes[0],
            )
            app = group.key.rsplit(":", 1)[-1]
            if app:
                self.arrows.append(Arrow(f"app:{app}", entry.key, "all its traffic"))
            exits = [b for b in group.boxes if roles[b.key] == "endpoint"] or top or [entry]
            for box in exits:
                if box is not entry:
                    self.arrows.append(Arrow(entry.key, box.key))
            ends.extend(b for b in exits if b not in ends)
        return ends or top

    def wire(self) -> None:
        frontends = self.boxes("frontend")
        groups = self.boxes("group")
        for box in self.steering_path():
            for frontend in frontends:
                self.arrows.append(Arrow(box.key, frontend.key))
        for frontend in frontends:
            for group in groups:
                self.arrows.append(Arrow(frontend.key, group.key, "to the firewalls"))
        for health in self.boxes("health"):
            for group in groups:
                self.arrows.append(Arrow(health.key, group.key, "health checks", dashed=True))
        self.pan_cni_targets(frontends + groups)
        for group in groups:
            for box in self.boxes("interface", r.NETWORKS):
                self.arrows.append(Arrow(group.key, box.key, _side(box.title)))
            for box in self.boxes("exit", r.EGRESS):
                self.arrows.append(Arrow(group.key, box.key, "egress"))
        for kind, label in (("template-stack", "push"), ("device-group", "policy")):
            for box in self.management.boxes:
                if self.role_of_box.get(box.key) == kind:
                    for group in groups:
                        self.arrows.append(
                            Arrow(box.key, group.key, label, dashed=True, constraint=False)
                        )
        self.watched_clusters()
        self.order_stages()

    def pan_cni_targets(self, targets: Sequence[Box]) -> None:
        """pan-cni → the box holding each of its endpoint addresses (the EndpointSlice)."""
        zone_of = {
            ep.get("ip"): ep.get("zone")
            for app in (self.plan.outputs.get("applications") or {}).values()
            for ep in app.get("endpoints") or []
        }
        endpoints = self.boxes("endpoint")
        for release in self.boxes("pan-cni"):
            ips = next((v for k, v in release.facts if k == "endpoints"), "")
            for ip in [i.strip() for i in ips.split(",") if i.strip()]:
                found = [b for b in targets if any(ip in v.split(", ") for _, v in b.facts)]
                zone = zone_of.get(ip)
                if not found and zone:
                    found = [b for b in endpoints if b.title.endswith(zone)]
                if not found and self.plan.outputs.get("securityStack"):
                    # A layered cluster stack: the firewalls are its security stack's.
                    found = [self.security_stack_endpoint(ip)]
                for box in found[:1]:
                    self.arrows.append(
                        Arrow(release.key, box.key, f"pan-ngfw-svc → {ip}", label_at_tail=True)
                    )

    def security_stack_endpoint(self, ip: str) -> Box:
        """The security stack's endpoint ``ip``, drawn once (a layered cluster stack)."""
        key = f"security-stack:{ip}"
        for box in self.stages[r.LOAD_BALANCER].boxes:
            if box.key == key:
                return box
        stack = str(self.plan.outputs.get("securityStack"))
        box = Box(key, f"security stack {stack}", "airs:securityStack", [("endpoint", ip)])
        return self.add(self.stages[r.LOAD_BALANCER], box, "frontend")

    def watched_clusters(self) -> None:
        clusters = {
            str(c.get("panoramaName")): key
            for key, c in (self.plan.outputs.get("clusters") or {}).items()
        }
        for box in self.management.boxes:
            if self.role_of_box.get(box.key) != "k8s-cluster":
                continue
            name = next((v for k, v in box.facts if k == "name"), "")
            for group in self.stages[r.APPLICATIONS].groups:
                if name in clusters and group.title == f"cluster {clusters[name]}":
                    self.arrows.append(
                        Arrow(box.key, group.boxes[0].key, "watches", dashed=True, constraint=False)
                    )

    def order_stages(self) -> None:
        firsts = [s.every_box()[0] for s in self.stages.values() if s.every_box()]
        for left, right in itertools.pairwise(firsts):
            self.arrows.append(Arrow(left.key, right.key, invisible=True))


def _side(title: str) -> str:
    """Which interface a network box is, from its name (``…-untrust-subnet`` → untrust)."""
    for side in ("untrust", "trust", "mgmt", "gwlb", "nat", "public", "private"):
        if f"-{side}" in title:
            return side
    return "interfaces"


def picture_of(doc: Mapping[str, Any], *, panorama: bool = True) -> Picture:
    """The picture of a plan document; ``panorama``: with the management plane."""
    return _Builder(doc).build(panorama)


def drawing(
    doc: Mapping[str, Any],
    fmt: str,
    *,
    panorama: bool = True,
    dpi: int | None = None,
    marks: Callable[[Picture], None] | None = None,
) -> bytes:
    """A plan document drawn as ``fmt`` (``svg``, ``png``, ``dot``), ``marks`` applied first
    (a promotion's colours): what ``airs graph`` writes and ``docs/pictures/`` holds."""
    picture = picture_of(doc, panorama=panorama)
    if marks is not None:
        marks(picture)
    return render(to_dot(picture), fmt, dpi)
