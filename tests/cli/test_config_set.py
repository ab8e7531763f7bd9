"""`airs config set` (issue 16, item 7): the stack file as `pulumi config set` writes it.

Same data as the Pulumi CLI writes (checked against the real CLI when `.engine/bin` has it),
secure values Pulumi's passphrase provider decrypts, and the file's comments, order and
quoting kept: a set changes the lines of that key only.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.cli.config_edit import ConfigSetError, load_document, parse_key, set_value
from components.cli.stack_templates import secure_paths
from components.cli.stackfile import PassphraseCrypter
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.cli.test_stack_init import airs
from tests.helpers import ROOT

ENGINE_PULUMI = Path(os.environ.get("AIRS_ENGINE_BIN") or ROOT / ".engine" / "bin") / "pulumi"


@pytest.fixture
def stack_copy(project_dir: Path) -> Path:
    """A copy of the aws-dev example in a throwaway project (its secrets: example passphrase)."""
    target = project_dir / "stacks" / "Pulumi.aws-dev.yaml"
    shutil.copy(ROOT / "stacks" / "Pulumi.aws-dev.yaml", target)
    return target


def changed_lines(before: str, after: str) -> list[str]:
    """The lines removed and added, as a diff shows them."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_set_changes_that_line_only_and_keeps_the_comments(
    project_dir: Path, stack_copy: Path
) -> None:
    before = stack_copy.read_text(encoding="utf-8")
    done = airs(
        project_dir,
        *("config", "set", "--stack", "aws-dev", "--path"),
        *("airs:securityProject.firewall.maxReplicas", "3"),
    )
    assert done.returncode == 0, done.stderr
    after = stack_copy.read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["-      maxReplicas: 2", "+      maxReplicas: 3"]
    assert yaml.safe_load(after)["config"]["airs:securityProject"]["firewall"]["maxReplicas"] == 3
    assert airs(project_dir, "validate", "--stack", "aws-dev").returncode == 0


def test_secret_is_encrypted_with_the_stacks_salt(project_dir: Path, stack_copy: Path) -> None:
    """`--secret --path`: a new ciphertext in place of the old; it decrypts with the salt."""
    before = stack_copy.read_text(encoding="utf-8")
    kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n"
    done = airs(
        project_dir,
        *("config", "set", "--stack", "aws-dev", "--secret", "--path"),
        "airs:clusters.apps.kubeconfig",
        passphrase=EXAMPLE_PASSPHRASE,
        stdin=kubeconfig,  # no value argument: read from standard input
    )
    assert done.returncode == 0, done.stderr
    assert "kind: Config" not in done.stdout + done.stderr  # a secret is never printed
    after = stack_copy.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed.startswith("-        secure: v1:")
    assert added.startswith("+        secure: v1:")
    doc = yaml.safe_load(after)
    crypter = PassphraseCrypter(EXAMPLE_PASSPHRASE, doc["encryptionsalt"])
    values = {k: crypter.decrypt(v) for k, v in secure_paths(doc["config"])}
    assert values["airs:clusters.apps.kubeconfig"] == kubeconfig.removesuffix("\n")
    assert values["airs:panoramaApiKey"] == "example:aws-dev:airs:panoramaApiKey"  # untouched
    checked = airs(project_dir, "validate", "--stack", "aws-dev", passphrase=EXAMPLE_PASSPHRASE)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("args", "passphrase", "message"),
    [
        (
            ("--secret", "airs:panoramaApiKey", "k"),
            None,
            "--secret needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)",
        ),
        (
            ("--secret", "airs:panoramaApiKey", "k"),
            "not-the-passphrase",
            "incorrect passphrase for this stack (PULUMI_CONFIG_PASSPHRASE)",
        ),
        (
            ("--path", "airs:clusters.apps.kubeconfig", "plain"),
            None,
            "airs:clusters.apps.kubeconfig is a secret of the airs:* contract: set it with "
            "--secret",
        ),
        (
            ("airs:panoramaApiKey", "plain"),
            None,
            "airs:panoramaApiKey is a secret of the airs:* contract",
        ),
        (
            ("--path", "airs:securityProject.zones.first", "x"),
            None,
            "airs:securityProject.zones.first: a map was expected for key 'first'",
        ),
        (
            ("--path", "airs:securityProject.zones[5]", "x"),
            None,
            "airs:securityProject.zones[5]: list index 5 is out of range",
        ),
        (("--path", "airs:a..b", "x"), None, "path 'a..b': empty key at position 2"),
    ],
)
def test_refused_changes_leave_the_file_alone(
    project_dir: Path,
    stack_copy: Path,
    args: tuple[str, ...],
    passphrase: str | None,
    message: str,
) -> None:
    before = stack_copy.read_bytes()
    done = airs(project_dir, "config", "set", "--stack", "aws-dev", *args, passphrase=passphrase)
    assert done.returncode == 2
    assert f"error: {message}" in done.stderr
    assert "Traceback" not in done.stderr
    assert stack_copy.read_bytes() == before


def test_stack_on_another_secrets_provider_is_refused(project_dir: Path) -> None:
    path = project_dir / "stacks" / "Pulumi.kms.yaml"
    path.write_text(
        "secretsprovider: awskms://alias/airs\nencryptedkey: AQICAHh=\nconfig:\n  airs:cloud: gcp\n",
        encoding="utf-8",
    )
    done = airs(
        project_dir,
        *("config", "set", "--stack", "kms", "--secret", "airs:panoramaApiKey", "k"),
        passphrase="pw",
    )
    assert done.returncode == 2
    assert "secrets provider is awskms://alias/airs" in done.stderr
    assert "use `pulumi config set --secret`" in done.stderr


def test_a_missing_stack_points_to_airs_init(project_dir: Path) -> None:
    done = airs(project_dir, "config", "set", "--stack", "nowhere", "airs:cloud", "gcp")
    assert done.returncode == 2
    assert "create it with `airs init --stack nowhere --cloud …`" in done.stderr


def test_without_path_a_dotted_key_is_one_key_as_pulumi_reads_it(
    project_dir: Path, stack_copy: Path
) -> None:
    done = airs(project_dir, "config", "set", "--stack", "aws-dev", "airs:a.b", "v")
    assert done.returncode == 0
    assert "without --path, airs:a.b is one key of that name" in done.stderr
    assert yaml.safe_load(stack_copy.read_text())["config"]["airs:a.b"] == "v"


def test_secret_on_a_stack_without_salt_makes_one(project_dir: Path) -> None:
    path = project_dir / "stacks" / "Pulumi.fresh.yaml"
    path.write_text("# my notes\nconfig:\n  airs:cloud: gcp  # the target\n", encoding="utf-8")
    done = airs(
        project_dir,
        *("config", "set", "--stack", "fresh", "--secret", "airs:panoramaApiKey", "k1"),
        passphrase="pw",
    )
    assert done.returncode == 0, done.stderr
    assert "had no encryptionsalt: made one" in done.stderr
    text = path.read_text(encoding="utf-8")
    assert "# my notes\n" in text
    assert "airs:cloud: gcp  # the target\n" in text
    doc = yaml.safe_load(text)
    crypter = PassphraseCrypter("pw", doc["encryptionsalt"])
    assert crypter.decrypt(doc["config"]["airs:panoramaApiKey"]["secure"]) == "k1"


# --------------------------------------------------------------------------- semantics


def _set(config: dict[str, Any], key: str, value: str, *, path: bool) -> dict[str, Any]:
    text = yaml.safe_dump({"config": config}, sort_keys=False)
    new, _ = set_value(text, parse_key(key, "airs", path=path), value, crypter=None)
    return dict(yaml.safe_load(new)["config"])


@pytest.mark.parametrize(
    ("config", "key", "value", "path", "expected"),
    [
        # Pulumi's own examples (`pulumi config set --help`).
        ({}, "names[0]", "a", True, {"airs:names": ["a"]}),
        ({}, "parent.nested", "value", True, {"airs:parent": {"nested": "value"}}),
        (
            {},
            '["parent.name"]["nested.name"]',
            "v",
            True,
            {"airs:parent.name": {"nested.name": "v"}},
        ),
        # Below the top level, "true"/"false" and integers are typed; "0…" stays a string.
        ({}, "a.b", "true", True, {"airs:a": {"b": True}}),
        ({}, "a.b", "42", True, {"airs:a": {"b": 42}}),
        ({}, "a.b", "007951000123456", True, {"airs:a": {"b": "007951000123456"}}),
        # At the top level, and without --path, a value is a string.
        ({}, "a", "42", True, {"airs:a": "42"}),
        ({}, "a.b", "42", False, {"airs:a.b": "42"}),
        # An index equal to the length appends; an existing string is replaced by the object.
        ({"airs:l": ["x"]}, "l[1]", "y", True, {"airs:l": ["x", "y"]}),
        ({"airs:s": "text"}, "s.k", "v", True, {"airs:s": {"k": "v"}}),
        # Other namespaces are kept as given.
        ({}, "pulumi:tags.team", "ai", True, {"pulumi:tags": {"team": "ai"}}),
    ],
)
def test_path_semantics_are_pulumis(
    config: dict[str, Any], key: str, value: str, path: bool, expected: dict[str, Any]
) -> None:
    assert _set(config, key, value, path=path) == expected


def test_secure_alone_in_a_map_is_reserved() -> None:
    with pytest.raises(ConfigSetError, match='"secure" key in maps of length 1 are reserved'):
        _set({}, "a.secure", "x", path=True)


def test_every_stack_file_is_written_back_byte_for_byte() -> None:
    """Comments, order, quoting and indentation of every example and bad-input stack."""
    files = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
    files += sorted((ROOT / "tests" / "bad_inputs").glob("Pulumi.*.yaml"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
        name = (doc.get("config") or {}).get("airs:name")
        if not isinstance(name, str):
            continue
        new, _ = set_value(text, parse_key("airs:name", "airs", path=False), name, crypter=None)
        assert new == text, path.name
        load_document(text)  # and it loads as a round trip


@pytest.mark.skipif(not ENGINE_PULUMI.exists(), reason="no Pulumi CLI in .engine/bin")
def test_the_same_data_as_the_pulumi_cli_writes(tmp_path: Path) -> None:
    """One stack changed by `pulumi config set`, its copy by `airs config set`: same config;
    the real CLI decrypts what airs encrypted, and `pulumi stack init` keeps `airs init`'s salt."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.update(
        PULUMI_HOME=str(tmp_path / "home"),
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_CONFIG_PASSPHRASE="pw",
        NO_COLOR="1",
    )

    def pulumi(*args: str) -> str:
        result = subprocess.run(
            [str(ENGINE_PULUMI), *args, "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    (tmp_path / "state").mkdir()
    pulumi("login", f"file://{tmp_path / 'state'}")
    made = airs(project, "init", "--stack", "by-pulumi", "--cloud", "native", passphrase="pw")
    assert made.returncode == 0, made.stderr
    written = (project / "stacks" / "Pulumi.by-pulumi.yaml").read_text(encoding="utf-8")
    pulumi("stack", "init", "by-pulumi")
    assert (project / "stacks" / "Pulumi.by-pulumi.yaml").read_text(encoding="utf-8") == written
    shutil.copy(
        project / "stacks" / "Pulumi.by-pulumi.yaml", project / "stacks" / "Pulumi.by-airs.yaml"
    )
    pulumi("stack", "init", "by-airs")
    changes = [
        ("--path", "airs:clusters.apps.clusterId", "7"),
        ("--path", "airs:firewall.serials[1]", "007951000999999"),
        ("--path", 'airs:clusters.apps.protect["ns.x"]', "namespace"),
        ("--path", "airs:panorama.verifyTls", "false"),
        ("--path", "airs:extra.list[0]", "a"),
        ("--path", "airs:extra.list[1]", "12"),
        ("--path", "airs:name", "airs-renamed"),
        ("airs:plain", "123"),
        ("--secret", "--path", "airs:clusters.apps.kubeconfig", "kubeconfig-text"),
        ("--secret", "airs:panoramaApiKey", "api-key"),
    ]
    for change in changes:
        pulumi("config", "set", "--stack", "by-pulumi", *change)
        done = airs(project, "config", "set", "--stack", "by-airs", *change, passphrase="pw")
        assert done.returncode == 0, done.stderr

    def data(stack: str) -> Any:
        doc = yaml.safe_load((project / "stacks" / f"Pulumi.{stack}.yaml").read_text())

        def opaque(value: Any) -> Any:  # ciphertexts differ (random nonces): compare the shape
            if isinstance(value, dict):
                return (
                    "<secure>"
                    if set(value) == {"secure"}
                    else {k: opaque(v) for k, v in value.items()}
                )
            return [opaque(v) for v in value] if isinstance(value, list) else value

        return opaque(doc["config"])

    assert data("by-airs") == data("by-pulumi")
    # The real CLI decrypts airs's ciphertexts.
    assert pulumi("config", "get", "--stack", "by-airs", "airs:panoramaApiKey").strip() == "api-key"
    shown = pulumi("config", "get", "--stack", "by-airs", "--path", "airs:clusters.apps.kubeconfig")
    assert shown.strip() == "kubeconfig-text"
