"""Azure's section of the stack config (``airs:securityProject``) and its rules."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from components import network
from components.config import Bootstrap, Cluster, Problems, StackConfig, TargetModel
from components.config.base import Cidr, IPv4, Model, Port, Replicas, rule, zone_str
from components.config.checks import ilb_ip_checks, security_side_checks, steered_subnets_checks
from components.config.stack import target_section


class AzureCidrs(Model):
    """The security VNet and, optionally, its three subnets (cut from the VNet if absent)."""

    vnet: Cidr
    """Address space of the security VNet."""
    mgmt: Cidr | None = None
    """Management subnet (``mgmt-snet``); default: a quarter of ``vnet``."""
    untrust: Cidr | None = None
    """Untrust subnet (``public-snet``); default: a quarter of ``vnet``."""
    trust: Cidr | None = None
    """Trust subnet (``private-snet``, the internal load balancer's); default: a quarter of
    ``vnet``."""


class AzureResourceGroup(Model):
    """Resource group that holds the security project."""

    name: str
    """Resource group name."""
    create: bool = True
    """Create it (true) or adopt an existing one (false)."""


class AzureFirewall(Model):
    """The firewall scale set (or VMs) on Azure."""

    mode: Literal["vmss", "vm"] = "vmss"
    """``vmss``: one Uniform scale set; ``vm``: standalone VMs."""
    vm_size: str = "Standard_D3_v2"
    """VM size of each firewall."""
    min_replicas: Replicas = 1
    """Firewalls in the scale set (``vmss``) or standalone VMs (``vm``)."""
    max_replicas: Replicas | None = None
    """Must equal ``minReplicas`` when set: the scale set has a fixed size. Azure autoscaling
    of VM-Series scales on PAN-OS metrics published to Application Insights (host CPU is
    always high on a DPDK dataplane), which this project does not configure yet."""
    image_offer: Annotated[
        str, rule(lambda v: v.startswith("airs"), "is not an AIRS offer (expected airs-flex)")
    ] = "airs-flex"
    """Marketplace offer of the AIRS image (publisher ``paloaltonetworks``)."""
    image_sku: str = "airs-byol"
    """Marketplace SKU (plan) of the image."""
    image_version: str = "latest"
    """Image version, or ``latest``."""
    admin_username: str = "panadmin"
    """Administrator user the SSH key is installed for."""
    ssh_public_key: str
    """Administrator SSH public key (Azure requires one)."""
    bootstrap: Bootstrap
    """Bootstrap values (``customData``)."""


AzureZone = Annotated[Literal["1", "2", "3"], BeforeValidator(zone_str)]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Azure resource ids are case-insensitive; the subscription segment is a GUID.
AZURE_VNET_ID = re.compile(
    r"^/subscriptions/(?P<sub>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/resourceGroups/(?P<rg>[-\w._()]+)/providers/Microsoft\.Network"
    r"/virtualNetworks/(?P<vnet>[-\w.]+)$",
    re.IGNORECASE,
)
AZURE_SUBNET_ID = re.compile(r"^(?P<vnet_id>.+)/subnets/(?P<subnet>[-\w.]+)$", re.IGNORECASE)


class AzureSecurityProject(TargetModel):
    """``airs:securityProject`` on Azure: VNet, NSGs, load balancers and firewalls."""

    subscription_id: Annotated[
        str, rule(lambda v: bool(UUID.match(v)), "must be a subscription id (a lowercase UUID)")
    ]
    """Subscription that holds the security project."""
    location: str
    """Azure region, e.g. ``eastus``."""
    resource_group: AzureResourceGroup
    """Resource group of the security project."""
    zones: list[AzureZone] = ["1", "2", "3"]
    """Availability zones the firewalls spread over."""
    cidrs: AzureCidrs
    """The security VNet and its subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    ilb_ip: IPv4 | None = None
    """Internal load balancer frontend; defaults to the third address from the end of the
    trust subnet."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the load balancer probe checks on the firewalls (443, 80 or 22)."""
    health_probe: Literal["tcp", "http"] = "tcp"
    """Probe protocol: ``tcp`` (port open) or ``http`` (an HTTP(S) request when the port is
    80 or 443; TCP on 22)."""
    firewall: AzureFirewall
    """The firewall scale set or VMs."""

    def subnets(self) -> dict[str, str]:
        """mgmt / untrust / trust subnets of the security VNet (given, or cut into quarters)."""
        given = {k: getattr(self.cidrs, k) for k in ("mgmt", "untrust", "trust")}
        if all(given.values()):
            return {k: str(v) for k, v in given.items()}
        prefix = network.parse_cidr(self.cidrs.vnet).prefixlen + 2
        mgmt, untrust, trust = network.split(self.cidrs.vnet, prefix, 3)
        return {"mgmt": mgmt, "untrust": untrust, "trust": trust}

    def trust_subnet(self) -> str:
        """The trust subnet (``private-snet``)."""
        return self.subnets()["trust"]

    def ilb_address(self) -> str | None:
        """The internal load balancer's frontend: given, or the trust subnet's default."""
        return self.ilb_ip or network.default_ilb_ip(self.trust_subnet())

    def security_ranges(self) -> list[tuple[str, str]]:
        """The three subnets when given, else the VNet."""
        if all([self.cidrs.mgmt, self.cidrs.untrust, self.cidrs.trust]):
            return [(f"securityProject.cidrs.{k}", v) for k, v in self.subnets().items()]
        return [("securityProject.cidrs.vnet", self.cidrs.vnet)]


def checks(cfg: StackConfig, problems: Problems) -> None:
    """Rules across ``airs:securityProject`` on Azure."""
    sp = target_section(cfg, AzureSecurityProject)
    security_side_checks(sp.mgmt_allowed_cidrs, sp.health_check_port, problems)
    if (
        sp.firewall.max_replicas is not None
        and sp.firewall.max_replicas != sp.firewall.min_replicas
    ):
        problems.add(
            "securityProject.firewall.maxReplicas",
            sp.firewall.max_replicas,
            f"must equal airs:securityProject.firewall.minReplicas ({sp.firewall.min_replicas}) "
            "on Azure: the scale set has a fixed size (autoscaling on PAN-OS metrics in "
            "Application Insights is not built yet)",
        )
    given = [sp.cidrs.mgmt, sp.cidrs.untrust, sp.cidrs.trust]
    if any(given) and not all(given):
        problems.add(
            "securityProject.cidrs", "partial", "give all of mgmt, untrust and trust, or none"
        )
    elif all(given):
        for key in ("mgmt", "untrust", "trust"):
            sub = getattr(sp.cidrs, key)
            if not network.subnet_within(sub, sp.cidrs.vnet):
                problems.add(
                    f"securityProject.cidrs.{key}",
                    sub,
                    f"does not fit in the VNet {sp.cidrs.vnet}",
                )
    elif network.parse_cidr(sp.cidrs.vnet).prefixlen > 26:
        problems.add(
            "securityProject.cidrs.vnet",
            sp.cidrs.vnet,
            "must be /26 or larger to cut three subnets",
        )
    if not problems:
        ilb_ip_checks(sp.ilb_ip, sp.trust_subnet(), problems)
    if len(set(sp.zones)) != len(sp.zones):
        problems.add("securityProject.zones", sp.zones, "lists a zone twice")


def application_checks(cfg: StackConfig, problems: Problems) -> None:
    """Application VNet ids, their subnets, and one application per VNet."""
    # The security VNet's peering to an application is named `<name>-to-<VNet name>`, so
    # two applications whose VNets share a name (even in other resource groups) collide.
    seen_names: dict[str, str] = {}
    for app_key, app in cfg.applications.items():
        base = f"applications.{app_key}"
        vnet = AZURE_VNET_ID.match(app.network.rstrip("/")) if app.network else None
        if app.network and vnet is None:
            problems.add(
                f"{base}.network",
                app.network,
                "must be an Azure VNet resource id: /subscriptions/<subscription id>"
                "/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>",
            )
        if vnet is not None:
            name = vnet["vnet"].lower()
            if name in seen_names:
                other = seen_names[name]
                same = (cfg.applications[other].network or "").rstrip("/").lower()
                problems.add(
                    f"{base}.network",
                    app.network,
                    f"must be unique (airs:applications.{other} uses it too)"
                    if same == vnet.group(0).lower()
                    else f"VNet name {vnet['vnet']} is also the name of airs:applications.{other}"
                    "'s VNet: the security VNet's peerings are named after the VNets, so "
                    "their names must be unique",
                )
            seen_names.setdefault(name, app_key)
        listed: set[str] = set()
        for i, subnet in enumerate(app.subnets):
            key = f"{base}.subnets[{i}]"
            found = AZURE_SUBNET_ID.match(subnet.rstrip("/"))
            if found is None:
                problems.add(
                    key,
                    subnet,
                    "must be an Azure subnet resource id: <VNet resource id>/subnets/<name>",
                )
            elif vnet is not None and found["vnet_id"].lower() != vnet.group(0).lower():
                problems.add(key, subnet, f"is not a subnet of airs:{base}.network")
            elif subnet.rstrip("/").lower() in listed:
                problems.add(key, subnet, "is listed twice")
            listed.add(subnet.rstrip("/").lower())
        # The route table to the load balancer steers only the subnets it is associated with.
        steered_subnets_checks(
            cfg.cloud,
            app_key,
            app,
            "each listed subnet is associated with the route table that sends traffic to the "
            "internal load balancer",
            problems,
        )


def cluster_checks(cfg: StackConfig, key: str, cluster: Cluster, problems: Problems) -> None:
    """AKS's rules for cluster ``key``."""
    if cluster.type != "AKS":
        return
    base = f"clusters.{key}"
    if cluster.network_plugin != "azure":
        problems.add(
            f"{base}.networkPlugin",
            cluster.network_plugin,
            "AKS must use Azure CNI (`azure`): pan-cni needs pods on the VNet",
        )
    if cluster.byo_vnet is not True:
        problems.add(
            f"{base}.byoVnet",
            cluster.byo_vnet,
            'AKS must use its own VNet ("bring your own virtual network") so it can be peered',
        )


SECTION = AzureSecurityProject
"""The model of ``airs:securityProject`` on this cloud."""
