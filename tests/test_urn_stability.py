"""Resource URNs of the example stacks are a compatibility promise (see UPGRADE.md).

A URN that disappears makes ``pulumi up`` delete the old resource and create a new one — for a
firewall, a load balancer or a Panorama object that is an outage. So every URN an example stack
had (``tests/golden/urns/<stack>.txt``) must still exist, or some resource must carry a
``pulumi.Alias`` to it. New URNs are accepted by regenerating the files
(``AIRS_UPDATE_GOLDEN=1 scripts/test tests/test_urn_stability.py``) so they show in review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from components.cli.diff import resources_of_run
from components.cli.engine import engine_urn
from components.cli.mocks import Registration
from tests.helpers import EXAMPLE_STACKS, ROOT, plan_example
from tests.update_switch import update_requested

GOLDEN = ROOT / "tests" / "golden" / "urns"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def alias_urn(
    alias: dict[str, str],
    reg: Registration,
    by_urn: Mapping[str, Registration],
    stack: str,
    project: str,
) -> str:
    """The engine URN an alias stands for, composed as the engine composes URNs.

    Unset parts are the resource's own: name, type, stack, project and parent (unless
    ``noParent``). The type is qualified by the parent's whole type chain (the mock monitor's
    URNs keep only the parent's own type, so a parent that is a registration of this run is
    resolved to its engine URN first); under the root stack resource it is not qualified.
    """
    if "urn" in alias:
        return alias["urn"]
    parent_urn = None if alias.get("noParent") else alias.get("parent") or reg.parent
    type_ = alias.get("type") or reg.type
    if parent_urn:
        parent = by_urn.get(parent_urn)
        full = engine_urn(parent, by_urn, stack, project) if parent is not None else parent_urn
        chain = full.split("::")[2]
        if chain != ROOT_STACK_TYPE:
            type_ = f"{chain}${type_}"
    stack, project = alias.get("stack") or stack, alias.get("project") or project
    return f"urn:pulumi:{stack}::{project}::{type_}::{alias.get('name') or reg.name}"


def aliased(old_urn: str, registrations: Sequence[Registration], stack: str, project: str) -> bool:
    """Whether a current resource declares an alias that resolves to ``old_urn``."""
    by_urn = {r.urn: r for r in registrations}
    return any(
        alias_urn(a, reg, by_urn, stack, project) == old_urn
        for reg in registrations
        for a in reg.aliases
    )


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_urns_are_kept_or_aliased(stack: str) -> None:
    """Golden files hold engine URNs (whole parent type chain), what ``pulumi up`` matches on."""
    run = plan_example(stack)
    current = {r.urn for r in resources_of_run(run)}
    path = GOLDEN / f"{stack}.txt"
    if update_requested("AIRS_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{u}\n" for u in sorted(current)))
    golden = set(path.read_text().split())
    gone = sorted(
        u for u in golden - current if not aliased(u, run.resources, run.stack, run.project)
    )
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
    stack_urn = "urn:pulumi:gcp-dev::airs::pulumi:pulumi:Stack::airs-gcp-dev"
    deployment = "urn:pulumi:gcp-dev::airs::airs:index:AirsDeployment::gcp-dev"
    chain = "airs:index:AirsDeployment$gcp:compute/network:Network"
    old = f"urn:pulumi:gcp-dev::airs::{chain}::old"
    plain = Registration(
        urn=old.replace("::old", "::new"),
        type="gcp:compute/network:Network",
        name="new",
        parent=deployment,
        custom=True,
        inputs={},
    )

    def with_aliases(reg: Registration, *aliases: dict[str, str]) -> Registration:
        return Registration(**{**reg.__dict__, "aliases": list(aliases)})

    assert not aliased(old, [plain], "gcp-dev", "airs")
    assert aliased(old, [with_aliases(plain, {"name": "old"})], "gcp-dev", "airs")
    assert not aliased(
        old, [with_aliases(plain, {"name": "old", "type": "gcp:x:Y"})], "gcp-dev", "airs"
    )
    assert aliased(old, [with_aliases(plain, {"urn": old})], "gcp-dev", "airs")
    # Moved under another component: the name alone resolves under the *new* parent.
    moved = Registration(
        **{
            **plain.__dict__,
            "urn": "urn:pulumi:gcp-dev::airs::airs:index:Other$gcp:compute/network:Network::new",
            "parent": "urn:pulumi:gcp-dev::airs::airs:index:Other::o",
        }
    )
    assert not aliased(old, [with_aliases(moved, {"name": "old"})], "gcp-dev", "airs")
    assert aliased(
        old, [with_aliases(moved, {"name": "old", "parent": deployment})], "gcp-dev", "airs"
    )
    # Moved out of the stack root into a component: noParent (or the stack) as old parent.
    top_old = "urn:pulumi:gcp-dev::airs::gcp:compute/network:Network::old"
    assert aliased(
        top_old, [with_aliases(plain, {"name": "old", "noParent": "true"})], "gcp-dev", "airs"
    )
    assert aliased(
        top_old, [with_aliases(plain, {"name": "old", "parent": stack_urn})], "gcp-dev", "airs"
    )
    assert not aliased(top_old, [with_aliases(plain, {"name": "old"})], "gcp-dev", "airs")


def test_alias_of_a_grandchild_resolves_the_whole_parent_chain() -> None:
    """The mock monitor's URN of a grandchild keeps only its parent's type; the engine's (and
    the golden files') keep the chain, so an alias must resolve to the chain."""
    stack_urn = "urn:pulumi:d::airs::pulumi:pulumi:Stack::airs-d"

    def reg(urn: str, type_: str, name: str, parent: str, **kw: object) -> Registration:
        return Registration(
            urn=urn, type=type_, name=name, parent=parent, custom=False, inputs={}, **kw
        )  # type: ignore[arg-type]

    top = reg(
        "urn:pulumi:d::airs::pulumi:pulumi:Stack$airs:index:AirsDeployment::d",
        "airs:index:AirsDeployment",
        "d",
        stack_urn,
    )
    mid = reg(
        "urn:pulumi:d::airs::airs:index:AirsDeployment$airs:index:ClusterIntercept::c",
        "airs:index:ClusterIntercept",
        "c",
        top.urn,
    )
    leaf = reg(
        "urn:pulumi:d::airs::airs:index:ClusterIntercept$kubernetes:core/v1:NamespacePatch::new",
        "kubernetes:core/v1:NamespacePatch",
        "new",
        mid.urn,
        aliases=[{"name": "old"}],
    )
    chain = (
        "airs:index:AirsDeployment$airs:index:ClusterIntercept$kubernetes:core/v1:NamespacePatch"
    )
    regs = [top, mid, leaf]
    assert aliased(f"urn:pulumi:d::airs::{chain}::old", regs, "d", "airs")
    mock_form = (
        "urn:pulumi:d::airs::airs:index:ClusterIntercept$kubernetes:core/v1:NamespacePatch::old"
    )
    assert not aliased(mock_form, regs, "d", "airs")


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
    before = f"urn:pulumi:{run.stack}::{run.project}::airs:index:Example::before"
    by_urn = {r.urn: r for r in run.resources}
    assert [alias_urn(a, reg, by_urn, run.stack, run.project) for a in reg.aliases] == [before]
