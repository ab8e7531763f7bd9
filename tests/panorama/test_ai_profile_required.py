"""The AI security profile is referenced, never written, and must be configured (issue 15,
defect 10): an empty or missing profile would let the AI rule pass traffic it does not
inspect, so the commit refuses before writing anything."""

from __future__ import annotations

import pytest

from components.panorama.client import PanoramaError
from components.panorama.provider import ProviderSettings
from tests.panorama.conftest import FAST
from tests.panorama.emulator import PanoramaEmulator, seed_ai_profile
from tests.panorama.engine import Engine
from tests.panorama.helpers import intent_for, late_for

DG_PROFILE = (
    "/config/devices/entry[@name='localhost.localdomain']/device-group/entry[@name='{dg}']"
    "/profiles/ai-security/entry[@name='airs-ai-security']"
)


def _engine(emu: PanoramaEmulator) -> Engine:
    return Engine(emu, ProviderSettings(**{**FAST.__dict__, "ca_bundle": str(emu.cert)}))


def test_a_missing_profile_fails_before_anything_is_written() -> None:
    with PanoramaEmulator() as emu:
        intent = intent_for("gcp")
        with pytest.raises(PanoramaError) as err:
            _engine(emu).up(intent, late_for(intent))
        message = str(err.value)
        assert message.startswith("AI security profile airs-ai-security does not exist")
        assert "nothing was written" in message
        assert "in Shared" in message
        assert emu.commits == []
        assert not [r for r in emu.requests if r.get("action") in ("set", "edit", "multi-config")]


def test_a_profile_with_only_a_description_is_refused() -> None:
    with PanoramaEmulator() as emu:
        intent = intent_for("gcp")
        emu.seed(
            DG_PROFILE.format(dg=intent.device_group),
            '<entry name="airs-ai-security"><description>empty</description></entry>',
        )
        with pytest.raises(PanoramaError, match="has no protections configured"):
            _engine(emu).up(intent, late_for(intent))
        assert emu.commits == []


def test_a_configured_profile_in_the_device_group_or_shared_is_used_and_kept() -> None:
    for where in ("dg", "shared"):
        with PanoramaEmulator() as emu:
            intent = intent_for("gcp")
            if where == "shared":
                seed_ai_profile(emu)
            else:
                emu.seed(
                    DG_PROFILE.format(dg=intent.device_group),
                    '<entry name="airs-ai-security"><model-group><entry name="default" />'
                    "</model-group></entry>",
                )
            engine = _engine(emu)
            engine.up(intent, late_for(intent))
            assert len(emu.commits) == 1
            engine.destroy()
            if where == "shared":
                # The administrator's profile outlives the deployment.
                assert (
                    emu.node("/config/shared/profiles/ai-security/entry[@name='airs-ai-security']")
                    is not None
                )
