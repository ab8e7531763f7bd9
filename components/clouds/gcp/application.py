"""GCP application connection: peer each application VPC with the firewalls' trust VPC.

For every ``airs:applications`` entry the trust VPC and the application VPC are peered both
ways with custom routes exported and imported, so the application VPC learns the trust
VPC's 0.0.0.0/0 → load balancer route (priority 900) and the trust VPC learns the
application's subnets (GKE node and pod ranges included). The trust-side firewall rule that
admits application, node, pod and service ranges is the security project's single trust
rule (one resource with a list); here each application VPC gets one rule that admits what
the firewalls send back into it (pan-cni's UDP 6080 replies come from the trust subnet).

Peering operations on one network must not overlap (GCP answers "Error 400 … peering
operation in progress", the re-apply users of the vendor bundle know), so every peering
waits for the previous one.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.clouds.gcp.facts import RULE_PRIORITY, gce_name
from components.clouds.gcp.security_project import GcpSecurityProject
from components.clouds.outputs import ZoneEndpoint
from components.config import Application, StackConfig

TYPE_TOKEN = "airs:index:GcpApplicationConnection"
COMPUTE_API = "https://www.googleapis.com/compute/v1/"


def network_link(app: Application, default_project: str) -> str:
    """Full self-link of an application VPC given by name or (partial) self-link.

    Args:
        app: the application entry (``network`` and optional ``project``).
        default_project: project used when the entry names no project (the security one).
    """
    value = app.network or ""
    if not value:
        raise ValueError("an application VPC needs a network (validated: required on gcp)")
    if value.startswith(COMPUTE_API):
        return value
    if value.startswith("projects/"):
        return COMPUTE_API + value
    if value.startswith("https://"):
        raise ValueError(f"not a Compute Engine network link: {value}")
    return f"{COMPUTE_API}projects/{app.project or default_project}/global/networks/{value}"


def network_project(link: str) -> str:
    """The project id inside a network self-link.

    Args:
        link: a full network self-link.
    """
    parts = link.removeprefix(COMPUTE_API).split("/")
    return parts[1]


class GcpApplicationConnection(pulumi.ComponentResource):
    """Peerings and return-path rules of the application VPCs.

    Type token ``airs:index:GcpApplicationConnection``.
    """

    endpoints: dict[str, list[ZoneEndpoint]]
    """Per-application traffic endpoints: none on GCP (pan-cni uses the load balancer IP)."""
    peerings: dict[str, tuple[gcp.compute.NetworkPeering, gcp.compute.NetworkPeering]]
    """Application key → (trust → app, app → trust) peerings."""

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        project: GcpSecurityProject,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Connect every application VPC of ``cfg`` to ``project``'s trust VPC.

        Args:
            name: logical name of the component; children's logical names derive from it.
            cfg: the validated stack configuration (``airs:applications``).
            project: the security project whose trust VPC the applications peer with.
            opts: resource options for the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.endpoints = {}
        self.peerings = {}
        trust = project.networks["trust"]
        trust_cidr = project.subnets["trust"].ip_cidr_range
        child = pulumi.ResourceOptions(parent=self, provider=project.provider)
        previous: pulumi.Resource | None = None
        # Sorted keys: a stable order for the peering chain whatever the YAML order.
        for key in sorted(cfg.applications):
            app = cfg.applications[key]
            link = network_link(app, project.project_id)
            after = pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[previous] if previous else [])
            )
            to_app = gcp.compute.NetworkPeering(
                f"{name}-{key}-trust-to-app",
                name=gce_name(cfg.name, "trust-to", key),
                network=trust.self_link,
                peer_network=link,
                # Trust exports its default route to the load balancer and learns app routes.
                export_custom_routes=True,
                import_custom_routes=True,
                export_subnet_routes_with_public_ip=True,
                import_subnet_routes_with_public_ip=True,
                opts=after,
            )
            to_trust = gcp.compute.NetworkPeering(
                f"{name}-{key}-app-to-trust",
                name=gce_name(cfg.name, key, "to-trust"),
                network=link,
                peer_network=trust.self_link,
                export_custom_routes=True,
                import_custom_routes=True,
                export_subnet_routes_with_public_ip=True,
                import_subnet_routes_with_public_ip=True,
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(depends_on=[to_app])
                ),
            )
            self.peerings[key] = (to_app, to_trust)
            previous = to_trust
            gcp.compute.Firewall(
                f"{name}-{key}-allow-from-trust",
                name=gce_name(cfg.name, key, "allow-from-trust"),
                project=network_project(link),
                network=link,
                description="Traffic the AIRS firewalls return or forward into this VPC",
                direction="INGRESS",
                priority=RULE_PRIORITY,
                source_ranges=[trust_cidr],
                allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
                opts=child,
            )
        self.register_outputs({"peerings": {k: p[1].state for k, p in self.peerings.items()}})


COMPONENT = GcpApplicationConnection
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
