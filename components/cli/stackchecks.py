"""Checks of a stack file's ``pulumi:`` settings that the ``airs:`` config rules do not see.

Every stack sets ``pulumi:disable-default-providers: [gcp, aws, azure-native, kubernetes]``
(README, "With the Pulumi CLI"): each cloud and Kubernetes resource then has to use the
explicit provider the program builds from the stack config, so nothing can land in the
ambient account of the machine running ``pulumi up``. A stack without it still deploys
the same resources today, so its absence is a warning. ``"*"`` (or ``pulumi-python``) is
refused: the Panorama objects are Pulumi dynamic resources, which only run on the default
``pulumi-python`` provider, and the real engine refuses every one of them (CHANGELOG,
found by the engine tier; UPGRADE.md says how to change such a stack).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.cli.yamlfile import FileProblem, StackFileError

KEY = "pulumi:disable-default-providers"
DISABLED = ("gcp", "aws", "azure-native", "kubernetes")
"""What every example stack disables: each provider the program builds explicitly."""
_DYNAMIC = ("*", "pulumi-python")
_SHOWN = f"[{', '.join(DISABLED)}]"


def _names(value: Any) -> list[str]:
    """The provider names of the setting: a YAML list, or the JSON text Pulumi also reads."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def default_providers(
    path: Path, raw_config: Mapping[str, Any], key_lines: Mapping[str, int]
) -> list[FileProblem]:
    """Warnings about ``pulumi:disable-default-providers``; raise when Pulumi would fail."""
    line = key_lines.get(KEY)
    if KEY not in raw_config:
        text = (
            f"{path}: {KEY} is not set: a resource that misses its explicit provider would "
            "use this machine's default cloud or Kubernetes credentials; set it to "
            f"{_SHOWN}, as every example stack does (README, With the Pulumi CLI)"
        )
        return [FileProblem(text, path, None, KEY, rule="is not set")]
    names = _names(raw_config[KEY])
    shown = json.dumps(names)
    dynamic = [name for name in names if name in _DYNAMIC]
    if dynamic:
        rule = (
            f"must not disable {dynamic[0]}: the Panorama objects are dynamic resources, which "
            "run only on the default pulumi-python provider, so `pulumi preview` refuses every "
            f"one; disable {_SHOWN} by name (UPGRADE.md)"
        )
        raise StackFileError(
            FileProblem(f"{path}: {KEY}: {shown} — {rule}", path, line, KEY, shown, rule)
        )
    missing = [name for name in DISABLED if name not in names]
    if not missing:
        return []
    rule = (
        f"leaves the default {', '.join(missing)} provider(s) on: a resource that misses its "
        f"explicit provider would use this machine's credentials; set it to {_SHOWN}"
    )
    return [FileProblem(f"{path}: {KEY}: {shown} — {rule}", path, line, KEY, shown, rule)]
