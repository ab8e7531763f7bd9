"""The bad-input corpus: every stack file here is refused with exit 2 and named keys.

Each ``Pulumi.<case>.yaml`` is an example stack (its source is named in the header) with
mistakes a real user makes. Its header comments say what must happen:

``# expect: <line>``
    one line of the error report, exactly, in the order ``airs`` prints them; there are no
    other problem lines.
``# never-shown: <text>``
    a secret given in plaintext by mistake: it must appear nowhere in the output.
``# helm-refuses: <platform> <values key> = <JSON>``
    the mistake flows into a Helm value: the chart's ``values.schema.json`` refuses that
    value too, so the config rule is what stops it first, with the config key's name.

Secure values are encrypted with the examples' published passphrase
(``scripts/example_secrets.py tests/bad_inputs``), so the corpus runs decrypted as a user's
machine would, and every decrypted secret reads ``example:<case>:<key path>``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from components.cli import engine, stackfile
from components.cli.main import main
from components.cli.mocks import RecordingMonitor
from components.cluster.chart import ChartError, example_values, render_chart
from components.run_errors import InvalidStackConfig
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.helpers import PROJECT, ROOT

CORPUS = Path(__file__).resolve().parent
CASES = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in CORPUS.glob("Pulumi.*.yaml"))
# airs:<key path>: <value> — <rule>
PROBLEM_LINE = re.compile(r"^airs:(?P<key>[A-Za-z][^:\s]*): (?P<value>.+?) — (?P<rule>\S.*)$")
# What every decrypted example secret starts with (scripts/example_secrets.py).
SECRET_PREFIX = "example:"


@dataclass
class Case:
    """One corpus file and what its header says must happen."""

    name: str
    expected: list[str]
    never_shown: list[str] = field(default_factory=list)
    helm_refuses: list[tuple[str, str, Any]] = field(default_factory=list)


def read_case(name: str) -> Case:
    """Parse the header comments of ``Pulumi.<name>.yaml``."""
    case = Case(name=name, expected=[])
    for line in (CORPUS / f"Pulumi.{name}.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            case.expected.append(line.removeprefix("# expect: "))
        elif line.startswith("# never-shown: "):
            case.never_shown.append(line.removeprefix("# never-shown: "))
        elif line.startswith("# helm-refuses: "):
            target, _, value = line.removeprefix("# helm-refuses: ").partition(" = ")
            platform, key = target.split()
            case.helm_refuses.append((platform, key, json.loads(value)))
    return case


def _key(line: str) -> str:
    match = PROBLEM_LINE.match(line)
    assert match, f"not an `airs:<key>: <value> — <rule>` line: {line}"
    return match["key"]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40, CASES


@pytest.mark.parametrize("name", CASES)
def test_header_is_well_formed(name: str) -> None:
    case = read_case(name)
    assert case.expected, f"{name}: no `# expect:` lines"
    for line in case.expected:
        _key(line)


def _airs(*args: str) -> list[str]:
    return ["--project", str(ROOT), "--stacks-dir", str(CORPUS), *args]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("decrypted", [True, False], ids=["decrypted", "opaque"])
def test_cli_refuses_with_the_expected_lines(
    name: str, decrypted: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = read_case(name)
    if decrypted:
        monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", EXAMPLE_PASSPHRASE)
    else:
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    # `validate` when decrypted, `plan` when not: both stop at the same report.
    command = "validate" if decrypted else "plan"
    assert main(_airs(command, "--stack", name)) == 2
    out, err = capsys.readouterr()
    assert out == "", "nothing may be planned or reported as valid"
    assert "Traceback" not in err
    header, *lines = err.splitlines()
    assert header == f"stack {name}: {len(case.expected)} configuration problem(s):"
    assert lines == case.expected
    assert SECRET_PREFIX not in err, "a decrypted secret was printed"
    for text in case.never_shown:
        assert text not in err


@pytest.mark.parametrize("name", CASES)
def test_program_registers_nothing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same program `pulumi up` runs stops before its first resource."""
    monitors: list[RecordingMonitor] = []

    class Recording(RecordingMonitor):
        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            monitors.append(self)

    monkeypatch.setattr(engine, "RecordingMonitor", Recording)
    project = dataclasses.replace(PROJECT, stack_config_dir=CORPUS)
    settings = stackfile.load_stack(project, name, decrypt=False)
    with pytest.raises(InvalidStackConfig) as info:
        engine.run_program(settings)
    assert len(monitors) == 1
    assert monitors[0].registrations == []
    # The program names only keys the CLI report names (the CLI adds Pulumi.yaml's checks).
    expected_keys = {_key(line) for line in read_case(name).expected}
    assert info.value.problems, "InvalidStackConfig without a problem"
    assert {p.key for p in info.value.problems} <= expected_keys


HELM_CASES = [(name, ref) for name in CASES for ref in read_case(name).helm_refuses]


def test_helm_cases_exist() -> None:
    assert len(HELM_CASES) >= 3


@pytest.mark.parametrize(
    ("name", "refusal"), HELM_CASES, ids=[f"{n}-{r[1]}" for n, r in HELM_CASES]
)
def test_the_chart_schema_refuses_it_too(name: str, refusal: tuple[str, str, Any]) -> None:
    """The config rule is no looser than values.schema.json for the value it guards."""
    platform, key, value = refusal
    values = example_values(platform)
    values[key] = value
    with pytest.raises(ChartError) as info:
        render_chart(values)
    assert any(path.split("[")[0].split(".")[0] == key for path, _, _ in info.value.problems), (
        info.value.problems
    )


# A few cases end to end, in a fresh interpreter: exit status, no traceback, no secret.
@pytest.mark.parametrize(
    "name", ["gcp-typo-secret-key", "openshift-helm-namespace", "rancher-five-mistakes"]
)
def test_end_to_end_in_a_subprocess(name: str) -> None:
    case = read_case(name)
    env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE}
    done = subprocess.run(
        [sys.executable, "-m", "components.cli.main", *_airs("plan", "--stack", name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert SECRET_PREFIX not in done.stderr
    assert done.stderr.splitlines()[1:] == case.expected
