"""A mistyped key never echoes a secret it holds, decrypted or set in plaintext by mistake."""

from __future__ import annotations

import json

import pytest

from components.clouds import parse_stack_config
from components.config import ConfigError
from tests.helpers import example_values


def _lines(values: dict[str, object], secret: set[str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    return [str(p) for p in info.value.problems]


def test_mistyped_secure_key_is_masked() -> None:
    values, secret = example_values("gcp-dev")
    values["panoramaApikey"] = "MARKER-decrypted-api-key"
    del values["panoramaApiKey"]
    lines = _lines(values, (secret - {"panoramaApiKey"}) | {"panoramaApikey"})
    assert (
        "airs:panoramaApikey: [secret] — unknown key (did you mean `airs:panoramaApiKey`? "
        "set it with `pulumi config set --secret airs:panoramaApiKey …`)" in lines
    )
    assert "MARKER" not in "\n".join(lines)


def test_mistyped_secret_key_in_plaintext_is_masked() -> None:
    values, secret = example_values("gcp-dev")
    values["panoramaPasword"] = "MARKER-plain-password"
    lines = _lines(values, secret)
    assert (
        "airs:panoramaPasword: [secret] — unknown key (did you mean `airs:panoramaPassword`? "
        "set it with `pulumi config set --secret airs:panoramaPassword …`)" in lines
    )
    assert "MARKER" not in "\n".join(lines)


def test_mistyped_object_key_shows_nothing_of_its_value() -> None:
    values, secret = example_values("gcp-dev")
    clusters = values.pop("clusters")
    clusters["apps"]["kubeconfig"] = "MARKER-kubeconfig"
    # Pulumi hands objects to the program as JSON text; this key holds no `secure:` value.
    values["cluster"] = json.dumps({"apps": {"kubeconfig": "MARKER-kubeconfig"}})
    lines = _lines(values, secret)
    assert "airs:cluster: [not shown] — unknown key (did you mean `airs:clusters`?)" in lines
    assert "MARKER" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("key", "text", "rule"),
    [
        # `airs:clusters` is a secret once any kubeconfig in it is set with --secret --path.
        ("clusters", '[{"kubeconfig": "MARKER-1"}]', "must be a mapping of names to settings"),
        ("clusters", "token: MARKER-2", "must be a mapping of keys to values"),
        ("firewall", '{"trustIp": "MARKER-3"}', "is only for airs:cloud private"),
    ],
)
def test_a_whole_secret_value_in_the_wrong_shape_is_masked(key: str, text: str, rule: str) -> None:
    values, secret = example_values("gcp-dev")
    values[key] = text
    lines = _lines(values, secret | {key})
    assert f"airs:{key}: [secret] — {rule}" in lines
    assert "MARKER" not in "\n".join(lines)


def test_a_field_inside_a_secret_object_is_still_named_with_its_value() -> None:
    values, secret = example_values("gcp-dev")
    assert "clusters" in secret
    values["clusters"]["apps"]["clusterId"] = 5000
    assert "airs:clusters.apps.clusterId: 5000 — must be between 1 and 2048" in _lines(
        values, secret
    )
