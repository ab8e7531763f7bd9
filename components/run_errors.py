"""How the program ends a run on bad stack configuration.

Its own module, above ``components.config`` (which must not load the Pulumi SDK: ``airs
validate`` runs without it) and below everything that raises it (``program``, ``layered``).
"""

from __future__ import annotations

import pulumi

from components.config import ConfigProblem


class InvalidStackConfig(pulumi.RunError):
    """The stack configuration broke one or more rules; nothing was registered."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid stack configuration ({len(problems)} problems):\n{lines}")
