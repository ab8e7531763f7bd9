"""The arguments of ``airs`` and of its validate, plan, diff and render commands.

Other commands add their own subparsers (``graph.add_parser``, ``stack_init.add_parsers``);
every command has a description, exit codes in its epilog and help on every argument
(tests/cli/test_help.py walks them all).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from components.cli import usage


def core_parser() -> tuple[argparse.ArgumentParser, Any]:
    """``airs``'s own options and its first commands; (parser, subparsers) to add more."""
    parser = argparse.ArgumentParser(
        prog="airs",
        description="Offline tools for the airs Pulumi program (no Pulumi CLI needed).",
        epilog=usage.epilog("airs"),
    )
    parser.add_argument("--version", action="version", version=usage.version())
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder holding Pulumi.yaml (default: the current folder or a parent)",
    )
    parser.add_argument(
        "--stacks-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="read Pulumi.<stack>.yaml from this folder instead of Pulumi.yaml's "
        "stackConfigDir (without --project, the project is also looked for above it)",
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        help="one of these; `airs COMMAND --help` for its flags and exit codes",
    )
    validate = sub.add_parser(
        "validate",
        help="check a stack's config; print every problem",
        description="Read a stack file and check its config against Pulumi.yaml and every "
        "airs rule, without running the program.",
        epilog=usage.epilog("validate"),
    )
    usage.add_stack(validate, "the stack to check")
    validate.add_argument(
        "--json",
        dest="json_out",
        action="store_true",
        help="print {stack, valid, cloud, file, problems, warnings} as JSON on stdout; each "
        "problem {key, value, rule, file, line, message}, values shown as in the text",
    )
    plan = sub.add_parser(
        "plan",
        help="what `pulumi preview` would create, offline",
        description="Run the program under Pulumi's mock engine and print what `pulumi "
        "preview` would create: the resource tree, counts per type, outputs.",
        epilog=usage.epilog("plan"),
    )
    usage.add_stack(plan, "the stack to plan")
    plan.add_argument(
        "--json",
        dest="json_file",
        type=Path,
        metavar="FILE",
        help="also write the plan as JSON to FILE (its folder must exist)",
    )
    plan.add_argument(
        "--policy",
        action="store_true",
        help="also run the guardrail policy pack's checks (policy/); exit 4 if any fires",
    )
    add_stack_outputs(plan)
    plan.add_argument(
        "--show",
        action="append",
        choices=["helm", "panorama"],
        default=[],
        help="also print every rendered Helm object / Panorama xpath and element",
    )
    diff = sub.add_parser(
        "diff",
        help="what differs: `airs diff A B` (promotion) or `--stack S --against FILE`",
        description="Plan two stacks and show what promoting A to B changes, or plan one "
        "stack and show what `pulumi up` would change against a saved plan or state export.",
        epilog=usage.epilog("diff"),
    )
    diff.add_argument("stacks", nargs="*", metavar="STACK", help="two stacks: A (old) and B (new)")
    usage.add_stack(diff, "the stack to compare with --against FILE", required=False)
    diff.add_argument(
        "--against",
        type=Path,
        metavar="FILE",
        help="saved `airs plan --json` or `pulumi stack export` output",
    )
    diff.add_argument(
        "--json", dest="json_file", type=Path, metavar="FILE", help="also write the diff as JSON"
    )
    add_stack_outputs(diff)
    render = sub.add_parser(
        "render",
        help="print what a stack renders, without the plan",
        description="Print the Panorama XML (rendered from the config alone) or the Helm "
        "release's manifests (from an offline run) of a stack.",
        epilog=usage.epilog("render"),
    )
    usage.add_stack(render, "the stack to render")
    add_stack_outputs(render)
    what = render.add_mutually_exclusive_group(required=True)
    what.add_argument("--panorama", action="store_true", help="Panorama XML (xpath + element)")
    what.add_argument("--helm", action="store_true", help="the Helm release's manifests")
    return parser, sub


def add_stack_outputs(command: argparse.ArgumentParser) -> None:
    """``--stack-outputs FILE`` (repeatable): a layered stack's security stack outputs."""
    command.add_argument(
        "--stack-outputs",
        dest="stack_outputs",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="layered stacks: the outputs of the stack named by airs:securityStack, as a saved "
        "`airs plan --json` or `pulumi stack export` of it (repeat for several stacks)",
    )
