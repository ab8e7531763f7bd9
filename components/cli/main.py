"""The ``airs`` command: offline ``validate`` and ``plan`` (more verbs as issues land).

Exit codes: 0 success, 2 bad input (stack config or arguments), 1 program error;
``diff`` exits 3 when the two sides differ; ``plan --policy`` exits 4 when a mandatory
guardrail policy fires.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.cli import startup

EXIT_OK = 0
EXIT_PROGRAM_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_POLICY_VIOLATION = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airs",
        description="Offline tools for the airs Pulumi program (no Pulumi CLI needed).",
        epilog="exit codes: 0 ok, 1 program error, 2 bad input (stack config or arguments), "
        "3 diff: the two sides differ, 4 plan --policy: a mandatory guardrail policy fired",
    )
    parser.add_argument(
        "--project", type=Path, default=None, help="folder holding Pulumi.yaml (default: search up)"
    )
    parser.add_argument(
        "--stacks-dir",
        type=Path,
        default=None,
        help="read Pulumi.<stack>.yaml from this folder instead of Pulumi.yaml's stackConfigDir",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a stack's config; print every problem")
    validate.add_argument("--stack", "-s", required=True)
    plan = sub.add_parser("plan", help="what `pulumi preview` would create, offline")
    plan.add_argument("--stack", "-s", required=True)
    plan.add_argument("--json", dest="json_file", type=Path, help="write the plan as JSON here")
    plan.add_argument(
        "--policy",
        action="store_true",
        help="also run the guardrail policy pack's checks (policy/); exit 4 if any fires",
    )
    _add_stack_outputs(plan)
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
    )
    diff.add_argument("stacks", nargs="*", metavar="STACK", help="two stacks: A (old) and B (new)")
    diff.add_argument("--stack", "-s", dest="stack", help="the stack to compare with FILE")
    diff.add_argument(
        "--against", type=Path, help="saved `airs plan --json` or `pulumi stack export` output"
    )
    diff.add_argument("--json", dest="json_file", type=Path, help="write the diff as JSON here")
    _add_stack_outputs(diff)
    render = sub.add_parser("render", help="print what a stack renders, without the plan")
    render.add_argument("--stack", "-s", required=True)
    _add_stack_outputs(render)
    what = render.add_mutually_exclusive_group(required=True)
    what.add_argument("--panorama", action="store_true", help="Panorama XML (xpath + element)")
    what.add_argument("--helm", action="store_true", help="the Helm release's manifests")
    from components.cli import stack_init

    stack_init.add_parsers(sub)  # init, config set
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _add_stack_outputs(command: argparse.ArgumentParser) -> None:
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


def _security_outputs(args: argparse.Namespace, stack: str, cfg: Any, project: Any) -> Any:
    """(every --stack-outputs file, the one ``airs:securityStack`` names), or an exit code."""
    from components.cli import stack_outputs

    try:
        given = [stack_outputs.load(path) for path in args.stack_outputs]
    except stack_outputs.StackOutputsError as exc:
        _err(f"error: --stack-outputs {exc}")
        return EXIT_BAD_INPUT
    if cfg.security_stack is None:
        return given, None
    found = stack_outputs.find(given, cfg.security_stack, project.name)
    if found is None:
        have = ", ".join(f"{o.project}/{o.stack} ({o.source})" for o in given)
        _err(
            f"error: stack {stack} reads the outputs of security stack {cfg.security_stack} "
            f"(airs:securityStack): give them with --stack-outputs FILE, a saved "
            f"`airs plan --json` or `pulumi stack export` of {cfg.security_stack}"
            + (f" (given: {have})" if have else "")
        )
        return EXIT_BAD_INPUT
    return given, found


def _load(args: argparse.Namespace) -> Any:
    """Project + stack settings + validated config, or an exit code."""
    from components.cli import stackfile
    from components.clouds import parse_stack_config
    from components.config import MISSING, ConfigError

    try:
        project = stackfile.find_project(args.project)
        if args.stacks_dir is not None:
            project = dataclasses.replace(project, stack_config_dir=args.stacks_dir)
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
        # Type errors from Pulumi.yaml's schema and our rules can name the same key once each;
        # a key Pulumi.yaml already reports missing is not reported missing twice.
        seen = {(p.key, p.rule) for p in problems}
        missing = {p.key for p in problems if p.value == MISSING}
        problems += [
            p
            for p in exc.problems
            if (p.key, p.rule) not in seen and not (p.key in missing and p.value == MISSING)
        ]
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


def panorama_objects(cfg: Any, security: Any = None) -> list[Any]:
    """Every Panorama object the stack owns, rendered to (xpath, element) offline.

    ``security``: a layered cluster stack's security stack outputs (``StackOutputs``).
    """
    from components.clouds import build_intent
    from components.deployment import cluster_stack_intent, panorama_inputs
    from components.panorama.component import PLUGIN_CLUSTER_KINDS, owned_objects

    if cfg.security_stack is not None:
        intent = cluster_stack_intent(cfg, security.values)
        return owned_objects(intent, PLUGIN_CLUSTER_KINDS)
    return owned_objects(build_intent(panorama_inputs(cfg)))


def _yaml_docs(docs: list[dict[str, Any]]) -> str:
    import yaml

    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)


def cmd_render(args: argparse.Namespace) -> int:
    """``airs render``."""
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    project, settings, cfg = loaded
    startup.freeze_heap()
    outputs = _security_outputs(args, args.stack, cfg, project)
    if isinstance(outputs, int):
        return outputs
    from components.cli import report

    if args.panorama:
        # Offline: rendered from the config alone, without running the program.
        for text in report.format_panorama(panorama_objects(cfg, outputs[1])):
            print(text)
        return EXIT_OK
    run = _run(project, settings, outputs[0])
    if isinstance(run, int):
        return run
    manifests = _helm(run)
    if isinstance(manifests, int):
        return manifests
    print(_yaml_docs(manifests), end="")
    return EXIT_OK


def _load_and_run(args: argparse.Namespace, stack: str) -> Any:
    """(validated config, program run) of ``stack``, or an exit code."""
    loaded = _load(
        argparse.Namespace(project=args.project, stacks_dir=args.stacks_dir, stack=stack)
    )
    if isinstance(loaded, int):
        return loaded
    startup.freeze_heap()
    project, settings, cfg = loaded
    outputs = _security_outputs(args, stack, cfg, project)
    if isinstance(outputs, int):
        return outputs
    run = _run(project, settings, outputs[0])
    if isinstance(run, int):
        return run
    return cfg, run


def _run(project: Any, settings: Any, stack_outputs: Sequence[Any] = ()) -> Any:
    """The program under the mock engine, or an exit code."""
    from components.cli.engine import run_program
    from components.run_errors import InvalidStackConfig

    try:
        return run_program(settings, project=project.name, stack_outputs=stack_outputs)
    except InvalidStackConfig as exc:  # defensive: _load already validated the same values
        for problem in exc.problems:
            _err(str(problem))
        return EXIT_BAD_INPUT
    except Exception as exc:
        _err(f"error: the program failed: {type(exc).__name__}: {exc}")
        return EXIT_PROGRAM_ERROR


def _helm(run: Any) -> Any:
    """Rendered manifests of every release, or an exit code if the chart refuses values."""
    from components.cli import report
    from components.cluster.chart import ChartError

    try:
        return report.render_releases(run)
    except ChartError as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT


EXIT_DIFFERENT = 3


def _promotion(args: argparse.Namespace, stack_a: str, stack_b: str) -> Any:
    """(B's program run, the differences A → B), or an exit code (``airs diff A B``, ``airs
    graph --diff A B``)."""
    from components.cli.promotion import promote

    return promote(lambda stack: _load_and_run(args, stack), stack_a, stack_b)


def cmd_diff(args: argparse.Namespace) -> int:
    """``airs diff``: exit 0 when nothing differs, 3 when something does, 2 on bad input."""
    from components.cli import diff
    from components.cli.promotion import header as promotion_header

    if args.against is not None:
        if not args.stack or args.stacks:
            _err("error: use `airs diff --stack S --against FILE` or `airs diff A B`")
            return EXIT_BAD_INPUT
        try:
            recorded = json.loads(args.against.read_text(encoding="utf-8"))
            kind, old = diff.resources_of_file(recorded)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            _err(f"error: {args.against}: {exc}")
            return EXIT_BAD_INPUT
        done = _load_and_run(args, args.stack)
        if isinstance(done, int):
            return done
        result = diff.compare(old, diff.resources_of_run(done[1]))
        header = (
            f"Stack {args.stack} against {args.against} ({kind}): what `pulumi up` would change"
        )
        note: str | None = diff.AGAINST_NOTE
        meta = {"stack": args.stack, "against": str(args.against), "note": diff.AGAINST_NOTE}
    else:
        if len(args.stacks) != 2 or args.stack:
            _err("error: use `airs diff A B` or `airs diff --stack S --against FILE`")
            return EXIT_BAD_INPUT
        promotion = _promotion(args, *args.stacks)
        if isinstance(promotion, int):
            return promotion
        result = promotion[1]
        header, meta = promotion_header(args.stacks[0], args.stacks[1], result)
        note = diff.PROMOTION_NOTE
    for line in diff.format_tree(result, header, note):
        print(line)
    if args.json_file is not None:
        doc = diff.as_json(result, **meta)
        args.json_file.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK if result.empty else EXIT_DIFFERENT


def _push_targets(cfg: Any) -> str:
    """Who receives the push: the named on-prem firewalls, or those that bootstrapped."""
    from components.clouds import target

    where = f"template stack {cfg.template_stack} and device group {cfg.device_group}"
    serials = target(cfg.cloud).panorama_facts(cfg).devices
    if serials:
        return f"Push: to firewall {', '.join(serials)} in {where} (airs:firewall.serials)"
    return (
        f"Push: to the firewalls registered in {where}; they join when they bootstrap "
        "(tplname/dgname), so the first up pushes to none and each new firewall pulls the "
        "configuration when it registers"
    )


def _say(text: str, width: int | None) -> None:
    """Print prose wrapped to ``width`` (None: one line)."""
    from components.cli.textfit import wrap

    for line in wrap(text, width):
        print(line)


def cmd_plan(args: argparse.Namespace) -> int:
    """``airs plan``."""
    done = _load_and_run(args, args.stack)
    if isinstance(done, int):
        return done
    cfg, run = done
    from components.cli import report
    from components.cli.textfit import terminal_width

    width = terminal_width()  # $COLUMNS or the terminal's; None (full lines) for a pipe
    # Helm's engine (a Go library, ~55 MB resident) loads only when the manifests are
    # shown or written: the release values were already checked key by key by the config
    # layer, which refuses everything the chart's schema refuses (tests/bad_inputs).
    manifests: list[dict[str, Any]] | None = None
    if "helm" in args.show or args.json_file is not None:
        manifests = _helm(run)
        if isinstance(manifests, int):
            return manifests
    panorama = report.panorama_objects(run)
    _say(
        f"Plan for stack {args.stack} (project {run.project}), offline with Pulumi's mock engine",
        width,
    )
    print()
    for line in [*report.plan_tree(run, width), *report.tree_legend(run, width)]:
        print(line)
    print()
    counts = report.type_counts(run)
    custom = sum(n for _, n in counts)
    components = sum(1 for r in run.resources if not r.custom)
    # Counted as `pulumi preview` counts them: the stack and the components too.
    _say(
        f"Resources: {1 + components + custom} to create "
        f"(the stack, {components} components, {custom} resources)",
        width,
    )
    for token, count in counts:
        print(f"    {count:>4} {token}")
    print()
    applied = (
        f"Kubernetes plugin entries in security stack {cfg.security_stack}'s Panorama, "
        "committed (not pushed) once per `pulumi up`"
        if cfg.security_stack is not None
        else "committed and pushed once per `pulumi up`"
    )
    rendered = (
        f"{len(manifests)} objects" if manifests is not None else "objects shown with --show helm"
    )
    _say(
        f"Helm: {len(report.helm_releases(run))} release(s), {rendered}; "
        f"Panorama: {len(panorama)} objects, {applied}",
        width,
    )
    if cfg.security_stack is None and cfg.panorama.push:
        _say(_push_targets(cfg), width)
    for line in report.release_values(run, width):
        print(line if line.startswith(" ") else f"\n{line}")
    print()
    _say(
        "Outputs ((mock): the cloud computes the value at `pulumi up`; the offline plan "
        "shows a stand-in):",
        width,
    )
    for line in report.format_outputs(run, width):
        print(line)
    if manifests is not None and "helm" in args.show:
        print("\nHelm manifests:\n")
        print(_yaml_docs(manifests), end="")
    if "panorama" in args.show:
        print()
        _say("Panorama objects (the exact XML: `airs render --panorama` or --json):", width)
        print()
        for text in report.format_panorama(panorama, pretty=True, width=width):
            print(text)
    if args.json_file is not None:
        doc = report.plan_json(
            run,
            helm_manifests=manifests or [],
            panorama=[{"xpath": o.xpath, "element": o.element} for o in panorama],
        )
        args.json_file.write_text(
            json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        print()
        _say(f"plan written to {args.json_file}", width)
    if args.policy:
        from components.cli import policy

        violations = policy.check(run)
        print()
        for line in policy.format_violations(violations):
            print(line)
        if violations:
            return EXIT_POLICY_VIOLATION
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``airs`` console script."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    from components.cli import stack_init

    handlers = {
        "validate": cmd_validate,
        "plan": cmd_plan,
        "render": cmd_render,
        "diff": cmd_diff,
        "init": stack_init.cmd_init,
        "config": stack_init.cmd_config,
    }
    startup.pause_gc()
    try:
        return handlers[args.command](args)
    finally:
        startup.resume_gc()


if __name__ == "__main__":
    sys.exit(main())
