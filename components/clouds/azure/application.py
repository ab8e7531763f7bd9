"""Azure application connection: peer each application VNet and steer it to the internal LB.

For every ``airs:applications`` entry (an existing VNet, by resource id):

* VNet peering both ways (security ↔ application) with forwarded traffic allowed, so that
  the firewalls' return traffic and the ILB's frontend are reachable across the peering;
* a route table next to the application VNet (same subscription and region, which Azure
  requires for an association): ``0.0.0.0/0`` and every *other* spoke's CIDRs → the ILB
  frontend as ``VirtualAppliance``;
* the route table **associated** with the application's subnets (``subnets``) — the step the
  vendor leaves to the user.

How the association is made without owning the subnets
------------------------------------------------------
Azure has no association object: ``routeTable`` is a property of the subnet, and the only
write is a PUT of the whole subnet. azure-native offers three ways to send it:

* ``network.Subnet``: Pulumi would own the subnet. Creating it over an existing subnet fails
  ("cannot create already existing resource"); importing it needs inputs identical to the
  live subnet (so no route table change in the same run); once adopted, our stack's
  ``destroy`` deletes the team's subnet (or fails on its NICs), and every ``up`` re-asserts
  our copy of all its properties. Rejected.
* inline ``subnets`` on ``network.VirtualNetwork``: owns the whole VNet. Rejected.
* ``resources.Deployment`` (what we use): an ARM template deployment in *Incremental* mode
  whose template PUTs each listed subnet with the properties read live from Azure at plan
  time (the generic ARM GET ``resources.get_resource``: raw JSON, minus read-only fields)
  plus ``routeTable``. Pulumi owns only the deployment record; the subnets stay the
  application team's. Subnets of one VNet are written one after the other (``dependsOn``),
  as ARM rejects parallel subnet writes. The VNet's region comes from a typed look-up.

Trade-offs of the deployment: a change a team makes to a subnet between our read and the
deployment would be overwritten (the window is one ``pulumi up``); a detached route table is
not noticed until the subnet's other properties change; and ``pulumi destroy`` removes only
the record — the route table cannot be deleted while associated, so detach first
(``az network vnet subnet update --ids <subnet> --route-table ""``), which is also the moment
the application stops depending on the firewalls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import network, resources
from pulumi_azure_native.provider import Provider

from components.clouds.azure.config import AZURE_SUBNET_ID, AZURE_VNET_ID
from components.clouds.azure.security_project import AzureSecurityProject
from components.clouds.outputs import ZoneEndpoint
from components.config import Application, StackConfig

TYPE_TOKEN = "airs:index:AzureApplicationConnection"
NETWORK_API_VERSION = "2024-05-01"
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
# Subnet properties Azure computes; a PUT must not echo them.
READ_ONLY_SUBNET_PROPERTIES = frozenset(
    {
        "provisioningState",
        "ipConfigurations",
        "ipConfigurationProfiles",
        "privateEndpoints",
        "purpose",
        "resourceNavigationLinks",
        "serviceAssociationLinks",
        "routeTable",
    }
)


@dataclass(frozen=True)
class VnetRef:
    """An application VNet, parsed from its resource id."""

    id: str
    subscription: str
    resource_group: str
    name: str

    @staticmethod
    def parse(vnet_id: str) -> VnetRef:
        """Parse a VNet id (``/subscriptions/…/providers/Microsoft.Network/virtualNetworks/…``).

        Raises:
            ValueError: when ``vnet_id`` is not a VNet resource id.
        """
        found = AZURE_VNET_ID.match(vnet_id.rstrip("/"))
        if found is None:
            raise ValueError(f"not a virtual network resource id: {vnet_id}")
        return VnetRef(vnet_id.rstrip("/"), found["sub"], found["rg"], found["vnet"])

    def subnet_name(self, subnet_id: str) -> str:
        """Name of a subnet of this VNet, from its id.

        Raises:
            ValueError: when the subnet belongs to another VNet.
        """
        found = AZURE_SUBNET_ID.match(subnet_id.rstrip("/"))
        if found is None or found["vnet_id"].lower() != self.id.lower():
            raise ValueError(f"subnet {subnet_id} is not in the VNet {self.id}")
        return found["subnet"]


def spoke_routes(
    app_key: str, applications: Mapping[str, Application], next_hop: str
) -> list[dict[str, str]]:
    """Routes of one spoke: the default route and every other spoke → the ILB."""
    routes = [
        {
            "name": "default-via-airs",
            "address_prefix": "0.0.0.0/0",
            "next_hop_type": "VirtualAppliance",
            "next_hop_ip_address": next_hop,
        }
    ]
    for other_key, other in applications.items():
        if other_key == app_key:
            continue
        for i, cidr in enumerate(other.cidrs):
            routes.append(
                {
                    "name": f"{other_key}-{i}-via-airs",
                    "address_prefix": cidr,
                    "next_hop_type": "VirtualAppliance",
                    "next_hop_ip_address": next_hop,
                }
            )
    return routes


def writable_subnet_properties(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """A live subnet's properties without the fields Azure computes."""
    return {k: v for k, v in (props or {}).items() if k not in READ_ONLY_SUBNET_PROPERTIES}


def association_template(
    vnet: str, subnets: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[str, Any]:
    """The ARM template that rewrites each subnet as it is, plus ``routeTable``.

    Args:
        vnet: the application VNet's name.
        subnets: (subnet name, live properties) pairs, in the order to write them.
    """
    items: list[dict[str, Any]] = []
    previous: str | None = None
    for subnet, props in subnets:
        item: dict[str, Any] = {
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "apiVersion": NETWORK_API_VERSION,
            "name": f"{vnet}/{subnet}",
            "properties": {
                **writable_subnet_properties(props),
                "routeTable": {"id": "[parameters('routeTableId')]"},
            },
        }
        if previous is not None:
            item["dependsOn"] = [
                f"[resourceId('Microsoft.Network/virtualNetworks/subnets', '{vnet}', '{previous}')]"
            ]
        items.append(item)
        previous = subnet
    return {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"routeTableId": {"type": "string"}},
        "resources": items,
    }


class AzureApplicationConnection(pulumi.ComponentResource):
    """Peerings, route tables and subnet associations for every application VNet."""

    endpoints: dict[str, list[ZoneEndpoint]]
    """pan-cni endpoints per application: none on Azure (pan-cni uses the ILB IP)."""
    route_tables: dict[str, network.RouteTable]
    """Route table per application key."""

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        project: AzureSecurityProject,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Connect every application VNet to the security project.

        Args:
            name: logical name prefix of the component and its children.
            cfg: validated stack configuration with ``airs:cloud`` azure.
            project: the security project (VNet, provider, ILB address).
            opts: resource options of the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.endpoints = {}
        self.route_tables = {}
        self._name, self._cfg, self._project = name, cfg, project
        # Peerings of the security VNet are created one after the other: ARM rejects
        # concurrent writes to one VNet (AnotherOperationInProgress).
        self._last_security_peering: pulumi.Resource | None = None
        # One provider per subscription; the project's serves its own subscription.
        self._providers: dict[str, Provider] = {
            project.provider_subscription: project.provider,
        }
        ilb = project.outputs.lb_ip
        assert ilb is not None  # the Azure project always has an ILB
        for key, app in cfg.applications.items():
            self._connect(key, app, ilb)
        self.register_outputs({"routeTables": {k: rt.id for k, rt in self.route_tables.items()}})

    def _provider_for(self, subscription: str, location: str) -> Provider:
        if subscription not in self._providers:
            self._providers[subscription] = Provider(
                f"{self._name}-azure-{subscription}",
                subscription_id=subscription,
                location=location,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return self._providers[subscription]

    def _connect(self, key: str, app: Application, ilb: pulumi.Output[str]) -> None:
        cfg, project = self._cfg, self._project
        assert app.network is not None  # validated: required on azure
        vnet = VnetRef.parse(app.network)
        provider = self._provider_for(vnet.subscription, project.location)
        here = pulumi.ResourceOptions(parent=self, provider=provider)
        home = pulumi.ResourceOptions(parent=self, provider=project.provider)
        base = f"{self._name}-{key}"
        tags = project.tags

        to_app = network.VirtualNetworkPeering(
            f"{base}-sec-to-app",
            resource_group_name=project.resource_group_name,
            virtual_network_name=project.vnet.name,
            virtual_network_peering_name=f"{cfg.name}-to-{vnet.name}",
            remote_virtual_network={"id": vnet.id},
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            opts=pulumi.ResourceOptions.merge(
                home,
                pulumi.ResourceOptions(
                    depends_on=[self._last_security_peering] if self._last_security_peering else []
                ),
            ),
        )
        self._last_security_peering = to_app
        to_security = network.VirtualNetworkPeering(
            f"{base}-app-to-sec",
            resource_group_name=vnet.resource_group,
            virtual_network_name=vnet.name,
            virtual_network_peering_name=f"{vnet.name}-to-{cfg.name}",
            remote_virtual_network={"id": project.vnet.id},
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            opts=pulumi.ResourceOptions.merge(here, pulumi.ResourceOptions(depends_on=[to_app])),
        )

        # The live VNet gives the route table's region (it must match the VNet's).
        live_vnet = network.get_virtual_network_output(
            resource_group_name=vnet.resource_group,
            virtual_network_name=vnet.name,
            opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
        )
        table = network.RouteTable(
            f"{base}-rt",
            resource_group_name=vnet.resource_group,
            route_table_name=f"{cfg.name}-{key}-rt",
            location=live_vnet.location,
            routes=ilb.apply(lambda ip: spoke_routes(key, cfg.applications, ip)),
            tags=tags,
            opts=here,
        )
        self.route_tables[key] = table
        if not app.subnets:
            return

        names = [vnet.subnet_name(s) for s in app.subnets]
        live = [
            resources.get_resource_output(
                resource_group_name=vnet.resource_group,
                resource_provider_namespace="Microsoft.Network",
                parent_resource_path=f"virtualNetworks/{vnet.name}",
                resource_type="subnets",
                resource_name=subnet,
                api_version=NETWORK_API_VERSION,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
            ).properties
            for subnet in names
        ]
        template = pulumi.Output.all(*live).apply(
            lambda props: association_template(vnet.name, list(zip(names, props, strict=True)))
        )
        resources.Deployment(
            f"{base}-subnet-routes",
            resource_group_name=vnet.resource_group,
            deployment_name=f"{cfg.name}-{key}-subnet-routes",
            properties={
                # Incremental: touch only the listed subnets (Complete would delete the rest
                # of the resource group).
                "mode": "Incremental",
                "template": template,
                "parameters": {"routeTableId": {"value": table.id}},
            },
            tags=tags,
            # Writes to the VNet are serialised: the peering first, then the subnets.
            opts=pulumi.ResourceOptions.merge(
                here, pulumi.ResourceOptions(depends_on=[to_security, table])
            ),
        )


COMPONENT = AzureApplicationConnection
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
