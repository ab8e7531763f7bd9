"""How Azure's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

from __future__ import annotations

from components.picture import roles as r
from components.picture.roles import Role, Roles

ROLES: Roles = {
    "azure-native:network:RouteTable": Role(
        r.STEERING,
        (
            ("route", "routes[*].addressPrefix"),
            ("next hop", "routes[*].nextHopIpAddress"),
        ),
        role="route",
    ),
    "azure-native:network:VirtualNetworkPeering": Role(
        r.STEERING, (("vnet", "virtualNetworkName"),), role="peering"
    ),
    "azure-native:resources:Deployment": Role(
        r.STEERING,
        (("subnets", "properties.template.resources[*].properties.addressPrefix"),),
        role="route",
    ),
    "azure-native:network:LoadBalancer#-public-lb": Role(
        r.EGRESS, (("rule ports", "loadBalancingRules[*].frontendPort"),), role="exit"
    ),
    "azure-native:network:LoadBalancer": Role(
        r.LOAD_BALANCER,
        (
            ("address", "frontendIPConfigurations[*].privateIPAddress"),
            ("protocol", "loadBalancingRules[*].protocol"),
            ("probe port", "probes[*].port"),
        ),
        role="frontend",
    ),
    "azure-native:compute:VirtualMachineScaleSet": Role(
        r.FIREWALLS, (("capacity", "sku.capacity"), ("zones", "zones")), role="group"
    ),
    "azure-native:compute:VirtualMachine": Role(r.FIREWALLS, (("zones", "zones"),), role="group"),
    "azure-native:network:VirtualNetwork": Role(
        r.NETWORKS,
        (("space", "addressSpace.addressPrefixes"), ("subnets", "subnets[*].addressPrefix")),
        role="interface",
    ),
    "azure-native:network:NetworkSecurityGroup": Role(
        r.NETWORKS, (("name", "networkSecurityGroupName"),)
    ),
    "azure-native:network:PublicIPAddress": Role(r.EGRESS, (("sku", "sku.name"),)),
    "azure-native:network:NatGateway": Role(r.EGRESS, (("name", "natGatewayName"),), role="exit"),
}
"""Azure's resource types in the picture."""
