"""Issue 16, items 5 and 7: inputs and outputs that crashed `airs` with a traceback.

Each test runs the command the issue names, in a subprocess of the console script where the
way it ends matters (a closed pipe, interpreter exit), in-process otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components.cli import stackfile, yamlfile
from components.cli.main import main
from components.cli.yamlfile import MAX_BYTES
from tests.helpers import ROOT

# The console script beside this interpreter (.venv/bin/airs), as a user runs it.
AIRS = Path(sys.executable).with_name("airs")
_VALID = "configuration valid (cloud gcp, secrets kept opaque (no PULUMI_CONFIG_PASSPHRASE))"
GCP_DEV = (ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text(encoding="utf-8")


def _run(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    assert AIRS.is_file(), f"no console script {AIRS}: install the project (scripts/bootstrap.sh)"
    return subprocess.run(
        [str(AIRS), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project file with an empty stacks folder."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    return tmp_path


def _stack(project: Path, name: str, data: bytes) -> Path:
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    path.write_bytes(data)
    return path


def _validate(project: Path, name: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--project", str(project), "validate", "--stack", name])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err + captured.out  # warnings come before the verdict


# --------------------------------------------------------------------------- a closed pipe


def test_plan_into_head_ends_quietly() -> None:
    """`airs plan --stack gcp-dev | head -3`: three lines, no BrokenPipeError, git's 141."""
    done = subprocess.run(
        ["bash", "-c", f"'{AIRS}' plan --stack gcp-dev | head -3; exit ${{PIPESTATUS[0]}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines()[0].startswith("Plan for stack gcp-dev")
    assert len(done.stdout.splitlines()) == 3
    # The plan is about 9 KB: whether head has gone before airs's last write is a race.
    assert done.returncode in (0, 141)


def test_a_reader_that_went_away_gets_exit_141_and_no_traceback() -> None:
    """The same without the race: the reading end is closed before airs writes a byte."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [str(AIRS), "plan", "--stack", "gcp-dev"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""  # before: a BrokenPipeError traceback, and exit 1
    assert done.returncode == 141


# --------------------------------------------------------------------------- --json FILE


@pytest.mark.parametrize(
    "target", ["/nonexistent/dir/x.json", "{tmp}"], ids=["no-folder", "folder"]
)
def test_plan_json_path_is_checked_before_planning(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = target.format(tmp=tmp_path)
    assert main(["plan", "--stack", "gcp-dev", "--json", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before the plan ran, not after it
    if path == str(tmp_path):
        why = f"is a folder; give a file name in it (e.g. {tmp_path / 'plan.json'})"
    else:
        why = "folder /nonexistent/dir does not exist"
    assert captured.err == f"error: --json {path}: {why}\n"


def test_diff_json_path_is_checked_before_planning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "gcp-dev", "gcp-prod", "--json", "/nonexistent/dir/d.json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: --json /nonexistent/dir/d.json: folder /nonexistent/dir does not exist\n"
    )


def test_a_json_write_that_fails_late_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk after the check: one line and exit 2, not an OSError traceback."""
    target = tmp_path / "plan.json"
    real_write = Path.write_text

    def disk_full(self: Path, *args: object, **kwargs: object) -> int:
        if self == target:
            raise OSError(28, "No space left on device")
        return real_write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", disk_full)
    assert main(["plan", "--stack", "openshift-dev", "--json", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: --json {target}: cannot write it: No space left on device\n"


# --------------------------------------------------------------------------- encodings


def test_utf16_with_a_byte_order_mark_reads_as_pulumi_reads_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PowerShell's `>` writes UTF-16 with a BOM; yaml.v3 (Pulumi) decodes it: so do we."""
    _stack(project, "utf8", GCP_DEV.encode("utf-8"))
    _stack(project, "utf16", GCP_DEV.encode("utf-16"))
    _stack(project, "utf8bom", GCP_DEV.encode("utf-8-sig"))
    loaded = stackfile.load_project(project / "Pulumi.yaml")
    utf8 = stackfile.load_stack(loaded, "utf8", decrypt=False)
    for name in ("utf16", "utf8bom"):
        same = stackfile.load_stack(loaded, name, decrypt=False)
        assert (same.config, same.secret_keys, same.key_lines) == (
            utf8.config,
            utf8.secret_keys,
            utf8.key_lines,
        )
        code, text = _validate(project, name, capsys)
        assert (code, text) == (0, f"stack {name}: {_VALID}\n")


def test_latin1_stack_file_is_one_line_with_where(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = GCP_DEV.replace("# GCP, development.", "# GCP, développement.").encode("latin-1")
    path = _stack(project, "latin1", latin1)
    code, text = _validate(project, "latin1", capsys)
    assert code == 2
    assert text == (
        f"error: {path}: line 2, column 9: byte 0xe9 is not UTF-8 (is the file Latin-1 or "
        "cp1252?); Pulumi reads UTF-8 (or UTF-16 that starts with a byte-order mark): save it "
        "as UTF-8\n"
    )


def test_utf16_without_a_byte_order_mark_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _stack(project, "utf16le", GCP_DEV.encode("utf-16-le"))
    code, text = _validate(project, "utf16le", capsys)
    assert code == 2
    assert text.startswith(f"error: {path}: line 1, column 2: NUL characters: it looks like ")
    assert text.count("\n") == 1


# --------------------------------------------------------------------------- duplicate keys


def test_a_key_given_twice_is_refused_with_both_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`airs:name` twice: PyYAML kept the last one silently; Pulumi's yaml.v3 refuses it."""
    twice = GCP_DEV.replace(
        "  airs:name: airs-gcp-dev\n", "  airs:name: airs-gcp-dev\n  airs:name: airs-gcp-prod\n"
    )
    path = _stack(project, "twice", twice.encode())
    first = twice.splitlines().index("  airs:name: airs-gcp-dev") + 1
    code, text = _validate(project, "twice", capsys)
    assert code == 2
    assert text == (
        f"error: {path}: line {first + 1}: airs:name is already set at line {first}; "
        "Pulumi refuses a key given twice: keep one\n"
    )


def test_a_nested_key_given_twice_is_named_by_its_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = GCP_DEV.replace(
        "    region: us-east1\n", "    region: us-east1\n    region: us-west1\n"
    )
    assert twice != GCP_DEV
    path = _stack(project, "nested", twice.encode())
    first = twice.splitlines().index("    region: us-east1") + 1
    code, text = _validate(project, "nested", capsys)
    assert code == 2
    assert text == (
        f"error: {path}: line {first + 1}: airs:securityProject.region is already set at line "
        f"{first}; Pulumi refuses a key given twice: keep one\n"
    )


# --------------------------------------------------------------------------- size


def test_a_100_mib_stack_file_is_refused_unread(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's 100 MB stack took 22 s to accept; it is refused, naming the limit."""
    path = project / "stacks" / "Pulumi.huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(GCP_DEV)
        line = "# " + "x" * 97 + "\n"
        for _ in range(100 * 1024 * 1024 // len(line)):
            handle.write(line)
    size = path.stat().st_size
    code, text = _validate(project, "huge", capsys)
    assert code == 2
    assert text == (
        f"error: {path}: {size:,} bytes — a project or stack file is at most 4 MiB "
        "(4,194,304 bytes); is it the right file?\n"
    )


def test_the_limit_is_inclusive(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of exactly MAX_BYTES is read, one byte more is not (a smaller limit, so the
    test does not parse megabytes)."""
    # Larger than Pulumi.yaml, which is read under the same limit.
    padding = "# padding\n" * ((project / "Pulumi.yaml").stat().st_size // 10 + 1)
    size = _stack(project, "limit", (GCP_DEV + padding).encode()).stat().st_size
    monkeypatch.setattr(yamlfile, "MAX_BYTES", size)
    code, text = _validate(project, "limit", capsys)
    assert (code, text) == (0, f"stack limit: {_VALID}\n")
    monkeypatch.setattr(yamlfile, "MAX_BYTES", size - 1)
    code, text = _validate(project, "limit", capsys)
    assert code == 2
    assert f"{size:,} bytes — a project or stack file is at most 0 MiB" in text


def test_the_largest_measured_stack_is_under_the_limit() -> None:
    """Item 10's 3,000 applications on Azure (benchmarks/validation.py) must stay readable."""
    import yaml

    from benchmarks.validation import load_stack_document, validation_stack

    doc = validation_stack(load_stack_document("azure-dev"), 3000)
    size = len(yaml.safe_dump(doc, sort_keys=False).encode())
    assert 1024 * 1024 < size < MAX_BYTES


# --------------------------------------------------------------------------- item 7


def test_stacks_dir_works_from_outside_the_project(tmp_path: Path) -> None:
    """`cd /tmp && airs --stacks-dir ~/airs/tests/bad_inputs validate --stack …`."""
    corpus = ROOT / "tests" / "bad_inputs"
    done = _run(
        "--stacks-dir", str(corpus), "validate", "--stack", "gcp-typo-cluster-id", cwd=tmp_path
    )
    assert done.returncode == 2
    expected = [
        line.removeprefix("# expect: ")
        for line in (corpus / "Pulumi.gcp-typo-cluster-id.yaml").read_text().splitlines()
        if line.startswith("# expect: ")
    ]
    assert done.stderr.splitlines()[1:] == expected


def test_no_project_anywhere_names_project_flag(tmp_path: Path) -> None:
    stacks = tmp_path / "mine"
    stacks.mkdir()
    (stacks / "Pulumi.gcp-dev.yaml").write_text(GCP_DEV)
    done = _run("--stacks-dir", str(stacks), "validate", "--stack", "gcp-dev", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        f"error: no Pulumi.yaml in {tmp_path.resolve()}, {stacks.resolve()} or their parents: "
        "run airs inside the project, or give its folder with --project DIR\n"
    )
    with_project = _run(
        "--project",
        str(ROOT),
        "--stacks-dir",
        str(stacks),
        "validate",
        "--stack",
        "gcp-dev",
        cwd=tmp_path,
    )
    assert with_project.returncode == 0, with_project.stderr


def test_a_stacks_dir_that_does_not_exist_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stacks-dir", "/nonexistent/stacks", "validate", "--stack", "gcp-dev"]) == 2
    assert capsys.readouterr().err == "error: --stacks-dir /nonexistent/stacks: no such folder\n"


def test_missing_disable_default_providers_is_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without = "".join(
        line
        for line in GCP_DEV.splitlines(keepends=True)
        if "disable-default-providers" not in line
    )
    path = _stack(project, "ambient", without.encode())
    code, text = _validate(project, "ambient", capsys)
    assert code == 0
    warning, valid = text.splitlines()
    assert warning == (
        f"warning: {path}: pulumi:disable-default-providers is not set: a resource that misses "
        "its explicit provider would use this machine's default cloud or Kubernetes "
        "credentials; set it to [gcp, aws, azure-native, kubernetes], as every example stack "
        "does (README, With the Pulumi CLI)"
    )
    assert valid.startswith("stack ambient: configuration valid")


def test_disabling_the_dynamic_provider_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"*"` made the real engine refuse every Panorama object (CHANGELOG, engine tier)."""
    star = GCP_DEV.replace(
        "pulumi:disable-default-providers: [gcp, aws, azure-native, kubernetes]",
        'pulumi:disable-default-providers: ["*"]',
    )
    assert star != GCP_DEV
    path = _stack(project, "star", star.encode())
    code, text = _validate(project, "star", capsys)
    assert code == 2
    assert text.startswith(
        f'error: {path}: pulumi:disable-default-providers: ["*"] — must not disable *: the '
        "Panorama objects are dynamic resources"
    )
    assert text.count("\n") == 1


def test_a_default_provider_left_on_is_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = GCP_DEV.replace("[gcp, aws, azure-native, kubernetes]", "[gcp, aws, azure-native]")
    _stack(project, "partial", partial.encode())
    code, text = _validate(project, "partial", capsys)
    assert code == 0
    assert "leaves the default kubernetes provider(s) on" in text.splitlines()[0]
