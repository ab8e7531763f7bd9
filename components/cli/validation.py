"""Read a stack and check its config: everything ``airs`` refuses a stack for, in one place.

``check`` gathers the problems (the stack file's, Pulumi.yaml's types, the config rules');
the CLI prints them as lines (``airs:<key>: <value> — <rule>``), and ``airs validate
--json`` as JSON for editors and CI annotations, each with the file and line of its key.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.cli import stackfile
from components.cli.yamlfile import FileProblem, StackFileError
from components.config import NAMESPACE, ConfigError, ConfigProblem


@dataclass
class Checked:
    """One stack read and checked: its config when valid, every problem otherwise."""

    stack: str
    project: Any = None
    settings: stackfile.StackSettings | None = None
    cfg: Any = None
    """The validated stack config (None when there are problems)."""
    file_problems: list[FileProblem] = field(default_factory=list)
    """Why the project or stack file could not be read (nothing else was checked)."""
    problems: list[ConfigProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Nothing refused."""
        return not self.file_problems and not self.problems


def check(stack: str, project_dir: Path | None = None, stacks_dir: Path | None = None) -> Checked:
    """Read ``stack`` (``--project``, ``--stacks-dir`` as given) and check its config."""
    from components.clouds import parse_stack_config

    checked = Checked(stack)
    try:
        if stacks_dir is not None and not stacks_dir.is_dir():
            raise StackFileError(f"--stacks-dir {stacks_dir}: no such folder")
        project = stackfile.find_project(project_dir, stacks_dir=stacks_dir)
        if stacks_dir is not None:
            project = dataclasses.replace(project, stack_config_dir=stacks_dir)
        checked.project = project
        path = project.stack_file(stack)
        if not path.is_file():
            known = ", ".join(project.stacks()) or "none"
            raise StackFileError(FileProblem(f"no stack file {path} (stacks: {known})", path))
        checked.settings = settings = stackfile.load_stack(project, stack)
    except StackFileError as exc:
        checked.file_problems = exc.problems
        return checked
    checked.warnings = list(settings.warnings)
    raw, secret = stackfile.airs_values(settings)
    problems = list(settings.problems)
    try:
        checked.cfg = parse_stack_config(raw, secret)
    except ConfigError as exc:
        # A key Pulumi.yaml's schema already refuses (wrong type, missing) gets that one line:
        # our rules about the same value ("must be a secret") say the same thing again.
        reported = {p.key for p in problems}
        problems += [p for p in exc.problems if p.key not in reported]
    checked.problems = problems
    if problems:
        checked.cfg = None
    return checked


def report_lines(checked: Checked) -> list[str]:
    """The refusal as printed on stderr (empty when valid)."""
    if checked.file_problems:
        return [f"error: {p}" for p in checked.file_problems]
    if not checked.problems:
        return []
    header = f"stack {checked.stack}: {len(checked.problems)} configuration problem(s):"
    return [header, *(str(p) for p in checked.problems)]


# --------------------------------------------------------------------------- --json


def _shown_path(path: Path | None) -> str | None:
    """``path`` relative to the current folder when inside it (CI annotations want that)."""
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def line_of(key_lines: dict[str, int], key: str) -> int | None:
    """Line of config key ``key`` (``airs:clusters.apps.zones[0]``) in its stack file.

    A key the file does not have (a missing one) gets the line of its nearest parent that
    it has: where the key is to be added. None when not even the top-level key is there.
    """
    parts = re.split(r"(?=[.\[])", key)
    for end in range(len(parts), 0, -1):
        line = key_lines.get("".join(parts[:end]))
        if line is not None:
            return line
    return None


def _config_record(problem: ConfigProblem, settings: stackfile.StackSettings) -> dict[str, Any]:
    key = f"{NAMESPACE}:{problem.key}"
    return {
        "key": key,
        "value": problem.value,  # as the text shows it: secrets "[secret]", long values cut
        "rule": problem.rule,
        "file": _shown_path(settings.path),
        "line": line_of(settings.key_lines, key),
        "message": str(problem),
    }


def _file_record(problem: FileProblem) -> dict[str, Any]:
    return {
        "key": problem.key,
        "value": problem.value,
        "rule": problem.rule or problem.text,
        "file": _shown_path(problem.path),
        "line": problem.line,
        "message": problem.text,
    }


def as_json(checked: Checked) -> dict[str, Any]:
    """``airs validate --json``: ``{stack, valid, cloud, problems, warnings}``.

    Each problem is ``{key, value, rule, file, line, message}``: ``key`` the full config key
    (null when the problem is not about one), ``value`` as the text output shows it,
    ``line`` 1-based (null when not known), ``message`` the line the text output prints.
    """
    settings = checked.settings
    problems = [_file_record(p) for p in checked.file_problems]
    if settings is not None:
        problems += [_config_record(p, settings) for p in checked.problems]
    return {
        "stack": checked.stack,
        "valid": checked.valid,
        "cloud": checked.cfg.cloud if checked.cfg is not None else None,
        "file": _shown_path(settings.path) if settings is not None else None,
        "problems": problems,
        "warnings": [_file_record(w) for w in checked.warnings],
    }
