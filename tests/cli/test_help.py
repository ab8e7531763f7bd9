"""Issue 16, item 9: every command and flag of `airs` says what it does and how it exits."""

from __future__ import annotations

import argparse
import tomllib

import pytest

from components.cli.main import _parser, main
from tests.helpers import ROOT


def missing_help(parser: argparse.ArgumentParser, name: str = "airs") -> list[str]:
    """Every command without a description or exit codes, and every argument without help."""
    found: list[str] = []
    if not parser.description:
        found.append(f"{name}: no description")
    if "exit codes:" not in (parser.epilog or ""):
        found.append(f"{name}: no exit codes in its epilog")
    for action in parser._actions:
        label = "/".join(action.option_strings) or action.dest
        if not action.help or action.help == argparse.SUPPRESS:
            found.append(f"{name} {label}: no help")
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest: choice.help for choice in action._choices_actions}
            for command, sub in action.choices.items():
                if not listed.get(command):
                    found.append(f"{name} {command}: no help line in `{name} --help`")
                found += missing_help(sub, f"{name} {command}")
    return found


def test_every_command_and_argument_has_help() -> None:
    assert missing_help(_parser()) == []


def test_the_walk_finds_what_is_missing() -> None:
    """The check above is not vacuous: it names each kind of gap."""
    parser = argparse.ArgumentParser(prog="x", description="x", epilog="exit codes: 0 ok")
    sub = parser.add_subparsers(dest="command", help="commands")
    quiet = sub.add_parser("quiet")
    quiet.add_argument("--stack")
    quiet.add_argument("--hidden", help=argparse.SUPPRESS)
    assert missing_help(parser, "x") == [
        "x quiet: no help line in `x --help`",
        "x quiet: no description",
        "x quiet: no exit codes in its epilog",
        "x quiet --stack: no help",
        "x quiet --hidden: no help",
    ]


def _commands() -> list[str]:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_help_of_each_command_lists_its_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    assert "exit codes: 0 " in capsys.readouterr().out


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"airs {project['version']}\n"
