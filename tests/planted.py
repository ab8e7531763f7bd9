"""Example stacks rewritten with planted secret values (the secrets audit, the fault matrix).

Every ``secure:`` value of an example stack is replaced by a unique marker, encrypted with the
published example passphrase; kubeconfigs become real kubeconfigs whose bearer token is the
marker and whose API server is a closed local port (an unreachable cluster).
"""

from __future__ import annotations

import base64
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.cli.stackfile import PassphraseCrypter
from scripts.example_secrets import EXAMPLE_PASSPHRASE
from tests.helpers import ROOT

UNREACHABLE_API_SERVER = "https://127.0.0.1:9"  # the discard port: nothing listens there


def new_marker(*what: str) -> str:
    """A marker nobody could produce by accident (random part), naming what it was planted in."""
    slug = re.sub(r"[^a-z0-9]+", "", "".join(what).lower())[:24]
    return f"zzleak{slug}{secrets.token_hex(6)}"


def kubeconfig_with(token: str, server: str = UNREACHABLE_API_SERVER) -> str:
    """A realistic kubeconfig whose bearer token and client key carry ``token``."""
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "audit",
            "clusters": [{"name": "audit", "cluster": {"server": server}}],
            "users": [
                {
                    "name": "audit",
                    "user": {
                        "token": token,
                        "client-key-data": base64.b64encode(f"{token}-key".encode()).decode(),
                    },
                }
            ],
            "contexts": [{"name": "audit", "context": {"cluster": "audit", "user": "audit"}}],
        }
    )


@dataclass
class PlantedStack:
    """An example stack rewritten with a marker in every secret it can hold."""

    name: str
    markers: dict[str, str]
    """Config path (without ``airs:``) → the marker planted there."""
    security_stack: str | None
    """The stack whose outputs a layered stack reads (``airs:securityStack``)."""
    clusters: list[str]
    """Keys of ``airs:clusters``."""

    def markers_where(self, prefix: str) -> set[str]:
        """Markers planted under config paths starting with ``prefix``."""
        return {m for path, m in self.markers.items() if path.startswith(prefix)}


def planted_project(folder: Path) -> Path:
    """A project folder holding our Pulumi.yaml and an empty stacks/ folder."""
    (folder / "stacks").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", folder / "Pulumi.yaml")
    return folder


def _plant(value: Any, path: str, stack: str, markers: dict[str, str]) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        marker = new_marker(stack, path.rsplit(".", 1)[-1])
        markers[path] = marker
        return kubeconfig_with(marker) if path.endswith(".kubeconfig") else marker
    if isinstance(value, dict):
        return {k: _plant(v, f"{path}.{k}", stack, markers) for k, v in value.items()}
    return value


def _encrypt(value: Any, plain: Any, crypter: PassphraseCrypter) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return {"secure": crypter.encrypt(plain)}
    if isinstance(value, dict):
        return {k: _encrypt(v, plain[k], crypter) for k, v in value.items()}
    return value


def write_planted_stack(project: Path, example: str) -> PlantedStack:
    """Copy ``stacks/Pulumi.<example>.yaml`` into ``project`` with planted secrets.

    Both Panorama credentials are set (the program accepts either), and every cluster turns
    on the workload restart, which hands its kubeconfig to a dynamic resource. Secrets decrypt
    with the published example passphrase (``PULUMI_CONFIG_PASSPHRASE``).
    """
    doc = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{example}.yaml").read_text(encoding="utf-8"))
    crypter = PassphraseCrypter(EXAMPLE_PASSPHRASE, doc["encryptionsalt"])
    config = doc["config"]
    config["airs:panoramaApiKey"] = {"secure": "planted"}
    config["airs:panoramaPassword"] = {"secure": "planted"}
    clusters = config.get("airs:clusters") or {}
    for cluster in clusters.values():
        cluster["restartWorkloads"] = True
    markers: dict[str, str] = {}
    planted = {k: _plant(v, k.removeprefix("airs:"), example, markers) for k, v in config.items()}
    doc["config"] = {k: _encrypt(v, planted[k], crypter) for k, v in config.items()}
    (project / "stacks" / f"Pulumi.{example}.yaml").write_text(
        yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
    )
    return PlantedStack(
        name=example,
        markers=markers,
        security_stack=config.get("airs:securityStack"),
        clusters=sorted(clusters),
    )
