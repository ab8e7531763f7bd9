"""How Azure's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

from __future__ import annotations

from components.picture.roles import (
    EGRESS,
    FIREWALLS,
    LOAD_BALANCER,
    NETWORKS,
    STEERING,
    Role,
    Roles,
)

ROLES: Roles = {
    "azure-native:network:RouteTable": Role(
        STEERING,
        (
            ("route", "routes[*].addressPrefix"),
            ("next hop", "routes[*].nextHopIpAddress"),
        ),
        role="route",
    ),
    "azure-native:network:VirtualNetworkPeering": Role(
        STEERING, (("vnet", "virtualNetworkName"),), role="peering"
    ),
    "azure-native:resources:Deployment": Role(
        STEERING,
        (("subnets", "properties.template.resources[*].properties.addressPrefix"),),
        role="route",
    ),
    "azure-native:network:LoadBalancer#-public-lb": Role(
        EGRESS, (("rule ports", "loadBalancingRules[*].frontendPort"),), role="exit"
    ),
    "azure-native:network:LoadBalancer": Role(
        LOAD_BALANCER,
        (
            ("address", "frontendIPConfigurations[*].privateIPAddress"),
            ("protocol", "loadBalancingRules[*].protocol"),
            ("probe port", "probes[*].port"),
        ),
        role="frontend",
    ),
    "azure-native:compute:VirtualMachineScaleSet": Role(
        FIREWALLS, (("capacity", "sku.capacity"), ("zones", "zones")), role="group"
    ),
    "azure-native:compute:VirtualMachine": Role(FIREWALLS, (("zones", "zones"),), role="group"),
    "azure-native:network:VirtualNetwork": Role(
        NETWORKS,
        (("space", "addressSpace.addressPrefixes"), ("subnets", "subnets[*].addressPrefix")),
        role="interface",
    ),
    "azure-native:network:NetworkSecurityGroup": Role(
        NETWORKS, (("name", "networkSecurityGroupName"),)
    ),
    "azure-native:network:PublicIPAddress": Role(EGRESS, (("sku", "sku.name"),)),
    "azure-native:network:NatGateway": Role(EGRESS, (("name", "natGatewayName"),), role="exit"),
}
"""Azure's resource types in the picture."""
