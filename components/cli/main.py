"""The ``airs`` command: offline ``validate`` and ``plan`` (more verbs as issues land).

Exit codes: 0 success, 2 bad input (stack config or arguments), 1 program error;
``diff`` exits 3 when the two sides differ; ``plan --policy`` exits 4 when a mandatory
guardrail policy fires; 141 when the reader of the output went away (components/cli/usage.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.cli import startup, usage

EXIT_OK = 0
EXIT_PROGRAM_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_POLICY_VIOLATION = 4


def _parser() -> argparse.ArgumentParser:
    from components.cli import arguments, graph, stack_init

    parser, sub = arguments.core_parser()  # airs's options; validate, plan, diff, render
    arguments.add_stack_outputs(graph.add_parser(sub))
    stack_init.add_parsers(sub)  # init, config set
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


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
    """Project + stack settings + validated config, or an exit code (problems printed)."""
    from components.cli import validation

    checked = validation.check(args.stack, args.project, args.stacks_dir)
    for warning in checked.warnings:
        _err(f"warning: {warning}")
    for line in validation.report_lines(checked):
        _err(line)
    if not checked.valid:
        return EXIT_BAD_INPUT
    return checked.project, checked.settings, checked.cfg


def cmd_validate(args: argparse.Namespace) -> int:
    """``airs validate``; with ``--json``, the problems as JSON on stdout (same exit code)."""
    if args.json_out:
        from components.cli import validation

        checked = validation.check(args.stack, args.project, args.stacks_dir)
        print(json.dumps(validation.as_json(checked), indent=2))
        return EXIT_OK if checked.valid else EXIT_BAD_INPUT
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

    if _unwritable(args.json_file):
        return EXIT_BAD_INPUT
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
        problem = usage.write_json(args.json_file, diff.as_json(result, **meta))
        if problem is not None:
            _err(f"error: {problem}")
            return EXIT_BAD_INPUT
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


def _unwritable(path: Path | None) -> bool:
    """Whether ``--json PATH`` cannot be written (said on stderr): checked before any work."""
    problem = None if path is None else usage.output_problem(path)
    if problem is not None:
        _err(f"error: {problem}")
    return problem is not None


def cmd_plan(args: argparse.Namespace) -> int:
    """``airs plan``."""
    if _unwritable(args.json_file):
        return EXIT_BAD_INPUT
    done = _load_and_run(args, args.stack)
    if isinstance(done, int):
        return done
    cfg, run = done
    from components.cli import report
    from components.cli.textfit import clip, terminal_width

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
        print(clip(f"    {count:>4} {token}", width))
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
        problem = usage.write_json(args.json_file, doc)
        if problem is not None:
            _err(f"error: {problem}")
            return EXIT_BAD_INPUT
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


def cmd_graph(args: argparse.Namespace) -> int:
    """``airs graph``: the picture of one stack, or of a promotion with ``--diff A B``."""
    from components.cli import graph, report
    from components.picture.render import RenderError

    if bool(args.stack) == bool(args.diff):
        _err("error: use `airs graph --stack S` or `airs graph --diff A B`")
        return EXIT_BAD_INPUT
    path = graph.output_path(args)
    problem = graph.output_problem(path)
    if problem is not None:
        _err(f"error: {problem}")
        return EXIT_BAD_INPUT
    marks = None
    if args.diff:
        from components.picture.marks import promotion_marks

        promotion = _promotion(args, *args.diff)
        if isinstance(promotion, int):
            return promotion
        run, result = promotion
        marks = promotion_marks(result, str(run.outputs.get("cloud", "")))
    else:
        done = _load_and_run(args, args.stack)
        if isinstance(done, int):
            return done
        run = done[1]
    try:
        graph.draw(report.plan_json(run), path, panorama=args.panorama, dpi=args.dpi, marks=marks)
    except RenderError as exc:
        _err(f"error: {exc}")
        return EXIT_PROGRAM_ERROR
    print(f"picture written to {path}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``airs`` console script."""
    parser = _parser()
    if argv is None:  # the shell asking for completions (components/cli/completion.py)
        from components.cli import completion

        completion.autocomplete(parser)
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
        "graph": cmd_graph,
        "init": stack_init.cmd_init,
        "config": stack_init.cmd_config,
    }
    startup.pause_gc()
    try:
        code = handlers[args.command](args)
        sys.stdout.flush()  # a reader gone away shows here, not at interpreter exit
        return code
    except BrokenPipeError:  # `airs plan … | head -3`
        return usage.stdout_closed()
    finally:
        startup.resume_gc()


if __name__ == "__main__":
    sys.exit(main())
