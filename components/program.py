"""The Pulumi program: the one function both ``__main__.py`` and ``airs plan`` run."""

from __future__ import annotations

import pulumi

from components.clouds import load_stack_config
from components.config import ConfigError
from components.run_errors import InvalidStackConfig


def main() -> None:
    """Validate the stack config, build the deployment and export its outputs."""
    try:
        cfg = load_stack_config()
    except ConfigError as exc:
        # RunError ends `pulumi up` with the message only, no traceback.
        raise InvalidStackConfig(exc.problems) from None
    from components.deployment import AirsDeployment

    deployment = AirsDeployment(cfg.name, cfg)
    for key, value in deployment.exports().items():
        pulumi.export(key, value)
