"""docs/config.md, the reference of every ``airs:*`` key, is generated from the models and current.

After a change to a config model (a field, its default, its rule or its docstring):

    .venv/bin/python scripts/config_reference.py
    (or AIRS_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_config_doc.py)
    git diff docs/config.md
"""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import AfterValidator

from components.config.base import Model, rule
from scripts import config_reference as ref
from tests.update_switch import check_generated


def test_config_doc_is_generated_from_the_models() -> None:
    check_generated(
        ref.DOC,
        ref.render(),
        source="from the models",
        how="docs/config.md no longer matches the config models; rewrite it with "
        f"`{ref.REGENERATE}` (or AIRS_UPDATE_DOCS=1) and review the diff",
    )


def test_check_mode_says_how_to_regenerate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ref, "render", lambda: "# something else\n")
    assert ref.main(["--check"]) == 1
    assert ref.REGENERATE in capsys.readouterr().err


def _documented_keys() -> set[str]:
    text = ref.DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `airs:([^`]+)` \|", text, re.MULTILINE))


def test_every_key_an_example_stack_sets_is_documented() -> None:
    # Read from stacks/ independently of the models: a key users write must have a row.
    keys = {key for _, key in ref.stack_examples()}
    assert keys, "no example stack read"
    assert not keys - _documented_keys()


def test_every_top_level_key_of_pulumi_yaml_is_documented() -> None:
    import yaml

    declared = yaml.safe_load((ref.ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["config"]
    assert set(declared) <= _documented_keys()


def test_every_row_has_a_type_default_rule_and_example() -> None:
    rows = [
        line.split(" | ")
        for line in ref.DOC.read_text().splitlines()
        if line.startswith("| `airs:")
    ]
    assert len(rows) > 100
    for cells in rows:
        key, kind, default, rule_text, example = cells[:5]
        assert all(cell.strip() for cell in (kind, default, rule_text, example)), key


def test_a_field_without_an_example_stops_the_generator() -> None:
    class Extra(Model):
        """A model with a field nobody gave an example."""

        brand_new: Annotated[str, rule(lambda v: v.isalpha(), "must be letters")]
        """A key added without an example."""

    with pytest.raises(ValueError, match=r"no example for airs:x\.brandNew"):
        list(ref.model_rows(Extra, "x.", lambda key: None))
    rows = list(ref.model_rows(Extra, "x.", lambda key: "abc"))
    assert [(r.key, r.rule, r.example) for r in rows] == [
        ("x.brandNew", "must be letters", "`abc`")
    ]


def test_a_validator_without_words_stops_the_generator() -> None:
    def opaque(value: str) -> str:
        return value

    class Extra(Model):
        """A model whose validator says nothing of its rule."""

        odd: Annotated[str, AfterValidator(opaque)]
        """A key with an unexplained rule."""

    with pytest.raises(ValueError, match="no words for validator"):
        list(ref.model_rows(Extra, "x.", lambda key: "abc"))
