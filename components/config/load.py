"""Reading the ``airs:*`` values from the Pulumi engine: the only place that reads Pulumi config."""

from __future__ import annotations

from typing import Any

from components.config.base import NAMESPACE


def read_pulumi_config() -> tuple[dict[str, Any], set[str]]:
    """Every ``airs:*`` value Pulumi hands the program, and which of them are secret."""
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw: dict[str, Any] = {}
    secret: set[str] = set()
    env_secret = set(runtime_config.get_config_secret_keys_env())
    for full_key in sorted(keys):
        ns, _, key = full_key.partition(":")
        if ns != NAMESPACE or not key:
            continue
        raw[key] = runtime_config.get_config(full_key)
        if runtime_config.is_config_secret(full_key) or full_key in env_secret:
            secret.add(key)
    return raw, secret
