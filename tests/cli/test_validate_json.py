"""Issue 16, item 9: `airs validate --json`, the problems for editors and CI annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.cli.main import main
from components.config import NAMESPACE
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.bad_inputs.test_bad_inputs import CASES, CORPUS, SECRET_PREFIX, read_case
from tests.helpers import ROOT


def _validate_json(
    capsys: pytest.CaptureFixture[str], stack: str, *top: str
) -> tuple[int, dict[str, Any], str]:
    code = main([*top, "validate", "--stack", stack, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def _key_at(path: Path, line: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


@pytest.mark.parametrize("name", CASES)
def test_every_bad_input_as_json(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same problems as the text output, each with its file and the line of its key."""
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", EXAMPLE_PASSPHRASE)
    monkeypatch.chdir(ROOT)
    case = read_case(name)
    code, doc, err = _validate_json(capsys, name, "--stacks-dir", str(CORPUS))
    assert (code, err) == (2, "")
    assert doc["valid"] is False
    assert doc["cloud"] is None
    assert doc["file"] == f"tests/bad_inputs/Pulumi.{name}.yaml"
    assert [p["message"] for p in doc["problems"]] == case.expected
    path = CORPUS / f"Pulumi.{name}.yaml"
    for problem in doc["problems"]:
        assert problem["message"] == f"{problem['key']}: {problem['value']} — {problem['rule']}"
        assert problem["file"] == doc["file"]
        if problem["line"] is None:
            # Only a top-level key the file lacks (Pulumi.yaml's required ones) has no line.
            assert problem["key"].count(".") == 0, problem
            continue
        # The line holds the key, or the nearest parent it has (a derived or missing key);
        # an item of a list is on its own line or in a flow list.
        segments = re.split(r"[.\[\]]", problem["key"].split(":", 1)[1])
        text = _key_at(path, problem["line"]).strip()
        assert text.startswith("- ") or any(
            text.startswith(f"{s}:") or f"{NAMESPACE}:{s}:" in text for s in segments if s
        ), (problem, text)
    shown = json.dumps(doc)
    assert SECRET_PREFIX not in shown
    for text in case.never_shown:
        assert text not in shown


def test_line_of_a_missing_key_is_where_to_add_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = _validate_json(capsys, "gcp-missing-auth-key", "--stacks-dir", str(CORPUS))
    assert code == 2
    (problem,) = doc["problems"]
    assert problem["key"] == "airs:securityProject.firewall.bootstrap.authKey"
    path = CORPUS / "Pulumi.gcp-missing-auth-key.yaml"
    assert _key_at(path, problem["line"]).strip() == "bootstrap:"


def test_a_valid_stack(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, doc, err = _validate_json(capsys, "gcp-dev")
    assert (code, err) == (0, "")
    assert doc == {
        "stack": "gcp-dev",
        "valid": True,
        "cloud": "gcp",
        "file": "stacks/Pulumi.gcp-dev.yaml",
        "problems": [],
        "warnings": [],
    }


def test_a_stack_file_problem_has_its_line(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project_dir)  # files are shown relative to the current folder
    text = (ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text(encoding="utf-8")
    twice = text.replace("  airs:cloud: gcp\n", "  airs:cloud: gcp\n  airs:cloud: aws\n")
    path = project_dir / "stacks" / "Pulumi.twice.yaml"
    path.write_text(twice, encoding="utf-8")
    line = twice.splitlines().index("  airs:cloud: aws") + 1
    code, doc, _ = _validate_json(capsys, "twice", "--project", str(project_dir))
    assert code == 2
    assert doc["problems"] == [
        {
            "key": "airs:cloud",
            "value": None,
            "rule": f"is already set at line {line - 1}; Pulumi refuses a key given twice: "
            "keep one",
            "file": "stacks/Pulumi.twice.yaml",
            "line": line,
            "message": f"{path}: line {line}: airs:cloud is already set at line {line - 1}; "
            "Pulumi refuses a key given twice: keep one",
        }
    ]


def test_warnings_are_in_the_json_not_on_stderr(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text(encoding="utf-8")
    without = "".join(line for line in text.splitlines(True) if "default-providers" not in line)
    (project_dir / "stacks" / "Pulumi.ambient.yaml").write_text(without, encoding="utf-8")
    code, doc, err = _validate_json(capsys, "ambient", "--project", str(project_dir))
    assert (code, err, doc["valid"]) == (0, "", True)
    (warning,) = doc["warnings"]
    assert warning["key"] == "pulumi:disable-default-providers"
    assert warning["rule"] == "is not set"


def test_each_line_is_the_line_of_its_key(capsys: pytest.CaptureFixture[str]) -> None:
    """rancher-five-mistakes: every key is in the file; each problem points at its line."""
    code, doc, _ = _validate_json(capsys, "rancher-five-mistakes", "--stacks-dir", str(CORPUS))
    assert code == 2
    lines = (CORPUS / "Pulumi.rancher-five-mistakes.yaml").read_text().splitlines()

    def first(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if line.strip().startswith(text))

    assert {p["key"]: p["line"] for p in doc["problems"]} == {
        "airs:name": first("airs:name:"),
        "airs:firewall.trustGatewayIp": first("trustGatewayIp:"),
        "airs:panorama.user": first("user:"),
        "airs:clusters.apps.clusterId": first("clusterId:"),
        "airs:clusters.apps.monitoringInterval": first("monitoringInterval:"),
    }
