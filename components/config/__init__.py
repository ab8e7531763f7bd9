"""Typed, validated stack configuration: the ``airs:*`` contract, common to every target.

The package is the floor of the program: it knows no cloud. A target's own section and rules
live in ``components/clouds/<target>/``; ``components.clouds.parse_stack_config`` and
``load_stack_config`` bind them to the parser here. A bad stack raises :class:`ConfigError`
listing **every** problem, one per line, as ``airs:<key path>: <value> — <rule>``, before any
resource is registered.
"""

from components.config.base import (
    MISSING,
    NAMESPACE,
    SECRET_SHOWN,
    ConfigError,
    ConfigProblem,
    Model,
    Problems,
    TargetModel,
    show,
)
from components.config.models import Application, Bootstrap, Cluster, Panorama
from components.config.secrets import secret_output
from components.config.stack import (
    StackConfig,
    TargetRules,
    ilb_ip,
    monitoring_interval,
    trust_cidr,
    trust_gateway,
)

__all__ = [
    "MISSING",
    "NAMESPACE",
    "SECRET_SHOWN",
    "Application",
    "Bootstrap",
    "Cluster",
    "ConfigError",
    "ConfigProblem",
    "Model",
    "Panorama",
    "Problems",
    "StackConfig",
    "TargetModel",
    "TargetRules",
    "ilb_ip",
    "monitoring_interval",
    "secret_output",
    "show",
    "trust_cidr",
    "trust_gateway",
]
