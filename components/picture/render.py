"""Lay out and draw a picture with Graphviz's ``dot`` (the ``graphviz-pure`` build).

``graphviz-pure`` is a dependency of the project: one program, installed into the virtualenv
by the README's commands, that writes the same bytes on every machine, so the committed
pictures can be checked for being current.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FORMATS = ("svg", "png", "dot")
DOT_PROGRAM = "graphviz-pure"


class RenderError(Exception):
    """The layout program is missing or refused the graph."""


def dot_program() -> str:
    """The ``graphviz-pure`` next to this interpreter (the virtualenv), else on ``PATH``."""
    beside = Path(sys.executable).with_name(DOT_PROGRAM)
    if beside.is_file():
        return str(beside)
    found = shutil.which(DOT_PROGRAM)
    if found is None:
        raise RenderError(
            f"{DOT_PROGRAM} is not installed: it comes with the project "
            "(run scripts/bootstrap.sh, or pip install graphviz-pure)"
        )
    return found


def render(dot: str, fmt: str, dpi: int | None = None) -> bytes:
    """``dot`` text drawn as ``fmt`` (``svg``, ``png``; ``dot`` returns the text itself)."""
    if fmt not in FORMATS:
        raise RenderError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "dot":
        return dot.encode()
    command = [dot_program(), f"-T{fmt}"]
    if dpi is not None:
        command.append(f"-Gdpi={dpi}")
    done = subprocess.run(  # noqa: S603 - our own program path, no shell
        command, input=dot.encode(), capture_output=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RenderError(f"{DOT_PROGRAM} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
