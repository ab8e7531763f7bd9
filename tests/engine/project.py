"""The Pulumi CLI, built from source, driving our program in a throwaway project folder.

Each :class:`EngineProject` is the repository's program as a user checks it out — the same
``Pulumi.yaml``, ``__main__.py``, ``components/`` and ``helm/`` (linked, not copied) and the
project's ``.venv`` — with its own ``stacks/`` folder of example-stack copies, its own file
backend (``pulumi login file://…``), its own plugin cache (``PULUMI_HOME``) and the passphrase
secrets provider. Nothing reaches the network: plugins come from ``.engine/bin`` only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import ROOT

# Where scripts/engine put the tools (AIRS_ENGINE_BIN: elsewhere, e.g. to test the skip).
ENGINE_BIN = Path(os.environ.get("AIRS_ENGINE_BIN") or ROOT / ".engine" / "bin")
EXAMPLE_PASSPHRASE = "airs-examples-not-a-secret"
# A `pulumi up` of a stack takes tens of seconds here; bound every call well above that.
CALL_TIMEOUT = 900


def kubernetes_sdk_version() -> str:
    """The Kubernetes provider version our Python SDK asks the engine for."""
    import pulumi_kubernetes

    meta = Path(pulumi_kubernetes.__file__).with_name("pulumi-plugin.json")
    return str(json.loads(meta.read_text())["version"])


@dataclass
class EngineProject:
    """A project folder, its backend and plugin home under ``workdir``."""

    workdir: Path

    @property
    def folder(self) -> Path:
        return self.workdir / "project"

    def create(self, stacks: list[str], program: Path = ROOT) -> EngineProject:
        """Lay out the project with copies of the example ``stacks`` and log in.

        ``program``: a folder with ``Pulumi.yaml`` and ``__main__.py``, by default ours; it
        runs in our ``.venv`` with our ``components/`` and ``helm/``.
        """
        self.folder.mkdir(parents=True)
        for name in ("components", "helm", ".venv"):
            (self.folder / name).symlink_to(ROOT / name)
        (self.folder / "__main__.py").symlink_to(program / "__main__.py")
        shutil.copy(program / "Pulumi.yaml", self.folder / "Pulumi.yaml")
        (self.folder / "stacks").mkdir()
        for stack in stacks:
            self.copy_stack(stack)
        (self.workdir / "state").mkdir()
        self.run("login", f"file://{self.workdir / 'state'}")
        # Installed into this home's plugin cache, so the engine uses it without the "from
        # $PATH" warning and never tries to download one.
        self.run(
            "plugin",
            "install",
            "resource",
            "kubernetes",
            kubernetes_sdk_version(),
            "--file",
            str(ENGINE_BIN / "pulumi-resource-kubernetes"),
        )
        return self

    def copy_stack(self, stack: str, source: Path | None = None) -> Path:
        """Put ``stacks/Pulumi.<stack>.yaml`` (an example, or ``source``) into the project."""
        target = self.folder / "stacks" / f"Pulumi.{stack}.yaml"
        shutil.copy(source or ROOT / "stacks" / f"Pulumi.{stack}.yaml", target)
        return target

    def env(self) -> dict[str, str]:
        """The environment of every CLI call: no update check, no plugin download.

        ``.engine/bin`` is not on PATH: the CLI finds the language host and the dynamic
        provider launcher beside itself, and the Kubernetes provider in this home's cache.
        """
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PULUMI_", "AIRS_")) and k != "KUBECONFIG"
        }
        env.update(
            PULUMI_HOME=str(self.workdir / "home"),
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_CONFIG_PASSPHRASE=EXAMPLE_PASSPHRASE,
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            NO_COLOR="1",
        )
        return env

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``pulumi ARGS`` in the project folder; raises with the output when it fails."""
        result = subprocess.run(
            [str(ENGINE_BIN / "pulumi"), *args, "--non-interactive"],
            cwd=self.folder,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
            )
        return result

    def config_set(self, stack: str, key: str, value: str, *, secret: bool = False) -> None:
        """``pulumi config set --path`` (the value goes through stdin, never argv)."""
        args = ["config", "set", "--stack", stack, "--path", key]
        if secret:
            args.append("--secret")
        self.run(*args, stdin=value)

    def preview_json(self, stack: str, *extra: str) -> dict[str, Any]:
        """``pulumi preview --json``, decoded."""
        out = self.run("preview", "--stack", stack, "--json", *extra).stdout
        return dict(json.loads(out))

    def export(self, stack: str) -> str:
        """``pulumi stack export`` (the state file as the backend keeps it)."""
        return self.run("stack", "export", "--stack", stack).stdout
