"""Fixtures for CLI tests: a throwaway project folder with our Pulumi.yaml."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.cli.stackchecks import DISABLED
from components.cli.stackfile import PassphraseCrypter
from tests.helpers import ROOT

TEST_PASSPHRASE = "test-passphrase"


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    return tmp_path


@pytest.fixture
def write_stack(project_dir: Path) -> Callable[..., Path]:
    """Write stacks/Pulumi.<name>.yaml; values under `secure` paths are encrypted."""

    def write(
        name: str,
        config: dict[str, Any],
        *,
        secrets: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Path:
        crypter = PassphraseCrypter(TEST_PASSPHRASE)
        # As every real stack (README): without it `airs` warns (components/cli/stackchecks.py).
        doc: dict[str, Any] = {
            "encryptionsalt": crypter.encryption_salt,
            "config": {"pulumi:disable-default-providers": list(DISABLED)},
        }
        for key, value in config.items():
            doc["config"][f"airs:{key}"] = value
        for path, plaintext in (secrets or {}).items():
            keys = path.split(".")
            cur = doc["config"]
            top = f"airs:{keys[0]}"
            if len(keys) == 1:
                cur[top] = {"secure": crypter.encrypt(plaintext)}
                continue
            cur = cur.setdefault(top, {})
            for key in keys[1:-1]:
                cur = cur.setdefault(key, {})
            cur[keys[-1]] = {"secure": crypter.encrypt(plaintext)}
        doc.update(extra or {})
        path = project_dir / "stacks" / f"Pulumi.{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return path

    return write
