"""The engine tier: the real Pulumi CLI, a real API server and the Panorama emulator.

Runs when ``scripts/engine`` has built ``.engine/bin``; otherwise every test here is skipped
with one line saying so. CI sets ``AIRS_ENGINE_TIER=required``, which turns that skip into a
failure, so a CI run can never pass without the engine tier having run.

Every engine-tier module marks itself ``pytestmark = ENGINE_GROUP``: one xdist group, so one
worker runs them in file order (``scripts/test`` uses ``--dist loadgroup``); they walk one
stack through preview, up, change, drift, refresh and destroy, and share one control plane.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.cluster import ControlPlane
from tests.engine.project import ENGINE_BIN
from tests.panorama.emulator import PanoramaEmulator

TOOLS = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-resource-kubernetes",
    "kube-apiserver",
    "kube-controller-manager",
    "etcd",
)
ENGINE_GROUP = pytest.mark.xdist_group("engine")
# The admin the example stacks name (airs:panorama.username).
PANORAMA_ADMIN = "airs-automation"


@pytest.fixture(scope="session", autouse=True)
def engine_bin() -> Path:
    """``.engine/bin`` with every tool, or skip (fail where CI requires the tier)."""
    missing = [tool for tool in TOOLS if not (ENGINE_BIN / tool).exists()]
    if missing:
        reason = f"engine tier: {', '.join(missing)} not in .engine/bin (build with scripts/engine)"
        if os.environ.get("AIRS_ENGINE_TIER") == "required":
            pytest.fail(reason + " — AIRS_ENGINE_TIER=required", pytrace=False)
        pytest.skip(reason)
    return ENGINE_BIN


@pytest.fixture(scope="session")
def control_plane(
    engine_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ControlPlane]:
    """etcd + kube-apiserver + kube-controller-manager, with the CRD the chart needs."""
    plane = ControlPlane(engine_bin, tmp_path_factory.mktemp("control-plane")).start()
    try:
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="session")
def panorama() -> Iterator[PanoramaEmulator]:
    """The HTTPS PAN-OS XML API emulator, with the example stacks' admin."""
    with PanoramaEmulator(users={PANORAMA_ADMIN: "not-used", "admin": "admin-pw"}) as emu:
        yield emu
