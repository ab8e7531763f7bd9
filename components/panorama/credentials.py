"""Panorama credentials, read from stack config when a provider is configured.

They live only in the provider process: never in inputs, outputs, state or the pickled
provider (``provider.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Credentials:
    """Panorama credentials from stack config (never serialised)."""

    api_key: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, api_key={'***' if self.api_key else None})"


def credentials_from_config(get: Any) -> Credentials:
    """Read ``airs:panoramaApiKey`` / ``airs:panoramaPassword`` and ``airs:panorama.username``."""
    pano = get("airs:panorama")
    if isinstance(pano, str):
        try:
            pano = json.loads(pano)
        except ValueError:
            pano = {}
    username = pano.get("username") if isinstance(pano, dict) else None
    return Credentials(
        api_key=get("airs:panoramaApiKey") or None,
        username=username or None,
        password=get("airs:panoramaPassword") or None,
    )
