"""``airs graph``: a picture of a stack's deployment, drawn from its offline plan.

``airs graph --stack S`` draws the traffic path (applications and clusters, steering, load
balancer, firewall group, networks, egress) and, with ``--panorama``, the management plane;
``airs graph --diff A B`` draws B and colours what promoting A to B adds, removes and
changes, from the same comparison as ``airs diff``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.cli import usage
from components.picture.render import FORMATS


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``graph`` subcommand's arguments."""
    graph: argparse.ArgumentParser = sub.add_parser(
        "graph",
        help="draw the deployment (traffic path, management plane) from the offline plan",
        description="Draw a stack's deployment from the same offline plan as `airs plan`: "
        "the traffic path left to right and, with --panorama, the management plane. Each box "
        "is titled with the resource name `pulumi preview` shows.",
        epilog=usage.epilog("graph"),
    )
    usage.add_stack(graph, "the stack to draw", required=False)
    graph.add_argument(
        "--diff",
        nargs=2,
        metavar=("A", "B"),
        help="draw stack B and colour what promoting A to B adds, removes and changes",
    )
    graph.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="FILE.svg, FILE.png or FILE.dot (default: STACK.svg in the current folder)",
    )
    graph.add_argument(
        "--panorama", action="store_true", help="also draw the management plane (Panorama)"
    )
    graph.add_argument("--dpi", type=int, metavar="N", help="resolution of a PNG (default 96)")
    return graph


def output_path(args: argparse.Namespace) -> Path:
    """Where the picture goes."""
    if args.output is not None:
        path: Path = args.output
        return path
    stack = args.stack if args.stack else args.diff[1]
    return Path(f"{stack}.svg")


def output_problem(path: Path) -> str | None:
    """Why ``path`` cannot take the picture (checked before the plan runs), or None."""
    if not path.is_dir() and path.suffix.lstrip(".").lower() not in FORMATS:
        return f"--output {path}: the name must end in .svg, .png or .dot"
    return usage.output_problem(path, "--output", "picture.svg")


def draw(
    doc: Mapping[str, Any],
    path: Path,
    *,
    panorama: bool,
    dpi: int | None = None,
    marks: Any = None,
) -> None:
    """Draw the plan ``doc`` into ``path`` (format from its suffix)."""
    from components.picture.build import drawing

    fmt = path.suffix.lstrip(".").lower()
    path.write_bytes(drawing(doc, fmt, panorama=panorama, dpi=dpi, marks=marks))
