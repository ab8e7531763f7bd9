"""The config models every target shares: applications, Panorama, clusters, bootstrap."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from components.config.base import (
    Cidr,
    ClusterType,
    Hostname,
    IPv4,
    Model,
    Namespace,
    PanosName,
    Port,
    ProtectMode,
    ranged,
    rule,
)


class Bootstrap(Model):
    """Firewall bootstrap (init-cfg) values shared by every cloud."""

    panorama_server: Hostname | None = None
    """Panorama address the firewalls register with; defaults to ``airs:panorama.hostname``."""
    panorama_server2: Hostname | None = None
    """Second Panorama of an HA pair, if any."""
    auth_key: SecretStr
    """Panorama device registration auth key (``vm-auth-key`` / ``auth-key``); with
    ``panoramaLicensing``, the one the license manager's bootstrap parameters show. Secret."""
    auth_codes: SecretStr | None = None
    """BYOL licence auth code(s) the firewall licenses itself with at first boot
    (``authcodes``). Secret. An autoscaled group needs ``panoramaLicensing`` instead, or
    the licences of removed firewalls are never given back."""
    panorama_licensing: bool = False
    """Boot in Panorama licensing mode (``panorama-licensing-mode-on``): the license manager of
    Panorama's Software Firewall License plugin for this device group and template stack
    licenses each firewall as it registers and delicenses those removed at scale-in (its
    auto-deactivate time). Create that license manager in Panorama first and use the auth key
    its bootstrap parameters show as ``authKey``."""

    def plugin_op_commands(self, *cloud_commands: str) -> str:
        """The ``plugin-op-commands`` value: the cloud's own, advanced routing, licensing."""
        commands = [*cloud_commands, "advance-routing:enable"]
        if self.panorama_licensing:
            commands.append("panorama-licensing-mode-on")
        return ",".join(commands)


class Application(Model):
    """One application network to protect."""

    cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Address ranges of the application network (routed through the firewalls)."""
    network: str | None = None
    """GCP VPC name/self-link, Azure VNet resource id or AWS VPC id."""
    project: str | None = None
    """GCP: project of the application VPC (default: the security project's)."""
    subnets: list[str] = []
    """AWS: subnet ids whose route tables get the default route to their zone's GWLB
    endpoint; Azure: subnet resource ids to associate with the route table to the internal
    load balancer. On these two clouds only the listed subnets are steered, so
    ``protection: vpc`` requires at least one. Unused on GCP (the peering steers the whole
    VPC) and on private clouds (the on-prem network routes to the firewall)."""
    endpoint_subnets: dict[str, Cidr] = {}
    """AWS: availability zone → CIDR of the GWLB endpoint subnet in this VPC."""
    protection: ProtectMode = "vpc"
    """``vpc``: the network's own traffic is steered through the firewalls (on AWS and Azure
    by the routes of ``subnets``, which must then be given); ``namespace``: only the pods
    pan-cni steers are. On AWS also what this VPC's GWLB endpoints serve (one endpoint cannot
    serve both)."""
    nat_gateways: dict[str, str] = {}
    """AWS: availability zone → NAT gateway (``nat-…``) the VPC's private subnets reach the
    internet through. Inspected traffic then leaves the endpoint by that NAT gateway (not the
    internet gateway, which would drop private addresses), and the NAT gateway's subnet sends
    the replies for each protected subnet back through that subnet's zone endpoint."""
    transit_gateway_subnets: dict[str, Cidr] = {}
    """AWS, with ``transitGatewayId``: availability zone → CIDR of the subnet the transit
    gateway attachment uses. Its own route table sends traffic arriving from the transit
    gateway for a protected subnet to that subnet's zone endpoint, so replies are inspected
    on the way back too."""
    transit_gateway_id: str | None = None
    """AWS: transit gateway the VPC reaches other networks through; inspected traffic
    continues there instead of the internet gateway."""


# --------------------------------------------------------------------------- panorama


class InboundNatRule(Model):
    """Inbound static destination NAT (e.g. ``inbound-web``)."""

    name: PanosName
    """Rule name in Panorama."""
    translated_address: IPv4
    """Address the destination is translated to (the application server)."""
    destination: IPv4 | None = None
    """Original destination; on Azure defaults to the public load balancer address."""
    service: str = "any"
    """PAN-OS service the rule matches, or ``any``."""
    translated_port: Port | None = None
    """Port the destination is translated to; unset: unchanged."""


class NatRules(Model):
    """NAT policy toggles."""

    outbound: bool = True
    """Source NAT of the protected workloads' outbound traffic (on a private cloud, the rule
    the vendor page calls ``inbound-web``)."""
    inbound: list[InboundNatRule] = []
    """Inbound destination NAT rules."""


class Decryption(Model):
    """Optional SSL/TLS decryption of AI traffic."""

    enabled: bool = False
    """Decrypt AI traffic (needs ``certificate``): a forward-proxy decryption rule with a
    decryption profile that blocks expired or untrusted server certificates, TLS below 1.2
    and weak algorithms."""
    ssl_tls_profile: PanosName = "airs-ssl-tls"
    """Accepted for compatibility and unused: forward-proxy decryption needs no SSL/TLS service
    profile (one serves only TLS the firewall itself terminates, such as its web UI)."""
    certificate: str | None = None
    """Forward-trust certificate: a CA certificate with its private key, in the template
    (``shared/ssl-decrypt``); the protected workloads must trust it."""
    untrust_certificate: str | None = None
    """Forward-untrust certificate, presented for servers the firewall does not trust (a
    separate CA the workloads do not trust); unset: PAN-OS's default behaviour."""


class Panorama(Model):
    """``airs:panorama``: where and how the firewalls are configured."""

    hostname: Hostname
    """Panorama address (hostname or IPv4) for the XML API."""
    username: str | None = None
    """The admin the API key or password belongs to: commits are partial, of its changes only."""
    template: PanosName | None = None
    """Template name; default ``<airs:name>-tpl``."""
    template_stack: PanosName | None = None
    """Template stack name; default ``<airs:name>-stack``."""
    device_group: PanosName | None = None
    """Device group name; default ``<airs:name>-dg``."""
    ai_security_profile: PanosName = "airs-ai-security"
    """Name of the AI security profile."""
    ai_security_profile_group: PanosName = "airs-ai-group"
    """Name of the security profile group that carries it."""
    nat_rules: NatRules = NatRules()
    """NAT policy."""
    decryption: Decryption = Decryption()
    """SSL/TLS decryption."""
    push: bool = True
    """Push to the template stack and device group after each commit."""
    api_port: Port = 443
    """TCP port of Panorama's XML API over HTTPS: set it only where Panorama is reached
    through a proxy or port forward on another port. The firewalls' bootstrap still names
    ``hostname`` alone (they register on Panorama's own ports)."""
    verify_tls: bool = True
    """Verify Panorama's TLS certificate (turn off only for a lab)."""
    ca_bundle: str | None = None
    """CA bundle file to verify Panorama with; default: the system store."""
    monitoring_interval: Annotated[int, ranged(30, 300)] | None = None
    """Seconds between the Kubernetes plugin's polls of every cluster (Panorama has one
    interval). Default: the interval the clusters set, else 30. A security stack of layered
    stacks sets it for the cluster stacks, whose clusters inherit it."""

    @property
    def api_address(self) -> str:
        """Where the XML API answers: ``hostname``, with ``:apiPort`` when it is not 443."""
        return self.hostname if self.api_port == 443 else f"{self.hostname}:{self.api_port}"


# --------------------------------------------------------------------------- clusters

PANORAMA_CLUSTER_NAME_MAX = 20
PANORAMA_CLUSTER_NAME_RULE = (
    f"must be at most {PANORAMA_CLUSTER_NAME_MAX} characters (Panorama tags pods with it)"
)
# A rule of the field alone: it is reported with the cluster's other field problems.
PanoramaClusterName = Annotated[
    str, rule(lambda v: len(v) <= PANORAMA_CLUSTER_NAME_MAX, PANORAMA_CLUSTER_NAME_RULE)
]


# pan-cni's traffic-steering inspection (SCM: at most 10 CIDRs per cluster).
STEERING_CIDRS_MAX = 10
# A namespace in `namespace` mode without its own list bypasses only the instance-metadata
# address, as the vendor chart's own SubnetInfo does: pods must reach their node's metadata.
DEFAULT_STEERING_BYPASS: tuple[str, ...] = ("169.254.169.254/32",)


class NamespaceSteering(Model):
    """Traffic-steering inspection of one namespace protected in ``namespace`` mode: the
    destination ranges pan-cni sends through the firewall (``inspect``) or around it
    (``bypass``). Give exactly one of the two."""

    inspect: Annotated[list[Cidr], Field(min_length=1)] | None = None
    """Only traffic to these ranges goes through the firewall."""
    bypass: Annotated[list[Cidr], Field(min_length=1)] | None = None
    """Traffic to these ranges goes around the firewall; everything else through it."""

    def subnet_info(self) -> tuple[str, tuple[str, ...]]:
        """(``INSPECT`` or ``BYPASS``, the ranges), as pan-cni's SubnetInfo carries them."""
        if self.inspect:
            return "INSPECT", tuple(self.inspect)
        return "BYPASS", tuple(self.bypass or DEFAULT_STEERING_BYPASS)


class Cluster(Model):
    """One Kubernetes cluster whose pods are steered through the firewalls."""

    type: ClusterType
    """Cluster platform: GKE, AKS, EKS, OpenShift, Rancher or Native (must suit ``airs:cloud``)."""
    cluster_id: Annotated[int, ranged(1, 2048)]
    """pan-cni cluster id (1–2048), unique per Panorama."""
    panorama_name: PanoramaClusterName | None = None
    """Name in the Panorama Kubernetes plugin (≤ 20 characters); defaults to the map key."""
    api_server: str
    """API server (host, host:port or https URL) the Kubernetes plugin polls."""
    pod_cidr: Cidr
    """Pod range: allowed to the trust side and steered through the firewalls."""
    service_cidr: Cidr
    """Service range: allowed to the trust side."""
    node_cidr: Cidr | None = None
    """GCP: node range, allowed to the trust side with the pod and service ranges."""
    kubeconfig: SecretStr | None = None
    """Kubeconfig of the Kubernetes provider. Secret; or set ``context``."""
    context: str | None = None
    """Context of the ambient kubeconfig to use instead of ``kubeconfig``."""
    protect: dict[Namespace, ProtectMode] = {}
    """Namespace → ``vpc`` (firewall=pan-fw) or ``namespace`` (subnetfirewall)."""
    steering: dict[Namespace, NamespaceSteering] = {}
    """Namespaces protected in ``namespace`` mode → the ranges pan-cni inspects or bypasses
    (at most 10 distinct CIDRs per cluster). A ``namespace``-mode namespace not listed
    bypasses only the instance-metadata address 169.254.169.254/32."""

    def steering_of(self, namespace: str) -> tuple[str, tuple[str, ...]]:
        """The steering of a ``namespace``-mode namespace: its own, or the default bypass."""
        given = self.steering.get(namespace)
        return given.subnet_info() if given else ("BYPASS", DEFAULT_STEERING_BYPASS)

    monitoring_interval: Annotated[int, ranged(30, 300)] | None = None
    """Kubernetes plugin poll interval (s). Unset: the stack's (``monitoring_interval()``);
    read the effective value from there, not from this field."""
    autopilot: bool = False
    """GKE: the cluster is Autopilot (refused: Helm cannot write to kube-system there). Like
    ``networkPlugin`` and ``byoVnet``, a statement about the cluster that validation trusts;
    the offline plan cannot look at the cluster."""
    application: str | None = None
    """Key of the ``airs:applications`` network the cluster lives in."""
    zones: list[str] = []
    """EKS: availability zones of the nodes (each needs a GWLB endpoint)."""
    network_plugin: str | None = None
    """AKS: must be ``azure`` (Azure CNI); stated by you, not read from the cluster."""
    byo_vnet: bool | None = None
    """AKS: the cluster must run in its own ("bring your own") VNet; stated by you."""
    restart_workloads: bool = True
    """Roll the Deployments, StatefulSets and DaemonSets of each newly protected namespace
    once, so pods created before the annotation are steered too (the vendor page restarts
    them); ``false`` leaves them until they restart on their own. OpenShift always patches
    the pod templates: the Multus network that attaches pan-cni is read from pods only."""
    label_filter: str | None = None
    """Kubernetes plugin label filter (or ``labelSelector``, not both)."""
    label_selector: str | None = None
    """Kubernetes plugin label selector (or ``labelFilter``, not both)."""
