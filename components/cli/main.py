"""The ``airs`` command: offline ``validate`` and ``plan`` (more verbs as issues land).

Exit codes: 0 success, 2 bad input (stack config or arguments), 1 program error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_PROGRAM_ERROR = 1
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airs",
        description="Offline tools for the airs Pulumi program (no Pulumi CLI needed).",
    )
    parser.add_argument(
        "--project", type=Path, default=None, help="folder holding Pulumi.yaml (default: search up)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a stack's config; print every problem")
    validate.add_argument("--stack", "-s", required=True)
    plan = sub.add_parser("plan", help="what `pulumi preview` would create, offline")
    plan.add_argument("--stack", "-s", required=True)
    plan.add_argument("--json", dest="json_file", type=Path, help="write the plan as JSON here")
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _load(args: argparse.Namespace) -> Any:
    """Project + stack settings + validated config, or an exit code."""
    from components.cli import stackfile
    from components.config import ConfigError, parse_stack_config

    try:
        project = stackfile.find_project(args.project)
        if not project.stack_file(args.stack).is_file():
            known = ", ".join(project.stacks()) or "none"
            _err(f"error: no stack file {project.stack_file(args.stack)} (stacks: {known})")
            return EXIT_BAD_INPUT
        settings = stackfile.load_stack(project, args.stack)
    except stackfile.StackFileError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    for warning in settings.warnings:
        _err(f"warning: {warning}")
    raw, secret = stackfile.airs_values(settings)
    problems = list(settings.problems)
    try:
        cfg = parse_stack_config(raw, secret)
    except ConfigError as exc:
        # Type errors from Pulumi.yaml's schema and our rules can name the same key once each.
        seen = {(p.key, p.rule) for p in problems}
        problems += [p for p in exc.problems if (p.key, p.rule) not in seen]
        cfg = None
    if problems:
        _err(f"stack {args.stack}: {len(problems)} configuration problem(s):")
        for problem in problems:
            _err(str(problem))
        return EXIT_BAD_INPUT
    return project, settings, cfg


def cmd_validate(args: argparse.Namespace) -> int:
    """``airs validate``."""
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    _, settings, cfg = loaded
    secrets = "decrypted" if settings.decrypted else "kept opaque (no PULUMI_CONFIG_PASSPHRASE)"
    print(f"stack {args.stack}: configuration valid (cloud {cfg.cloud}, secrets {secrets})")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    """``airs plan``."""
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    project, settings, _ = loaded
    from components.cli import report
    from components.cli.engine import run_program
    from components.program import InvalidStackConfig

    try:
        run = run_program(settings, project=project.name)
    except InvalidStackConfig as exc:  # defensive: _load already validated the same values
        for problem in exc.problems:
            _err(str(problem))
        return EXIT_BAD_INPUT
    except Exception as exc:
        _err(f"error: the program failed: {type(exc).__name__}: {exc}")
        return EXIT_PROGRAM_ERROR
    print(
        f"Plan for stack {args.stack} (project {project.name}), offline with Pulumi's mock engine"
    )
    print()
    for line in report.plan_tree(run):
        print(line)
    print()
    counts = report.type_counts(run)
    print(f"Resources: {sum(n for _, n in counts)} to create")
    for token, count in counts:
        print(f"    {count:>4} {token}")
    print()
    print("Outputs:")
    for line in report.format_outputs(run):
        print(line)
    if args.json_file is not None:
        doc = report.plan_json(run)
        args.json_file.write_text(
            json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        print(f"\nplan written to {args.json_file}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``airs`` console script."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    handlers = {"validate": cmd_validate, "plan": cmd_plan}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
