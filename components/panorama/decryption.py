"""The decryption objects' XML: a forward-proxy decryption profile and rule.

pan-os-python's ``DecryptionRule`` has no ``source-user`` or ``category``, and nothing for a
decryption profile's settings, so both are written here from the element names of PAN-OS's own
schema (pan-os-codegen ``decryption-profile.yaml`` and ``decryption-policy.yaml``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from components.panorama import intent as model

# Forward-proxy checks that fail closed; the rest stay off so common model APIs keep working
# (OCSP "unknown" answers, client certificates, HTTP/2).
_FORWARD_PROXY_BLOCKS = (
    "block-expired-certificate",
    "block-untrusted-issuer",
    "block-timeout-cert",
    "block-unsupported-version",
    "block-unsupported-cipher",
    "block-if-no-resource",
    "block-tls13-downgrade-no-resource",
    "auto-include-altname",
)
_WEAK_ALGORITHMS = ("enc-algo-rc4", "enc-algo-3des", "auth-algo-md5", "auth-algo-sha1")


def _members(parent: ET.Element, tag: str, values: tuple[str, ...]) -> None:
    el = ET.SubElement(parent, tag)
    for value in values:
        ET.SubElement(el, "member").text = value


def decryption_profile_element(p: model.DecryptionProfile) -> ET.Element:
    """A forward-proxy decryption profile: TLS 1.2 and up (1.3 kept), weak algorithms off."""
    el = ET.Element("entry", {"name": p.name})
    proxy = ET.SubElement(el, "ssl-forward-proxy")
    for tag in _FORWARD_PROXY_BLOCKS:
        ET.SubElement(proxy, tag).text = "yes"
    proto = ET.SubElement(el, "ssl-protocol-settings")
    ET.SubElement(proto, "min-version").text = p.min_version
    # Set explicitly: PAN-OS defaults max-version to tls1-2, which would cap TLS 1.3.
    ET.SubElement(proto, "max-version").text = p.max_version
    for tag in _WEAK_ALGORITHMS:
        ET.SubElement(proto, tag).text = "no"
    return el


def decryption_rule_element(d: model.DecryptionRule) -> ET.Element:
    """An SSL forward-proxy rule; ``action`` is explicit (PAN-OS defaults to no-decrypt)."""
    el = ET.Element("entry", {"name": d.name})
    _members(el, "from", d.from_zones)
    _members(el, "to", d.to_zones)
    _members(el, "source", d.source)
    _members(el, "destination", d.destination)
    _members(el, "source-user", ("any",))
    _members(el, "service", d.service)
    _members(el, "category", d.category)
    ET.SubElement(el, "action").text = "decrypt"
    ET.SubElement(ET.SubElement(el, "type"), "ssl-forward-proxy")
    ET.SubElement(el, "profile").text = d.profile
    ET.SubElement(el, "log-fail").text = "yes"
    if d.description:
        ET.SubElement(el, "description").text = d.description
    return el
