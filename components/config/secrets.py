"""Secrets in the stack config: which values must be secret, and never echoing them.

Secret fields (Panorama credentials, bootstrap auth keys, kubeconfigs) are ``SecretStr``: they
print as ``**********`` and must have been set with ``pulumi config set --secret``. Components
turn them into Pulumi secrets with :func:`secret_output`.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, SecretStr

from components.config.base import MISSING, SECRET_SHOWN, ConfigProblem, looks_secret


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
        return {k: (SECRET_SHOWN if looks_secret(str(k)) else redact(v)) for k, v in value.items()}
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


def is_secret_annotation(annotation: Any) -> bool:
    """Whether a model field's annotation holds a secret (``SecretStr``, ``SecretStr | None``)."""
    return "SecretStr" in repr(annotation)


def secret_fields(model: type[BaseModel], prefix: str) -> list[str]:
    """Key paths (below ``airs:``) of the secret fields of ``model``, placed at ``prefix``.

    Nested models are followed; maps and lists of models are not (their keys are the
    user's: the caller adds them with the real keys).
    """
    found: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{field.alias or name}"
        if is_secret_annotation(field.annotation):
            found.append(path)
            continue
        for arg in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found += secret_fields(arg, path)
                break
    return found


def suggest_secret(path: str, known: Sequence[str]) -> str | None:
    """The secret key a mistaken key path (``panorama.password``) most likely meant.

    The nearest scope that has secret keys wins (``clusters.lab.token`` → that cluster's
    ``kubeconfig``); within it, the key most like the mistaken path's name from there on,
    joined in camelCase (``panorama.password`` → ``panoramaPassword``).

    Args:
        path: the unknown key's path below ``airs:``.
        known: paths of every secret key of the stack's contract.
    """
    parts = path.split(".")
    for depth in range(len(parts) - 1, -1, -1):
        scope = parts[:depth]
        candidates = [k for k in known if k.split(".")[:-1] == scope]
        if candidates:
            rest = parts[depth:]
            wanted = (rest[0] + "".join(p[:1].upper() + p[1:] for p in rest[1:])).lower()
            return max(
                candidates,
                key=lambda c: difflib.SequenceMatcher(
                    None, wanted, c.rsplit(".", 1)[-1].lower()
                ).ratio(),
            )
    return None


def set_secret_hint(path: str) -> str:
    """How to set the secret at ``path``: the ``pulumi config set`` command."""
    if "." in path:
        return f"`pulumi config set --secret --path 'airs:{path}' …`"
    return f"`pulumi config set --secret airs:{path} …`"


def secure_typo_hint(path: str, value: Any) -> str:
    """A hint when ``value`` looks like a ``secure:`` value with the word mistyped
    (``secret:``, ``Secure:``): how a secret is written. Empty otherwise."""
    if isinstance(value, Mapping) and len(value) == 1:
        (word,) = value
        if str(word) != "secure" and difflib.get_close_matches(str(word).lower(), ["secure"]):
            return (
                f" (a secret is written `secure: <ciphertext>`, not `{word}:`; set it with "
                f"{set_secret_hint(path)})"
            )
    return ""


def secret_output(value: SecretStr) -> Any:
    """A secret value as a Pulumi secret Output (never a plain string in state)."""
    import pulumi

    return pulumi.Output.secret(value.get_secret_value())
