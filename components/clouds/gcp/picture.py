"""How GCP's resources appear in ``airs graph`` (see :mod:`components.picture.roles`)."""

from __future__ import annotations

from components.picture import roles as r
from components.picture.roles import Role, Roles

ROLES: Roles = {
    "gcp:compute/networkPeering:NetworkPeering": Role(
        r.STEERING, (("network", "network/"), ("peer", "peerNetwork/")), role="peering"
    ),
    "gcp:compute/route:Route": Role(
        r.STEERING,
        (("destination", "destRange"), ("priority", "priority"), ("next hop", "nextHopIlb/")),
        role="route",
    ),
    "gcp:compute/firewall:Firewall#-allow-from-trust": Role(
        r.STEERING, (("sources", "sourceRanges"),), role="rule"
    ),
    "gcp:compute/forwardingRule:ForwardingRule": Role(
        r.LOAD_BALANCER,
        (("address", "ipAddress"), ("protocol", "ipProtocol"), ("all ports", "allPorts")),
        role="frontend",
    ),
    "gcp:compute/regionBackendService:RegionBackendService": Role(
        r.LOAD_BALANCER, (("protocol", "protocol"), ("health check", "healthChecks/"))
    ),
    "gcp:compute/healthCheck:HealthCheck": Role(
        r.LOAD_BALANCER,
        (("tcp port", "tcpHealthCheck.port"), ("http port", "httpHealthCheck.port")),
    ),
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": Role(
        r.FIREWALLS, (("zones", "distributionPolicyZones"), ("size", "targetSize")), role="group"
    ),
    "gcp:compute/regionAutoscaler:RegionAutoscaler": Role(
        r.FIREWALLS,
        (
            ("min", "autoscalingPolicy.minReplicas"),
            ("max", "autoscalingPolicy.maxReplicas"),
        ),
    ),
    "gcp:compute/instanceTemplate:InstanceTemplate": Role(
        r.FIREWALLS, (("machine", "machineType"),)
    ),
    "gcp:compute/network:Network": Role(r.NETWORKS, (("name", "name"),)),
    "gcp:compute/subnetwork:Subnetwork": Role(
        r.NETWORKS, (("range", "ipCidrRange"),), role="interface"
    ),
    "gcp:compute/firewall:Firewall": Role(
        r.NETWORKS, (("network", "network/"), ("sources", "sourceRanges"))
    ),
    "gcp:compute/router:Router": Role(r.EGRESS, (("network", "network/"),)),
    "gcp:compute/routerNat:RouterNat": Role(
        r.EGRESS, (("subnets", "subnetworks[*].name/"),), role="exit"
    ),
}
"""GCP's resource types in the picture."""
