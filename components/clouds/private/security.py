"""A private cloud's security side: the firewall already exists on-prem, nothing to build."""

from __future__ import annotations

from typing import Any

import pulumi

from components.clouds.base import SecuritySide
from components.clouds.outputs import SecurityProjectOutputs
from components.clouds.private.config import PrivateFirewall
from components.config import StackConfig
from components.config.stack import target_section


def security_side(name: str, cfg: StackConfig, opts: Any) -> SecuritySide:
    """The common output shape for the on-prem firewall of ``airs:firewall``."""
    fw = target_section(cfg, PrivateFirewall)
    return SecuritySide(
        project=None,
        outputs=SecurityProjectOutputs(
            trust_cidr=pulumi.Output.from_input(fw.trust_cidr),
            trust_gateway_ip=pulumi.Output.from_input(fw.trust_gateway_ip),
            lb_ip=None,
            firewall_trust_ip=pulumi.Output.from_input(fw.trust_ip),
        ),
    )
