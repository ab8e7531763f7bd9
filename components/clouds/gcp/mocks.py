"""Mock answers for pulumi-gcp resources: ids, self-links and addresses GCP would compute.

Ids follow the Terraform provider's import formats (``projects/<p>/global/networks/<n>``),
self-links are full ``https://www.googleapis.com/compute/v1/...`` URLs, a subnet's
``gatewayAddress`` is the first usable address of its range, so the values that flow
downstream (Panorama routes, Helm endpoints, stack outputs) look like the real ones.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from components.clouds.mocking import plain, stable_hex

COMPUTE = "https://www.googleapis.com/compute/v1/"
MOCK_PROJECT = "mock-project"
MOCK_REGION = "us-central1"

# Compute resource type → (scope, collection): where its self-link lives.
_COMPUTE_COLLECTIONS: dict[str, tuple[str, str]] = {
    "gcp:compute/network:Network": ("global", "networks"),
    "gcp:compute/subnetwork:Subnetwork": ("regional", "subnetworks"),
    "gcp:compute/firewall:Firewall": ("global", "firewalls"),
    "gcp:compute/instanceTemplate:InstanceTemplate": ("global", "instanceTemplates"),
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": (
        "regional",
        "instanceGroupManagers",
    ),
    "gcp:compute/regionAutoscaler:RegionAutoscaler": ("regional", "autoscalers"),
    "gcp:compute/healthCheck:HealthCheck": ("global", "healthChecks"),
    "gcp:compute/regionHealthCheck:RegionHealthCheck": ("regional", "healthChecks"),
    "gcp:compute/regionBackendService:RegionBackendService": ("regional", "backendServices"),
    "gcp:compute/forwardingRule:ForwardingRule": ("regional", "forwardingRules"),
    "gcp:compute/address:Address": ("regional", "addresses"),
    "gcp:compute/route:Route": ("global", "routes"),
    "gcp:compute/router:Router": ("regional", "routers"),
}


def _name(args: MockResourceArgs) -> str:
    """The cloud name: the ``name`` input, ``namePrefix`` + suffix, or an autoname."""
    inputs = args.inputs
    if inputs.get("name"):
        return str(plain(inputs["name"]))
    suffix = stable_hex(args.typ, args.name, length=7)
    if inputs.get("namePrefix"):
        return f"{plain(inputs['namePrefix'])}{suffix}"
    return f"{args.name}-{suffix}"


def _path(scope: str, collection: str, project: str, region: str, name: str) -> str:
    """The relative resource path (also the provider's id format)."""
    where = "global" if scope == "global" else f"regions/{region}"
    return f"projects/{project}/{where}/{collection}/{name}"


def _first_usable(cidr: str) -> str:
    return str(ipaddress.IPv4Network(cidr, strict=False).network_address + 1)


def new_resource(args: MockResourceArgs, resource_id: str) -> tuple[str, dict[str, Any]]:
    """Computed state GCP would report for one resource.

    Args:
        args: the registration (type, logical name, camelCase inputs).
        resource_id: the engine's default id, used when the type has no better one.
    """
    inputs = args.inputs
    project = str(plain(inputs.get("project") or MOCK_PROJECT))
    region = str(plain(inputs.get("region") or MOCK_REGION))
    typ = args.typ

    if typ in _COMPUTE_COLLECTIONS:
        scope, collection = _COMPUTE_COLLECTIONS[typ]
        name = _name(args)
        path = _path(scope, collection, project, region, name)
        state: dict[str, Any] = {
            "name": name,
            "project": project,
            "selfLink": COMPUTE + path,
        }
        if scope == "regional":
            state["region"] = region
        if typ == "gcp:compute/subnetwork:Subnetwork" and inputs.get("ipCidrRange"):
            state["gatewayAddress"] = _first_usable(str(plain(inputs["ipCidrRange"])))
        elif typ == "gcp:compute/network:Network":
            state["networkId"] = stable_hex(path, length=16)
        elif typ == "gcp:compute/instanceTemplate:InstanceTemplate":
            state["selfLinkUnique"] = f"{COMPUTE}{path}?uniqueId={stable_hex(path, length=16)}"
        elif typ == "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager":
            state["instanceGroup"] = COMPUTE + _path(scope, "instanceGroups", project, region, name)
        elif typ in ("gcp:compute/forwardingRule:ForwardingRule", "gcp:compute/address:Address"):
            key = "ipAddress" if typ.endswith("ForwardingRule") else "address"
            # A rule without a fixed address gets one GCP picks; mocks show a documentation IP.
            state[key] = plain(inputs.get(key)) or "192.0.2.10"
        return path, state

    if typ == "gcp:compute/routerNat:RouterNat":
        name = _name(args)
        router = str(plain(inputs.get("router", "router")))
        return f"{project}/{region}/{router}/{name}", {"name": name}
    if typ == "gcp:compute/networkPeering:NetworkPeering":
        name = _name(args)
        network = str(plain(inputs.get("network", "")))
        return f"{network.removeprefix(COMPUTE)}/{name}", {
            "name": name,
            "state": "ACTIVE",
            "stateDetails": "[2026-01-01T00:00:00Z]: Connected.",
        }
    if typ == "gcp:serviceaccount/account:Account":
        account_id = str(plain(inputs.get("accountId", args.name)))
        email = f"{account_id}@{project}.iam.gserviceaccount.com"
        return f"projects/{project}/serviceAccounts/{email}", {
            "email": email,
            "member": f"serviceAccount:{email}",
            "name": f"projects/{project}/serviceAccounts/{email}",
            "uniqueId": str(int(stable_hex(email, length=12), 16)),
        }
    if typ == "gcp:projects/iAMMember:IAMMember":
        role = str(plain(inputs.get("role", "")))
        member = str(plain(inputs.get("member", "")))
        return f"{project}/{role}/{member}", {"etag": f"BwX{stable_hex(role, member)}"}
    return resource_id, {}


def call(args: MockCallArgs) -> dict[str, Any]:
    """No GCP invokes are used: application networks are addressed by self-link.

    Args:
        args: the invoke (token and arguments).
    """
    return {}


__all__ = ["call", "new_resource"]
