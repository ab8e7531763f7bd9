"""Mock answers for azure-native resources and look-ups, shaped like Azure Resource Manager's.

Ids are real ARM ids (``/subscriptions/<sub>/resourceGroups/<rg>/providers/...``) built from
the inputs; the subscription comes from the provider reference (the program names every
azure-native provider ``…-azure-<subscription id>``) or the stack's security project.
Computed values are deterministic: public IPs come from 203.0.113.0/24 (documentation range)
by hash, so the same plan always shows the same addresses.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from components.clouds.mocking import plain, stable_hex

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ZERO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DOC_RANGE = ipaddress.IPv4Network("203.0.113.0/24")

# Type token → (ARM provider namespace/type, input holding the physical name, parent input).
ARM_TYPES: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "azure-native:network:VirtualNetwork": (
        "Microsoft.Network/virtualNetworks",
        "virtualNetworkName",
        None,
    ),
    "azure-native:network:NetworkSecurityGroup": (
        "Microsoft.Network/networkSecurityGroups",
        "networkSecurityGroupName",
        None,
    ),
    "azure-native:network:PublicIPAddress": (
        "Microsoft.Network/publicIPAddresses",
        "publicIpAddressName",
        None,
    ),
    "azure-native:network:LoadBalancer": (
        "Microsoft.Network/loadBalancers",
        "loadBalancerName",
        None,
    ),
    "azure-native:network:RouteTable": ("Microsoft.Network/routeTables", "routeTableName", None),
    "azure-native:network:NetworkInterface": (
        "Microsoft.Network/networkInterfaces",
        "networkInterfaceName",
        None,
    ),
    "azure-native:network:VirtualNetworkPeering": (
        "Microsoft.Network/virtualNetworks",
        "virtualNetworkPeeringName",
        ("virtualNetworkName", "virtualNetworkPeerings"),
    ),
    "azure-native:compute:VirtualMachineScaleSet": (
        "Microsoft.Compute/virtualMachineScaleSets",
        "vmScaleSetName",
        None,
    ),
    "azure-native:compute:VirtualMachine": (
        "Microsoft.Compute/virtualMachines",
        "vmName",
        None,
    ),
    "azure-native:resources:Deployment": (
        "Microsoft.Resources/deployments",
        "deploymentName",
        None,
    ),
}


def subscription_of(provider_ref: str | None) -> str:
    """Subscription id named in a provider reference, else the stack's, else zeros."""
    if provider_ref:
        found = UUID.search(provider_ref)
        if found:
            return found.group(0)
    sp = _stack_object("airs:securityProject")
    sub = sp.get("subscriptionId") if isinstance(sp, dict) else None
    return str(sub) if sub else ZERO_SUBSCRIPTION


def public_ip(*parts: str) -> str:
    """A deterministic address from 203.0.113.0/24 (never .0 or .255)."""
    host = 1 + int(stable_hex(*parts), 16) % 254
    return str(DOC_RANGE.network_address + host)


def _stack_object(key: str) -> Any:
    """A structured ``airs:*`` value of the stack under test (mock answers stay consistent)."""
    from pulumi.runtime import config as runtime_config

    raw = runtime_config.get_config(key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def new_resource(args: MockResourceArgs, resource_id: str) -> tuple[str, dict[str, Any]]:
    """Computed state of one azure-native resource: its ARM id plus what Azure fills in."""
    inputs = args.inputs
    sub = subscription_of(args.provider)
    if args.typ == "azure-native:resources:ResourceGroup":
        group = str(inputs.get("resourceGroupName") or args.name)
        rid = f"/subscriptions/{sub}/resourceGroups/{group}"
        return rid, {"id": rid, "name": group, "provisioningState": "Succeeded"}
    known = ARM_TYPES.get(args.typ)
    if known is None:
        return resource_id, {}
    kind, name_key, parent = known
    name = str(inputs.get(name_key) or args.name)
    group = str(inputs.get("resourceGroupName") or "rg")
    base = f"/subscriptions/{sub}/resourceGroups/{group}/providers/{kind}"
    if parent is not None:
        parent_key, child_kind = parent
        rid = f"{base}/{inputs.get(parent_key)}/{child_kind}/{name}"
    else:
        rid = f"{base}/{name}"
    extra: dict[str, Any] = {"id": rid, "name": name, "provisioningState": "Succeeded"}
    extra.update(_computed(args.typ, rid, inputs))
    return rid, extra


def _with_ids(rid: str, kind: str, items: Any) -> list[Any]:
    """Inline children as Azure returns them: each with its own id."""
    out: list[Any] = []
    for item in items or []:
        if isinstance(item, dict) and "name" in item:
            out.append({**item, "id": f"{rid}/{kind}/{item['name']}"})
        else:
            out.append(item)
    return out


def _computed(typ: str, rid: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Per-type computed properties."""
    if typ == "azure-native:network:PublicIPAddress":
        return {"ipAddress": public_ip(rid), "publicIPAddressVersion": "IPv4"}
    if typ == "azure-native:network:VirtualNetwork":
        return {"subnets": _with_ids(rid, "subnets", inputs.get("subnets"))}
    if typ == "azure-native:network:NetworkSecurityGroup":
        return {"securityRules": _with_ids(rid, "securityRules", inputs.get("securityRules"))}
    if typ == "azure-native:network:RouteTable":
        return {"routes": _with_ids(rid, "routes", inputs.get("routes"))}
    if typ == "azure-native:network:LoadBalancer":
        return {
            "frontendIPConfigurations": _with_ids(
                rid, "frontendIPConfigurations", inputs.get("frontendIPConfigurations")
            ),
            "backendAddressPools": _with_ids(
                rid, "backendAddressPools", inputs.get("backendAddressPools")
            ),
            "probes": _with_ids(rid, "probes", inputs.get("probes")),
        }
    if typ == "azure-native:network:VirtualNetworkPeering":
        return {"peeringState": "Connected", "peeringSyncLevel": "FullyInSync"}
    if typ == "azure-native:compute:VirtualMachineScaleSet":
        return {"uniqueId": _guid(rid)}
    if typ == "azure-native:compute:VirtualMachine":
        return {"vmId": _guid(rid)}
    if typ == "azure-native:resources:Deployment":
        props = plain(inputs.get("properties")) or {}
        return {"properties": {**props, "provisioningState": "Succeeded"}}
    return {}


def _guid(*parts: str) -> str:
    h = stable_hex(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --------------------------------------------------------------------------- invokes


def call(args: MockCallArgs) -> dict[str, Any]:
    """Answer azure-native look-ups; only the generic ARM GET is used by the program."""
    if args.token == "azure-native:resources:getResource":
        return _get_resource(args)
    if args.token == "azure-native:network:getVirtualNetwork":
        return _get_virtual_network(args)
    return {}


def _get_virtual_network(args: MockCallArgs) -> dict[str, Any]:
    """An existing application VNet (typed look-up): its id, region and address space."""
    a = args.args
    sub = subscription_of(args.provider)
    group, name = str(a.get("resourceGroupName", "rg")), str(a.get("virtualNetworkName", ""))
    rid = (
        f"/subscriptions/{sub}/resourceGroups/{group}/providers/"
        f"Microsoft.Network/virtualNetworks/{name}"
    )
    app = _application_for(rid) or {}
    return {
        "id": rid,
        "name": name,
        "type": "Microsoft.Network/virtualNetworks",
        "location": _location(),
        "addressSpace": {"addressPrefixes": list(app.get("cidrs", ["10.0.0.0/16"]))},
        "provisioningState": "Succeeded",
    }


def _application_for(vnet_id: str) -> dict[str, Any] | None:
    apps = _stack_object("airs:applications")
    if not isinstance(apps, dict):
        return None
    for app in apps.values():
        if isinstance(app, dict) and str(app.get("network", "")).lower() == vnet_id.lower():
            return app
    return None


def _location() -> str:
    sp = _stack_object("airs:securityProject")
    return str(sp.get("location")) if isinstance(sp, dict) and sp.get("location") else "eastus2"


def _get_resource(args: MockCallArgs) -> dict[str, Any]:
    """An existing application subnet, as the generic ARM ``GET`` returns it (raw JSON)."""
    a = args.args
    sub = subscription_of(args.provider)
    group = str(a.get("resourceGroupName", "rg"))
    namespace = str(a.get("resourceProviderNamespace", "Microsoft.Network"))
    parent = str(a.get("parentResourcePath") or "")
    rtype = str(a.get("resourceType", ""))
    name = str(a.get("resourceName", ""))
    path = f"{parent}/{rtype}" if parent else rtype
    rid = f"/subscriptions/{sub}/resourceGroups/{group}/providers/{namespace}/{path}/{name}"
    # A subnet of an application VNet: an existing NSG, a service endpoint, and read-only
    # fields (NIC ip configurations) the program must not send back.
    vnet_id = rid.rsplit("/subnets/", 1)[0]
    app = _application_for(vnet_id) or {}
    cidr = ipaddress.IPv4Network(str((app.get("cidrs") or ["10.0.0.0/16"])[0]))
    subnets = list(cidr.subnets(new_prefix=max(cidr.prefixlen, 24)))
    prefix = subnets[int(stable_hex(rid), 16) % len(subnets)]
    nsg = (
        f"/subscriptions/{sub}/resourceGroups/{group}/providers/"
        f"Microsoft.Network/networkSecurityGroups/{name}-nsg"
    )
    props = {
        "addressPrefix": str(prefix),
        "networkSecurityGroup": {"id": nsg},
        "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": [_location()]}],
        "privateEndpointNetworkPolicies": "Disabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
        "provisioningState": "Succeeded",
        "ipConfigurations": [{"id": f"{rid}-nic/ipConfigurations/ipconfig1"}],
    }
    return {"id": rid, "name": name, "type": f"{namespace}/{path}", "properties": props}
