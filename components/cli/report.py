"""Turn a program run into the plan people read (a tree) and the plan tools read (JSON)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pulumi.runtime import rpc

from components.cli.engine import ProgramRun, SecretValue, children_by_parent, engine_urn
from components.cli.mocks import Registration, is_secret
from components.cli.plan_files import STACK_TYPE
from components.guardrails.model import PANORAMA_COMMIT

if TYPE_CHECKING:
    from components.panorama.render import RenderedObject

SECRET = "[secret]"
UNKNOWN = "[unknown]"


def plain(value: Any) -> Any:
    """A JSON-safe copy of a property value: secrets masked, unknowns marked."""
    if is_secret(value) or isinstance(value, SecretValue):
        return SECRET
    if value is rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; 61.0 was an integer
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    urn = getattr(value, "urn", None)
    if urn is not None:  # a resource reference
        return f"<resource {type(value).__name__}>"
    return str(value)


def display_type(token: str) -> str:
    """``gcp:compute/network:Network`` → ``gcp:compute:Network``, as ``pulumi preview`` shows."""
    parts = token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module, _, last = parts[1].rpartition("/")
        # Pulumi drops the file part of a module only when it repeats the type's name.
        if last.lower() == parts[2].lower():
            parts[1] = module
    return ":".join(parts)


def plan_json(
    run: ProgramRun,
    *,
    helm_manifests: list[dict[str, Any]] | None = None,
    panorama: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The ``--json`` document: stack, resources, outputs, helm and panorama sections."""
    by_urn = {r.urn: r for r in run.resources}
    # The engine registers the stack itself too, and parents the program's top-level
    # resources to it: `pulumi preview --json` lists it among its steps.
    stack_name = f"{run.project}-{run.stack}"
    stack_urn = f"urn:pulumi:{run.stack}::{run.project}::{STACK_TYPE}::{stack_name}"

    def urn(mock_urn: str | None) -> str:
        reg = by_urn.get(mock_urn or "")
        return engine_urn(reg, by_urn, run.stack, run.project) if reg is not None else stack_urn

    stack: dict[str, Any] = {
        "urn": stack_urn,
        "type": STACK_TYPE,
        "name": stack_name,
        "parent": None,
        "custom": False,
        "read": False,
        "inputs": {},
    }
    return {
        "stack": run.stack,
        "project": run.project,
        "resources": [
            stack,
            *(
                {
                    "urn": urn(r.urn),
                    "type": r.type,
                    "name": r.name,
                    "parent": urn(r.parent),
                    "custom": r.custom,
                    "read": r.read,
                    "inputs": plain(r.inputs),
                }
                for r in run.resources
            ),
        ],
        "outputs": {k: plain(v) for k, v in sorted(run.outputs.items())},
        "helm": {"manifests": plain(helm_manifests or [])},
        "panorama": list(panorama or []),
    }


def plan_tree(run: ProgramRun) -> list[str]:
    """Lines of the resource tree, parent → children, like ``pulumi preview``."""
    by_parent = children_by_parent(run.resources)
    width = max((len(display_type(r.type)) for r in run.resources), default=20) + 8
    lines = [
        f"     {'Type':<{width}} Name",
        f" +   {'pulumi:pulumi:Stack':<{width}} {run.project}-{run.stack}",
    ]

    def walk(parent: str | None, prefix: str) -> None:
        kids = by_parent.get(parent, [])
        for i, res in enumerate(kids):
            last = i == len(kids) - 1
            branch = "└─ " if last else "├─ "
            label = f"{prefix}{branch}{display_type(res.type)}"
            op = " >  " if res.read else " +  "
            lines.append(f"{op} {label:<{width}} {res.name}")
            walk(res.urn, prefix + ("   " if last else "│  "))

    walk(None, "")
    return lines


def type_counts(run: ProgramRun) -> list[tuple[str, int]]:
    """How many resources of each type the stack would create (custom resources only)."""
    counts = Counter(display_type(r.type) for r in run.resources if r.custom and not r.read)
    return sorted(counts.items())


def format_outputs(run: ProgramRun) -> list[str]:
    """Stack outputs, secrets masked."""
    lines = []
    for key, value in sorted(run.outputs.items()):
        shown = plain(value)
        text = shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True)
        lines.append(f"    {key}: {text}")
    return lines


def helm_releases(run: ProgramRun) -> list[Registration]:
    """The Helm releases the program registered."""
    return [r for r in run.resources if r.type == "kubernetes:helm.sh/v3:Release"]


def panorama_objects(run: ProgramRun) -> list[RenderedObject]:
    """The Panorama objects the program registered, in the order each commit lists them
    (the rendered order, as ``airs render --panorama`` prints them)."""
    from components.panorama.render import RenderedObject

    return [
        RenderedObject(
            kind=str(entry["kind"]),
            name=str(entry["name"]),
            xpath=str(entry["xpath"]),
            element=str(entry["element"]),
            mode=entry.get("mode", "replace"),
        )
        for commit in run.resources
        if commit.type == PANORAMA_COMMIT
        for entry in commit.inputs.get("objects") or []
    ]


def format_panorama(objects: Iterable[RenderedObject]) -> list[str]:
    """Each object as ``# kind name``, its xpath and its element, a blank line after."""
    return [f"# {o.kind} {o.name}\nxpath: {o.xpath}\n{o.element}\n" for o in objects]


def render_releases(run: ProgramRun) -> list[dict[str, Any]]:
    """Every object each Helm release would install, rendered by Helm's own engine.

    Raises:
        components.cluster.chart.ChartError: the chart's schema refused a release's values.
    """
    from components.cluster import chart

    manifests: list[dict[str, Any]] = []
    for release in helm_releases(run):
        values = plain(release.inputs.get("values") or {})
        namespace = str(release.inputs.get("namespace") or chart.RELEASE_NAMESPACE)
        for doc in chart.render_chart(values, namespace=namespace):
            manifests.append(doc)
    return manifests
