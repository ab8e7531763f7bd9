"""Intent -> ordered ``(xpath, element)`` pairs, through pan-os-python, fully offline.

Objects pan-os-python models are built with its classes and attached to a ``Panorama``
that never connects (its version is preset). The AI security profile and the profile group
with an ai-security member are small ``VersionedPanObject`` subclasses; the SSL/TLS
service profile, the decryption profile and the Kubernetes plugin are raw XML whose
unverified locations live in :mod:`components.panorama.xpaths`.

Output order is dependency order (containers, profiles, interfaces, zones, routers,
policy objects, rules, plugin), and byte-identical for the same intent.

``mode`` tells the applier how to write the object: ``replace`` edits the node at the xpath
(authoritative), ``merge`` sets the element under the parent xpath (never removes what
others put there: devices registered in a template stack, a hand-tuned AI profile).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal

from panos.base import ENTRY, Root, VersionedPanObject, VersionedParamPath
from panos.device import AdvancedRoutingEngine
from panos.network import (
    EthernetInterface,
    LogicalRouter,
    LoopbackInterface,
    ManagementProfile,
    StaticRoute,
    VirtualRouter,
    Vrf,
    VrfStaticRoute,
    Zone,
)
from panos.panorama import DeviceGroup, Panorama, Template, TemplateStack
from panos.policies import NatRule, PreRulebase, SecurityRule

from components.panorama import intent as model
from components.panorama import xpaths
from components.panorama.client import parse_xml
from components.panorama.decryption import decryption_profile_element, decryption_rule_element

Mode = Literal["replace", "merge"]


@dataclass(frozen=True)
class RenderedObject:
    """One Panorama object: what it is, where it lives and its XML."""

    kind: str
    name: str
    xpath: str
    element: str
    mode: Mode = "replace"

    @property
    def parent_xpath(self) -> str:
        """The xpath a ``set`` (merge) writes to."""
        return split_xpath(self.xpath)[0]

    def as_dict(self) -> dict[str, str]:
        """JSON form used by ``airs plan --json`` (``panorama: [{xpath, element}]``)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "xpath": self.xpath,
            "element": self.element,
            "mode": self.mode,
        }


class AirsProfileGroup(VersionedPanObject):  # type: ignore[misc]
    """Security profile group with an ai-security member (pan-os-python lacks that member)."""

    ROOT = Root.VSYS
    SUFFIX = ENTRY

    def _setup(self) -> None:
        self._xpaths.add_profile(value="/profile-group")
        self._params = (
            VersionedParamPath(
                "ai_security", vartype="member", path=xpaths.PROFILE_GROUP_AI_SECURITY_TAG
            ),
        )


def split_xpath(xpath: str) -> tuple[str, str]:
    """``(parent, last step)`` of an xpath, respecting quoted predicates."""
    depth, quote = 0, ""
    for i in range(len(xpath) - 1, -1, -1):
        ch = xpath[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "]":
            depth += 1
        elif ch == "[":
            depth -= 1
        elif ch == "/" and depth == 0:
            return xpath[:i], xpath[i + 1 :]
    raise ValueError(f"not an absolute xpath: {xpath}")


def _offline_panorama() -> Panorama:
    # No API key and a preset version: pan-os-python never opens a connection.
    pano = Panorama("offline.invalid")
    pano._version_info = xpaths.PANOS_VERSION
    return pano


def _el(obj: Any) -> str:
    raw = obj.element_str()
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _raw(tag: str, name: str | None = None, **children: str | None) -> ET.Element:
    el = ET.Element(tag, {"name": name} if name is not None else {})
    for child_tag, text in children.items():
        if text is not None:
            ET.SubElement(el, child_tag.replace("_", "-")).text = text
    return el


def _xml(el: ET.Element) -> str:
    return ET.tostring(el, encoding="unicode")


def _entry_xpath(pattern: str, **kw: str) -> str:
    return pattern.format(**kw)


class _Renderer:
    def __init__(self, intent: model.PanoramaIntent) -> None:
        self.i = intent
        self.out: list[RenderedObject] = []
        self.pano = _offline_panorama()
        self.dg_xpath = _entry_xpath(xpaths.DEVICE_GROUP, dg=intent.device_group)

    def add(self, kind: str, name: str, obj: Any, mode: Mode = "replace") -> None:
        self.out.append(RenderedObject(kind, name, obj.xpath(), _el(obj), mode))

    def raw(self, kind: str, name: str, xpath: str, el: ET.Element, mode: Mode) -> None:
        self.out.append(RenderedObject(kind, name, xpath, _xml(el), mode))

    def run(self) -> list[RenderedObject]:
        i = self.i
        tpl = Template(i.template, description=i.description or None, default_vsys=i.vsys)
        self.pano.add(tpl)
        # Containers merge: Panorama adds registered firewalls under them.
        self.add("template", i.template, tpl, "merge")
        stack = TemplateStack(
            i.template_stack,
            description=i.description or None,
            templates=[i.template],
            devices=list(i.devices) or None,
        )
        self.pano.add(stack)
        self.add("template-stack", i.template_stack, stack, "merge")
        dg = DeviceGroup(i.device_group)
        self.pano.add(dg)
        if i.devices:
            # pan-os-python renders a device group's firewalls only from a live Panorama.
            dg_el = parse_xml(_el(dg))
            listed = ET.SubElement(dg_el, "devices")
            for serial in i.devices:
                ET.SubElement(listed, "entry", {"name": serial})
            self.raw("device-group", i.device_group, dg.xpath(), dg_el, "merge")
        else:
            self.add("device-group", i.device_group, dg, "merge")
        self._template_objects(tpl)
        self._device_group_objects(dg)
        self._kubernetes()
        return self.out

    def _template_objects(self, tpl: Template) -> None:
        i = self.i
        are = AdvancedRoutingEngine(enable=i.advanced_routing)
        tpl.add(are)
        setting = parse_xml(_el(are))
        leaf = setting[0]
        self.raw(
            "advanced-routing", "advance-routing", f"{are.xpath()}/{leaf.tag}", leaf, "replace"
        )
        for mp in i.management_profiles:
            obj = ManagementProfile(
                mp.name,
                https=mp.https,
                http=mp.http or None,
                ssh=mp.ssh or None,
                ping=mp.ping or None,
                permitted_ip=list(mp.permitted_ips) or None,
            )
            tpl.add(obj)
            self.add("management-profile", mp.name, obj)
        ifaces: list[Any] = []
        for e in i.ethernet:
            eth = EthernetInterface(
                e.name,
                mode="layer3",
                enable_dhcp=True if e.dhcp else None,
                create_dhcp_default_route=e.create_default_route if e.dhcp else None,
                ip=list(e.static_ips) or None,
                management_profile=e.management_profile,
                comment=e.comment,
            )
            tpl.add(eth)
            self.add("ethernet", e.name, eth)
            ifaces.append(eth)
        for lb in i.loopbacks:
            loop = LoopbackInterface(
                lb.name,
                ip=list(lb.ips),
                management_profile=lb.management_profile,
                comment=lb.comment,
            )
            tpl.add(loop)
            self.add("loopback", lb.name, loop)
            ifaces.append(loop)
        for iface in ifaces:
            # pan-os-python imports interfaces into the vsys only during a live create().
            base = iface.xpath_import_base(i.vsys)
            member = _raw("member")
            member.text = iface.name
            self.raw(
                "vsys-import", iface.name, f"{base}/member[text()='{iface.name}']", member, "merge"
            )
        for z in i.zones:
            zone = Zone(z.name, mode="layer3", interface=list(z.interfaces))
            tpl.add(zone)
            self.add("zone", z.name, zone)
        for r in i.routers:
            self._router(tpl, r)
        if i.cloudwatch is not None:
            # Needs the VM-Series plugin on Panorama; the scaling policy reads this namespace.
            el = ET.Element("aws-cloudwatch")
            for tag, text in (
                ("enabled", "yes"),
                ("name", i.cloudwatch.namespace),  # the namespace
                ("timeout", str(i.cloudwatch.interval_minutes)),  # update interval, minutes
            ):
                ET.SubElement(el, tag).text = text
            xp = _entry_xpath(xpaths.VM_SERIES_PLUGIN, template=i.template) + "/aws-cloudwatch"
            self.raw("aws-cloudwatch", i.cloudwatch.namespace, xp, el, "replace")
        if i.cloud_monitoring is not None:
            # GCP's counterpart (the autoscaler reads custom.googleapis.com/VMSeries/*).
            tag = xpaths.GCP_CLOUD_MONITORING_TAG
            el = ET.Element(tag)
            ET.SubElement(el, "enabled").text = "yes"
            ET.SubElement(el, "update-interval").text = str(i.cloud_monitoring.interval_minutes)
            xp = _entry_xpath(xpaths.VM_SERIES_PLUGIN, template=i.template) + "/" + tag
            self.raw(tag, i.template, xp, el, "replace")
        if i.ssl_decrypt is not None:
            base = _entry_xpath(xpaths.SSL_DECRYPT, template=i.template)
            for kind, cert in (
                ("forward-trust-certificate", i.ssl_decrypt.forward_trust),
                ("forward-untrust-certificate", i.ssl_decrypt.forward_untrust),
            ):
                if cert is not None:
                    el = ET.Element(kind)
                    ET.SubElement(el, "rsa").text = cert
                    self.raw(kind, cert, f"{base}/{kind}", el, "replace")

    def _router(self, tpl: Template, r: model.Router) -> None:
        if r.kind == "logical":
            lr = LogicalRouter(r.name)
            tpl.add(lr)
            vrf = Vrf(r.vrf, interface=list(r.interfaces))
            lr.add(vrf)
            for s in r.routes:
                vrf.add(
                    VrfStaticRoute(
                        s.name,
                        destination=s.destination,
                        nexthop_type=_nexthop(s, "next-lr"),
                        nexthop=s.nexthop,
                        interface=s.interface,
                        metric=s.metric,
                    )
                )
            self.add("logical-router", r.name, lr)
            return
        vr = VirtualRouter(r.name, interface=list(r.interfaces))
        tpl.add(vr)
        for s in r.routes:
            vr.add(
                StaticRoute(
                    s.name,
                    destination=s.destination,
                    nexthop_type=_nexthop(s, "next-vr"),
                    nexthop=s.nexthop,
                    interface=s.interface,
                    metric=s.metric,
                )
            )
        self.add("virtual-router", r.name, vr)

    def _device_group_objects(self, dg: DeviceGroup) -> None:
        i = self.i
        # The AI security profile itself is the administrator's: its protections are chosen in
        # Panorama, and the commit checks that it exists with some (provider.py, requires).
        if i.profile_group is not None:
            grp = AirsProfileGroup(i.profile_group.name, ai_security=[i.profile_group.ai_security])
            dg.add(grp)
            self.add("profile-group", grp.name, grp)
        if i.decryption_profile is not None:
            name = i.decryption_profile.name
            xp = _entry_xpath(xpaths.DECRYPTION_PROFILE, dg=i.device_group, name=name)
            self.raw(
                "decryption-profile",
                name,
                xp,
                decryption_profile_element(i.decryption_profile),
                "replace",
            )
        pre = PreRulebase()
        dg.add(pre)
        for s in i.security_rules:
            rule = SecurityRule(
                s.name,
                fromzone=list(s.from_zones),
                tozone=list(s.to_zones),
                source=list(s.source),
                destination=list(s.destination),
                application=list(s.application),
                service=list(s.service),
                action=s.action,
                group=s.profile_group,
                log_end=True,
                description=s.description,
            )
            pre.add(rule)
            self.add("security-rule", s.name, rule)
        for n in i.nat_rules:
            nat = NatRule(
                n.name,
                description=n.description,
                fromzone=list(n.from_zones),
                tozone=[n.to_zone],
                to_interface=n.to_interface,
                service=n.service,
                source=list(n.source),
                destination=list(n.destination),
            )
            if n.snat_interface is not None:
                nat.source_translation_type = "dynamic-ip-and-port"
                nat.source_translation_address_type = "interface-address"
                nat.source_translation_interface = n.snat_interface
            if n.dnat_address is not None:
                nat.destination_translated_address = n.dnat_address
                nat.destination_translated_port = n.dnat_port
            pre.add(nat)
            self.add("nat-rule", n.name, nat)
        for d in i.decryption_rules:
            xp = f"{self.dg_xpath}/pre-rulebase/decryption/rules/entry[@name='{d.name}']"
            self.raw("decryption-rule", d.name, xp, decryption_rule_element(d), "replace")

    def _kubernetes(self) -> None:
        k8s = self.i.kubernetes
        if k8s is None:
            return
        general = ET.Element(split_xpath(xpaths.K8S_GENERAL)[1])
        ET.SubElement(general, xpaths.K8S_GENERAL_ENABLE_TAG).text = "yes"
        ET.SubElement(general, xpaths.K8S_GENERAL_INTERVAL_TAG).text = str(k8s.monitoring_interval)
        self.raw("k8s-general", "general", xpaths.K8S_GENERAL, general, "merge")
        ng = _raw("entry", k8s.notify_group)
        dgs = ET.SubElement(ng, xpaths.K8S_NOTIFY_DEVICE_GROUP_TAG)
        ET.SubElement(dgs, "member").text = k8s.device_group
        xp = _entry_xpath(xpaths.K8S_NOTIFY_GROUP, name=k8s.notify_group)
        self.raw("k8s-notify-group", k8s.notify_group, xp, ng, "replace")
        for c in k8s.clusters:
            el = _raw("entry", c.name)
            ET.SubElement(el, xpaths.K8S_API_SERVER_TAG).text = c.api_server
            ET.SubElement(el, xpaths.K8S_CLUSTER_TYPE_TAG).text = xpaths.K8S_CLUSTER_TYPES[
                c.cluster_type
            ]
            node = el
            for tag in xpaths.K8S_CREDENTIAL_PATH:
                node = ET.SubElement(node, tag)
            node.text = c.credential
            if c.label_filter is not None or c.label_selector is not None:
                labels = ET.SubElement(el, xpaths.K8S_LABELS_TAG)
                if c.label_filter is not None:
                    ET.SubElement(labels, xpaths.K8S_LABEL_FILTER_TAG).text = c.label_filter
                if c.label_selector is not None:
                    ET.SubElement(labels, xpaths.K8S_LABEL_SELECTOR_TAG).text = c.label_selector
            xp = _entry_xpath(xpaths.K8S_CLUSTER, name=c.name)
            self.raw("k8s-cluster", c.name, xp, el, "replace")
        for c in k8s.clusters:
            md = _raw("entry", c.name)
            ET.SubElement(md, xpaths.K8S_MD_CLUSTER_TAG).text = c.name
            ET.SubElement(md, xpaths.K8S_MD_NOTIFY_TAG).text = k8s.notify_group
            ET.SubElement(md, xpaths.K8S_MD_ENABLE_TAG).text = "yes"
            xp = _entry_xpath(xpaths.K8S_MONITORING_DEFINITION, name=c.name)
            self.raw("k8s-monitoring", c.name, xp, md, "replace")


def _nexthop(s: model.StaticRoute, next_router: str) -> str | None:
    if s.nexthop_type == "next-router":
        return next_router
    if s.nexthop_type == "none":
        return None
    return s.nexthop_type


def render_intent(intent: model.PanoramaIntent) -> list[RenderedObject]:
    """Every Panorama object of ``intent``, in apply order (validates first)."""
    intent.validate()
    objects = _Renderer(intent).run()
    seen: set[str] = set()
    for o in objects:
        if o.xpath in seen:
            raise ValueError(f"two objects render to {o.xpath}")
        seen.add(o.xpath)
    return objects


def dump(objects: list[RenderedObject]) -> str:
    """Stable text form of rendered objects (golden files, ``airs render --panorama``)."""
    lines: list[str] = []
    for o in objects:
        lines += [f"### {o.kind} {o.name} ({o.mode})", o.xpath, o.element, ""]
    return "\n".join(lines)
