"""Shared test helpers: run the real program offline for an example stack or a config dict."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.cli import stackfile
from components.cli.engine import ProgramRun, run_stack
from components.cli.mocks import Registration, is_secret, unwrap
from components.clouds import parse_stack_config
from components.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
PROJECT = stackfile.load_project(ROOT / "Pulumi.yaml")
EXAMPLE_STACKS = PROJECT.stacks()


def fresh_python(code: str, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    """Run ``code`` in a new interpreter at the project root; what it printed.

    For what one process cannot show about itself once tests have imported things (which
    modules a run loads, what the start-up of `airs` does to the GC, hash seeds). ``env``
    is added to this process's environment.
    """
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def pytest_in_subprocess(
    target: str, select: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run the tests of ``target`` matching ``-k select`` in a new pytest at the project root,
    with ``env`` added to this environment (for what a test must show about a whole run)."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q"),
            *("-p", "no:randomly", "-p", "no:cacheprovider"),
            *(target, "-k", select),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


def load_example(stack: str) -> stackfile.StackSettings:
    """Settings of an example stack (secrets opaque)."""
    return stackfile.load_stack(PROJECT, stack, decrypt=False)


def plan_example(stack: str) -> ProgramRun:
    """Run the program for an example stack under the mock engine (layered stacks with
    their security stack's offline outputs, as ``airs plan --stack-outputs`` would)."""
    return run_stack(PROJECT, stack)


def settings_from(
    values: dict[str, Any], secret: set[str] | None = None, stack: str = "test"
) -> stackfile.StackSettings:
    """Stack settings from plain ``airs:*`` values (objects become JSON, as Pulumi passes them)."""
    config = {f"airs:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    return stackfile.StackSettings(
        stack=stack, config=config, secret_keys=[f"airs:{k}" for k in (secret or set())]
    )


def example_values(stack: str) -> tuple[dict[str, Any], set[str]]:
    """The example stack's ``airs:*`` values as Python objects, plus its secret keys."""
    settings = load_example(stack)
    raw, secret = stackfile.airs_values(settings)
    values = {
        k: (
            json.loads(v)
            if k in ("securityProject", "firewall", "applications", "panorama", "clusters") and v
            else v
        )
        for k, v in raw.items()
    }
    return values, secret


def example_problems(stack: str, mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    """The config problems of an example stack once ``mutate`` has edited a copy of its
    values (the stack must then be refused)."""
    values, secret = example_values(stack)
    values = copy.deepcopy(values)
    mutate(values)
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def by_type(run: ProgramRun, token: str) -> list[Registration]:
    """Registrations of one type token."""
    return [r for r in run.resources if r.type == token]


def one(run: ProgramRun, token: str, name: str | None = None) -> Registration:
    """The single registration of ``token`` (and ``name`` if given)."""
    found = [r for r in by_type(run, token) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {token} {name or ''}, found {[r.name for r in found]}"
    return found[0]


__all__ = [
    "EXAMPLE_STACKS",
    "ROOT",
    "by_type",
    "example_problems",
    "example_values",
    "is_secret",
    "load_example",
    "one",
    "plan_example",
    "pytest_in_subprocess",
    "settings_from",
    "unwrap",
]
