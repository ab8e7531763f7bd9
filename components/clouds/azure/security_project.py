"""Azure security project: security VNet, NSGs, load balancers and the AIRS firewalls.

Layout (``airs:securityProject`` on Azure, after the vendor's transit-VNet design):

* one VNet with three subnets, cut from ``cidrs.vnet`` (quarters) or given explicitly:
  ``mgmt-snet`` (management NICs, one public IP each), ``public-snet`` (untrust NICs, the
  public load balancer's backends) and ``private-snet`` (trust NICs, the internal load
  balancer's frontend and backends);
* one NSG per subnet: management only from ``mgmtAllowedCidrs`` on TCP 22/443; both data
  subnets admit the load balancer probes (``AzureLoadBalancer``, i.e. 168.63.129.16);
* a Standard internal load balancer with a static frontend IP, an HA-ports rule (port 0,
  protocol All) and the firewall health probe — the next hop of every spoke's route table
  and pan-cni's endpoint;
* a Standard public load balancer with its own public IP for inbound traffic (Panorama's
  ``inbound-web`` NAT matches that address) and an outbound rule for the untrust NICs;
* the firewalls: a Uniform scale set (``firewall.mode: vmss``) or standalone VMs (``vm``)
  from the AIRS marketplace image, bootstrapped to Panorama through ``custom_data``.

Performance: under Pulumi's engine every azure-native resource carries ~60 aliases, so the
children an Azure API accepts inline (subnets, NSG rules, LB frontends/pools/probes/rules,
scale-set NICs) are inline properties, not resources. A ``vmss`` project is ten resources.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import network, resources
from pulumi_azure_native.provider import Provider

from components import network as netmath
from components.clouds.azure.config import AzureSecurityProject as AzureSecurityProjectConfig
from components.clouds.azure.facts import (
    OCCUPIED_TAG,
    TRUST_TAG,
    arm_id,
    deployment_id,
    nsg_rule,
)
from components.clouds.azure.firewalls import AzureFirewalls
from components.clouds.outputs import SecurityProjectOutputs
from components.config import StackConfig, ilb_ip
from components.config.stack import target_section

TYPE_TOKEN = "airs:index:AzureSecurityProject"
HEALTH_PATH = "/unauth/php/health.php"
# Subnet names of the vendor's transit VNet; roles map onto them.
SUBNET_NAMES: dict[str, str] = {
    "mgmt": "mgmt-snet",
    "untrust": "public-snet",
    "trust": "private-snet",
}
# Inbound ports published on the public load balancer (Panorama's inbound-web NAT).
PUBLIC_PORTS: tuple[int, ...] = (80, 443)
HA_PORTS_RULE = "HA-ports"
PROBE_NAME = "fw-health"
ILB_FRONTEND, ILB_POOL = "trust-frontend", "trust-backend"
PLB_FRONTEND, PLB_POOL = "public-frontend", "untrust-backend"
# Probes: one failure takes a firewall out (vendor default), every 5 s.
PROBE_INTERVAL_SECONDS = 5
PROBE_COUNT = 1
# NSG priorities: allow rules first, the explicit management deny last.
PRIORITY_ALLOW = 100
PRIORITY_DENY_LAST = 4096


class AzureSecurityProject(AzureFirewalls, pulumi.ComponentResource):
    """The Azure security project: VNet, NSGs, internal and public LBs and the firewalls."""

    outputs: SecurityProjectOutputs
    """The common output shape (trust CIDR and gateway, ILB IP, public LB IP, ...)."""
    provider: Provider
    """The explicit azure-native provider (subscription and location of the project)."""
    deployment_id: str
    """Value of the ``paloaltonetworks.com-trust`` / ``-occupied`` tags."""
    resource_group_name: str
    """Resource group holding the project (created or adopted)."""
    location: str
    """Azure region of the project."""
    provider_subscription: str
    """Subscription the project's provider deploys to."""
    vnet: network.VirtualNetwork
    """The security VNet (its peerings are made by the application connection)."""
    vnet_name: str
    """Physical name of the security VNet."""
    tags: dict[str, str]
    """Tags on every resource of the project."""
    subnet_ids: dict[str, pulumi.Output[str]]
    """Subnet id per role (``mgmt``, ``untrust``, ``trust``)."""
    public_ip: network.PublicIPAddress
    """The public load balancer's frontend address."""
    public_lb: network.LoadBalancer
    """Inbound (and untrust outbound) public load balancer."""
    internal_lb: network.LoadBalancer
    """Internal load balancer in the trust subnet: the spokes' next hop."""

    def __init__(
        self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Build the project.

        Args:
            name: logical name prefix of the component and its children.
            cfg: validated stack configuration with ``airs:cloud`` azure.
            opts: resource options of the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        sp = target_section(cfg, AzureSecurityProjectConfig)
        self._cfg, self._sp, self._name = cfg, sp, name
        prefix = cfg.name
        self.deployment_id = deployment_id(cfg)
        self.tags = {TRUST_TAG: self.deployment_id, OCCUPIED_TAG: self.deployment_id}
        self.provider = Provider(
            f"{name}-azure-{sp.subscription_id}",
            subscription_id=sp.subscription_id,
            location=sp.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self.resource_group_name = sp.resource_group.name
        self.location = sp.location
        self.provider_subscription = sp.subscription_id
        self._group: pulumi.Input[str] = self._resource_group()
        self._subnets = sp.subnets()
        self._ilb_ip = ilb_ip(cfg) or netmath.default_ilb_ip(self._subnets["trust"])

        nsgs = {role: self._nsg(role) for role in SUBNET_NAMES}
        self.vnet_name = f"{prefix}-vnet"
        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=self._group,
            virtual_network_name=self.vnet_name,
            location=sp.location,
            address_space={"address_prefixes": [sp.cidrs.vnet]},
            # Inline subnets: one resource instead of four; the VNet owns all of them.
            subnets=[
                {
                    "name": SUBNET_NAMES[role],
                    "address_prefix": self._subnets[role],
                    "network_security_group": {"id": nsgs[role].id},
                }
                for role in SUBNET_NAMES
            ],
            tags=self.tags,
            opts=self._opts,
        )
        # Subnet ids derive from the VNet id so that users depend on the VNet's creation.
        self.subnet_ids = {
            role: self.vnet.id.apply(lambda vid, s=subnet: f"{vid}/subnets/{s}")
            for role, subnet in SUBNET_NAMES.items()
        }

        self.public_ip = network.PublicIPAddress(
            f"{name}-public-lb-ip",
            resource_group_name=self._group,
            public_ip_address_name=f"{prefix}-public-lb-ip",
            location=sp.location,
            sku={"name": "Standard", "tier": "Regional"},
            public_ip_allocation_method="Static",
            zones=list(sp.zones),
            tags=self.tags,
            opts=self._opts,
        )
        self.public_lb = self._public_lb()
        self.internal_lb = self._internal_lb()
        group_id = self._firewalls()

        trust = self._subnets["trust"]
        ilb_address = self._ilb_ip
        self.outputs = SecurityProjectOutputs(
            trust_cidr=pulumi.Output.from_input(trust),
            trust_gateway_ip=pulumi.Output.from_input(netmath.gateway_ip(trust)),
            # Known from config, but tied to the ILB so consumers wait for it to exist.
            lb_ip=self.internal_lb.id.apply(lambda _: ilb_address),
            untrust_gateway_ip=pulumi.Output.from_input(
                netmath.gateway_ip(self._subnets["untrust"])
            ),
            public_lb_ip=self.public_ip.ip_address.apply(lambda ip: str(ip or "")),
            firewall_group=group_id,
            networks=pulumi.Output.all(
                vnet=self.vnet.id, **{role: sid for role, sid in self.subnet_ids.items()}
            ).apply(lambda ids: {str(k): str(v) for k, v in ids.items()}),
            # As on GCP and AWS: the AIRS tags' value, which `airs diff A B` reads across.
            extra={"deploymentId": pulumi.Output.from_input(self.deployment_id)},
        )
        self.register_outputs(dict(self.outputs.as_exports()))

    # ------------------------------------------------------------------ building blocks

    def _resource_group(self) -> pulumi.Input[str]:
        """Create the resource group, or adopt an existing one by name (never created)."""
        sp = self._sp
        if not sp.resource_group.create:
            return sp.resource_group.name
        group = resources.ResourceGroup(
            f"{self._name}-rg",
            resource_group_name=sp.resource_group.name,
            location=sp.location,
            tags=self.tags,
            opts=self._opts,
        )
        name: pulumi.Output[str] = group.name
        return name

    def _id(self, kind: str, *names: str) -> str:
        """Resource id inside the project's resource group (names are all known up front)."""
        return arm_id(self._sp.subscription_id, self._sp.resource_group.name, kind, *names)

    def _nsg(self, role: str) -> network.NetworkSecurityGroup:
        """The NSG of one subnet, rules inline."""
        sp = self._sp
        lb_tag = netmath.AZURE_LOAD_BALANCER_TAG
        if role == "mgmt":
            rules = [
                nsg_rule(
                    "allow-mgmt-admin",
                    PRIORITY_ALLOW,
                    sources=sp.mgmt_allowed_cidrs,
                    ports=(22, 443),
                    protocol="Tcp",
                    description="SSH and HTTPS to the firewalls' management from the admins",
                ),
                # Without it the default AllowVnetInBound would open management to every
                # peered spoke.
                nsg_rule(
                    "deny-other-inbound",
                    PRIORITY_DENY_LAST,
                    sources=["*"],
                    access="Deny",
                    description="nothing else reaches the management interfaces",
                ),
            ]
        else:
            rules = [
                nsg_rule(
                    "allow-azure-lb-probe",
                    PRIORITY_ALLOW,
                    sources=[lb_tag],
                    description=f"load balancer health probes ({netmath.AZURE_PROBE_IP})",
                )
            ]
            if role == "untrust":
                rules.append(
                    nsg_rule(
                        "allow-inbound-web",
                        PRIORITY_ALLOW + 10,
                        sources=["Internet"],
                        ports=PUBLIC_PORTS,
                        protocol="Tcp",
                        description="published applications through the public load balancer",
                    )
                )
            else:
                rules.append(
                    nsg_rule(
                        "allow-spokes",
                        PRIORITY_ALLOW + 10,
                        sources=["VirtualNetwork"],
                        description="application spokes routed to the internal load balancer",
                    )
                )
        return network.NetworkSecurityGroup(
            f"{self._name}-{role}-nsg",
            resource_group_name=self._group,
            network_security_group_name=f"{self._cfg.name}-{role}-nsg",
            location=sp.location,
            security_rules=rules,
            tags=self.tags,
            opts=self._opts,
        )

    def _probe(self, lb_name: str) -> tuple[dict[str, Any], str]:
        """The firewall health probe and its id.

        ``http`` asks PAN-OS's unauthenticated health page with the scheme of the management
        profile service on that port (443 HTTPS, 80 HTTP); port 22 (SSH) can only be TCP.
        """
        sp = self._sp
        probe: dict[str, Any] = {
            "name": PROBE_NAME,
            "port": sp.health_check_port,
            "interval_in_seconds": PROBE_INTERVAL_SECONDS,
            "number_of_probes": PROBE_COUNT,
        }
        service = netmath.HEALTH_CHECK_SERVICES.get(sp.health_check_port)
        if sp.health_probe == "http" and service in ("https", "http"):
            probe["protocol"] = "Https" if service == "https" else "Http"
            probe["request_path"] = HEALTH_PATH
        else:
            probe["protocol"] = "Tcp"
        return probe, self._id("Microsoft.Network/loadBalancers", lb_name, "probes", PROBE_NAME)

    def _internal_lb(self) -> network.LoadBalancer:
        """Standard ILB in the trust subnet: static frontend, HA ports, health probe."""
        sp = self._sp
        lb_name = f"{self._cfg.name}-ilb"
        kind = "Microsoft.Network/loadBalancers"
        probe, probe_id = self._probe(lb_name)
        return network.LoadBalancer(
            f"{self._name}-ilb",
            resource_group_name=self._group,
            load_balancer_name=lb_name,
            location=sp.location,
            sku={"name": "Standard", "tier": "Regional"},
            frontend_ip_configurations=[
                {
                    "name": ILB_FRONTEND,
                    "private_ip_address": self._ilb_ip,
                    "private_ip_allocation_method": "Static",
                    "private_ip_address_version": "IPv4",
                    "subnet": {"id": self.subnet_ids["trust"]},
                    "zones": list(sp.zones),
                }
            ],
            backend_address_pools=[{"name": ILB_POOL}],
            probes=[probe],
            load_balancing_rules=[
                {
                    "name": HA_PORTS_RULE,
                    "protocol": "All",
                    "frontend_port": 0,
                    "backend_port": 0,
                    # Floating IP keeps the ILB address as destination: pan-cni's UDP 6080
                    # reaches the firewall's loopback that holds it (Panorama profile).
                    "enable_floating_ip": True,
                    "load_distribution": "Default",
                    "frontend_ip_configuration": {
                        "id": self._id(kind, lb_name, "frontendIPConfigurations", ILB_FRONTEND)
                    },
                    "backend_address_pool": {
                        "id": self._id(kind, lb_name, "backendAddressPools", ILB_POOL)
                    },
                    "probe": {"id": probe_id},
                }
            ],
            tags=self.tags,
            opts=self._opts,
        )

    def _public_lb(self) -> network.LoadBalancer:
        """Standard public LB: inbound web rules (floating IP) and outbound SNAT for untrust."""
        sp = self._sp
        lb_name = f"{self._cfg.name}-public-lb"
        kind = "Microsoft.Network/loadBalancers"
        probe, probe_id = self._probe(lb_name)
        frontend = {"id": self._id(kind, lb_name, "frontendIPConfigurations", PLB_FRONTEND)}
        pool = {"id": self._id(kind, lb_name, "backendAddressPools", PLB_POOL)}
        return network.LoadBalancer(
            f"{self._name}-public-lb",
            resource_group_name=self._group,
            load_balancer_name=lb_name,
            location=sp.location,
            sku={"name": "Standard", "tier": "Regional"},
            frontend_ip_configurations=[
                {"name": PLB_FRONTEND, "public_ip_address": {"id": self.public_ip.id}}
            ],
            backend_address_pools=[{"name": PLB_POOL}],
            probes=[probe],
            load_balancing_rules=[
                {
                    "name": f"inbound-tcp-{port}",
                    "protocol": "Tcp",
                    "frontend_port": port,
                    "backend_port": port,
                    # The firewall must see the public address: inbound-web NAT matches it.
                    "enable_floating_ip": True,
                    # SNAT comes from the outbound rule, not from the inbound rules.
                    "disable_outbound_snat": True,
                    "frontend_ip_configuration": frontend,
                    "backend_address_pool": pool,
                    "probe": {"id": probe_id},
                }
                for port in PUBLIC_PORTS
            ],
            outbound_rules=[
                {
                    "name": "untrust-outbound",
                    "protocol": "All",
                    "frontend_ip_configurations": [frontend],
                    "backend_address_pool": pool,
                    "enable_tcp_reset": True,
                }
            ],
            tags=self.tags,
            opts=self._opts,
        )

    def _pools(self) -> dict[str, list[dict[str, str]]]:
        """Load balancer backend pools by NIC role."""
        kind = "Microsoft.Network/loadBalancers"
        return {
            "mgmt": [],
            "trust": [
                {"id": self._id(kind, f"{self._cfg.name}-ilb", "backendAddressPools", ILB_POOL)}
            ],
            "untrust": [
                {
                    "id": self._id(
                        kind, f"{self._cfg.name}-public-lb", "backendAddressPools", PLB_POOL
                    )
                }
            ],
        }


COMPONENT = AzureSecurityProject
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
