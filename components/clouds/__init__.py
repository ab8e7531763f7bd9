"""The targets, by ``airs:cloud`` value: a new target is a folder here plus one line below.

Also the stack config bound to them (:func:`parse_stack_config`, :func:`load_stack_config`):
the config package knows no target, so the registry hands it every target's rules.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from components.clouds.aws import AWS
from components.clouds.azure import AZURE
from components.clouds.base import Cloud
from components.clouds.gcp import GCP
from components.clouds.private import PRIVATE
from components.config import StackConfig
from components.config import parse as _parse
from components.config.load import read_pulumi_config

if TYPE_CHECKING:
    from components.panorama.intent import PanoramaIntent
    from components.panorama.profiles import PanoramaInputs

TARGETS: Mapping[str, Cloud] = {target.name: target for target in (GCP, AZURE, AWS, PRIVATE)}
"""Every target, in the order messages list them."""


def target(name: str) -> Cloud:
    """The target ``name`` (an ``airs:cloud`` value validation accepted)."""
    return TARGETS[name]


def parse_stack_config(raw: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Validate raw ``airs:*`` values (keys without the namespace) against every target.

    Raises:
        components.config.ConfigError: with every problem found, one per line.
    """
    return _parse.parse_stack_config(raw, secret_keys, targets=TARGETS)


def load_stack_config() -> StackConfig:
    """Read and validate this stack's ``airs:*`` configuration from the Pulumi engine.

    Raises:
        components.config.ConfigError: with every problem found; nothing is registered yet.
    """
    raw, secret = read_pulumi_config()
    return parse_stack_config(raw, secret)


def build_intent(inputs: PanoramaInputs) -> PanoramaIntent:
    """The Panorama intent of ``inputs.cloud``, validated (raises ``IntentError``)."""
    if inputs.cloud not in TARGETS:
        raise ValueError(f"cloud {inputs.cloud!r} is not one of {', '.join(TARGETS)}")
    intent = TARGETS[inputs.cloud].panorama_profile(inputs)
    intent.validate()
    return intent
