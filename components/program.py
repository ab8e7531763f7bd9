"""The Pulumi program: the one function both ``__main__.py`` and ``airs plan`` run."""

from __future__ import annotations

import pulumi

from components.config import ConfigError, ConfigProblem, load_stack_config


class InvalidStackConfig(pulumi.RunError):
    """The stack configuration broke one or more rules; nothing was registered."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid stack configuration ({len(problems)} problems):\n{lines}")


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
