"""`airs init` (issue 16, item 7): a new stack without the Pulumi CLI.

Found as: the README said no CLI is needed, but its only new-stack path was `pulumi stack
init` plus `pulumi config set --secret`. Each test runs the commands a user types, in a
throwaway project: `airs init` then `airs validate` (and `airs plan`).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.cli.stack_templates import TARGETS, secure_paths
from components.cli.stackfile import PassphraseCrypter

PASSPHRASE = "init-test-passphrase"
AIRS = Path(sys.executable).with_name("airs")


def airs(project: Path, *args: str, passphrase: str | None = None, stdin: str | None = None):
    """`airs ARGS` as a user runs it, in ``project``; PULUMI_CONFIG_PASSPHRASE only if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASSPHRASE")}
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    command = [str(AIRS)] if AIRS.exists() else [sys.executable, "-m", "components.cli.main"]
    return subprocess.run(
        [*command, *args],
        cwd=project,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("cloud", list(TARGETS))
def test_init_then_validate_passes_as_written(project_dir: Path, cloud: str) -> None:
    """With the passphrase: every required key, example secrets, valid as written."""
    made = airs(
        project_dir, "init", "--stack", f"new-{cloud}", "--cloud", cloud, passphrase=PASSPHRASE
    )
    assert made.returncode == 0, made.stderr
    for passphrase in (PASSPHRASE, None):  # secrets decrypted, and kept opaque
        checked = airs(project_dir, "validate", "--stack", f"new-{cloud}", passphrase=passphrase)
        assert checked.returncode == 0, checked.stderr
        assert "configuration valid" in checked.stdout
    path = project_dir / "stacks" / f"Pulumi.new-{cloud}.yaml"
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    expected_cloud = cloud if cloud in ("gcp", "azure", "aws") else "private"
    assert doc["config"]["airs:cloud"] == expected_cloud
    # Each example value to replace says so.
    assert text.count("# EXAMPLE") >= 8
    # The secrets are Pulumi passphrase-provider ciphertexts of the example values.
    crypter = PassphraseCrypter(PASSPHRASE, doc["encryptionsalt"])
    secrets = dict(secure_paths(doc["config"]))
    assert {"airs:panoramaApiKey", "airs:clusters.apps.kubeconfig"} <= set(secrets)
    for key_path, ciphertext in secrets.items():
        assert re.fullmatch(r"v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+", ciphertext)
        assert crypter.decrypt(ciphertext) == f"example:new-{cloud}:{key_path}"


def test_init_stack_plans_offline(project_dir: Path) -> None:
    made = airs(project_dir, "init", "--stack", "lab", "--cloud", "native", passphrase=PASSPHRASE)
    assert made.returncode == 0, made.stderr
    planned = airs(project_dir, "plan", "--stack", "lab")
    assert planned.returncode == 0, planned.stderr
    assert "Resources:" in planned.stdout
    assert "airs-lab-apps-pan-cni" in planned.stdout


def test_init_without_passphrase_says_how_to_set_the_secrets(project_dir: Path) -> None:
    """No secret is written; the printed commands, run as printed, make the stack valid."""
    made = airs(project_dir, "init", "--stack", "bare", "--cloud", "aws")
    assert made.returncode == 0, made.stderr
    path = project_dir / "stacks" / "Pulumi.bare.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "encryptionsalt" not in doc
    assert list(secure_paths(doc["config"])) == []
    assert "PULUMI_CONFIG_PASSPHRASE is not set" in made.stdout
    commands = [
        line.strip()
        for line in made.stdout.splitlines()
        if "airs config set" in line and "--secret" in line
    ]
    assert len(commands) == 3  # Panorama API key, bootstrap auth key, kubeconfig
    # Until they are set, validate names exactly those keys.
    checked = airs(project_dir, "validate", "--stack", "bare")
    assert checked.returncode == 2
    for key in (
        "airs:panoramaApiKey",
        "airs:securityProject.firewall.bootstrap.authKey",
        "airs:clusters.apps.kubeconfig",
    ):
        assert key in checked.stderr
    for command in commands:
        words = shlex.split(command.split(" < ")[0])
        stdin = None
        if "< kubeconfig" in command:
            stdin = "apiVersion: v1\nkind: Config\n"
        else:
            words[-1] = "a-real-value"  # the printed '…'
        assert words[:3] == ["airs", "config", "set"]
        done = airs(project_dir, *words[1:], passphrase=PASSPHRASE, stdin=stdin)
        assert done.returncode == 0, done.stderr
    checked = airs(project_dir, "validate", "--stack", "bare", passphrase=PASSPHRASE)
    assert checked.returncode == 0, checked.stderr
    # `config set` made the salt; each secret decrypts to what was given (stdin without its
    # last newline, as Pulumi reads it).
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    crypter = PassphraseCrypter(PASSPHRASE, doc["encryptionsalt"])
    assert {k: crypter.decrypt(v) for k, v in secure_paths(doc["config"])} == {
        "airs:securityProject.firewall.bootstrap.authKey": "a-real-value",
        "airs:panoramaApiKey": "a-real-value",
        "airs:clusters.apps.kubeconfig": "apiVersion: v1\nkind: Config",
    }


def test_init_never_overwrites(project_dir: Path) -> None:
    first = airs(project_dir, "init", "--stack", "mine", "--cloud", "gcp", passphrase=PASSPHRASE)
    assert first.returncode == 0, first.stderr
    path = project_dir / "stacks" / "Pulumi.mine.yaml"
    before = path.read_bytes()
    again = airs(project_dir, "init", "--stack", "mine", "--cloud", "azure", passphrase=PASSPHRASE)
    assert again.returncode == 2
    assert "exists: airs init never overwrites a stack file" in again.stderr
    assert path.read_bytes() == before


def test_init_refuses_a_bad_stack_name(project_dir: Path) -> None:
    bad = airs(project_dir, "init", "--stack", "../escape", "--cloud", "gcp")
    assert bad.returncode == 2
    assert "stack name '../escape'" in bad.stderr
    assert list((project_dir / "stacks").iterdir()) == []


def test_init_keeps_airs_name_valid_for_long_stack_names(project_dir: Path) -> None:
    made = airs(
        project_dir,
        "init",
        "--stack",
        "Team_Payments.Production-EU",
        "--cloud",
        "native",
        passphrase=PASSPHRASE,
    )
    assert made.returncode == 0, made.stderr
    checked = airs(project_dir, "validate", "--stack", "Team_Payments.Production-EU")
    assert checked.returncode == 0, checked.stderr
    doc = yaml.safe_load(
        (project_dir / "stacks" / "Pulumi.Team_Payments.Production-EU.yaml").read_text()
    )
    assert doc["config"]["airs:name"] == "airs-team-payments"
