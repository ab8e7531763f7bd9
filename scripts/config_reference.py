"""Write docs/config.md, the reference of every ``airs:*`` key, from the config models.

    .venv/bin/python scripts/config_reference.py          # rewrite docs/config.md
    .venv/bin/python scripts/config_reference.py --check  # exit 1 if it is not current

Each key's type, default and rule come from its model field (components/config/models.py,
components/config/stack.py, components/clouds/<cloud>/config.py): its annotation, its
validators and its constraints; its description is the field's docstring; its example is the
value an example stack (stacks/) gives it, or, for a key no example stack sets, one from
:data:`EXAMPLES`. A new field with no example anywhere, or a validator this script cannot put
in words, stops the script with the field's name (tests/test_config_doc.py runs it).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import inspect
import json
import re
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotated_types import MaxLen, MinLen  # noqa: E402
from pydantic import AfterValidator, BaseModel, BeforeValidator, SecretStr  # noqa: E402
from pydantic.fields import FieldInfo  # noqa: E402

from components.clouds import TARGETS  # noqa: E402
from components.config import base, parse  # noqa: E402
from components.config.models import Application, Cluster, Panorama  # noqa: E402
from components.config.stack import StackConfig  # noqa: E402

DOC = ROOT / "docs" / "config.md"
STACKS = ROOT / "stacks"
SCRIPT = "scripts/config_reference.py"
REGENERATE = f".venv/bin/python {SCRIPT}"

# Values for keys that no example stack sets (each still a valid value). A target's own keys
# are prefixed with its airs:cloud: an example of another cloud's section would mislead.
EXAMPLES: Mapping[str, str] = {
    "gcp:securityProject.ilbIp": "10.10.2.250",
    "gcp:securityProject.firewall.imageProject": "paloaltonetworksgcp-public",
    "gcp:securityProject.firewall.mgmtPublicIp": "true",
    "gcp:securityProject.firewall.sshKeys": "admin:ssh-rsa AAAAB3NzaC1yc2E… admin",
    "gcp:securityProject.firewall.metricsInterval": "1",
    "azure:securityProject.firewall.imageOffer": "airs-flex",
    "azure:securityProject.firewall.imageSku": "airs-byol",
    "azure:securityProject.firewall.imageVersion": "latest",
    "azure:securityProject.firewall.adminUsername": "panadmin",
    "aws:securityProject.cidrs.zones.<zone>.mgmt": "10.70.0.0/28",
    "aws:securityProject.cidrs.zones.<zone>.trust": "10.70.0.16/28",
    "aws:securityProject.cidrs.zones.<zone>.gwlb": "10.70.0.32/28",
    "aws:securityProject.cidrs.zones.<zone>.nat": "10.70.0.48/28",
    "aws:securityProject.cidrs.zones.<zone>.untrust": "10.70.0.64/28",
    "aws:securityProject.firewall.amiId": "ami-0abc123def4567890",
    "aws:securityProject.firewall.amiNameFilter": "PA-AI-Runtime-Security-AWS-*",
    "aws:securityProject.firewall.productCode": "b261y39exndwe1ltro1tqpeog",
    "aws:securityProject.firewall.keyName": "airs-break-glass",
    "private:firewall.haPeerTrustIp": "",  # refused whatever its value: no example
    "private:firewall.healthCheckSources": "[10.101.254.0/28]",
    "applications.<name>.natGateways": "{us-east-1a: nat-0a1b2c3d4e5f60718}",
    "applications.<name>.transitGatewayId": "tgw-0a1b2c3d4e5f60718",
    "applications.<name>.transitGatewaySubnets": "{us-east-1a: 10.80.254.0/28}",
    "panorama.template": "airs-prod-tpl",
    "panorama.templateStack": "airs-prod-stack",
    "panorama.deviceGroup": "airs-prod-dg",
    "panorama.aiSecurityProfile": "airs-ai-security",
    "panorama.aiSecurityProfileGroup": "airs-ai-group",
    "panorama.natRules.inbound[].destination": "203.0.113.80",
    "panorama.decryption.enabled": "true",
    "panorama.decryption.sslTlsProfile": "airs-ssl-tls",
    "panorama.decryption.certificate": "airs-forward-trust",
    "panorama.decryption.untrustCertificate": "airs-forward-untrust",
    "panorama.apiPort": "8443",
    "panorama.verifyTls": "false",
    "panorama.caBundle": "/etc/ssl/panorama-ca.pem",
    "panorama.monitoringInterval": "60",
    "clusters.<name>.context": "gke_example-apps_us-east1_apps",
    "clusters.<name>.autopilot": "false",
    "clusters.<name>.restartWorkloads": "false",
    "clusters.<name>.labelFilter": "airs-protect",
    "clusters.<name>.labelSelector": "airs=protect",
    "clusters.<name>.steering.<name>.inspect": "[0.0.0.0/1, 128.0.0.0/1]",
}

# Validators that are plain functions, not ``base.rule`` closures that carry their own text.
_NAMED_VALIDATORS: Mapping[str, str] = {
    "components.config.base._cidr": "an IPv4 CIDR with no host bits set",
    "components.config.base._ipv4": "an IPv4 address",
    "components.config.base.zone_str": "an integer is read as its digits",
    "components.clouds.private.config._quoted": "quoted (YAML reads an unquoted serial as a "
    "number and drops its leading zeros)",
}


@dataclass(frozen=True)
class Row:
    """One key of the reference."""

    key: str
    type: str
    default: str
    rule: str
    example: str
    description: str


# --------------------------------------------------------------------------- the models


def field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings of ``cls`` (the string right below each annotated field)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    node = tree.body[0]
    assert isinstance(node, ast.ClassDef)
    docs: dict[str, str] = {}
    for i, item in enumerate(node.body[:-1]):
        after = node.body[i + 1]
        if (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[item.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _validator_text(validator: Any) -> str:
    """The rule a validator enforces, in words."""
    func = validator.func
    cells = dict(
        zip(
            func.__code__.co_freevars,
            [c.cell_contents for c in func.__closure__ or ()],
            strict=True,
        )
    )
    if isinstance(cells.get("text"), str):  # base.rule(check, text) and base.ranged(lo, hi)
        return str(cells["text"])
    name = f"{func.__module__}.{func.__qualname__}"
    if name not in _NAMED_VALIDATORS:
        raise ValueError(f"{SCRIPT}: no words for validator {name}: add it to _NAMED_VALIDATORS")
    return _NAMED_VALIDATORS[name]


def _constraint_rules(metadata: list[Any]) -> list[str]:
    rules: list[str] = []
    for item in metadata:
        if isinstance(item, AfterValidator | BeforeValidator):
            rules.append(_validator_text(item))
        elif isinstance(item, MinLen):
            rules.append("must not be empty" if item.min_length == 1 else f"≥ {item.min_length}")
        elif isinstance(item, MaxLen):
            rules.append(f"at most {item.max_length} items")
        elif isinstance(item, FieldInfo):
            rules += _constraint_rules(list(item.metadata))
    return rules


@dataclass(frozen=True)
class Shape:
    """A field's type, in words, its rules, and what is nested below it."""

    text: str
    rules: list[str]
    model: type[BaseModel] | None = None
    """The model of the key's value, or of each item or map value (keys go below)."""
    suffix: str = ""
    """How a nested key path continues: ``""`` (a model), ``.<zone>`` (a map), ``[]`` (a list)."""


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def shape(tp: Any, name: str = "") -> Shape:
    """What annotation ``tp`` (of field ``name``) accepts."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        inner = shape(args[0], name)
        return Shape(
            inner.text, inner.rules + _constraint_rules(list(args[1:])), inner.model, inner.suffix
        )
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return shape(options[0], name)
        parts = [shape(a, name) for a in options]
        return Shape(" or ".join(p.text for p in parts), [r for p in parts for r in p.rules])
    if origin is typing.Literal:
        return Shape("one of " + ", ".join(f"`{a}`" for a in args), [])
    if origin is list:
        item = shape(args[0], name)
        if item.model is not None:
            return Shape("list of mappings", item.rules, item.model, "[]")
        each = (
            f"list, each {item.text}" if item.text.startswith("one of") else f"list of {item.text}"
        )
        return Shape(each, [f"each: {r}" for r in item.rules])
    if origin is dict:
        key, value = shape(args[0], name), shape(args[1], name)
        placeholder = _placeholder(name)
        rules = [f"each key: {r}" for r in key.rules] + [f"each value: {r}" for r in value.rules]
        if value.model is not None:
            return Shape(f"map of `{placeholder}` → mapping", rules, value.model, f".{placeholder}")
        return Shape(f"map of `{placeholder}` → {value.text}", rules)
    if _is_model(tp):
        return Shape("mapping", [], tp, "")
    simple = {str: "string", int: "integer", bool: "boolean", SecretStr: "secret string"}
    if tp in simple:
        return Shape(simple[tp], [])
    raise ValueError(f"{SCRIPT}: no words for the type {tp!r} of {name}")


def _placeholder(field: str) -> str:
    """How a map's keys are shown in a key path."""
    if "zone" in field.lower() or "subnets" in field.lower() or "gateways" in field.lower():
        return "<zone>"
    if field == "protect":
        return "<namespace>"
    return "<name>"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "see its keys"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{json.dumps(value)}`"


def model_rows(
    model: type[BaseModel], prefix: str, examples: Callable[[str], str | None]
) -> Iterator[Row]:
    """A row for every field of ``model`` (and of the models below it), keys after ``prefix``."""
    docs = field_docs(model)
    for name, info in model.model_fields.items():
        alias = info.alias or name
        key = f"{prefix}{alias}"
        found = shape(info.annotation, name)
        rules = found.rules + _constraint_rules(list(info.metadata))
        secret = "secret" in found.text
        if secret:
            rules.append("a secret: set it with `pulumi config set --secret --path`")
        if found.model is not None:
            example = "see its keys"
        elif secret:
            example = f"`pulumi config set --secret --path 'airs:{key}' …`"
        else:
            value = examples(key)
            if value is None:
                raise ValueError(f"{SCRIPT}: no example for airs:{key}: add one to EXAMPLES")
            example = f"`{value}`" if value else "– (refused)"
        yield Row(
            key=key,
            type=found.text,
            default=_default(info),
            rule="; ".join(rules) or "–",
            example=example,
            description=docs.get(name, ""),
        )
        if found.model is not None:
            yield from model_rows(found.model, f"{key}{found.suffix}.", examples)


# --------------------------------------------------------------------------- the examples


def _flatten(value: Any, path: str, schema: Any) -> Iterator[tuple[str, Any]]:
    """(normalized key path, value) of every leaf key set in ``value`` (not a mapping of keys
    with rows of their own); map keys become placeholders.

    ``schema`` is the model (or map / list shape) ``value`` is read with; None for a leaf.
    """
    if schema is None or (isinstance(value, dict) and set(value) == {"secure"}):
        yield path, value
        return
    if _is_model(schema) and isinstance(value, dict):
        fields = {(f.alias or n): (n, f) for n, f in schema.model_fields.items()}
        for key, sub in value.items():
            if key in fields:
                name, info = fields[key]
                found = shape(info.annotation, name)
                inner: Any = found.model
                if found.model is not None and found.suffix.startswith("."):
                    inner = ("map", found.model, found.suffix[1:])
                elif found.model is not None:
                    inner = ("list", found.model) if found.suffix == "[]" else found.model
                yield from _flatten(sub, f"{path}.{key}", inner)
    elif isinstance(schema, tuple) and schema[0] == "map" and isinstance(value, dict):
        for sub in value.values():
            yield from _flatten(sub, f"{path}.{schema[2]}", schema[1])
    elif isinstance(schema, tuple) and schema[0] == "list" and isinstance(value, list):
        for sub in value:
            yield from _flatten(sub, f"{path}[]", schema[1])


def _shown(value: Any) -> str:
    """A value as a stack file would write it, on one line (a secret as ``secure: …``)."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return "secure: …"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def stack_examples() -> dict[tuple[str, str], str]:
    """(cloud, normalized key path) → the value the first example stack gives it."""
    out: dict[tuple[str, str], str] = {}
    for path in sorted(STACKS.glob("Pulumi.*.yaml")):
        config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
        cloud = str(config.get("airs:cloud", ""))
        section = TARGETS[cloud].config_model if cloud in TARGETS else None
        schemas: dict[str, Any] = {
            "securityProject": section,
            "firewall": section,
            "applications": ("map", Application, "<name>"),
            "clusters": ("map", Cluster, "<name>"),
            "panorama": Panorama,
        }
        for full_key, value in config.items():
            if not full_key.startswith("airs:"):
                continue
            key = full_key.removeprefix("airs:")
            for item_path, item in _flatten(value, key, schemas.get(key)):
                out.setdefault((cloud, item_path), _shown(item))
    return out


# --------------------------------------------------------------------------- the document


def _cell(text: str) -> str:
    text = re.sub(r"``([^`]+)``", r"`\1`", " ".join(text.split()))
    return text.replace("|", "\\|")


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| key | type | default | rule | example | description |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [f"`airs:{r.key}`", r.type, r.default, r.rule, r.example, r.description]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def top_level_rows(examples: Callable[[str], str | None]) -> list[Row]:
    """The keys directly under ``airs:``."""
    docs = field_docs(StackConfig)
    clouds = ", ".join(f"`{name}`" for name in TARGETS)
    secret_rule = "a secret: set it with `pulumi config set --secret`"
    map_rule = f"each key: matches `{base.MAP_KEY.pattern}` (it becomes part of resource names)"
    rows = [
        Row("cloud", "string", "required", f"one of {clouds}", "`gcp`", docs["cloud"]),
        Row(
            "name",
            "string",
            "required",
            f"matches `{parse.NAME.pattern}`",
            f"`{examples('name')}`",
            docs["name"],
        ),
    ]
    for target in TARGETS.values():
        key = target.config_key
        if any(r.key == key for r in rows):
            continue
        users = ", ".join(f"`{t.name}`" for t in TARGETS.values() if t.config_key == key)
        rows.append(
            Row(
                key,
                "mapping",
                "required on " + users,
                f"only with airs:cloud {users}; not with `airs:securityStack`",
                "see its keys",
                docs["security_project" if key == "securityProject" else key],
            )
        )
    rows += [
        Row(
            "applications",
            "map of `<name>` → mapping",
            "`{}`",
            map_rule,
            "see its keys",
            docs["applications"],
        ),
        Row("panorama", "mapping", "required", "–", "see its keys", Panorama.__doc__ or ""),
        Row(
            "panoramaApiKey",
            "secret string",
            "unset",
            secret_rule + "; this or `airs:panoramaPassword`",
            "`pulumi config set --secret airs:panoramaApiKey …`",
            docs["panorama_api_key"],
        ),
        Row(
            "panoramaPassword",
            "secret string",
            "unset",
            secret_rule + "; with `airs:panorama.username`",
            "`pulumi config set --secret airs:panoramaPassword …`",
            docs["panorama_password"],
        ),
        Row(
            "clusters",
            "map of `<name>` → mapping",
            "`{}`",
            map_rule,
            "see its keys",
            docs["clusters"],
        ),
        Row(
            "securityStack",
            "string",
            "unset",
            f"matches `{parse.STACK_REFERENCE.pattern}`",
            f"`{examples('securityStack')}`",
            docs["security_stack"],
        ),
    ]
    return rows


def render() -> str:
    """docs/config.md."""
    found = stack_examples()

    def examples_for(cloud: str | None) -> Callable[[str], str | None]:
        def lookup(key: str) -> str | None:
            if cloud is not None:  # a target's own key: its own stacks, else EXAMPLES
                return found.get((cloud, key), EXAMPLES.get(f"{cloud}:{key}"))
            stacks = next((v for (_, k), v in sorted(found.items()) if k == key), None)
            return stacks if stacks is not None else EXAMPLES.get(key)

        return lookup

    lines = [
        "# Stack configuration reference",
        "",
        f"<!-- Generated by {SCRIPT} from the config models; do not edit by hand. "
        f"Rewrite it with `{REGENERATE}` (tests/test_config_doc.py checks it is current). -->",
        "",
        "Every `airs:*` key a stack file may set, generated from the models that validate it: "
        "`components/config/stack.py` (the keys under `airs:`), `components/config/models.py` "
        "(applications, Panorama, clusters, bootstrap) and `components/clouds/<cloud>/config.py` "
        "(each cloud's `airs:securityProject`, a private cloud's `airs:firewall`). Keys are "
        "camelCase; an unknown key is refused with the nearest known one. `<name>`, `<zone>` and "
        "`<namespace>` stand for keys you choose; `[]` for each item of a list.",
        "",
        "**rule** is what the key's own value must satisfy; rules across keys (overlapping "
        "ranges, unique cluster ids, zones of the region…) are stated in the description and "
        "checked by `airs validate`, which reports every broken rule at once as "
        "`airs:<key>: <value> — <rule>`. **example** is the value an example stack in `stacks/` "
        "gives the key, or a valid value where none sets it. Secrets are set with "
        "`pulumi config set --secret` and never printed.",
        "",
        "## Keys under `airs:`",
        "",
        *_table(top_level_rows(examples_for(None))),
    ]
    for target in TARGETS.values():
        rows = list(
            model_rows(target.config_model, f"{target.config_key}.", examples_for(target.name))
        )
        lines += [
            "",
            f"## `airs:{target.config_key}` — `airs:cloud: {target.name}`",
            "",
            f"{_cell(inspect.cleandoc(target.config_model.__doc__ or ''))}",
            "",
            *_table(rows),
        ]
    for key, model in (
        ("applications.<name>", Application),
        ("panorama", Panorama),
        ("clusters.<name>", Cluster),
    ):
        rows = list(model_rows(model, f"{key}.", examples_for(None)))
        lines += [
            "",
            f"## `airs:{key}`",
            "",
            f"{_cell(inspect.cleandoc(model.__doc__ or ''))}",
            "",
            *_table(rows),
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/config.md, or with ``--check`` exit 1 when it is not current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if stale")
    args = parser.parse_args(argv)
    text = render()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if args.check:
        if text == current:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            "docs/config.md (committed)",
            "docs/config.md (from the models)",
        )
        sys.stderr.write("".join(diff))
        sys.stderr.write(f"docs/config.md is not current: rewrite it with `{REGENERATE}`\n")
        return 1
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
