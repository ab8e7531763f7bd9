"""Fixtures: a fresh PAN-OS emulator per test and fast provider settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.panorama.provider import ProviderSettings
from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile
from tests.panorama.engine import Engine

# Short, bounded waits: nothing in these tests can hang.
FAST = ProviderSettings(
    verify_tls=True,
    # Long enough that a slow TLS handshake on a loaded 2-core CI machine is not a fault;
    # the emulator's injected timeouts wait longer (Faults.timeout_delay).
    timeout=1.0,
    retry_attempts=3,
    retry_base_delay=0.01,
    retry_max_delay=0.02,
    poll_interval=0.005,
    poll_timeout=2.0,
)


@pytest.fixture
def emu() -> Iterator[PanoramaEmulator]:
    with PanoramaEmulator() as e:
        seed_ai_profile(e)
        yield e


@pytest.fixture
def settings(emu: PanoramaEmulator) -> ProviderSettings:
    return ProviderSettings(**{**FAST.__dict__, "ca_bundle": str(emu.cert)})


@pytest.fixture
def engine(emu: PanoramaEmulator, settings: ProviderSettings) -> Engine:
    return Engine(emu, settings)
