"""Every XML element is checked against Palo Alto's own schema (pan-os-codegen specs).

- the committed ``panos_schema.json`` regenerates identically from the specs where they are
  (``../shared/reference/pan-os-codegen``; with ``AIRS_VENDOR_PAGES`` set they must be);
- the emulator refuses each kind of break as PAN-OS does, naming the element, and changes
  nothing; it accepts good elements and what :data:`NOT_COVERED` lists;
- every Panorama object of every example stack (and of the render fixtures) fits the schema.

Only the first group reads the specs; the others use the committed JSON alone.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pan.xapi
import pytest

from components.cli import report
from components.clouds import build_intent
from components.panorama.client import ConfigOp
from components.panorama.elements import config_op
from components.panorama.intent import LATE_BOUND_RE
from components.panorama.render import RenderedObject, render_intent
from scripts import panos_schema as generator
from tests.helpers import EXAMPLE_STACKS, ROOT, plan_example
from tests.panorama import fixtures, panos_schema
from tests.panorama.emulator import PanoramaEmulator, canon, parse_xpath
from tests.panorama.panos_schema import NOT_COVERED, REFERENCED_ONLY, SCHEMA_FILE, Problem

REFERENCE = Path(os.environ.get("AIRS_VENDOR_PAGES") or ROOT.parent / "shared" / "reference")
SPECS = REFERENCE / "pan-os-codegen" / "specs"

PANO = "/config/devices/entry[@name='localhost.localdomain']"
TPL = PANO + "/template/entry[@name='T']/config/devices/entry[@name='localhost.localdomain']"
DG = PANO + "/device-group/entry[@name='DG']"
ETH = TPL + "/network/interface/ethernet/entry[@name='ethernet1/1']"
RULE = DG + "/pre-rulebase/security/rules/entry[@name='R']"
MGMT = TPL + "/network/profiles/interface-management-profile/entry[@name='m']"


# ----------------------------------------------------------------------------- (a) file


@pytest.fixture
def specs() -> Path:
    """The specs folder; skip where it is absent, fail there if AIRS_VENDOR_PAGES is set."""
    if SPECS.is_dir():
        return SPECS
    if os.environ.get("AIRS_VENDOR_PAGES"):
        pytest.fail(
            f"pan-os-codegen specs not found in {SPECS} (AIRS_VENDOR_PAGES is set: they must be)",
            pytrace=False,
        )
    pytest.skip(f"pan-os-codegen specs not in {SPECS}: set AIRS_VENDOR_PAGES to check the schema")


def test_schema_regenerates_identically(specs: Path, tmp_path: Path) -> None:
    assert generator.main(["--specs", str(specs), "--out", str(SCHEMA_FILE), "--check"]) == 0, (
        "tests/panorama/panos_schema.json is stale: run scripts/panos_schema.py"
    )
    # --check notices a changed file; writing restores it byte for byte.
    out = tmp_path / "schema.json"
    out.write_text(SCHEMA_FILE.read_text(encoding="utf-8").replace('"int"', '"string"', 1))
    assert generator.main(["--specs", str(specs), "--out", str(out), "--check"]) == 1
    assert generator.main(["--specs", str(specs), "--out", str(out)]) == 0
    assert out.read_bytes() == SCHEMA_FILE.read_bytes()


def test_schema_file_is_attributed_and_canonical() -> None:
    """Without the specs: the header names the source; the text is the canonical dump."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    doc = json.loads(text)
    source = doc["source"]
    assert "pan-os-codegen" in source["from"]
    assert generator.SOURCE_COMMIT in source["from"]
    assert source["licence"].startswith("MIT")
    assert source["what"] == "derived facts: element names, types, enums, limits"
    assert generator.dump(doc) == text
    assert text.endswith("}\n")
    assert len(text.encode()) < 2_000_000


# ----------------------------------------------------------------------------- (b) emulator


def _xapi(emu: PanoramaEmulator) -> pan.xapi.PanXapi:
    host, port = emu.hostname.split(":")
    return pan.xapi.PanXapi(hostname=host, port=int(port), api_key=emu.key_for("automation"))


def _refused(emu: PanoramaEmulator, action: str, xpath: str, element: str) -> str:
    """Send a write that must be refused; the error text. The candidate must not change."""
    before = canon(emu.candidate)
    dirty = json.dumps(emu.dirty, sort_keys=True)
    x = _xapi(emu)
    with pytest.raises(pan.xapi.PanXapiError) as info:
        getattr(x, action)(xpath=xpath, element=element)
    assert x.status == "error"
    assert x.status_code == "12"
    assert canon(emu.candidate) == before
    assert json.dumps(emu.dirty, sort_keys=True) == dirty
    return str(info.value)


BREAKS = [
    pytest.param(
        "edit",
        ETH,
        "<entry name='ethernet1/1'><layer3><foo>1</foo></layer3></entry>",
        "ethernet -> ethernet1/1 -> layer3 -> foo unexpected here",
        id="unknown-child",
    ),
    pytest.param(
        "edit",
        RULE,
        "<entry name='R'><action>permit</action></entry>",
        "rules -> R -> action 'permit' is not an allowed keyword",
        id="enum",
    ),
    pytest.param(
        "edit",
        ETH,
        "<entry name='ethernet1/1'><layer3><mtu>big</mtu></layer3></entry>",
        "ethernet -> ethernet1/1 -> layer3 -> mtu 'big' is not a valid integer",
        id="non-integer",
    ),
    pytest.param(
        "edit",
        ETH,
        "<entry name='ethernet1/1'><layer3><mtu>99999</mtu></layer3></entry>",
        "ethernet -> ethernet1/1 -> layer3 -> mtu '99999' is out of range 576-9216",
        id="out-of-range",
    ),
    pytest.param(
        "edit",
        RULE,
        f"<entry name='R'><description>{'x' * 1025}</description></entry>",
        "rules -> R -> description is too long (1025 characters, max 1024)",
        id="too-long",
    ),
    pytest.param(
        "set",
        PANO + "/template",
        f"<entry name='{'t' * 64}'/>",
        "is too long (name max 63 characters)",
        id="name-too-long",
    ),
    pytest.param(
        "edit",
        MGMT,
        "<entry name='m'><permitted-ip><member>10.0.0.0/8</member></permitted-ip></entry>",
        "interface-management-profile -> m -> permitted-ip -> 10.0.0.0/8 unexpected here: "
        "'member' where an 'entry' list belongs",
        id="member-for-entry",
    ),
    pytest.param(
        "set",
        DG + "/pre-rulebase/security/rules",
        "<member>R</member>",
        "rules -> R unexpected here: 'member' where an 'entry' list belongs",
        id="member-for-entry-at-container",
    ),
    pytest.param(
        "edit",
        RULE,
        "<entry name='R'><from><entry name='trust'/></from></entry>",
        "rules -> R -> from -> trust unexpected here: 'entry' where a 'member' list belongs",
        id="entry-for-member",
    ),
    pytest.param(
        "edit",
        MGMT,
        "<entry name='m'><https>true</https></entry>",
        "interface-management-profile -> m -> https 'true' is not a valid value (yes or no)",
        id="bool",
    ),
    pytest.param(
        "edit",
        ETH,
        "<entry name='ethernet1/1'><layer3/><layer2/></entry>",
        "ethernet -> ethernet1/1 has layer2, layer3: only one of",
        id="two-alternatives",
    ),
    pytest.param(
        "edit",
        ETH,
        "<entry name='ethernet1/1'><comment><b>x</b></comment></entry>",
        "ethernet -> ethernet1/1 -> comment unexpected child 'b'",
        id="child-in-a-value",
    ),
    pytest.param(
        "set",
        PANO + "/plugins/not-listed",
        "<setup/>",
        "plugins -> not-listed unexpected here (not in the PAN-OS schema)",
        id="unlisted-path",
    ),
]


@pytest.mark.parametrize(("action", "xpath", "element", "message"), BREAKS)
def test_emulator_refuses_what_breaks_the_schema(
    emu: PanoramaEmulator, action: str, xpath: str, element: str, message: str
) -> None:
    assert message in _refused(emu, action, xpath, element)


def test_refusal_answers_like_pan_os(emu: PanoramaEmulator) -> None:
    """``<response status="error" code="12"><msg><line>…</line>…`` with one line per problem."""
    answer = emu.handle(
        {
            "type": "config",
            "action": "edit",
            "xpath": RULE,
            "element": "<entry name='R'><action>permit</action><bogus/></entry>",
            "key": emu.key_for("automation"),
        },
        None,
    )
    root = ET.fromstring(answer)
    assert (root.get("status"), root.get("code")) == ("error", "12")
    lines = [line.text for line in root.findall("./msg/line")]
    assert lines == [
        "rules -> R -> action 'permit' is not an allowed keyword "
        "(allowed: allow, deny, drop, reset-both, reset-client, reset-server)",
        "rules -> R -> bogus unexpected here (not in the PAN-OS schema)",
    ]


def test_emulator_accepts_good_elements(emu: PanoramaEmulator) -> None:
    x = _xapi(emu)
    good = (
        "<entry name='ethernet1/1'><layer3><mtu>1500</mtu><dhcp-client><enable>yes</enable>"
        "</dhcp-client></layer3><comment>untrust</comment></entry>"
    )
    x.edit(xpath=ETH, element=good)
    x.set(
        xpath=MGMT,
        element="<https>yes</https><permitted-ip><entry name='10.0.0.0/8'/></permitted-ip>",
    )
    x.set(
        xpath=DG + "/pre-rulebase/security/rules",
        element="<entry name='R'><from><member>trust</member></from><action>allow</action></entry>",
    )
    x.set(xpath=PANO + "/template", element=f"<entry name='{'t' * 63}'/>")
    node = emu.node(ETH, running=False)
    assert node is not None
    assert node.findtext("layer3/mtu") == "1500"
    assert emu.node(MGMT + "/permitted-ip/entry[@name='10.0.0.0/8']", running=False) is not None


def test_not_covered_paths_pass_unchecked(emu: PanoramaEmulator) -> None:
    x = _xapi(emu)
    x.set(
        xpath=PANO + "/plugins/kubernetes/setup",
        element="<general><anything>goes</anything></general>",
    )
    x.set(
        xpath=DG + "/profiles/ai-security",
        element="<entry name='ai'><whatever>yes</whatever></entry>",
    )
    x.edit(
        xpath=DG + "/profile-group/entry[@name='g']",
        element="<entry name='g'><ai-security><member>ai</member></ai-security></entry>",
    )
    assert emu.node(PANO + "/plugins/kubernetes/setup/general/anything", running=False) is not None


def test_multi_config_with_one_bad_op_changes_nothing(emu: PanoramaEmulator) -> None:
    before = canon(emu.candidate)
    element = (
        "<multi-configure-request>"
        f'<set id="0" xpath="{DG}/pre-rulebase/security/rules">'
        "<entry name='ok'><action>allow</action></entry></set>"
        f'<edit id="1" xpath="{RULE}"><entry name="R"><action>permit</action></entry></edit>'
        "</multi-configure-request>"
    )
    answer = emu.handle(
        {
            "type": "config",
            "action": "multi-config",
            "element": element,
            "strict-transactional": "yes",
            "key": emu.key_for("automation"),
        },
        None,
    )
    root = ET.fromstring(answer)
    assert root.get("status") == "error"
    failed = root.find("./response[@status='error']")
    assert failed is not None
    assert failed.get("id") == "1"
    assert "rules -> R -> action 'permit' is not an allowed keyword" in (
        failed.findtext("./msg/line") or ""
    )
    assert canon(emu.candidate) == before
    assert emu.dirty == {}


def test_an_edit_that_breaks_the_schema_keeps_the_old_node(emu: PanoramaEmulator) -> None:
    x = _xapi(emu)
    x.edit(xpath=RULE, element="<entry name='R'><action>deny</action></entry>")
    _refused(emu, "edit", RULE, "<entry name='R'><action>nope</action></entry>")
    assert emu.node(RULE + "/action", running=False).text == "deny"  # type: ignore[union-attr]


def test_check_can_be_turned_off() -> None:
    with PanoramaEmulator(check_schema=False) as emu:
        _xapi(emu).edit(xpath=RULE, element="<entry name='R'><action>permit</action></entry>")
        assert emu.node(RULE + "/action", running=False) is not None


def test_every_not_covered_path_is_outside_the_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing must not hide a path the specs do describe: without it, each is unknown."""
    assert NOT_COVERED
    for path, source in NOT_COVERED.items():
        assert source.strip(), path
        monkeypatch.setattr(panos_schema, "NOT_COVERED", {})
        panos_schema._root.cache_clear()
        try:
            steps = ["/" + step.tag for step in parse_xpath("/" + path)]
            parent = "".join(s + ("[@name='x']" if s == "/entry" else "") for s in steps[:-1])
            problems = panos_schema.check_text("set", parent, f"<{steps[-1][1:]}/>")
        finally:
            monkeypatch.undo()
            panos_schema._root.cache_clear()
        assert any(p.rule == "unknown child" for p in problems), (path, problems)


# ----------------------------------------------------------------------------- (c) stacks


@cache
def _stack_objects(stack: str) -> tuple[RenderedObject, ...]:
    return tuple(report.panorama_objects(plan_example(stack)))


def _write(obj: RenderedObject) -> ConfigOp:
    """The write the provider sends for ``obj`` (late-bound values arrive at apply time;
    stand-ins of the right shape here)."""
    late = {
        m.group(1): "20.30.40.50" if m.group(1).endswith("address") else "c2VjcmV0"
        for m in LATE_BOUND_RE.finditer(obj.element)
    }
    return config_op(obj.as_dict(), late)


def _problems(objects: tuple[RenderedObject, ...]) -> list[str]:
    """Every problem of the writes the provider would send for ``objects``."""
    found = []
    for obj in objects:
        op = _write(obj)
        assert op.element is not None
        problems: list[Problem] = panos_schema.check_text(op.action, op.xpath, op.element)
        found += [f"{obj.kind} {obj.name}: {p.path}: {p.rule}: {p.message}" for p in problems]
    return found


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_object_of_every_example_stack_fits_the_schema(stack: str) -> None:
    objects = _stack_objects(stack)
    assert objects
    problems = _problems(objects)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cloud", sorted(fixtures.ALL))
def test_every_object_of_the_render_fixtures_fits_the_schema(cloud: str) -> None:
    objects = tuple(render_intent(build_intent(fixtures.ALL[cloud]())))
    problems = _problems(objects)
    assert not problems, "\n".join(problems)


def _tag_paths(action: str, xpath: str, element: str) -> set[str]:
    """Every tag path (from ``config``, ``entry`` for named entries) a write touches."""
    base = [step.tag for step in parse_xpath(xpath)]
    if action == "edit":  # the element is the node at the xpath itself
        base = base[:-1]
    root = ET.fromstring(f"<wrap>{element}</wrap>")
    out = {"/".join(base)}

    def walk(prefix: list[str], el: ET.Element) -> None:
        for child in el:
            path = [*prefix, child.tag]
            out.add("/".join(path))
            walk(path, child)

    walk(base, root)
    return out


def test_every_not_covered_path_is_written_by_an_example_stack() -> None:
    """The list is exact: no entry that no example stack needs."""
    touched: set[str] = set()
    for stack in EXAMPLE_STACKS:
        for obj in _stack_objects(stack):
            op = _write(obj)
            touched |= _tag_paths(op.action, op.xpath, op.element or "")
    unused = [
        p
        for p in NOT_COVERED
        if p not in REFERENCED_ONLY and not any(t == p or t.startswith(p + "/") for t in touched)
    ]
    assert not unused
    # What the program only references is never written.
    assert not [t for t in touched for p in REFERENCED_ONLY if t == p or t.startswith(p + "/")]
