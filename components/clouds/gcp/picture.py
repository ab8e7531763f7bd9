"""How GCP's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

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
    "gcp:compute/networkPeering:NetworkPeering": Role(
        STEERING, (("network", "network/"), ("peer", "peerNetwork/")), role="peering"
    ),
    "gcp:compute/route:Route": Role(
        STEERING,
        (("destination", "destRange"), ("priority", "priority"), ("next hop", "nextHopIlb/")),
        role="route",
    ),
    "gcp:compute/firewall:Firewall#-allow-from-trust": Role(
        STEERING, (("sources", "sourceRanges"),), role="rule"
    ),
    "gcp:compute/forwardingRule:ForwardingRule": Role(
        LOAD_BALANCER,
        (("address", "ipAddress"), ("protocol", "ipProtocol"), ("all ports", "allPorts")),
        role="frontend",
    ),
    "gcp:compute/regionBackendService:RegionBackendService": Role(
        LOAD_BALANCER, (("protocol", "protocol"), ("health check", "healthChecks/"))
    ),
    "gcp:compute/healthCheck:HealthCheck": Role(
        LOAD_BALANCER, (("tcp port", "tcpHealthCheck.port"), ("http port", "httpHealthCheck.port"))
    ),
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": Role(
        FIREWALLS, (("zones", "distributionPolicyZones"), ("size", "targetSize")), role="group"
    ),
    "gcp:compute/regionAutoscaler:RegionAutoscaler": Role(
        FIREWALLS,
        (
            ("min", "autoscalingPolicy.minReplicas"),
            ("max", "autoscalingPolicy.maxReplicas"),
        ),
    ),
    "gcp:compute/instanceTemplate:InstanceTemplate": Role(FIREWALLS, (("machine", "machineType"),)),
    "gcp:compute/network:Network": Role(NETWORKS, (("name", "name"),)),
    "gcp:compute/subnetwork:Subnetwork": Role(
        NETWORKS, (("range", "ipCidrRange"),), role="interface"
    ),
    "gcp:compute/firewall:Firewall": Role(
        NETWORKS, (("network", "network/"), ("sources", "sourceRanges"))
    ),
    "gcp:compute/router:Router": Role(EGRESS, (("network", "network/"),)),
    "gcp:compute/routerNat:RouterNat": Role(
        EGRESS, (("subnets", "subnetworks[*].name/"),), role="exit"
    ),
}
"""GCP's resource types in the picture."""
