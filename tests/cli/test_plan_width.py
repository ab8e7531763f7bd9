"""`airs plan` fits `$COLUMNS` (issue 16, item 8).

Found as: at 80 columns, 86 of `aws-dev`'s 147 lines were longer than 80 characters (the
longest 247; 2,630 with `--show panorama` on gcp-prod). Names wrap under their column and
nothing of them is lost; values are cut with an ellipsis; `--json` stays complete.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from components.cli.main import main
from components.cli.textfit import split_name, split_xpath, terminal_width
from tests.helpers import EXAMPLE_STACKS, ROOT, load_example

AIRS = Path(sys.executable).with_name("airs")


@pytest.fixture(scope="module")
def security_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The saved plan of gcp-security-dev, which its layered cluster stacks read."""
    path = tmp_path_factory.mktemp("layered") / "security.json"
    args = ["--project", str(ROOT), "plan", "--stack", "gcp-security-dev", "--json", str(path)]
    assert main(args) == 0
    return path


def _layered(stack: str, security_outputs: Path) -> list[str]:
    if load_example(stack).config.get("airs:securityStack"):
        return ["--stack-outputs", str(security_outputs)]
    return []


def _plan(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: str | None,
    *args: str,
) -> str:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    code = main(["--project", str(ROOT), "plan", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def tree_names(out: str) -> list[str]:
    """The resource names of the printed tree, wrapped pieces joined again."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Type"))
    column = lines[start].find("Name")
    names: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("Legend:"):
            break
        if line[:5].strip() in {"+", ">"}:
            names.append(line[column:] if column > 0 else "")
        else:  # a continuation: the tree's bars, then the next piece of the name
            names[-1] += line[5:].lstrip(" │")
    return names


def section(out: str, title: str) -> Iterator[str]:
    """The lines of the section whose first line starts with ``title``, up to a blank line
    (the title line too)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    for line in lines[start:]:
        if not line.strip():
            return
        yield line


def test_the_reported_command_fits_80_columns(tmp_path: Path) -> None:
    """`COLUMNS=80 airs plan --stack aws-dev`, the command of the report, as a user runs it."""
    command = [str(AIRS)] if AIRS.exists() else [sys.executable, "-m", "components.cli.main"]
    result = subprocess.run(
        [*command, "--project", str(ROOT), "plan", "--stack", "aws-dev", "--json", "plan.json"],
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    assert max(map(len, lines)) == 80  # cut or wrapped at the edge, not narrower
    # `--json` stays complete: full names and values, nothing cut, no display marks.
    text = (tmp_path / "plan.json").read_text(encoding="utf-8")
    assert "…" not in text
    assert "(mock)" not in text
    doc = json.loads(text)
    assert tree_names(result.stdout) == [r["name"] for r in doc["resources"]]
    assert len(doc["outputs"]["gwlbArn"]) > 80


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_fits_80_columns(
    stack: str,
    security_outputs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every line of the plan, Panorama XML included, and every name still whole."""
    extra = _layered(stack, security_outputs)
    out = _plan(capsys, monkeypatch, "80", "--stack", stack, "--show", "panorama", *extra)
    assert [line for line in out.splitlines() if len(line) > 80] == []
    wide = _plan(capsys, monkeypatch, None, "--stack", stack, *extra)
    assert tree_names(out) == tree_names(wide)


def test_narrow_terminal_puts_names_below_their_types(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 50 columns the type column leaves no room: names go under their type, whole."""
    out = _plan(capsys, monkeypatch, "50", "--stack", "rancher-prod")
    assert [line for line in out.splitlines() if len(line) > 50] == []
    assert "Type (name below)" in out
    wide = _plan(capsys, monkeypatch, None, "--stack", "rancher-prod")
    assert tree_names(out) == tree_names(wide)


def test_without_columns_a_pipe_gets_full_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`airs plan > file` keeps each resource on one line (grep finds whole names)."""
    out = _plan(capsys, monkeypatch, None, "--stack", "aws-dev")
    assert terminal_width() is None  # captured output is no terminal
    tree = list(section(out, "     Type"))[1:]
    rows = [line for line in tree if line[:5].strip() in {"+", ">"}]
    assert len(rows) == len(tree) - 2  # only the legend's two lines are no resource
    assert any(len(line) > 100 for line in out.splitlines())


def test_dynamic_types_are_short_and_the_legend_says_what_they_and_the_marks_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _plan(capsys, monkeypatch, "80", "--stack", "aws-dev")
    assert "pulumi-python:dynamic/panorama:Object" not in out
    assert re.search(r"^ \+ +├─ panorama:Object +airs-aws-dev-panorama-", out, re.MULTILINE)
    assert re.search(r"^ +17 panorama:Object$", out, re.MULTILINE)  # the counts too
    # The `>` of a read is explained, and the short types are given their full form.
    assert re.search(r"^ > .* kubernetes:core/v1:Secret +airs-aws-dev-apps-plugin-token", out, re.M)
    legend = " ".join(line.strip() for line in section(out, "Legend:"))
    assert "+ to create; > to read (an existing object the program looks up, not changed)" in legend
    assert "cluster:WorkloadRestart, panorama:Commit, panorama:Object:" in legend
    assert "pulumi-python:dynamic/<module>:<name>" in legend


def _outputs(out: str) -> dict[str, str]:
    """Top-level and nested output lines by key (the last key wins: only unique ones used)."""
    found: dict[str, str] = {}
    for line in list(section(out, "Outputs"))[1:]:
        key, _, value = line.strip().removeprefix("- ").partition(": ")
        found[key] = value
    return found


def test_values_the_mock_engine_made_up_are_marked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids, ARNs and addresses the cloud assigns are `(mock)`; config values are not."""
    out = _plan(capsys, monkeypatch, "300", "--stack", "aws-dev")
    shown = _outputs(out)
    assert re.fullmatch(r"arn:aws:elasticloadbalancing:\S+ \(mock\)", shown["gwlbArn"])
    assert re.fullmatch(r"vpc-[0-9a-f]{17} \(mock\)", shown["vpc"])
    assert re.fullmatch(r"10\.80\.255\.\d+ \(mock\)", shown["ip"])  # a GWLB endpoint's address
    assert shown["panoramaCommit"] == "null (mock)"  # only a real `up` has a commit job
    for key in ("cloud", "trustCidr", "deploymentId", "panoramaTemplate", "zone"):
        assert "(mock)" not in shown[key], key
    assert "(mock): the cloud computes the value at `pulumi up`" in out


def test_mock_values_are_no_config_values() -> None:
    """A mock answer that repeats a config value (a zone, a CIDR) is no made-up value."""
    from components.cli.engine import _config_strings
    from tests.helpers import plan_example

    run = plan_example("aws-dev")
    config = _config_strings(load_example("aws-dev").config)
    assert not run.mock_values & config
    assert run.outputs["networks"]["vpc"] in run.mock_values  # what the mock VPC got as id
    assert run.outputs["trustCidr"] not in run.mock_values  # the program chose it: an input


def test_plain_plan_shows_the_release_and_its_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """README: "A plain `airs plan` shows the release and its values" (without Helm's engine)."""
    out = _plan(capsys, monkeypatch, "80", "--stack", "aws-dev")
    assert "Helm release ai-runtime-security (airs-aws-dev-apps-pan-cni) in namespace" in out
    assert "objects shown with --show helm" in out  # the chart itself was not rendered
    path = tmp_path / "plan.json"
    _plan(capsys, monkeypatch, None, "--stack", "aws-dev", "--json", str(path))
    (release,) = [
        r for r in json.loads(path.read_text())["resources"] if r["type"].endswith(":Release")
    ]
    values = release["inputs"]["values"]
    lines = out.split("values:\n", 1)[1].splitlines()
    for key, value in values.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            shown = value if value != "" else '""'
            assert f"    {key}: {shown}" in lines, key
        else:
            assert any(line.startswith(f"    {key}:") for line in lines), key
    assert "      - ip: 10.80.255.13 (mock)" in lines


def test_show_panorama_prints_one_element_per_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pretty-printed, the same XML as `airs render --panorama`, xpaths whole when joined."""
    assert main(["--project", str(ROOT), "render", "--stack", "azure-dev", "--panorama"]) == 0
    exact = _objects(capsys.readouterr().out)
    for columns in ("80", "100000"):
        out = _plan(capsys, monkeypatch, columns, "--stack", "azure-dev", "--show", "panorama")
        shown = _objects(out.split("or --json):\n\n", 1)[1])
        assert [o[:2] for o in shown] == [o[:2] for o in exact]  # titles and xpaths
        for (_, _, pretty), (_, _, (element,)) in zip(shown, exact, strict=True):
            # One element per line: as many lines open an element as the XML has elements.
            opening = [line for line in pretty if re.match(r"\s*<[^/]", line)]
            assert len(opening) == len(re.findall(r"<[^/]", element))
            assert all(len(re.findall(r"<[^/]", line)) == 1 for line in opening)
            if columns == "100000":  # nothing cut: the very same XML
                assert _canonical("".join(pretty)) == _canonical(element)


def _objects(text: str) -> list[tuple[str, str, list[str]]]:
    """(title, xpath, XML lines) of each printed object."""
    objects = []
    for block in text.strip("\n").split("\n\n"):
        lines = block.splitlines()
        xpath = lines[1].removeprefix("xpath: ")
        rest = lines[2:]
        while rest and rest[0].startswith("       /"):
            xpath += rest.pop(0).strip()
        objects.append((lines[0], xpath, rest))
    return objects


def _canonical(xml: str) -> str:
    return ET.canonicalize(xml, strip_text=True)


def test_split_helpers_give_the_text_back() -> None:
    name = "airs-aws-dev-panorama-security-rule-airs-aws-dev-allow-health-checks"
    for room in (8, 16, 31, 70):
        pieces = split_name(name, room)
        assert "".join(pieces) == name
        assert all(len(p) <= room for p in pieces)
    xpath = "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='x']"
    for room in (10, 30, 73):
        pieces = split_xpath(xpath, room)
        assert "".join(pieces) == xpath
        assert all(len(p) <= room for p in pieces)
