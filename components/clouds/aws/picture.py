"""How AWS's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

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

_ROUTES = (("routes", "routes[*].cidrBlock"),)

ROLES: Roles = {
    "aws:ec2/vpcEndpoint:VpcEndpoint": Role(
        STEERING, (("type", "vpcEndpointType"), ("subnet", "subnetIds")), role="endpoint"
    ),
    "aws:ec2/route:Route": Role(
        STEERING,
        (("destination", "destinationCidrBlock"), ("endpoint", "vpcEndpointId")),
        role="route",
    ),
    "aws:ec2/routeTable:RouteTable#-igw-edge-rt": Role(STEERING, _ROUTES, role="route"),
    "aws:ec2/routeTable:RouteTable#-tgw-rt": Role(STEERING, _ROUTES, role="route"),
    "aws:lb/loadBalancer:LoadBalancer": Role(
        LOAD_BALANCER,
        (("type", "loadBalancerType"), ("cross-zone", "enableCrossZoneLoadBalancing")),
        role="frontend",
    ),
    "aws:lb/targetGroup:TargetGroup": Role(
        LOAD_BALANCER,
        (
            ("protocol", "protocol"),
            ("port", "port"),
            ("health check", "healthCheck.protocol"),
            ("health port", "healthCheck.port"),
        ),
    ),
    "aws:ec2/vpcEndpointService:VpcEndpointService": Role(
        LOAD_BALANCER, (("acceptance", "acceptanceRequired"),)
    ),
    "aws:autoscaling/group:Group": Role(
        FIREWALLS, (("min", "minSize"), ("max", "maxSize"), ("name", "name")), role="group"
    ),
    "aws:autoscaling/policy:Policy": Role(
        FIREWALLS,
        (("metric", "targetTrackingConfiguration.customizedMetricSpecification.metricName"),),
    ),
    "aws:ec2/vpc:Vpc": Role(NETWORKS, (("range", "cidrBlock"),)),
    "aws:ec2/subnet:Subnet": Role(
        NETWORKS, (("range", "cidrBlock"), ("zone", "availabilityZone")), role="interface"
    ),
    "aws:ec2/natGateway:NatGateway": Role(EGRESS, (("subnet", "subnetId"),), role="exit"),
    "aws:ec2/internetGateway:InternetGateway": Role(EGRESS, role="exit"),
}
"""AWS's resource types in the picture. Subnets, route tables and gateways of an application
VPC belong to its steering (the picture places a connection's resources there)."""
