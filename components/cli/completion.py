"""Shell completion of ``airs`` through argcomplete: commands, flags, and stack names.

Turn it on once per shell (bash or zsh; ``--shell fish`` for fish)::

    eval "$(.venv/bin/register-python-argcomplete airs)"

The shell then runs ``airs`` with ``_ARGCOMPLETE`` set for each Tab; ``autocomplete``
answers and exits before anything else runs. Every argument that names a stack (``--stack``,
``diff A B``, ``graph --diff A B``) completes from the stack files of the stacks folder
(``--stacks-dir`` when given, else the project's, found from ``--project`` or the current
folder).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

# Arguments whose values are stack names, by their `dest`.
STACK_DESTS = frozenset({"stack", "stacks", "diff"})


def stack_names(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """The stacks whose name starts with ``prefix`` (an argcomplete completer)."""
    from components.cli import stackfile

    stacks_dir: Path | None = getattr(parsed_args, "stacks_dir", None)
    try:
        if stacks_dir is not None:
            folder = stacks_dir.expanduser()
            project = stackfile.Project(folder, "", folder, {})
        else:
            project = stackfile.find_project(getattr(parsed_args, "project", None))
        names = project.stacks()
    except (stackfile.StackFileError, OSError):
        return []  # nothing to offer; the command itself will say what is wrong
    return [name for name in names if name.startswith(prefix)]


def install(parser: argparse.ArgumentParser) -> None:
    """Give every stack-naming argument of ``parser`` and its subcommands the completer."""
    for action in parser._actions:
        if action.dest in STACK_DESTS:
            action.completer = stack_names  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                install(command)


def autocomplete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit, when this run is one."""
    if "_ARGCOMPLETE" not in os.environ:
        return  # an ordinary run: argcomplete is not even imported
    import argcomplete

    install(parser)
    argcomplete.autocomplete(parser)
