"""``parse_stack_config``: raw ``airs:*`` values in, a :class:`StackConfig` or every problem out.

It runs before any resource is registered, so a bad stack never half-applies. The targets
(``components/clouds``) are passed in: each brings the model of its own section and its rules,
so this module knows no cloud. ``components.clouds.parse_stack_config`` binds them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from components.config.base import (
    MAP_KEY,
    MISSING,
    ConfigError,
    ConfigProblem,
    TargetModel,
    show,
)
from components.config.checks import cross_checks
from components.config.engine import (
    decode_object,
    lookup,
    unknown_key,
    validate_map,
    validate_model,
)
from components.config.models import Application, Cluster, Panorama
from components.config.secrets import (
    json_or_text,
    redact,
    secret_fields,
    secret_paths,
    secret_scalar,
    without_secret_wholes,
)
from components.config.stack import StackConfig, TargetRules

OBJECT_KEYS = ("securityProject", "firewall", "applications", "panorama", "clusters")
SCALAR_KEYS = ("cloud", "name", "panoramaApiKey", "panoramaPassword", "securityStack")
KNOWN_KEYS = OBJECT_KEYS + SCALAR_KEYS
SECRET_KEYS = ("panoramaApiKey", "panoramaPassword")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}$")
# Pulumi stack (and project, organization) names: letters, digits, '-', '_' and '.'.
_STACK_PART = r"[A-Za-z0-9_.-]+"
STACK_REFERENCE = re.compile(rf"^({_STACK_PART}|{_STACK_PART}/{_STACK_PART}/{_STACK_PART})$")
# What a cluster stack may say about Panorama: where it is and how to reach it. The template,
# device group, rules and pushes are the security stack's.
CLUSTER_STACK_PANORAMA_FIELDS = frozenset(
    {"hostname", "api_port", "username", "verify_tls", "ca_bundle"}
)


def _or_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def parse_stack_config(
    raw: Mapping[str, Any],
    secret_keys: Collection[str] = (),
    *,
    targets: Mapping[str, TargetRules],
) -> StackConfig:
    """Validate raw ``airs:*`` values (keys without the namespace) into a :class:`StackConfig`.

    Args:
        raw: the values, by key below ``airs:``.
        secret_keys: the top-level keys Pulumi holds as secrets; every secret field must sit
            under one of them.
        targets: ``airs:cloud`` value → the target's rules (``components.clouds.TARGETS``).

    Raises:
        ConfigError: with every problem found, one per line.
    """
    problems: list[ConfigProblem] = []
    secrets = contract_secrets(raw, targets)
    for key in raw:
        if key not in KNOWN_KEYS:
            # Never its value: a mistyped key may hold anything, a secret set in plaintext
            # by mistake included.
            problems.append(unknown_key(key, KNOWN_KEYS, secrets, secret=key in secret_keys))
    values: dict[str, Any] = {k: raw.get(k) for k in KNOWN_KEYS}
    for key in OBJECT_KEYS:
        values[key] = decode_object(key, values[key], problems)
        if values[key] == {}:  # Pulumi.yaml declares `{}` defaults for optional objects
            values[key] = None
    for key in SCALAR_KEYS:
        if values[key] == "":
            values[key] = None

    cloud = values["cloud"]
    target = targets.get(cloud) if isinstance(cloud, str) else None
    if target is None:
        problems.append(ConfigProblem("cloud", show(cloud), f"must be one of {', '.join(targets)}"))
        cloud = None
    name = values["name"]
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(
            ConfigProblem(
                "name",
                show(name),
                "must be 1–19 characters: lowercase letters, digits and hyphens, "
                "starting with a letter",
            )
        )
        name = None
    security_stack = _security_stack(values, problems)
    layered = values["securityStack"] is not None

    own: dict[str, TargetModel | None] = {"securityProject": None, "firewall": None}
    if target is not None:
        key = target.config_key
        if values[key] is None:
            if not layered:
                problems.append(
                    ConfigProblem(
                        key,
                        MISSING,
                        f"is required when airs:cloud is {cloud} (or set airs:securityStack "
                        f"to use the {target.config_noun} of another stack)",
                    )
                )
        elif layered:
            problems.append(
                ConfigProblem(
                    key,
                    show(redact(values[key])),
                    f"must not be set with airs:securityStack ({show(values['securityStack'])}): "
                    f"that stack owns {target.config_owned}",
                )
            )
        else:
            own[key] = validate_model(
                target.config_model, values[key], key, problems, secrets=secrets
            )
        for other in sorted(
            {t.config_key for t in targets.values()} - {key}, key=OBJECT_KEYS.index
        ):
            if values[other] is not None:
                users = [t.name for t in targets.values() if t.config_key == other]
                where = f" ({cloud} clouds use airs:{key})" if not target.public else ""
                problems.append(
                    ConfigProblem(
                        other,
                        show(redact(values[other])),
                        f"is only for airs:cloud {_or_list(users)}{where}",
                    )
                )

    panorama: Panorama | None = None
    if values["panorama"] is None:
        problems.append(ConfigProblem("panorama", MISSING, "is required"))
    else:
        panorama = validate_model(
            Panorama, values["panorama"], "panorama", problems, secrets=secrets
        )

    applications = validate_map(
        Application, values["applications"], "applications", problems, secrets=secrets
    )
    clusters = validate_map(Cluster, values["clusters"], "clusters", problems, secrets=secrets)
    for section in ("applications", "clusters"):
        _map_key_names(section, values[section], problems)
    if layered:
        _layered_problems(values, panorama, problems)

    api_key = secret_scalar(values, "panoramaApiKey", secret_keys, problems)
    password = secret_scalar(values, "panoramaPassword", secret_keys, problems)

    if panorama is not None:
        # A credential given in plaintext is reported as such, not as missing.
        if values["panoramaApiKey"] is None and values["panoramaPassword"] is None:
            problems.append(
                ConfigProblem(
                    "panoramaApiKey",
                    MISSING,
                    "Panorama needs a credential: set airs:panoramaApiKey, or "
                    "airs:panoramaPassword with airs:panorama.username "
                    "(both with `pulumi config set --secret`)",
                )
            )
        if not panorama.username:
            problems.append(
                ConfigProblem(
                    "panorama.username",
                    MISSING,
                    "is required: the admin whose changes are committed (a partial commit "
                    "leaves other admins' pending changes alone)",
                )
            )

    for key, model in (("securityProject", own["securityProject"]), ("clusters", clusters)):
        if model is not None and key not in secret_keys:
            for path in secret_paths(model, key):
                problems.append(
                    ConfigProblem(
                        path,
                        "plaintext",
                        f"must be a secret: set it with `pulumi config set --secret --path "
                        f"'airs:{path}' …`",
                    )
                )

    if target is not None:
        # What did not parse: the cross-checks still run on the rest (every independent
        # problem in one pass), skipping what needs a broken part.
        broken = {
            key
            for key, ok in (
                ("panorama", panorama is not None),
                ("securityStack", security_stack is not None or not layered),
                ("applications", applications is not None),
                ("clusters", clusters is not None),
            )
            if not ok
        }
        for section, parsed in (("applications", applications), ("clusters", clusters)):
            if isinstance(values[section], Mapping) and parsed is not None:
                broken |= {f"{section}.{k}" for k in values[section] if str(k) not in parsed}
        cfg = StackConfig(
            cloud=target.name,
            name=name or "",
            # A stand-in no check reads while "panorama" is broken.
            panorama=panorama or Panorama.model_construct(hostname=""),
            security_project=own["securityProject"],
            firewall=own["firewall"],
            applications=applications or {},
            clusters=clusters or {},
            panorama_api_key=api_key,
            panorama_password=password,
            security_stack=security_stack,
        )
        problems.extend(cross_checks(cfg, targets, broken))
        if not problems:
            # Every broken part recorded a problem, so the stack is whole here.
            assert not broken, broken
            assert name is not None
            return cfg
    raise ConfigError(without_secret_wholes(problems, secret_keys))


def contract_secrets(raw: Mapping[str, Any], targets: Mapping[str, TargetRules]) -> list[str]:
    """Key paths of every secret this stack's contract has (for what a mistyped key meant)."""
    found = list(SECRET_KEYS)
    cloud = raw.get("cloud")
    chosen = [targets[cloud]] if isinstance(cloud, str) and cloud in targets else targets.values()
    for target in chosen:
        found += [
            path
            for path in secret_fields(target.config_model, target.config_key)
            if path not in found
        ]
    clusters = json_or_text(raw.get("clusters"))
    if isinstance(clusters, Mapping):
        for key in clusters:
            found += secret_fields(Cluster, f"clusters.{key}")
    return found


def _map_key_names(section: str, raw: Any, problems: list[ConfigProblem]) -> None:
    """Keys of ``airs:applications`` and ``airs:clusters`` become parts of resource names."""
    if not isinstance(raw, Mapping):
        return
    for key in raw:
        if not MAP_KEY.match(str(key)):
            problems.append(
                ConfigProblem(
                    f"{section}.{key}",
                    show(str(key)),
                    "names must be 1–30 lowercase letters, digits or hyphens "
                    "(they become cloud resource names)",
                )
            )


def _security_stack(values: Mapping[str, Any], problems: list[ConfigProblem]) -> str | None:
    """``airs:securityStack``, validated: a stack name or ``<organization>/<project>/<stack>``."""
    value = values["securityStack"]
    if value is None:
        return None
    if not isinstance(value, str) or not STACK_REFERENCE.match(value):
        problems.append(
            ConfigProblem(
                "securityStack",
                show(value),
                "must be a stack name (letters, digits, '-', '_' or '.', e.g. gcp-security-dev) "
                "or a fully qualified <organization>/<project>/<stack>",
            )
        )
        return None
    return value


def _layered_problems(
    values: Mapping[str, Any], panorama: Panorama | None, problems: list[ConfigProblem]
) -> None:
    """What a cluster stack (``airs:securityStack`` set) must not say, or must say."""
    reference = show(values["securityStack"])
    if values["applications"] is not None:
        problems.append(
            ConfigProblem(
                "applications",
                show(values["applications"]),
                f"must not be set with airs:securityStack ({reference}): the security stack "
                "connects the application networks (list them, with the clusters' node, pod "
                "and service ranges, in its airs:applications)",
            )
        )
    if values["clusters"] is None:
        problems.append(
            ConfigProblem(
                "clusters",
                MISSING,
                f"is required with airs:securityStack ({reference}): a cluster stack deploys "
                "clusters",
            )
        )
    if panorama is None:
        return
    for field_name in sorted(panorama.model_fields_set - CLUSTER_STACK_PANORAMA_FIELDS):
        alias = Panorama.model_fields[field_name].alias or field_name
        problems.append(
            ConfigProblem(
                f"panorama.{alias}",
                show(lookup(values["panorama"], (alias,))),
                f"must not be set with airs:securityStack ({reference}): the security stack "
                "owns Panorama's template, device group, rules and pushes; a cluster stack "
                "sets only hostname, apiPort, username, verifyTls and caBundle",
            )
        )
