"""Resource URNs of the example stacks are a compatibility promise (see UPGRADE.md).

A URN that disappears makes ``pulumi up`` delete the old resource and create a new one — for a
firewall, a load balancer or a Panorama object that is an outage. So every URN an example stack
had (``tests/golden/urns/<stack>.txt``) must still exist, or some resource must carry a
``pulumi.Alias`` to it. New URNs are accepted by regenerating the files
(``AIRS_UPDATE_GOLDEN=1 scripts/test tests/test_urn_stability.py``) so they show in review.
"""

from __future__ import annotations

import os

import pytest

from components.cli.mocks import Registration
from tests.helpers import EXAMPLE_STACKS, ROOT, plan_example

GOLDEN = ROOT / "tests" / "golden" / "urns"


def _name_and_type(urn: str) -> tuple[str, str]:
    """``urn:pulumi:<stack>::<project>::<parent types$>type::<name>`` → (name, type)."""
    _, _, type_chain, name = urn.split("::", 3)
    return name, type_chain.rsplit("$", 1)[-1]


def aliased(old_urn: str, registrations: list[Registration]) -> bool:
    """Whether a current resource declares an alias that resolves to ``old_urn``."""
    old_name, old_type = _name_and_type(old_urn)
    for reg in registrations:
        for alias in reg.aliases:
            if alias.get("urn") == old_urn:
                return True
            if "urn" not in alias and (
                alias.get("name", reg.name) == old_name and alias.get("type", reg.type) == old_type
            ):
                return True
    return False


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_urns_are_kept_or_aliased(stack: str) -> None:
    run = plan_example(stack)
    current = {r.urn for r in run.resources if not r.read}
    path = GOLDEN / f"{stack}.txt"
    if os.environ.get("AIRS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{u}\n" for u in sorted(current)))
    golden = set(path.read_text().split())
    gone = sorted(u for u in golden - current if not aliased(u, run.resources))
    assert not gone, (
        f"{len(gone)} resource(s) of {stack} renamed or removed without a pulumi.Alias "
        "(pulumi up would replace them; see UPGRADE.md):\n" + "\n".join(gone[:20])
    )
    new = sorted(current - golden)
    assert not new, (
        f"{len(new)} new URN(s) in {stack}; review and regenerate with "
        "AIRS_UPDATE_GOLDEN=1:\n" + "\n".join(new[:20])
    )


def test_alias_detection_by_spec_and_by_urn() -> None:
    old = "urn:pulumi:gcp-dev::airs::airs:index:AirsDeployment$gcp:compute/network:Network::old"
    plain = Registration(
        urn=old.replace("::old", "::new"),
        type="gcp:compute/network:Network",
        name="new",
        parent=None,
        custom=True,
        inputs={},
    )
    assert not aliased(old, [plain])
    by_name = Registration(**{**plain.__dict__, "aliases": [{"name": "old"}]})
    assert aliased(old, [by_name])
    other_type = Registration(
        **{
            **plain.__dict__,
            "aliases": [{"name": "old", "type": "gcp:compute/subnetwork:Subnetwork"}],
        }
    )
    assert not aliased(old, [other_type])
    assert aliased(old, [Registration(**{**plain.__dict__, "aliases": [{"urn": old}]})])


def test_aliases_reach_the_recorded_plan() -> None:
    """The mock monitor records ``ResourceOptions.aliases`` as the engine receives them."""
    import pulumi

    from components.cli.engine import run_program
    from tests.helpers import load_example

    def program() -> None:
        pulumi.ComponentResource(
            "airs:index:Example",
            "renamed",
            None,
            pulumi.ResourceOptions(aliases=[pulumi.Alias(name="before")]),
        )

    run = run_program(load_example("gcp-dev"), program=program)
    (reg,) = [r for r in run.resources if r.type == "airs:index:Example"]
    assert any(a.get("name") == "before" for a in reg.aliases), reg.aliases
