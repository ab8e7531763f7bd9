"""What ``airs`` tells its users and its callers: help texts, exit codes, ``--version``, and
what it does when the output it was asked for cannot be written.

Exit codes (every subcommand's ``--help`` lists its own): 0 ok, 1 program error, 2 bad
input (stack file, stack config, arguments, an output path that cannot be written), 3 ``diff``:
the two sides differ, 4 ``plan --policy``: a mandatory guardrail policy fired, 141 the
reader of the output went away (``airs plan … | head -3``): airs stops quietly, as ``git``
does (128 + SIGPIPE, what a shell reports for a program that SIGPIPE ended).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

EXIT_STDOUT_CLOSED = 141
"""128 + SIGPIPE (13): what ``git log | head -1`` leaves in ``$PIPESTATUS``."""

_BAD_INPUT = "2 bad input (stack file, stack config or arguments"
EPILOGS = {
    "airs": "exit codes: 0 ok, 1 program error, 2 bad input (stack file, stack config, "
    "arguments), 3 diff: the two sides differ, 4 plan --policy: a mandatory guardrail policy "
    "fired, 141 the output's reader stopped reading (`| head`): airs stops quietly. "
    "Each command's --help lists its own.",
    "validate": f"exit codes: 0 the config is valid, {_BAD_INPUT}); every problem is printed "
    "once, as `airs:<key>: <value> — <rule>` (or as JSON with --json)",
    "plan": f"exit codes: 0 planned, 1 program error, {_BAD_INPUT}, a --json path that cannot "
    "be written), 4 --policy: a mandatory guardrail policy fired",
    "diff": f"exit codes: 0 nothing differs, 1 program error, {_BAD_INPUT}, an unreadable "
    "--against file, a --json path that cannot be written), 3 the two sides differ",
    "render": f"exit codes: 0 rendered, 1 program error, {_BAD_INPUT}, Helm values the chart "
    "refuses)",
    "graph": f"exit codes: 0 picture written, 1 program error (the layout program failed), "
    f"{_BAD_INPUT}, an --output path that cannot be written or whose name is not .svg, .png "
    "or .dot)",
}


def epilog(command: str) -> str:
    """The exit-code line of ``command``'s ``--help``."""
    return EPILOGS[command]


def version() -> str:
    """``airs <version>``: the installed package's, else pyproject.toml's (a source tree)."""
    from importlib import metadata

    try:
        number = metadata.version("airs-intercept")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        number = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    return f"airs {number}"


def add_stack(command: argparse.ArgumentParser, help_text: str, *, required: bool = True) -> None:
    """``--stack/-s NAME``: a stack file ``Pulumi.<NAME>.yaml`` of the stacks folder."""
    command.add_argument(
        "--stack",
        "-s",
        required=required,
        metavar="NAME",
        help=f"{help_text}: reads Pulumi.NAME.yaml in the stacks folder",
    )


def output_problem(path: Path, flag: str = "--json", example: str = "plan.json") -> str | None:
    """Why ``path`` cannot take the output of ``flag``, checked before any work; or None."""
    if path.is_dir():
        return f"{flag} {path}: is a folder; give a file name in it (e.g. {path / example})"
    folder = path.parent
    if not folder.is_dir():
        return f"{flag} {path}: folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{flag} {path}: not writable here"
    return None


def write_json(path: Path, doc: Any, flag: str = "--json") -> str | None:
    """Write ``doc`` to ``path``; why it could not be written, or None."""
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:  # checked before the run; this is a full disk or a race
        return f"{flag} {path}: cannot write it: {exc.strerror or exc}"
    return None


def stdout_closed() -> int:
    """The reader of stdout went away (``| head``): stop quietly, as ``git`` does.

    Python would otherwise print ``Exception ignored … BrokenPipeError`` when it flushes
    stdout at exit: what is still buffered goes to /dev/null instead.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return EXIT_STDOUT_CLOSED
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    return EXIT_STDOUT_CLOSED
