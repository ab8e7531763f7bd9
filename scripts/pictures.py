"""Draw every example stack into docs/pictures/<stack>.svg, as `airs graph --panorama` does.

    .venv/bin/python scripts/pictures.py     # rewrite docs/pictures/
    .venv/bin/python scripts/pictures.py --check   # exit 1 if any picture is not current

A layered cluster stack is drawn with its security stack's offline outputs, as
``airs plan --stack-outputs`` would read them. tests/picture checks the pictures are current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.cli import stackfile  # noqa: E402
from components.cli.engine import run_stack  # noqa: E402
from components.cli.report import plan_json  # noqa: E402
from components.picture.build import drawing  # noqa: E402

PICTURES = ROOT / "docs" / "pictures"


def picture_svg(project: stackfile.Project, stack: str) -> bytes:
    """The SVG of one stack with its management plane."""
    return drawing(plan_json(run_stack(project, stack)), "svg")


def write_gallery(project: stackfile.Project, folder: Path) -> list[Path]:
    """One ``<stack>.svg`` per stack of the project in ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stack in project.stacks():
        path = folder / f"{stack}.svg"
        path.write_bytes(picture_svg(project, stack))
        written.append(path)
    return written


def stale(project: stackfile.Project, folder: Path) -> list[str]:
    """Stacks whose committed picture differs from a fresh drawing (or is missing)."""
    return [
        stack
        for stack in project.stacks()
        if not (folder / f"{stack}.svg").is_file()
        or (folder / f"{stack}.svg").read_bytes() != picture_svg(project, stack)
    ]


def main() -> int:
    """Rewrite the pictures, or with ``--check`` list the stale ones (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check they are current")
    args = parser.parse_args()
    project = stackfile.load_project(ROOT / "Pulumi.yaml")
    if args.check:
        old = stale(project, PICTURES)
        for stack in old:
            print(f"docs/pictures/{stack}.svg is not current: run scripts/pictures.py")
        return 1 if old else 0
    for path in write_gallery(project, PICTURES):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
