"""A private cloud's section of the stack config (``airs:firewall``) and its rules."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from components import network
from components.config import Problems, StackConfig, TargetModel
from components.config.base import Cidr, IPv4, rule
from components.config.checks import source_list_checks
from components.config.stack import target_section

SERIAL = re.compile(r"^[A-Za-z0-9]{6,32}$")


def _quoted(value: object) -> object:
    # YAML reads an unquoted 007951000123456 as the number 7951000123456.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            'must be quoted ("007951…"): YAML reads an unquoted serial as a number and drops '
            "its leading zeros"
        )
    return value


Serial = Annotated[
    str,
    BeforeValidator(_quoted),
    rule(
        lambda v: bool(SERIAL.match(v)), "must be a firewall serial number (6–32 letters or digits)"
    ),
]


class PrivateFirewall(TargetModel):
    """``airs:firewall``: the on-prem firewall a private cloud sends traffic to."""

    trust_ip: IPv4
    """Trust interface address (the active member of an HA pair)."""
    trust_cidr: Cidr
    """Trust subnet: pan-cni's ``fwtrustcidr``."""
    trust_gateway_ip: IPv4
    """Next hop on the trust side for the application networks and the default route."""
    ha_peer_trust_ip: IPv4 | None = None
    """Refused when set (kept so the contract key gets a clear answer): in an active/passive
    pair the trust address moves to the active peer, so ``trustIp`` is the one address
    pan-cni and Panorama need; active/active pairs (an address per peer) are not built."""
    serials: Annotated[list[Serial], Field(min_length=1, max_length=2)]
    """Serial numbers of the firewall (two for an HA pair), as Panorama manages it: they are
    put in the template stack and device group so the configuration is pushed to them. Add
    the firewall to Panorama's managed devices first."""
    trust_ip_mode: Literal["static", "dhcp"] = "static"
    """``static``: ``trustIp`` set on ethernet1/1; ``dhcp``: the interface is a DHCP client."""
    health_check_sources: list[Cidr] = []
    """Where an on-prem load balancer's health checks come from: they alone may reach the
    firewall's HTTPS service on the trust interface (and a rule admits them). Empty: no
    health checks, and no management service answers on the trust interface."""

    def trust_subnet(self) -> str:
        """The trust subnet."""
        return self.trust_cidr

    def trust_gateway(self) -> str:
        """The given trust gateway."""
        return self.trust_gateway_ip

    def security_ranges(self) -> list[tuple[str, str]]:
        """The trust subnet."""
        return [("firewall.trustCidr", self.trust_cidr)]


def checks(cfg: StackConfig, problems: Problems) -> None:
    """The firewall's addresses agree with its trust subnet."""
    fw = target_section(cfg, PrivateFirewall)
    for key, ip in (
        ("trustIp", fw.trust_ip),
        ("trustGatewayIp", fw.trust_gateway_ip),
    ):
        if ip is not None and not network.contains(fw.trust_cidr, ip):
            problems.add(
                f"firewall.{key}",
                ip,
                f"must lie inside airs:firewall.trustCidr {fw.trust_cidr}",
            )
    if fw.ha_peer_trust_ip is not None:
        problems.add(
            "firewall.haPeerTrustIp",
            fw.ha_peer_trust_ip,
            "is not supported: an active/passive pair shares airs:firewall.trustIp (the "
            "address moves to the active peer); active/active pairs are not built yet",
        )
    if fw.trust_ip == fw.trust_gateway_ip:
        problems.add(
            "firewall.trustIp", fw.trust_ip, "must differ from airs:firewall.trustGatewayIp"
        )
    # They alone reach the HTTPS service of the trust interface's management profile.
    source_list_checks(
        "firewall.healthCheckSources",
        fw.health_check_sources,
        "the firewall's HTTPS management service on its trust interface",
        problems,
    )
