"""Secrets in the stack config: which values must be secret, and never echoing them.

Secret fields (Panorama credentials, bootstrap auth keys, kubeconfigs) are ``SecretStr``: they
print as ``**********`` and must have been set with ``pulumi config set --secret``. Components
turn them into Pulumi secrets with :func:`secret_output`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from components.config.base import MISSING, SECRET_SHOWN, ConfigProblem


def without_secret_wholes(
    problems: list[ConfigProblem], secret_keys: Collection[str]
) -> list[ConfigProblem]:
    """Mask problems that show a whole secret top-level value (a broken ``airs:clusters``
    holding kubeconfigs, say); problems about one field inside it name that field only."""
    return [
        dataclasses.replace(p, value=SECRET_SHOWN)
        if p.key in secret_keys and p.value not in (MISSING, SECRET_SHOWN)
        else p
        for p in problems
    ]


def json_or_text(value: Any) -> Any:
    """A JSON object or list given as text, decoded; anything else unchanged."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def redact(value: Any) -> Any:
    """Hide anything that might be secret before it is echoed in an error."""
    if isinstance(value, Mapping):
        return {
            k: ("[secret]" if k in ("authKey", "kubeconfig") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def secret_scalar(
    values: Mapping[str, Any], key: str, secret_keys: Collection[str], problems: list[ConfigProblem]
) -> SecretStr | None:
    """Top-level ``key`` as a secret string, or a problem if it is not one (or not secret)."""
    value = values[key]
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(ConfigProblem(key, SECRET_SHOWN, "must be a string"))
        return None
    if key not in secret_keys:
        problems.append(
            ConfigProblem(
                key,
                "plaintext",
                f"must be a secret: set it with `pulumi config set --secret airs:{key} …`",
            )
        )
        return None
    return SecretStr(value)


def secret_paths(value: Any, path: str) -> Iterator[str]:
    """Paths of every SecretStr set inside a validated model tree."""
    if isinstance(value, SecretStr):
        yield path
    elif isinstance(value, BaseModel):
        for field_name, field in type(value).model_fields.items():
            yield from secret_paths(
                getattr(value, field_name), f"{path}.{field.alias or field_name}"
            )
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from secret_paths(v, f"{path}.{k}")


def secret_output(value: SecretStr) -> Any:
    """A secret value as a Pulumi secret Output (never a plain string in state)."""
    import pulumi

    return pulumi.Output.secret(value.get_secret_value())
