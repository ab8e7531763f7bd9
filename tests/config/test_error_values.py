"""What an error line shows of a value: short, never a secret, and nothing unbounded first.

Issue 16, item 4: a 358-byte YAML alias bomb printed 39 MB of error; values of unknown keys
and of wrong-typed secret keys were echoed. The stack files here are the example
``openshift-dev`` with one thing changed, run through ``airs validate`` as a user would (the
corpus in ``tests/bad_inputs`` pins the secret cases line by line).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from components.cli.main import main
from components.config.base import ELLIPSIS, MAX_SHOWN, clip, show
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.helpers import ROOT

SOURCE = ROOT / "stacks" / "Pulumi.openshift-dev.yaml"
# airs:<key path>: <value> — <rule>
LINE = re.compile(r"^airs:(?P<key>[^:\s]+): (?P<value>.+?) — (?P<rule>.+)$")


def _stack(folder: Path, name: str, old: str, new: str) -> None:
    """``Pulumi.<name>.yaml`` in ``folder``: the example with ``old`` replaced by ``new``."""
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / f"Pulumi.{name}.yaml").write_text(text.replace(old, new), encoding="utf-8")


def _laughs(levels: int, key: str = "airs:lol") -> str:
    """Config lines of a "billion laughs": each level is nine aliases of the one before,
    so the last (``key``) holds 9**levels strings in a few hundred bytes."""
    lines = ['  airs:lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name = key if level == levels - 1 else f"airs:lol{level}"
        lines.append(f"  {name}: &l{level} [{','.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _validate_in_a_subprocess(
    folder: Path, name: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``airs validate`` in a fresh interpreter (a runaway expansion cannot take the tests
    down with it), and how long it took."""
    env = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE}
    started = time.monotonic()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "components.cli.main", "--project", str(ROOT)),
            *("--stacks-dir", str(folder), "validate", "--stack", name),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done, time.monotonic() - started


def _validate(folder: Path, name: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``airs validate`` in this interpreter: exit 2, nothing on stdout; the error lines."""
    code = main(["--project", str(ROOT), "--stacks-dir", str(folder), "validate", "--stack", name])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    return err.splitlines()


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", EXAMPLE_PASSPHRASE)


# --------------------------------------------------------------------------- alias bombs


@pytest.mark.parametrize(
    ("levels", "key"),
    [
        (9, "airs:lol"),  # 9**9 = 387,420,489 strings from 700 bytes: an unknown key
        (7, "airs:name"),  # 342 bytes under a key Pulumi.yaml types: printed 69 MB before
    ],
)
def test_a_billion_laughs_is_refused_quickly(tmp_path: Path, levels: int, key: str) -> None:
    old = "  airs:name: airs-ocp-dev\n"
    _stack(tmp_path, "laughs", old, _laughs(levels, key) + ("" if key == "airs:name" else old))
    done, seconds = _validate_in_a_subprocess(tmp_path, "laughs")
    assert done.returncode == 2, done.stderr[:2000]
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    # The first key past the limit is named: airs:lol4 holds 9**5 = 59,049 strings and
    # 7,381 lists, from five lists and nine strings written out.
    assert done.stderr.splitlines() == [
        f"error: {tmp_path / 'Pulumi.laughs.yaml'}: airs:lol4: YAML aliases expand it to "
        "66,430 values from 14 written out, more than 10,000 added: refused before reading it "
        '(nested aliases, a "billion laughs"); write the value out'
    ]
    assert seconds < 30, "refused before anything is expanded"


def test_a_long_value_written_out_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only what aliases add counts: 30,000 values written out are a (long) stack, no bomb."""
    old = "  airs:name: airs-ocp-dev\n"
    lol = "  airs:lol: [" + ",".join(["lol"] * 30_000) + "]\n"
    _stack(tmp_path, "long", old, old + lol)
    assert _validate(tmp_path, "long", capsys)[1:] == ["airs:lol: [not shown] — unknown key"]


def test_an_alias_inside_its_own_value_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stack(tmp_path, "loop", "  airs:name: airs-ocp-dev\n", "  airs:name: &me [*me]\n")
    assert _validate(tmp_path, "loop", capsys) == [
        f"error: {tmp_path / 'Pulumi.loop.yaml'}: airs:name: a YAML alias refers to a value it "
        "is part of (a value cannot contain itself)"
    ]


def test_values_nested_too_deeply_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    _stack(tmp_path, "deep", "  airs:name: airs-ocp-dev\n", f"  airs:name: {deep}\n")
    assert _validate(tmp_path, "deep", capsys) == [
        f"error: {tmp_path / 'Pulumi.deep.yaml'}: not valid YAML: values nested too deeply"
    ]


# --------------------------------------------------------------------------- long values


def test_an_expanded_value_below_the_limit_is_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """9**4 = 6,561 strings: allowed, and each error line about it shows at most MAX_SHOWN."""
    _stack(tmp_path, "long", "  airs:name: airs-ocp-dev\n", _laughs(4, "airs:name"))
    lines = _validate(tmp_path, "long", capsys)
    problems = [m for m in map(LINE.match, lines[1:]) if m]
    assert len(problems) == len(lines) - 1, lines
    assert all(len(m["value"]) <= MAX_SHOWN for m in problems)
    typed = [m["value"] for m in problems if m["rule"] == "must be of type string"]
    assert len(typed) == 1
    assert len(typed[0]) == MAX_SHOWN
    assert typed[0].startswith('[[[["lol","lol"')
    assert typed[0].endswith(ELLIPSIS)
    assert sum(len(line) for line in lines) < 4000


def test_a_long_string_is_cut_keeping_both_ends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = "a" * 5000 + "!"
    _stack(tmp_path, "host", "    hostname: 203.0.113.10\n", f"    hostname: {host}\n")
    lines = _validate(tmp_path, "host", capsys)
    assert lines[1:] == [
        f"airs:panorama.hostname: {clip(host)} — must be a hostname or IPv4 address"
    ]
    assert len(clip(host)) == MAX_SHOWN
    assert clip(host).endswith(f"{ELLIPSIS}{'a' * 99}!")


def test_show_renders_a_huge_value_in_bounded_time() -> None:
    """show() stops encoding past its cap: a value that would be gigabytes costs nothing."""
    huge: list[object] = ["lol"] * 9
    for _ in range(8):  # 9**9 strings, shared as a YAML alias shares them
        huge = [huge] * 9
    started = time.monotonic()
    text = show(huge)
    assert time.monotonic() - started < 1
    assert len(text) == MAX_SHOWN
    assert text.endswith(ELLIPSIS)


@pytest.mark.parametrize("text", ["", "x", "y" * MAX_SHOWN])
def test_short_values_show_whole(text: str) -> None:
    assert clip(text) == text


# --------------------------------------------------------------------------- secrets


def test_a_wrong_typed_kubeconfig_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`secret:` written for `secure:` inside an object: the kubeconfig is in plain sight."""
    source = SOURCE.read_text(encoding="utf-8")
    cipher = re.search(r"      kubeconfig:\n        secure: (\S+)\n", source)
    assert cipher is not None
    _stack(
        tmp_path,
        "kube",
        cipher.group(0),
        "      kubeconfig:\n        secret: apiVersion-v1-MARKER-token\n",
    )
    lines = _validate(tmp_path, "kube", capsys)
    assert lines[1:] == [
        "airs:clusters.apps.kubeconfig: [secret] — must be a string (a secret is written "
        "`secure: <ciphertext>`, not `secret:`; set it with `pulumi config set --secret "
        "--path 'airs:clusters.apps.kubeconfig' …`)"
    ]
    assert "MARKER" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("authcode", "authCodes"),
        ("authkey", "authKey"),
        ("token", "authKey"),
    ],
)
def test_a_mistyped_bootstrap_secret_names_the_real_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, meant: str
) -> None:
    """Inside a section the nearest secret keys are the section's own (GCP's bootstrap)."""
    source = (ROOT / "stacks" / "Pulumi.gcp-dev.yaml").read_text(encoding="utf-8")
    old = "        panoramaLicensing: true\n"
    assert source.count(old) == 1
    (tmp_path / "Pulumi.boot.yaml").write_text(
        source.replace(old, old + f"        {key}: MARKER-plain\n"), encoding="utf-8"
    )
    lines = _validate(tmp_path, "boot", capsys)
    path = f"securityProject.firewall.bootstrap.{meant}"
    assert lines[1:] == [
        f"airs:securityProject.firewall.bootstrap.{key}: [secret] — unknown key (did you mean "
        f"`airs:{path}`? set it with `pulumi config set --secret --path 'airs:{path}' …`)"
    ]
    assert "MARKER" not in "\n".join(lines)


def test_an_unknown_key_that_looks_like_nothing_secret_shows_no_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = "    username: airs-automation\n"
    _stack(tmp_path, "extra", old, old + "    colour: MARKER-value\n")
    lines = _validate(tmp_path, "extra", capsys)
    assert lines[1:] == ["airs:panorama.colour: [not shown] — unknown key"]
