"""Reading Pulumi.yaml and stack files the way the Pulumi CLI does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from components.cli import stackfile
from tests.cli.conftest import TEST_PASSPHRASE
from tests.helpers import EXAMPLE_STACKS, PROJECT


def test_project_file() -> None:
    assert PROJECT.name == "airs"
    assert PROJECT.stack_config_dir.name == "stacks"
    assert PROJECT.declared["cloud"]["type"] == "string"
    assert "default" not in PROJECT.declared["cloud"]
    assert PROJECT.declared["clusters"]["default"] == {}


def test_examples_cover_every_cloud_and_environment() -> None:
    for cloud in ("gcp", "azure", "aws", "openshift", "rancher"):
        for env in ("dev", "prod"):
            assert f"{cloud}-{env}" in EXAMPLE_STACKS


def test_passphrase_round_trip() -> None:
    crypter = stackfile.PassphraseCrypter("pw")
    ciphertext = crypter.encrypt("hello")
    assert ciphertext.startswith("v1:")
    again = stackfile.PassphraseCrypter("pw", crypter.encryption_salt)
    assert again.decrypt(ciphertext) == "hello"
    with pytest.raises(stackfile.StackFileError, match="incorrect passphrase"):
        stackfile.PassphraseCrypter("wrong", crypter.encryption_salt)


def test_example_secrets_decrypt_with_published_passphrase() -> None:
    from components.cli.stack_templates import example_plaintext as expected_plaintext
    from scripts.example_secrets import EXAMPLE_PASSPHRASE, process

    for stack in ("gcp-dev", "openshift-prod"):
        assert process(PROJECT.stack_file(stack), check=True) == []
    # and the loader decrypts the same way the CLI would
    import os

    os.environ["PULUMI_CONFIG_PASSPHRASE"] = EXAMPLE_PASSPHRASE
    try:
        settings = stackfile.load_stack(PROJECT, "gcp-dev")
    finally:
        del os.environ["PULUMI_CONFIG_PASSPHRASE"]
    assert settings.decrypted
    assert settings.config["airs:panoramaApiKey"] == expected_plaintext(
        "gcp-dev", "airs:panoramaApiKey"
    )
    clusters = json.loads(settings.config["airs:clusters"])
    assert clusters["apps"]["kubeconfig"] == expected_plaintext(
        "gcp-dev", "airs:clusters.apps.kubeconfig"
    )


def test_secure_values_opaque_without_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    settings = stackfile.load_stack(PROJECT, "gcp-dev")
    assert not settings.decrypted
    assert settings.config["airs:panoramaApiKey"] == "[secret]"
    # a nested secure value makes the whole top-level key secret, as the Pulumi engine does
    assert set(settings.secret_keys) == {
        "airs:securityProject",
        "airs:panoramaApiKey",
        "airs:clusters",
    }


def test_defaults_applied_from_project(write_stack: Callable[..., Path], project_dir: Path) -> None:
    write_stack("minimal", {"cloud": "private", "name": "x"})
    project = stackfile.load_project(project_dir / "Pulumi.yaml")
    settings = stackfile.load_stack(project, "minimal", decrypt=False)
    assert settings.config["airs:clusters"] == "{}"
    assert settings.config["airs:panoramaApiKey"] == ""
    assert [str(p) for p in settings.problems] == [
        "airs:panorama: <missing> — is required (Pulumi.yaml declares no default)"
    ]


def test_unnamespaced_key_is_refused(project_dir: Path) -> None:
    (project_dir / "stacks" / "Pulumi.bad.yaml").write_text("config:\n  cloud: gcp\n")
    project = stackfile.load_project(project_dir / "Pulumi.yaml")
    with pytest.raises(stackfile.StackFileError, match="must be namespaced"):
        stackfile.load_stack(project, "bad")


def test_decrypts_with_passphrase(
    write_stack: Callable[..., Path], project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_stack(
        "enc",
        {"cloud": "private"},
        secrets={"panoramaApiKey": "k-123", "clusters.c1.kubeconfig": "kc"},
    )
    project = stackfile.load_project(project_dir / "Pulumi.yaml")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", TEST_PASSPHRASE)
    settings = stackfile.load_stack(project, "enc")
    assert settings.config["airs:panoramaApiKey"] == "k-123"
    assert json.loads(settings.config["airs:clusters"]) == {"c1": {"kubeconfig": "kc"}}
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "nope")
    with pytest.raises(stackfile.StackFileError, match="incorrect passphrase"):
        stackfile.load_stack(project, "enc")
