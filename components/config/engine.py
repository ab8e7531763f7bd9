"""The parsing engine: pydantic validation errors turned into ``airs:<key>`` problems.

Every error names the key path below ``airs:``, shows the value safely (secrets never) and
says the rule in words; an unknown key gets a "did you mean". Nothing here knows a model.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from components.config.base import (
    HIDDEN,
    MISSING,
    SECRET_SHOWN,
    ConfigProblem,
    looks_secret,
    show,
)
from components.config.secrets import (
    is_secret_annotation,
    secure_typo_hint,
    set_secret_hint,
    suggest_secret,
)

M = TypeVar("M", bound=BaseModel)


def _loc_path(prefix: str, loc: Sequence[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def lookup(raw: Any, loc: Sequence[int | str]) -> Any:
    """The raw value at ``loc`` (a pydantic error location), or None."""
    cur = raw
    for part in loc:
        if isinstance(cur, Mapping):
            if part not in cur:
                return None
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            return None
    return cur


def _allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """camelCase keys accepted by the model found at ``loc`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            if field is None:
                return []
            current = _model_in(field.annotation)
        elif isinstance(current, tuple):  # dict[str, Model] or list[Model]: skip the key
            current = current[0]
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside an annotation (``X | None``, ``dict[str, X]``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = getattr(annotation, "__args__", ())
    origin = getattr(annotation, "__origin__", None)
    for arg in args:
        inner = _model_in(arg)
        if inner is not None:
            return (inner,) if origin in (dict, list) else inner
    return None


_TYPE_RULES = {
    "missing": "is required",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
}


_SHAPE_ERRORS = ("model_type", "model_attributes_type", "dict_type")


def validate_model(
    model: type[M],
    raw: Any,
    key: str,
    problems: list[ConfigProblem],
    *,
    secrets: Sequence[str] = (),
) -> M | None:
    """``raw`` as ``model``, or None with every broken rule appended to ``problems``.

    Args:
        model: the model of the value at ``airs:<key>``.
        raw: the value.
        key: its key path below ``airs:``.
        problems: where problems are appended.
        secrets: key paths of every secret of the stack, for what a mistyped key meant.
    """
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.append(_problem(model, raw, key, err, secrets))
        return None


def _problem(
    model: type[BaseModel], raw: Any, key: str, err: Any, secrets: Sequence[str]
) -> ConfigProblem:
    """One pydantic error as an ``airs:<key path>: <value> — <rule>`` problem."""
    loc = tuple(err["loc"])
    # A refused map key (e.g. a namespace under `protect`) is located as
    # (..., key, "[key]"): the offending value is the key itself.
    is_map_key = len(loc) >= 2 and loc[-1] == "[key]"
    if is_map_key:
        loc = loc[:-1]
    path = _loc_path(key, loc)
    etype = err["type"]
    names = [str(part) for part in (key, *loc) if isinstance(part, str)]
    # A secret field, or a key whose name says it holds one: its value never shows, however
    # wrong (a `secret:` written for `secure:` leaves the secret in plain sight).
    secret = _is_secret_field(model, loc) or looks_secret(names[-1])
    value = loc[-1] if is_map_key else lookup(raw, loc)
    if etype == "missing":
        shown = MISSING
    elif secret:
        shown = SECRET_SHOWN
    else:
        shown = show(value)
    if etype == "extra_forbidden":
        return unknown_key(path, _allowed_keys(model, loc[:-1]), secrets, secret)
    if etype == "literal_error":
        rule = f"must be one of {err.get('ctx', {}).get('expected', '')}"
    elif etype == "too_short":
        rule = "must not be empty"
    elif etype == "too_long":
        rule = f"must have at most {err.get('ctx', {}).get('max_length')} items"
    elif etype in _SHAPE_ERRORS and (expected := _allowed_keys(model, loc)):
        rule = f"must be a mapping with keys {', '.join(expected)}"
    elif etype in _TYPE_RULES:
        rule = _TYPE_RULES[etype] + secure_typo_hint(path, value)
    else:
        rule = str(err["msg"]).removeprefix("Value error, ")
    return ConfigProblem(path, shown, rule)


def unknown_key(
    path: str, allowed: Sequence[str], secrets: Sequence[str], secret: bool = False
) -> ConfigProblem:
    """``airs:<path>`` is no key of the contract: say which one was meant, never its value.

    Args:
        path: the unknown key's path below ``airs:``.
        allowed: the keys accepted beside it.
        secrets: key paths of every secret of the stack.
        secret: the value is known to be secret (Pulumi holds it as one).
    """
    parent, _, leaf = path.rpartition(".")
    close = difflib.get_close_matches(leaf, allowed, n=1)
    meant: str | None = None
    if close and (looks_secret(close[0]) or not looks_secret(leaf)):
        meant = f"{parent}.{close[0]}" if parent else close[0]
    elif looks_secret(leaf):
        # `panoramaToken` is nearer `panorama` by spelling; by meaning, a credential is meant.
        meant = suggest_secret(path, secrets)
    if meant is not None and meant in secrets:
        # It meant a secret: whatever it holds is one, and the user needs the right command.
        return ConfigProblem(
            path,
            SECRET_SHOWN,
            f"unknown key (did you mean `airs:{meant}`? set it with {set_secret_hint(meant)})",
        )
    shown = SECRET_SHOWN if secret or looks_secret(leaf) else HIDDEN
    if meant is None:
        return ConfigProblem(path, shown, "unknown key")
    # A key beside others is named alone; a top-level one with its namespace.
    name = meant.rpartition(".")[2] if parent else f"airs:{meant}"
    return ConfigProblem(path, shown, f"unknown key (did you mean `{name}`?)")


def _is_secret_field(model: type[BaseModel], loc: Sequence[int | str]) -> bool:
    current: Any = model
    for part in loc:
        if isinstance(current, tuple):
            current = current[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return False
        if is_secret_annotation(field.annotation):
            return True
        current = _model_in(field.annotation)
    return False


def decode_object(key: str, value: Any, problems: list[ConfigProblem]) -> Any:
    """Pulumi hands structured config to programs as JSON text."""
    if isinstance(value, str):
        if value.strip() == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            problems.append(ConfigProblem(key, show(value), "must be a mapping of keys to values"))
            return None
    return value


def validate_map(
    model: type[M],
    raw: Any,
    key: str,
    problems: list[ConfigProblem],
    *,
    secrets: Sequence[str] = (),
) -> dict[str, M] | None:
    """A map of names to ``model`` (``airs:applications``, ``airs:clusters``).

    Returns:
        the items that are valid (an invalid item's problems are in ``problems``), or None
        when ``raw`` is no map at all.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(ConfigProblem(key, show(raw), "must be a mapping of names to settings"))
        return None
    out: dict[str, M] = {}
    for item_key, item in raw.items():
        item_model = validate_model(model, item, f"{key}.{item_key}", problems, secrets=secrets)
        if item_model is not None:
            out[str(item_key)] = item_model
    return out
