"""The output shape every security side exposes, whatever the target."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi


@dataclass(frozen=True)
class ZoneEndpoint:
    """A per-zone traffic endpoint (AWS GWLB endpoint IP); ``zone`` None means zone-agnostic."""

    ip: pulumi.Output[str]
    zone: str | None = None


@dataclass(frozen=True)
class SecurityProjectOutputs:
    """What the Panorama profile and the cluster side need from the security project.

    Every cloud returns this shape, so ``AirsDeployment`` wires them the same way.
    """

    trust_cidr: pulumi.Output[str]
    """CIDR of the firewalls' trust subnet (Helm ``fwtrustcidr``)."""
    trust_gateway_ip: pulumi.Output[str]
    """First usable address of the trust subnet: next hop of Panorama's trust routes."""
    lb_ip: pulumi.Output[str] | None
    """Internal load balancer address (GCP, Azure): pan-cni's endpoint and the loopback IP."""
    untrust_gateway_ip: pulumi.Output[str] | None = None
    """First usable address of the untrust subnet (GCP, Azure)."""
    firewall_trust_ip: pulumi.Output[str] | None = None
    """The on-prem firewall's trust address, pan-cni's endpoint (private clouds)."""
    public_lb_ip: pulumi.Output[str] | None = None
    """Inbound public load balancer address (Azure's inbound-web NAT)."""
    firewall_group: pulumi.Output[str] | None = None
    """Id of the firewall group (MIG, scale set or auto scaling group)."""
    networks: pulumi.Output[dict[str, str]] | None = None
    """Network ids/self-links by role (mgmt, untrust, trust)."""
    extra: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    """Cloud-specific values (e.g. the AWS endpoint service name)."""

    @property
    def endpoint_ip(self) -> pulumi.Output[str] | None:
        """pan-cni's one endpoint, where there is one: the on-prem firewall or the ILB."""
        return self.firewall_trust_ip or self.lb_ip

    def as_exports(self) -> dict[str, pulumi.Output[str] | pulumi.Output[dict[str, str]]]:
        """Stack outputs of the common shape (same keys on every cloud)."""
        out: dict[str, pulumi.Output[str] | pulumi.Output[dict[str, str]]] = {
            "trustCidr": self.trust_cidr,
            "trustGatewayIp": self.trust_gateway_ip,
        }
        for key, value in (
            ("loadBalancerIp", self.lb_ip),
            ("untrustGatewayIp", self.untrust_gateway_ip),
            ("publicLoadBalancerIp", self.public_lb_ip),
            ("firewallGroup", self.firewall_group),
            ("networks", self.networks),
            ("firewallTrustIp", self.firewall_trust_ip),
        ):
            if value is not None:
                out[key] = value
        out.update(self.extra)
        return out
