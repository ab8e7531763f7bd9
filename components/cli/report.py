"""Turn a program run into the plan people read (a tree) and the plan tools read (JSON)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pulumi.runtime import rpc

from components.cli.assets import asset_json, is_asset
from components.cli.engine import ProgramRun, SecretValue, children_by_parent, engine_urn
from components.cli.mocks import Registration, is_secret
from components.cli.plan_files import STACK_TYPE
from components.guardrails.model import PANORAMA_COMMIT

if TYPE_CHECKING:
    from components.panorama.render import RenderedObject

SECRET = "[secret]"
UNKNOWN = "[unknown]"
MIN_NAME_ROOM = 16
"""Narrowest name column the tree keeps beside the types; narrower, names go below."""


def plain(value: Any) -> Any:
    """A JSON-safe copy of a property value: secrets masked, unknowns marked, assets by content."""
    if is_secret(value) or isinstance(value, SecretValue):
        return SECRET
    if value is rpc.UNKNOWN:
        return UNKNOWN
    if is_asset(value):  # by content: its str() is a memory address, new on every run
        return asset_json(value)
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


DYNAMIC_PREFIX = "pulumi-python:dynamic/"


def tree_type(token: str) -> str:
    """The type as the tree shows it: :func:`display_type`, and Pulumi dynamic resources
    without their ``pulumi-python:dynamic/`` prefix (``panorama:Object``), see
    :func:`tree_legend`."""
    if token.startswith(DYNAMIC_PREFIX):
        return token[len(DYNAMIC_PREFIX) :]
    return display_type(token)


def tree_legend(run: ProgramRun, width: int | None) -> list[str]:
    """What the tree's marks and short types mean."""
    from components.cli.textfit import wrap

    text = "Legend: + to create; > to read (an existing object the program looks up, not changed)"
    dynamic = sorted({r.type for r in run.resources if r.type.startswith(DYNAMIC_PREFIX)})
    lines = wrap(text, width, indent="        ")
    if dynamic:
        short = ", ".join(tree_type(t) for t in dynamic)
        lines += wrap(
            f"        {short}: this program's Pulumi dynamic resources, whose types "
            f"are {DYNAMIC_PREFIX}<module>:<name>",
            width,
            indent="        ",
        )
    return lines


def plan_tree(run: ProgramRun, width: int | None = None) -> list[str]:
    """Lines of the resource tree, parent → children, like ``pulumi preview``.

    ``width``: fit every line to it (names wrap under their column, or below the type
    when the column has no room left); None prints full lines.
    """
    from components.cli.textfit import clip, split_name

    by_parent = children_by_parent(run.resources)
    rows: list[tuple[str, str, str, str]] = []  # (mark, label, name, continuation prefix)

    def walk(parent: str | None, prefix: str) -> None:
        kids = by_parent.get(parent, [])
        for i, res in enumerate(kids):
            last = i == len(kids) - 1
            below = prefix + ("   " if last else "│  ")
            # A wrapped name keeps the tree's lines going: siblings below, children next.
            more = below + ("│" if by_parent.get(res.urn) else "")
            label = f"{prefix}{'└─ ' if last else '├─ '}{tree_type(res.type)}"
            rows.append((">" if res.read else "+", label, res.name, more))
            walk(res.urn, below)

    top = "│" if by_parent.get(None) else ""
    rows.append(("+", "pulumi:pulumi:Stack", f"{run.project}-{run.stack}", top))
    walk(None, "")
    column = max(len(label) for _, label, _, _ in rows)
    lead = 5  # " +   "
    room = None if width is None else width - lead - column - 1
    if room is None or room >= MIN_NAME_ROOM:
        lines = [f"{' ' * lead}{'Type':<{column}} Name"]
        for mark, label, name, more in rows:
            pieces = [name] if room is None else split_name(name, room)
            lines.append(f" {mark}   {label:<{column}} {pieces[0]}")
            lines += [f"{' ' * lead}{more:<{column}} {piece}" for piece in pieces[1:]]
        return lines
    # Too narrow for a name column: each name goes under its type, indented.
    assert width is not None
    lines = [f"{' ' * lead}Type (name below)"]
    for mark, label, name, more in rows:
        lines.append(clip(f" {mark}   {label}", width))
        indent = f"{' ' * lead}{more:<{len(more) + 2}}"
        room_below = max(width - len(indent), 8)
        lines += [clip(indent + piece, width) for piece in split_name(name, room_below)]
    return lines


def type_counts(run: ProgramRun) -> list[tuple[str, int]]:
    """How many resources of each type the stack would create (custom resources only)."""
    counts = Counter(tree_type(r.type) for r in run.resources if r.custom and not r.read)
    return sorted(counts.items())


def mock_check(run: ProgramRun, *, null_is_mock: bool = False) -> Callable[[Any], bool]:
    """Whether a plain value was made up by the mock engine (an id, an ARN, an address the
    cloud assigns), or contains such a value; with ``null_is_mock``, None too (an output
    the mock engine left unset, such as a commit job that only a real ``up`` has)."""
    exact = run.mock_values
    # A derived value (a URL holding a mock id) is found by its part; short strings would
    # match by chance.
    parts = [m for m in exact if len(m) >= 8]

    def check(value: Any) -> bool:
        if value is None:
            return null_is_mock
        if not isinstance(value, str) or value in (SECRET, UNKNOWN):
            return False
        return value in exact or any(part in value for part in parts)

    return check


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def format_outputs(run: ProgramRun, width: int | None = None) -> list[str]:
    """Stack outputs, secrets masked, one key per line (nested values indented), values the
    mock engine made up marked ``(mock)``; long values cut to ``width``."""
    from components.cli.textfit import fit_rows, value_rows

    shown = _sorted({key: plain(value) for key, value in run.outputs.items()})
    return fit_rows(value_rows(shown, 4, mock_check(run, null_is_mock=True), width), width)


def release_values(run: ProgramRun, width: int | None = None) -> list[str]:
    """Each Helm release (name, namespace, chart) and the values it is installed with, as
    the plan shows them without rendering the chart."""
    from components.cli.textfit import fit_rows, value_rows, wrap

    lines: list[str] = []
    check = mock_check(run)
    for release in helm_releases(run):
        inputs = plain(release.inputs)
        head = (
            f"Helm release {inputs.get('name')} ({release.name}) in namespace "
            f"{inputs.get('namespace')}, values:"
        )
        lines += wrap(head, width)
        lines += fit_rows(value_rows(inputs.get("values") or {}, 4, check, width), width)
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


def format_panorama(
    objects: Iterable[RenderedObject], *, pretty: bool = False, width: int | None = None
) -> list[str]:
    """Each object as ``# kind name``, its xpath and its element, a blank line after.

    ``pretty``: the element one XML element per line, indented (``airs plan --show
    panorama``), the xpath broken before a step and long lines cut to ``width``; without it,
    the exact element text (``airs render --panorama``).
    """
    if not pretty:
        return [f"# {o.kind} {o.name}\nxpath: {o.xpath}\n{o.element}\n" for o in objects]
    from components.cli.textfit import clip, pretty_xml, split_xpath

    texts = []
    for o in objects:
        room = None if width is None else max(width - len("xpath: "), 8)
        xpath = [o.xpath] if room is None else split_xpath(o.xpath, room)
        lines = [clip(f"# {o.kind} {o.name}", width), f"xpath: {xpath[0]}"]
        lines += [f"       {step}" for step in xpath[1:]]
        lines += [clip(line, width) for line in pretty_xml(o.element)]
        texts.append("\n".join(lines) + "\n")
    return texts


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
