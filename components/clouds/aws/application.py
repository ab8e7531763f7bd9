"""AWS application connection: GWLB endpoints in each application VPC, one per zone.

For every ``airs:applications.<key>`` and every zone of its ``endpointSubnets``:

* a GWLB endpoint subnet and a GatewayLoadBalancer VPC endpoint to the security project's
  endpoint service; the endpoint's private IP, with its zone, is what pan-cni sends that
  zone's pod traffic to (Helm ``endpoints``), so cluster traffic never crosses a zone;
* the endpoint subnet's route table: inspected traffic leaves by the Transit Gateway when
  ``transitGatewayId`` is set, otherwise by the VPC's internet gateway.

For ``protection: vpc`` the whole VPC is steered: each subnet in ``subnets`` gets a default
route to the endpoint in its own zone (in the route table it already uses), and, without a
Transit Gateway, an internet-gateway edge route table sends the replies for those subnets
back through the same endpoint. For ``protection: namespace`` only annotated pods use the
endpoints (pan-cni steers them), so the subnets' routes stay untouched — which is also why
one endpoint cannot serve both kinds of protection.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components import network
from components.clouds.outputs import ZoneEndpoint
from components.config import Application, StackConfig

if TYPE_CHECKING:
    from components.clouds.aws.security_project import AwsSecurityProject

TYPE_TOKEN = "airs:index:AwsApplicationConnection"


def _pick(subnet: str, app_key: str, args: list[Any]) -> str:
    """The endpoint id of the subnet's zone (``args``: zone, zone → endpoint id).

    A subnet in a zone without endpoint is a configuration error, reported by key.
    """
    zone: str = args[0]
    by_zone: dict[str, str] = args[1]
    if zone not in by_zone:
        raise pulumi.RunError(
            f"airs:applications.{app_key}.subnets: {subnet} — lies in {zone}, which has no "
            f"GWLB endpoint (add it to airs:applications.{app_key}.endpointSubnets)"
        )
    return by_zone[zone]


def _refuse_foreign_default_route(
    key: str, subnet_id: str, table_id: str, routes: Sequence[Any]
) -> None:
    """A table whose default route goes elsewhere than a GWLB endpoint is not ours to change.

    AWS refuses a second 0.0.0.0/0 route, and silently re-pointing a customer's route (to its
    internet or NAT gateway) is a decision the stack must show: import the route first.
    """
    for route in routes or []:
        if getattr(route, "cidr_block", None) != network.ANY_IPV4:
            continue
        if str(getattr(route, "vpc_endpoint_id", "") or "").startswith("vpce-"):
            return  # a GWLB endpoint route: ours from an earlier up
        via = next(
            (
                str(getattr(route, attr))
                for attr in (
                    "gateway_id",
                    "nat_gateway_id",
                    "transit_gateway_id",
                    "network_interface_id",
                    "vpc_peering_connection_id",
                )
                if getattr(route, attr, None)
            ),
            "another target",
        )
        raise pulumi.RunError(
            f"{key}: {subnet_id} — its route table {table_id} already sends 0.0.0.0/0 to "
            f"{via}; a second default route cannot be added. To let this stack steer it "
            f"through the firewalls, import that route first: `pulumi import "
            f"aws:ec2/route:Route <stack resource name> {table_id}_0.0.0.0/0` (the next "
            "`pulumi up` then points it at the GWLB endpoint), or remove the subnet from "
            "airs:applications.<key>.subnets"
        )


def _endpoint_list(zones: list[str], ips: list[str]) -> list[dict[str, str]]:
    """Endpoint IPs paired with their zones (the ``endpoints`` output)."""
    return [{"ip": str(ip), "zone": zone} for ip, zone in zip(ips, zones, strict=True)]


def _edge_route(args: list[str]) -> dict[str, str]:
    """IGW edge route: replies for a subnet's CIDR go to its zone's endpoint."""
    return {"cidr_block": str(args[0]), "vpc_endpoint_id": str(args[1])}


class AwsApplicationConnection(pulumi.ComponentResource):
    """GWLB endpoints and the routes that send application traffic through them."""

    endpoints: dict[str, list[ZoneEndpoint]]
    """Application key → one endpoint per zone (private IP and zone), in zone order."""

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        project: AwsSecurityProject,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Connect every application VPC to the security project's endpoint service.

        Args:
            name: logical name prefix of every child.
            cfg: the validated stack configuration (``airs:cloud`` aws).
            project: the security project whose endpoint service and provider to use.
            opts: resource options of the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._project = project
        self._prefix = cfg.name
        self._opts = pulumi.ResourceOptions(parent=self, provider=project.provider)
        self._invoke = pulumi.InvokeOutputOptions(provider=project.provider, parent=self)
        # Plain look-ups where the answer decides which resources exist (shared route tables).
        self._invoke_plain = pulumi.InvokeOptions(provider=project.provider, parent=self)
        zone_order = getattr(cfg.security_project, "zones", [])
        self.endpoints = {}
        exported: dict[str, pulumi.Output[list[dict[str, str]]]] = {}
        for app_key, app in cfg.applications.items():
            zones = sorted(
                app.endpoint_subnets,
                key=lambda z: zone_order.index(z) if z in zone_order else len(zone_order),
            )
            self.endpoints[app_key] = self._connect(app_key, app, zones)
            exported[app_key] = pulumi.Output.all(*[e.ip for e in self.endpoints[app_key]]).apply(
                functools.partial(_endpoint_list, zones)
            )
        self.register_outputs({"endpoints": exported})

    def _connect(self, app_key: str, app: Application, zones: list[str]) -> list[ZoneEndpoint]:
        """Endpoints, endpoint routes and (VPC-level protection) subnet routes of one app."""
        assert app.network is not None  # validated: required on aws
        base = f"{self._name}-{app_key}"
        tags = dict(self._project.tags)
        igw_id: pulumi.Output[str] | None = None
        if app.transit_gateway_id is None:
            igw_id = aws.ec2.get_internet_gateway_output(
                filters=[{"name": "attachment.vpc-id", "values": [app.network]}],
                opts=self._invoke,
            ).internet_gateway_id
        endpoint_ids: dict[str, pulumi.Output[str]] = {}
        result: list[ZoneEndpoint] = []
        for zone in zones:
            subnet = self._zone_subnet(base, app_key, app, "gwlbe", zone, tags)
            endpoint = aws.ec2.VpcEndpoint(
                f"{base}-gwlbe-{zone}",
                vpc_id=app.network,
                vpc_endpoint_type="GatewayLoadBalancer",
                service_name=self._project.endpoint_service_name,
                subnet_ids=[subnet.id],
                tags={"Name": f"{self._prefix}-{app_key}-gwlbe-{zone}", **tags},
                opts=self._opts,
            )
            endpoint_ids[zone] = endpoint.id
            # Inspected traffic continues to the TGW or the internet; replies come back in
            # through the IGW edge table (below) or the TGW.
            egress: dict[str, pulumi.Input[str]] = {"cidr_block": network.ANY_IPV4}
            if app.transit_gateway_id is not None:
                egress["transit_gateway_id"] = app.transit_gateway_id
            elif app.nat_gateways:
                # Private subnets: their addresses reach the internet only through NAT.
                egress["nat_gateway_id"] = app.nat_gateways[zone]
            else:
                assert igw_id is not None
                egress["gateway_id"] = igw_id
            table = aws.ec2.RouteTable(
                f"{base}-gwlbe-rt-{zone}",
                vpc_id=app.network,
                routes=[egress],
                tags={"Name": f"{self._prefix}-{app_key}-gwlbe-{zone}", **tags},
                opts=self._opts,
            )
            aws.ec2.RouteTableAssociation(
                f"{base}-gwlbe-rta-{zone}",
                route_table_id=table.id,
                subnet_id=subnet.id,
                opts=self._opts,
            )
            eni = aws.ec2.get_network_interface_output(
                id=endpoint.network_interface_ids[0], opts=self._invoke
            )
            result.append(ZoneEndpoint(ip=eni.private_ip, zone=zone))
        tgw_table: aws.ec2.RouteTable | None = None
        if app.transit_gateway_id is not None:
            tgw_table = self._attach_transit_gateway(app_key, app, zones)
        if app.protection == "vpc":
            self._steer_subnets(app_key, app, zones, endpoint_ids, igw_id, tgw_table)
        return result

    def _zone_subnet(
        self, base: str, app_key: str, app: Application, role: str, zone: str, tags: Any
    ) -> Any:
        """A subnet of ours in the application VPC: ``gwlbe`` (the zone's endpoint) or ``tgw``
        (the transit gateway attachment's), from the matching per-zone config."""
        cidrs = app.endpoint_subnets if role == "gwlbe" else app.transit_gateway_subnets
        return aws.ec2.Subnet(
            f"{base}-{role}-{zone}",
            vpc_id=app.network,
            cidr_block=cidrs[zone],
            availability_zone=zone,
            tags={"Name": f"{self._prefix}-{app_key}-{role}-{zone}", **tags},
            opts=self._opts,
        )

    def _attach_transit_gateway(
        self, app_key: str, app: Application, zones: list[str]
    ) -> aws.ec2.RouteTable:
        """The transit gateway attachment on subnets of its own, and their route table.

        Attached to the endpoint subnets instead, traffic from the transit gateway would reach
        the workloads directly (the VPC's local route) while their replies went through the
        endpoint: the firewall would see one direction only.
        """
        assert app.transit_gateway_id is not None
        base = f"{self._name}-{app_key}"
        tags = dict(self._project.tags)
        table = aws.ec2.RouteTable(
            f"{base}-tgw-rt",
            vpc_id=app.network,
            tags={"Name": f"{self._prefix}-{app_key}-tgw", **tags},
            opts=self._opts,
        )
        subnet_ids: list[pulumi.Output[str]] = []
        for zone in zones:
            subnet = self._zone_subnet(base, app_key, app, "tgw", zone, tags)
            aws.ec2.RouteTableAssociation(
                f"{base}-tgw-rta-{zone}",
                route_table_id=table.id,
                subnet_id=subnet.id,
                opts=self._opts,
            )
            subnet_ids.append(subnet.id)
        aws.ec2transitgateway.VpcAttachment(
            f"{base}-tgw",
            transit_gateway_id=app.transit_gateway_id,
            vpc_id=app.network,
            subnet_ids=subnet_ids,
            tags={"Name": f"{self._prefix}-{app_key}-tgw", **tags},
            opts=self._opts,
        )
        return table

    def _nat_return_routes(
        self, base: str, app: Application, edge_routes: list[pulumi.Output[dict[str, str]]]
    ) -> None:
        """Replies the NAT gateways hand back go through each protected subnet's endpoint.

        A NAT gateway sends them by its own subnet's table, whose local route would deliver
        them straight to the workloads: one route per protected subnet, more specific than the
        local one, puts the endpoint back on the path.
        """
        tables: dict[str, str] = {}
        for zone, nat in sorted(app.nat_gateways.items()):
            found = aws.ec2.get_nat_gateway(id=nat, opts=self._invoke_plain)
            table = aws.ec2.get_route_table(subnet_id=found.subnet_id, opts=self._invoke_plain)
            tables.setdefault(str(table.route_table_id), zone)
        for table_id in tables:
            for subnet_id, route in zip(app.subnets, edge_routes, strict=True):
                aws.ec2.Route(
                    f"{base}-{subnet_id}-nat-return-{table_id}",
                    route_table_id=table_id,
                    destination_cidr_block=route.apply(lambda r: r["cidr_block"]),
                    vpc_endpoint_id=route.apply(lambda r: r["vpc_endpoint_id"]),
                    opts=self._opts,
                )

    def _steer_subnets(
        self,
        app_key: str,
        app: Application,
        zones: list[str],
        endpoint_ids: dict[str, pulumi.Output[str]],
        igw_id: pulumi.Output[str] | None,
        tgw_table: aws.ec2.RouteTable | None = None,
    ) -> None:
        """Default route of each app subnet's table → its zone's endpoint, and the return path.

        Each route table gets one default route, however many listed subnets share it; a table
        shared across zones, or one whose default route goes elsewhere, is refused (adding a
        second default route would fail half-way, and replacing one must be a decision).
        """
        base = f"{self._name}-{app_key}"
        edge_routes: list[pulumi.Output[dict[str, str]]] = []
        tables: dict[str, tuple[int, str, str]] = {}  # table id → first (index, subnet, zone)
        for index, subnet_id in enumerate(app.subnets):
            key = f"airs:applications.{app_key}.subnets[{index}]"
            # Filtering on the endpoint zones makes a subnet in another zone fail the look-up
            # instead of silently routing across zones.
            looked_up = aws.ec2.get_subnet(
                id=subnet_id,
                vpc_id=app.network,
                filters=[{"name": "availability-zone", "values": zones}],
                opts=self._invoke_plain,
            )
            zone = str(looked_up.availability_zone)
            target = _pick(subnet_id, app_key, [zone, endpoint_ids])
            edge_routes.append(pulumi.Output.all(looked_up.cidr_block, target).apply(_edge_route))
            table = aws.ec2.get_route_table(subnet_id=subnet_id, opts=self._invoke_plain)
            table_id = str(table.route_table_id)
            if table_id in tables:
                first_index, first, first_zone = tables[table_id]
                if first_zone != zone:
                    raise pulumi.RunError(
                        f"{key}: {subnet_id} — shares route table {table_id} with "
                        f"{first} (subnets[{first_index}], {first_zone}) but lies in {zone}: a "
                        "table sends its default route to one zone's GWLB endpoint; give each "
                        "zone's subnets a route table of their own"
                    )
                continue  # one default route per table
            tables[table_id] = (index, subnet_id, zone)
            _refuse_foreign_default_route(key, subnet_id, table_id, table.routes)
            aws.ec2.Route(
                f"{base}-{subnet_id}-default",
                route_table_id=table_id,
                destination_cidr_block=network.ANY_IPV4,
                vpc_endpoint_id=target,
                opts=self._opts,
            )
        if tgw_table is not None and app.subnets:
            # Replies coming back from the transit gateway go through the same endpoint.
            for subnet_id, route in zip(app.subnets, edge_routes, strict=True):
                aws.ec2.Route(
                    f"{base}-{subnet_id}-tgw-return",
                    route_table_id=tgw_table.id,
                    destination_cidr_block=route.apply(lambda r: r["cidr_block"]),
                    vpc_endpoint_id=route.apply(lambda r: r["vpc_endpoint_id"]),
                    opts=self._opts,
                )
        if app.nat_gateways and app.subnets:
            self._nat_return_routes(base, app, edge_routes)
            return
        if igw_id is None or not app.subnets:
            return
        # Ingress routing: replies from the internet to the protected subnets enter through
        # the same endpoint, so the firewall sees both directions of every flow.
        edge = aws.ec2.RouteTable(
            f"{base}-igw-edge-rt",
            vpc_id=app.network,
            routes=edge_routes,
            tags={"Name": f"{self._prefix}-{app_key}-igw-edge", **self._project.tags},
            opts=self._opts,
        )
        aws.ec2.RouteTableAssociation(
            f"{base}-igw-edge-rta",
            route_table_id=edge.id,
            gateway_id=igw_id,
            opts=self._opts,
        )


COMPONENT = AwsApplicationConnection
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
