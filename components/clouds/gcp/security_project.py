"""The GCP security project: three VPCs, the firewall MIG and the internal load balancer.

One ``GcpSecurityProject`` per stack builds what the vendor's SCM Terraform bundle builds for
GCP (see ``reference/airs_reference.md`` §2.1), with the defects users report fixed:

* the internal load balancer carries pan-cni's UDP 6080 (the bundle's TCP rule drops it);
* the default route of the trust VPC points at the load balancer at priority 900 and no
  bypass route (0.0.0.0/0 → internet at priority 500) is created;
* a Cloud NAT serves the management VPC when the management NIC has no public IP, so
  bootstrap can reach Panorama and the licensing servers;
* the trust firewall rule admits every application, node, pod and service range.

Every resource uses one explicit ``gcp.Provider`` (project, region) and is a child of the
component. Logical names derive from the component name; cloud names from ``airs:name``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components import network
from components.clouds.gcp.config import GcpSecurityProject as GcpSecurityProjectConfig
from components.clouds.gcp.facts import (
    ILB_PROTOCOL,
    LABEL_OCCUPIED,
    LABEL_TRUST,
    MGMT_PORTS,
    RULE_PRIORITY,
    bootstrap_metadata,
    deployment_id,
    image_link,
    trust_source_ranges,
    unique,
    untrust_source_ranges,
)
from components.clouds.outputs import SecurityProjectOutputs
from components.config import StackConfig, ilb_ip
from components.config.stack import target_section

TYPE_TOKEN = "airs:index:GcpSecurityProject"

# Roles the firewall's own service account needs: write logs and the custom session metrics
# the autoscaler scales on, and read the networks it is attached to. The vendor example also
# grants roles/viewer (read access to the whole project) and monitoring.viewer; AIRS needs
# neither, so they are left out.
FIREWALL_ROLES: tuple[str, ...] = (
    "roles/compute.networkViewer",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
)
# OAuth scopes of the instances; IAM above is what actually limits them.
FIREWALL_SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/compute.readonly",
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring.write",
)
# Custom metrics the firewalls publish; the autoscaler keeps them below these targets.
AUTOSCALE_METRICS: tuple[tuple[str, float], ...] = (
    ("custom.googleapis.com/VMSeries/panSessionUtilization", 70.0),
    ("custom.googleapis.com/VMSeries/panSessionThroughputKbps", 700000.0),
)
AUTOSCALE_COOLDOWN_SEC = 480  # a firewall needs minutes to boot and bootstrap
SCALE_IN_WINDOW_SEC = 1800  # never drop more than one firewall per half hour
TRUST_ROUTE_PRIORITY = 900  # the bundle's value; beats the app VPCs' default route (1000)


class GcpSecurityProject(pulumi.ComponentResource):
    """The AIRS security project on GCP (``airs:index:GcpSecurityProject``).

    Builds the mgmt, untrust and trust VPCs, their firewall rules, the firewall service
    account, instance template, regional MIG and autoscaler, the internal load balancer on
    the trust subnet, the trust VPC's default route to it and, when needed, a Cloud NAT for
    the management VPC. ``outputs`` has the shape every cloud shares.
    """

    outputs: SecurityProjectOutputs
    """Trust CIDR and gateway, load balancer IP, firewall group and network self-links."""
    provider: gcp.Provider
    """The explicit provider (project, region) every child uses."""
    networks: dict[str, gcp.compute.Network]
    """The three VPCs by role: ``mgmt``, ``untrust``, ``trust``."""
    subnets: dict[str, gcp.compute.Subnetwork]
    """The subnet of each VPC, by role."""
    project_id: str
    """The security project id."""
    deployment_id: str
    """Unique id of this deployment (value of the ``paloaltonetworks_com-*`` labels)."""

    def __init__(
        self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the security project.

        Args:
            name: logical name of the component; children's logical names derive from it.
            cfg: the validated stack configuration; ``cfg.security_project`` must be GCP.
            opts: resource options for the component.
        """
        super().__init__(TYPE_TOKEN, name, None, opts)
        sp = target_section(cfg, GcpSecurityProjectConfig)
        self._name = name
        self._prefix = cfg.name
        self._project = self.project_id = sp.project
        self._region = sp.region
        self.deployment_id = deployment_id(sp.project, cfg.name)
        self.provider = gcp.Provider(
            f"{name}-provider",
            project=sp.project,
            region=sp.region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._child = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self._build_networks(sp)
        self._build_rules(cfg, sp)
        mig = self._build_firewalls(cfg, sp)
        forwarding_rule = self._build_load_balancer(cfg, sp, mig)
        self._build_trust_route(forwarding_rule)
        if not sp.firewall.mgmt_public_ip:
            self._build_mgmt_nat()

        trust = self.subnets["trust"]
        self.outputs = SecurityProjectOutputs(
            trust_cidr=trust.ip_cidr_range,
            trust_gateway_ip=trust.gateway_address,
            lb_ip=forwarding_rule.ip_address,
            untrust_gateway_ip=self.subnets["untrust"].gateway_address,
            firewall_group=mig.id,
            networks=pulumi.Output.all(
                **{role: net.self_link for role, net in self.networks.items()}
            ),
            extra={"deploymentId": pulumi.Output.from_input(self.deployment_id)},
        )
        self.register_outputs(dict(self.outputs.as_exports()))

    # ------------------------------------------------------------------ helpers

    def _opts(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        """Child options: parent and explicit provider, plus ``depends_on`` if any."""
        if not depends_on:
            return self._child
        return pulumi.ResourceOptions.merge(
            self._child, pulumi.ResourceOptions(depends_on=list(depends_on))
        )

    # ------------------------------------------------------------------ networks

    def _build_networks(self, sp: GcpSecurityProjectConfig) -> None:
        """Three VPCs with one subnet each; the trust VPC starts with no default route."""
        self.networks = {}
        self.subnets = {}
        cidrs = {"mgmt": sp.cidrs.mgmt, "untrust": sp.cidrs.untrust, "trust": sp.cidrs.trust}
        for role, cidr in cidrs.items():
            vpc = gcp.compute.Network(
                f"{self._name}-{role}-vpc",
                # The product finds the trust network by its "-trust-vpc" suffix.
                name=f"{self._prefix}-fw-{role}-vpc",
                project=self._project,
                auto_create_subnetworks=False,
                routing_mode="REGIONAL",
                mtu=1460,
                # Only our 0.0.0.0/0 → load balancer may exist in trust, or traffic escapes.
                delete_default_routes_on_create=role == "trust",
                opts=self._opts(),
            )
            self.networks[role] = vpc
            self.subnets[role] = gcp.compute.Subnetwork(
                f"{self._name}-{role}-subnet",
                name=f"{self._prefix}-fw-{role}-sub",
                project=self._project,
                region=self._region,
                network=vpc.self_link,
                ip_cidr_range=cidr,
                # Firewalls reach Google APIs (metrics, logging) without the internet.
                private_ip_google_access=role == "mgmt",
                opts=self._opts(),
            )

    def _build_rules(self, cfg: StackConfig, sp: GcpSecurityProjectConfig) -> None:
        """One ingress rule per VPC, each with every source it needs in one list."""
        allow_all = [gcp.compute.FirewallAllowArgs(protocol="all")]
        rules: dict[str, tuple[list[str], list[gcp.compute.FirewallAllowArgs], str]] = {
            "mgmt": (
                unique(sp.mgmt_allowed_cidrs),
                [gcp.compute.FirewallAllowArgs(protocol="tcp", ports=list(MGMT_PORTS))],
                "Firewall management (SSH, HTTPS) from the admin networks only",
            ),
            "untrust": (
                untrust_source_ranges(sp),
                allow_all,
                "Load balancer health checks and allowed clients to the untrust interfaces",
            ),
            "trust": (
                trust_source_ranges(cfg),
                allow_all,
                "Health checks, applications, nodes, pods and services to the trust side",
            ),
        }
        for role, (sources, allows, description) in rules.items():
            gcp.compute.Firewall(
                f"{self._name}-allow-{role}",
                name=f"{self._prefix}-allow-{role}-ingress",
                project=self._project,
                network=self.networks[role].self_link,
                description=description,
                direction="INGRESS",
                priority=RULE_PRIORITY,
                source_ranges=sources,
                allows=allows,
                opts=self._opts(),
            )

    # ------------------------------------------------------------------ firewalls

    def _build_firewalls(
        self, cfg: StackConfig, sp: GcpSecurityProjectConfig
    ) -> gcp.compute.RegionInstanceGroupManager:
        """Service account, instance template, regional MIG and autoscaler."""
        fw = sp.firewall
        account = gcp.serviceaccount.Account(
            f"{self._name}-fw-sa",
            account_id=f"{self._prefix}-fw-sa",
            project=self._project,
            display_name=f"AIRS firewalls of {self._prefix}",
            opts=self._opts(),
        )
        grants = [
            gcp.projects.IAMMember(
                f"{self._name}-fw-sa-{role.rsplit('/', 1)[-1].replace('.', '-').lower()}",
                project=self._project,
                role=role,
                member=account.member,
                opts=self._opts(),
            )
            for role in FIREWALL_ROLES
        ]

        def nic(role: str, public_ip: bool) -> gcp.compute.InstanceTemplateNetworkInterfaceArgs:
            return gcp.compute.InstanceTemplateNetworkInterfaceArgs(
                network=self.networks[role].self_link,
                subnetwork=self.subnets[role].self_link,
                # An empty access config asks for an ephemeral public address.
                access_configs=[gcp.compute.InstanceTemplateNetworkInterfaceAccessConfigArgs()]
                if public_ip
                else None,
            )

        labels = {LABEL_TRUST: self.deployment_id, LABEL_OCCUPIED: self.deployment_id}
        template = gcp.compute.InstanceTemplate(
            f"{self._name}-fw-template",
            # Templates are immutable: a prefix lets a new one exist before the old is deleted.
            name_prefix=f"{self._prefix}-fw-",
            project=self._project,
            machine_type=fw.machine_type,
            can_ip_forward=True,
            disks=[
                gcp.compute.InstanceTemplateDiskArgs(
                    source_image=image_link(fw.image, fw.image_project),
                    disk_type="pd-ssd",
                    auto_delete=True,
                    boot=True,
                )
            ],
            # Order matters: nic0 untrust (outbound via its public IP), nic1 mgmt, nic2 trust.
            network_interfaces=[
                nic("untrust", True),
                nic("mgmt", fw.mgmt_public_ip),
                nic("trust", False),
            ],
            metadata=bootstrap_metadata(cfg, sp),
            labels=labels,
            service_account=gcp.compute.InstanceTemplateServiceAccountArgs(
                email=account.email, scopes=list(FIREWALL_SCOPES)
            ),
            # The instances must not boot before they may write metrics and logs.
            opts=self._opts(depends_on=grants),
        )
        mig = gcp.compute.RegionInstanceGroupManager(
            f"{self._name}-fw-mig",
            name=f"{self._prefix}-fw-mig",
            project=self._project,
            region=self._region,
            base_instance_name=f"{self._prefix}-fw",
            distribution_policy_zones=list(sp.zones),
            versions=[
                gcp.compute.RegionInstanceGroupManagerVersionArgs(
                    name="airs", instance_template=template.self_link
                )
            ],
            named_ports=[
                gcp.compute.RegionInstanceGroupManagerNamedPortArgs(name="http", port=80),
                gcp.compute.RegionInstanceGroupManagerNamedPortArgs(name="https", port=443),
            ],
            update_policy=gcp.compute.RegionInstanceGroupManagerUpdatePolicyArgs(
                # Never restart a working firewall for a template change; new ones use it.
                type="OPPORTUNISTIC",
                minimal_action="REPLACE",
                # A regional MIG wants 0 or at least one per zone.
                max_surge_fixed=len(sp.zones),
                max_unavailable_fixed=0,
            ),
            opts=self._opts(),
        )
        gcp.compute.RegionAutoscaler(
            f"{self._name}-fw-autoscaler",
            name=f"{self._prefix}-fw-autoscaler",
            project=self._project,
            region=self._region,
            target=mig.self_link,
            autoscaling_policy=gcp.compute.RegionAutoscalerAutoscalingPolicyArgs(
                min_replicas=fw.min_replicas,
                max_replicas=fw.max_replicas,
                cooldown_period=AUTOSCALE_COOLDOWN_SEC,
                metrics=[
                    gcp.compute.RegionAutoscalerAutoscalingPolicyMetricArgs(
                        name=metric,
                        target=target,
                        type="GAUGE",
                        filter='resource.type = "gce_instance"',
                    )
                    for metric, target in AUTOSCALE_METRICS
                ],
                scale_in_control=gcp.compute.RegionAutoscalerAutoscalingPolicyScaleInControlArgs(
                    max_scaled_in_replicas=gcp.compute.RegionAutoscalerAutoscalingPolicyScaleInControlMaxScaledInReplicasArgs(
                        fixed=1
                    ),
                    time_window_sec=SCALE_IN_WINDOW_SEC,
                ),
            ),
            opts=self._opts(),
        )
        return mig

    # ------------------------------------------------------------------ load balancer

    def _build_load_balancer(
        self,
        cfg: StackConfig,
        sp: GcpSecurityProjectConfig,
        mig: gcp.compute.RegionInstanceGroupManager,
    ) -> gcp.compute.ForwardingRule:
        """Internal passthrough load balancer on the trust subnet (see ``ILB_PROTOCOL``)."""
        address = ilb_ip(cfg)
        assert address is not None  # GCP always has one: configured or the subnet's .253
        health_check = gcp.compute.HealthCheck(
            f"{self._name}-ilb-health-check",
            name=f"{self._prefix}-ilb-tcp{sp.health_check_port}",
            project=self._project,
            # TCP on the port the firewall's interface management profile answers.
            tcp_health_check=gcp.compute.HealthCheckTcpHealthCheckArgs(port=sp.health_check_port),
            opts=self._opts(),
        )
        backend = gcp.compute.RegionBackendService(
            f"{self._name}-ilb-backend",
            name=f"{self._prefix}-ilb",
            project=self._project,
            region=self._region,
            load_balancing_scheme="INTERNAL",
            protocol=ILB_PROTOCOL,
            # Deliver to the NIC in the trust VPC (nic2), not to nic0.
            network=self.networks["trust"].self_link,
            health_checks=health_check.self_link,  # one URL, not a list, in pulumi-gcp 10
            backends=[
                gcp.compute.RegionBackendServiceBackendArgs(
                    group=mig.instance_group, balancing_mode="CONNECTION"
                )
            ],
            opts=self._opts(),
        )
        return gcp.compute.ForwardingRule(
            f"{self._name}-ilb-rule",
            name=f"{self._prefix}-ilb-{ILB_PROTOCOL.lower()}",
            project=self._project,
            region=self._region,
            load_balancing_scheme="INTERNAL",
            ip_protocol=ILB_PROTOCOL,
            all_ports=True,
            # Clusters and VPCs in other regions reach it over the peering too.
            allow_global_access=True,
            ip_address=address,
            network=self.networks["trust"].self_link,
            subnetwork=self.subnets["trust"].self_link,
            backend_service=backend.self_link,
            opts=self._opts(),
        )

    def _build_trust_route(self, forwarding_rule: gcp.compute.ForwardingRule) -> None:
        """0.0.0.0/0 in the trust VPC → the load balancer; exported to the app VPCs."""
        gcp.compute.Route(
            f"{self._name}-trust-default-route",
            name=f"{self._prefix}-fw-default-trust",
            project=self._project,
            network=self.networks["trust"].self_link,
            dest_range=network.ANY_IPV4,
            next_hop_ilb=forwarding_rule.self_link,
            priority=TRUST_ROUTE_PRIORITY,
            opts=self._opts(),
        )

    def _build_mgmt_nat(self) -> None:
        """Cloud NAT for the mgmt subnet: bootstrap must reach Panorama and licensing."""
        router = gcp.compute.Router(
            f"{self._name}-mgmt-router",
            name=f"{self._prefix}-fw-mgmt-router",
            project=self._project,
            region=self._region,
            network=self.networks["mgmt"].self_link,
            opts=self._opts(),
        )
        gcp.compute.RouterNat(
            f"{self._name}-mgmt-nat",
            name=f"{self._prefix}-fw-mgmt-nat",
            project=self._project,
            region=self._region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[
                gcp.compute.RouterNatSubnetworkArgs(
                    name=self.subnets["mgmt"].self_link,
                    source_ip_ranges_to_nats=["ALL_IP_RANGES"],
                )
            ],
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=self._opts(),
        )


COMPONENT = GcpSecurityProject
"""The component ``components.clouds.base.public_cloud`` builds for this cloud."""
