"""How AWS's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

from __future__ import annotations

from components.picture import roles as r
from components.picture.roles import Role, Roles

_ROUTES = (("routes", "routes[*].cidrBlock"),)

ROLES: Roles = {
    "aws:ec2/vpcEndpoint:VpcEndpoint": Role(
        r.STEERING, (("type", "vpcEndpointType"), ("subnet", "subnetIds")), role="endpoint"
    ),
    "aws:ec2/route:Route": Role(
        r.STEERING,
        (("destination", "destinationCidrBlock"), ("endpoint", "vpcEndpointId")),
        role="route",
    ),
    "aws:ec2/routeTable:RouteTable#-igw-edge-rt": Role(r.STEERING, _ROUTES, role="route"),
    "aws:ec2/routeTable:RouteTable#-tgw-rt": Role(r.STEERING, _ROUTES, role="route"),
    "aws:lb/loadBalancer:LoadBalancer": Role(
        r.LOAD_BALANCER,
        (("type", "loadBalancerType"), ("cross-zone", "enableCrossZoneLoadBalancing")),
        role="frontend",
    ),
    "aws:lb/targetGroup:TargetGroup": Role(
        r.LOAD_BALANCER,
        (
            ("protocol", "protocol"),
            ("port", "port"),
            ("health check", "healthCheck.protocol"),
            ("health port", "healthCheck.port"),
        ),
    ),
    "aws:ec2/vpcEndpointService:VpcEndpointService": Role(
        r.LOAD_BALANCER, (("acceptance", "acceptanceRequired"),)
    ),
    "aws:autoscaling/group:Group": Role(
        r.FIREWALLS, (("min", "minSize"), ("max", "maxSize"), ("name", "name")), role="group"
    ),
    "aws:autoscaling/policy:Policy": Role(
        r.FIREWALLS,
        (("metric", "targetTrackingConfiguration.customizedMetricSpecification.metricName"),),
    ),
    "aws:ec2/vpc:Vpc": Role(r.NETWORKS, (("range", "cidrBlock"),)),
    "aws:ec2/subnet:Subnet": Role(
        r.NETWORKS, (("range", "cidrBlock"), ("zone", "availabilityZone")), role="interface"
    ),
    "aws:ec2/natGateway:NatGateway": Role(r.EGRESS, (("subnet", "subnetId"),), role="exit"),
    "aws:ec2/internetGateway:InternetGateway": Role(r.EGRESS, role="exit"),
}
"""AWS's resource types in the picture. Subnets, route tables and gateways of an application
VPC belong to its steering (the picture places a connection's resources there)."""
