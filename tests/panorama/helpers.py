"""Small helpers shared by the apply tests."""

from __future__ import annotations

import dataclasses

from components.clouds import build_intent
from components.panorama.intent import PanoramaIntent, StaticRoute
from tests.panorama import fixtures
from tests.panorama.emulator import PanoramaEmulator
from tests.panorama.engine import ADMIN

SERIAL = "007900000001"
CRED = "H4sIAAAAAAAAA6tWSkzOyUzOUMpIzcnJVyjPL8pJUQIAb+3PmBQAAAA="


def late_for(intent: PanoramaIntent) -> dict[str, str]:
    values = {"public-lb-address": "20.30.40.50"}
    return {k: values.get(k, CRED) for k in intent.late_keys()}


def intent_for(cloud: str) -> PanoramaIntent:
    return build_intent(fixtures.ALL[cloud]())


def change_one_route(intent: PanoramaIntent) -> PanoramaIntent:
    router = intent.routers[0]
    if router.routes:
        first = dataclasses.replace(router.routes[0], destination="10.99.0.0/16")
        routes = (first, *router.routes[1:])
    else:
        gw = "10.100.1.1"
        routes = (StaticRoute("app-extra", "10.99.0.0/16", "ip-address", gw, router.interfaces[0]),)
    return dataclasses.replace(
        intent, routers=(dataclasses.replace(router, routes=routes), *intent.routers[1:])
    )


def remove_one_rule(intent: PanoramaIntent) -> PanoramaIntent:
    return dataclasses.replace(intent, security_rules=intent.security_rules[:-1])


def pending(emu: PanoramaEmulator) -> list[str]:
    """Our admin's uncommitted changes in the emulator's candidate."""
    with emu.lock:
        return emu._admin_changes(ADMIN)
