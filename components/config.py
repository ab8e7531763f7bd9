"""Typed, validated stack configuration: the ``airs:*`` contract.

This is the only module that reads Pulumi configuration. ``load_stack_config()`` reads the
``airs:*`` keys, validates every one of them and every rule that spans keys, and either
returns a frozen :class:`StackConfig` or raises :class:`ConfigError` listing **every**
problem, one per line, as ``airs:<key path>: <value> — <rule>``. It runs before any
resource is registered, so a bad stack never half-applies.

Secret fields (Panorama credentials, bootstrap auth keys, kubeconfigs) are ``SecretStr``:
they print as ``**********`` and must have been set with ``pulumi config set --secret``.
Components turn them into Pulumi secrets with :func:`secret_output`.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from components import network

NAMESPACE = "airs"

Cloud = Literal["gcp", "azure", "aws", "private"]
PUBLIC_CLOUDS: tuple[str, ...] = ("gcp", "azure", "aws")
ClusterType = Literal["GKE", "AKS", "EKS", "OpenShift", "Rancher", "Native"]
ProtectMode = Literal["vpc", "namespace"]

# Which cluster types each cloud can protect; private clouds are the on-prem platforms.
CLUSTER_TYPES_BY_CLOUD: dict[str, tuple[str, ...]] = {
    "gcp": ("GKE",),
    "azure": ("AKS",),
    "aws": ("EKS",),
    "private": ("OpenShift", "Rancher", "Native"),
}


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ConfigProblem:
    """One broken rule: the key path below ``airs:``, the offending value and the rule."""

    key: str
    """Key path below ``airs:`` (``clusters.apps.clusterId``)."""
    value: str
    """The offending value as shown to the user (secrets never in plaintext)."""
    rule: str
    """The rule the value breaks."""

    def __str__(self) -> str:
        return f"{NAMESPACE}:{self.key}: {self.value} — {self.rule}"


class ConfigError(Exception):
    """Raised with every problem found in a stack's configuration."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


MISSING = "<missing>"
SECRET_SHOWN = "[secret]"


def show(value: Any) -> str:
    """Render a config value for an error line; secrets never print."""
    if value is None:
        return MISSING
    if isinstance(value, SecretStr):
        return SECRET_SHOWN
    if isinstance(value, str):
        return value if value else '""'
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------- field types


def _rule(check: Callable[[Any], bool], rule: str) -> AfterValidator:
    def validate(value: Any) -> Any:
        if not check(value):
            raise ValueError(rule)
        return value

    return AfterValidator(validate)


def _cidr(value: str) -> str:
    try:
        return str(network.parse_cidr(value))
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR with no host bits set ({exc})") from None


def _ipv4(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ValueError("must be an IPv4 address") from None


def _ranged(lo: int, hi: int) -> AfterValidator:
    return _rule(lambda v: lo <= v <= hi, f"must be between {lo} and {hi}")


def _zone_str(value: Any) -> Any:
    # YAML reads Azure zones `[1, 2, 3]` as integers; the API wants strings.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Cidr = Annotated[str, AfterValidator(_cidr)]
IPv4 = Annotated[str, AfterValidator(_ipv4)]
Port = Annotated[int, _ranged(1, 65535)]
Replicas = Annotated[int, _ranged(1, 100)]
# Panorama's Kubernetes plugin polls clusters every 30 s unless told otherwise.
DEFAULT_MONITORING_INTERVAL = 30
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
Namespace = Annotated[
    str, _rule(lambda v: bool(DNS_LABEL.match(v)), "must be a Kubernetes namespace name")
]
PANOS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$")
PanosName = Annotated[
    str,
    _rule(
        lambda v: bool(PANOS_NAME.match(v)),
        "must be 1–31 characters: letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
    ),
]
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
Hostname = Annotated[
    str, _rule(lambda v: bool(HOSTNAME.match(v)), "must be a hostname or IPv4 address")
]


class Model(BaseModel):
    """Base of every config model: camelCase keys only, unknown keys refused, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
    )


# --------------------------------------------------------------------------- security projects


class Bootstrap(Model):
    """Firewall bootstrap (init-cfg) values shared by every cloud."""

    panorama_server: Hostname | None = None
    """Panorama address the firewalls register with; defaults to ``airs:panorama.hostname``."""
    panorama_server2: Hostname | None = None
    """Second Panorama of an HA pair, if any."""
    auth_key: SecretStr
    """Panorama device registration auth key (``vm-auth-key`` / ``auth-key``). Secret."""


def _is_airs_gcp_image(image: str) -> bool:
    name = image.rsplit("/", 1)[-1]
    return name.startswith(("ai-runtime-security", "airs-"))


class GcpFirewall(Model):
    """The firewall managed instance group on GCP."""

    image: Annotated[
        str,
        _rule(
            _is_airs_gcp_image,
            "is not an AIRS image (expected a name like ai-runtime-security-byol-1125h1)",
        ),
    ]
    """AIRS image name (or self-link) in ``imageProject``."""
    image_project: str = "paloaltonetworksgcp-public"
    """Project that publishes the image."""
    machine_type: str = "n2-standard-4"
    """Instance machine type (AIRS needs at least 4 vCPUs)."""
    min_replicas: Replicas = 1
    """Autoscaler minimum."""
    max_replicas: Replicas = 2
    """Autoscaler maximum."""
    mgmt_public_ip: bool = False
    """Give the management NIC a public IP; without one a Cloud NAT serves bootstrap."""
    ssh_keys: str | None = None
    """``admin:ssh-rsa …`` metadata for break-glass access."""
    bootstrap: Bootstrap
    """Bootstrap values."""


class GcpCidrs(Model):
    """The three security VPC subnets."""

    mgmt: Cidr
    """Management subnet of the firewalls."""
    untrust: Cidr
    """Untrust (internet-facing) subnet."""
    trust: Cidr
    """Trust subnet: the internal load balancer and pan-cni's ``fwtrustcidr``."""


GCP_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


class GcpSecurityProject(Model):
    """``airs:securityProject`` on GCP: three VPCs, firewalls and the internal load balancer."""

    project: Annotated[str, _rule(lambda v: bool(GCP_PROJECT.match(v)), "must be a GCP project id")]
    """GCP project id that holds the security project."""
    region: Annotated[
        str, _rule(lambda v: bool(GCP_REGION.match(v)), "must be a GCP region like us-east1")
    ]
    """Region of the subnets, firewalls and load balancer."""
    zones: Annotated[list[str], Field(min_length=1)]
    """Zones of the firewall instance group (all in ``region``)."""
    cidrs: GcpCidrs
    """The three security VPC subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    untrust_allowed_cidrs: list[Cidr] = []
    """Clients allowed to the untrust network besides the health-check ranges."""
    ilb_ip: IPv4 | None = None
    """Internal load balancer address; defaults to the trust subnet's x.x.x.253."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the load balancer's health check probes on the firewalls (443, 80 or 22)."""
    firewall: GcpFirewall
    """The firewall managed instance group."""


class AzureCidrs(Model):
    """The security VNet and, optionally, its three subnets (cut from the VNet if absent)."""

    vnet: Cidr
    """Address space of the security VNet."""
    mgmt: Cidr | None = None
    """Management subnet (``mgmt-snet``); default: a quarter of ``vnet``."""
    untrust: Cidr | None = None
    """Untrust subnet (``public-snet``); default: a quarter of ``vnet``."""
    trust: Cidr | None = None
    """Trust subnet (``private-snet``, the internal load balancer's); default: a quarter of
    ``vnet``."""


class AzureResourceGroup(Model):
    """Resource group that holds the security project."""

    name: str
    """Resource group name."""
    create: bool = True
    """Create it (true) or adopt an existing one (false)."""


class AzureFirewall(Model):
    """The firewall scale set (or VMs) on Azure."""

    mode: Literal["vmss", "vm"] = "vmss"
    """``vmss``: one Uniform scale set; ``vm``: standalone VMs."""
    vm_size: str = "Standard_D3_v2"
    """VM size of each firewall."""
    min_replicas: Replicas = 1
    """Firewalls in the scale set (``vmss``) or standalone VMs (``vm``)."""
    max_replicas: Replicas | None = None
    """Must equal ``minReplicas`` when set: the scale set has a fixed size. Azure autoscaling
    of VM-Series scales on PAN-OS metrics published to Application Insights (host CPU is
    always high on a DPDK dataplane), which this project does not configure yet."""
    image_offer: Annotated[
        str, _rule(lambda v: v.startswith("airs"), "is not an AIRS offer (expected airs-flex)")
    ] = "airs-flex"
    """Marketplace offer of the AIRS image (publisher ``paloaltonetworks``)."""
    image_sku: str = "airs-byol"
    """Marketplace SKU (plan) of the image."""
    image_version: str = "latest"
    """Image version, or ``latest``."""
    admin_username: str = "panadmin"
    """Administrator user the SSH key is installed for."""
    ssh_public_key: str
    """Administrator SSH public key (Azure requires one)."""
    bootstrap: Bootstrap
    """Bootstrap values (``customData``)."""


AzureZone = Annotated[Literal["1", "2", "3"], BeforeValidator(_zone_str)]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Azure resource ids are case-insensitive; the subscription segment is a GUID.
AZURE_VNET_ID = re.compile(
    r"^/subscriptions/(?P<sub>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/resourceGroups/(?P<rg>[-\w._()]+)/providers/Microsoft\.Network"
    r"/virtualNetworks/(?P<vnet>[-\w.]+)$",
    re.IGNORECASE,
)
AZURE_SUBNET_ID = re.compile(r"^(?P<vnet_id>.+)/subnets/(?P<subnet>[-\w.]+)$", re.IGNORECASE)


class AzureSecurityProject(Model):
    """``airs:securityProject`` on Azure: VNet, NSGs, load balancers and firewalls."""

    subscription_id: Annotated[
        str, _rule(lambda v: bool(UUID.match(v)), "must be a subscription id (a lowercase UUID)")
    ]
    """Subscription that holds the security project."""
    location: str
    """Azure region, e.g. ``eastus``."""
    resource_group: AzureResourceGroup
    """Resource group of the security project."""
    zones: list[AzureZone] = ["1", "2", "3"]
    """Availability zones the firewalls spread over."""
    cidrs: AzureCidrs
    """The security VNet and its subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    ilb_ip: IPv4 | None = None
    """Internal load balancer frontend; defaults to the third address from the end of the
    trust subnet."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the load balancer probe checks on the firewalls (443, 80 or 22)."""
    health_probe: Literal["tcp", "http"] = "tcp"
    """Probe protocol: ``tcp`` (port open) or ``http`` (an HTTP(S) request when the port is
    80 or 443; TCP on 22)."""
    firewall: AzureFirewall
    """The firewall scale set or VMs."""


class AwsZoneSubnets(Model):
    """Explicit per-zone subnets of the security VPC."""

    mgmt: Cidr
    """Management subnet of the zone."""
    trust: Cidr
    """Trust (data) subnet of the zone: the firewalls' GENEVE interface."""
    gwlb: Cidr
    """Subnet of the Gateway Load Balancer's node in the zone."""
    nat: Cidr | None = None
    """Subnet of the zone's NAT gateway; required with ``natGateway``."""


class AwsCidrs(Model):
    """The security VPC; per-zone subnets are cut from it unless given."""

    vpc: Cidr
    """CIDR of the security VPC."""
    zones: dict[str, AwsZoneSubnets] | None = None
    """Availability zone → its subnets; absent: cut from ``vpc``."""


class AwsFirewall(Model):
    """The firewall auto scaling group on AWS."""

    ami_id: (
        Annotated[
            str, _rule(lambda v: bool(re.match(r"^ami-[0-9a-f]{8,17}$", v)), "must be an AMI id")
        ]
        | None
    ) = None
    """Pinned AMI; otherwise looked up by name filter and product code."""
    ami_name_filter: str = "PA-AI-Runtime-Security-AWS-*"
    """AMI name pattern searched when ``amiId`` is unset (the newest match wins)."""
    product_code: str = "b261y39exndwe1ltro1tqpeog"
    """Marketplace product code the AMI must carry."""
    instance_type: str = "c6in.xlarge"
    """EC2 instance type of each firewall."""
    min_replicas: Replicas = 1
    """Auto scaling group minimum."""
    max_replicas: Replicas = 2
    """Auto scaling group maximum."""
    key_name: str | None = None
    """EC2 key pair for break-glass SSH to the firewalls."""
    bootstrap: Bootstrap
    """Bootstrap values (user data, a secret)."""


AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")


class AwsSecurityProject(Model):
    """``airs:securityProject`` on AWS: security VPC, Gateway Load Balancer, firewalls."""

    region: Annotated[
        str, _rule(lambda v: bool(AWS_REGION.match(v)), "must be an AWS region like us-east-1")
    ]
    """Region of the security VPC."""
    zones: Annotated[list[str], Field(min_length=1)]
    """Availability zones the GWLB and firewalls span."""
    cidrs: AwsCidrs
    """The security VPC and, optionally, its per-zone subnets."""
    mgmt_allowed_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Only these sources reach the firewalls' management (TCP 22 and 443)."""
    health_check_port: Port = network.DEFAULT_HEALTH_CHECK_PORT
    """Port the GWLB target group's health check probes on the firewalls (443, 80 or 22)."""
    overlay_routing: bool = False
    """Enable GWLB overlay routing on the firewalls (``aws-gwlb-overlay-routing``)."""
    nat_gateway: bool = False
    """A NAT gateway per zone for the firewalls' outbound traffic."""
    allowed_principals: list[str] = []
    """IAM principals allowed to create endpoints on the endpoint service; default: the
    deploying account."""
    firewall: AwsFirewall
    """The firewall auto scaling group."""


SecurityProject = GcpSecurityProject | AzureSecurityProject | AwsSecurityProject
SECURITY_PROJECT_MODELS: dict[str, type[Model]] = {
    "gcp": GcpSecurityProject,
    "azure": AzureSecurityProject,
    "aws": AwsSecurityProject,
}


class PrivateFirewall(Model):
    """``airs:firewall``: the on-prem firewall a private cloud sends traffic to."""

    trust_ip: IPv4
    """Trust interface address (the active member of an HA pair)."""
    trust_cidr: Cidr
    """Trust subnet: pan-cni's ``fwtrustcidr``."""
    trust_gateway_ip: IPv4
    """Next hop on the trust side for the application networks and the default route."""
    ha_peer_trust_ip: IPv4 | None = None
    """Refused when set (kept so the contract key gets a clear answer): in an active/passive
    pair the trust address moves to the active peer, so ``trustIp`` is the one address
    pan-cni and Panorama need; active/active pairs (an address per peer) are not built."""
    trust_ip_mode: Literal["static", "dhcp"] = "static"
    """``static``: ``trustIp`` set on ethernet1/1; ``dhcp``: the interface is a DHCP client."""


# --------------------------------------------------------------------------- applications


class Application(Model):
    """One application network to protect."""

    cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """Address ranges of the application network (routed through the firewalls)."""
    network: str | None = None
    """GCP VPC name/self-link, Azure VNet resource id or AWS VPC id."""
    project: str | None = None
    """GCP: project of the application VPC (default: the security project's)."""
    subnets: list[str] = []
    """Azure: subnet ids to associate with the route table; AWS: subnet ids to route."""
    endpoint_subnets: dict[str, Cidr] = {}
    """AWS: availability zone → CIDR of the GWLB endpoint subnet in this VPC."""
    protection: ProtectMode = "vpc"
    """AWS: what this VPC's GWLB endpoints serve (one endpoint cannot serve both)."""
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
    """Decrypt AI traffic (needs ``certificate``)."""
    ssl_tls_profile: PanosName = "airs-ssl-tls"
    """Name of the SSL/TLS service profile."""
    certificate: str | None = None
    """Name of the certificate on Panorama the profile uses."""


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
    monitoring_interval: Annotated[int, _ranged(30, 300)] | None = None
    """Seconds between the Kubernetes plugin's polls of every cluster (Panorama has one
    interval). Default: the interval the clusters set, else 30. A security stack of layered
    stacks sets it for the cluster stacks, whose clusters inherit it."""

    @property
    def api_address(self) -> str:
        """Where the XML API answers: ``hostname``, with ``:apiPort`` when it is not 443."""
        return self.hostname if self.api_port == 443 else f"{self.hostname}:{self.api_port}"


# --------------------------------------------------------------------------- clusters


class Cluster(Model):
    """One Kubernetes cluster whose pods are steered through the firewalls."""

    type: ClusterType
    """Cluster platform: GKE, AKS, EKS, OpenShift, Rancher or Native (must suit ``airs:cloud``)."""
    cluster_id: Annotated[int, _ranged(1, 2048)]
    """pan-cni cluster id (1–2048), unique per Panorama."""
    panorama_name: str | None = None
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
    monitoring_interval: Annotated[int, _ranged(30, 300)] | None = None
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
    restart_workloads: bool = False
    """Roll the Deployments, StatefulSets and DaemonSets of each newly protected namespace
    once, so pods created before the annotation are steered too."""
    label_filter: str | None = None
    """Kubernetes plugin label filter (or ``labelSelector``, not both)."""
    label_selector: str | None = None
    """Kubernetes plugin label selector (or ``labelFilter``, not both)."""


# --------------------------------------------------------------------------- the stack


@dataclass(frozen=True)
class StackConfig:
    """The validated ``airs:*`` configuration of one stack."""

    cloud: Cloud
    """``airs:cloud``: ``gcp``, ``azure``, ``aws`` or ``private``."""
    name: str
    """``airs:name``: the deployment prefix of every resource and Panorama object."""
    panorama: Panorama
    """``airs:panorama``."""
    security_project: SecurityProject | None
    """``airs:securityProject`` (public clouds; none on a private cloud or a cluster stack)."""
    firewall: PrivateFirewall | None
    """``airs:firewall`` (private cloud only)."""
    applications: Mapping[str, Application]
    """``airs:applications``: key → application network."""
    clusters: Mapping[str, Cluster]
    """``airs:clusters``: key → cluster."""
    panorama_api_key: SecretStr | None
    """``airs:panoramaApiKey`` (secret)."""
    panorama_password: SecretStr | None
    """``airs:panoramaPassword`` (secret; with ``airs:panorama.username``)."""
    security_stack: str | None = None
    """``airs:securityStack``: the stack that owns the security project (layered stacks).

    Set on a *cluster stack*: it then creates no security project, no application
    connection and no Panorama base configuration, and reads what its clusters need (trust
    CIDR, load balancer IP or per-zone endpoints, Panorama device group and notify group)
    from that stack's outputs through a ``pulumi.StackReference`` (see
    ``components/layered.py``). A plain stack name (``gcp-security-dev``) refers to a stack
    of this project; ``<organization>/<project>/<stack>`` to any stack of the backend.
    """

    @property
    def template(self) -> str:
        """Panorama template name."""
        return self.panorama.template or f"{self.name}-tpl"

    @property
    def template_stack(self) -> str:
        """Panorama template stack the firewalls bootstrap into."""
        return self.panorama.template_stack or f"{self.name}-stack"

    @property
    def device_group(self) -> str:
        """Panorama device group."""
        return self.panorama.device_group or f"{self.name}-dg"

    def panorama_cluster_name(self, key: str) -> str:
        """Name of cluster ``key`` in the Panorama Kubernetes plugin."""
        return self.clusters[key].panorama_name or key


# Top-level keys: name → (is an object, model or None for scalars).
OBJECT_KEYS = ("securityProject", "firewall", "applications", "panorama", "clusters")
SCALAR_KEYS = ("cloud", "name", "panoramaApiKey", "panoramaPassword", "securityStack")
KNOWN_KEYS = OBJECT_KEYS + SCALAR_KEYS
SECRET_KEYS = ("panoramaApiKey", "panoramaPassword")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}$")
MAP_KEY = re.compile(r"^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$")
# Pulumi stack (and project, organization) names: letters, digits, '-', '_' and '.'.
_STACK_PART = r"[A-Za-z0-9_.-]+"
STACK_REFERENCE = re.compile(rf"^({_STACK_PART}|{_STACK_PART}/{_STACK_PART}/{_STACK_PART})$")
# What a cluster stack may say about Panorama: where it is and how to reach it. The template,
# device group, rules and pushes are the security stack's.
CLUSTER_STACK_PANORAMA_FIELDS = frozenset(
    {"hostname", "api_port", "username", "verify_tls", "ca_bundle"}
)


M = TypeVar("M", bound=BaseModel)


def _loc_path(prefix: str, loc: Sequence[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _lookup(raw: Any, loc: Sequence[int | str]) -> Any:
    cur = raw
    for part in loc:
        if isinstance(cur, Mapping):
            if part not in cur:
                return None
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            return None
    return cur


def _allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """camelCase keys accepted by the model found at ``loc`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            if field is None:
                return []
            current = _model_in(field.annotation)
        elif isinstance(current, tuple):  # dict[str, Model] or list[Model]: skip the key
            current = current[0]
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside an annotation (``X | None``, ``dict[str, X]``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = getattr(annotation, "__args__", ())
    origin = getattr(annotation, "__origin__", None)
    for arg in args:
        inner = _model_in(arg)
        if inner is not None:
            return (inner,) if origin in (dict, list) else inner
    return None


_TYPE_RULES = {
    "missing": "is required",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "list_type": "must be a list",
}


def _validate_model(model: type[M], raw: Any, key: str, problems: list[ConfigProblem]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            # A refused map key (e.g. a namespace under `protect`) is located as
            # (..., key, "[key]"): the offending value is the key itself.
            is_map_key = len(loc) >= 2 and loc[-1] == "[key]"
            if is_map_key:
                loc = loc[:-1]
            path = _loc_path(key, loc)
            etype = err["type"]
            value = loc[-1] if is_map_key else _lookup(raw, loc)
            if etype == "missing":
                shown = MISSING
            elif _is_secret_field(model, loc):
                shown = SECRET_SHOWN
            else:
                shown = show(value)
            if etype == "extra_forbidden":
                allowed = _allowed_keys(model, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
                rule = "unknown key" + (f" (did you mean `{close[0]}`?)" if close else "")
                # A mistyped secret field (`authkey`, `kubeConfig`) still holds the secret.
                if close and _is_secret_field(model, (*loc[:-1], close[0])):
                    shown = SECRET_SHOWN
            elif etype == "literal_error":
                expected = err.get("ctx", {}).get("expected", "")
                rule = f"must be one of {expected}"
            elif etype in ("too_short",):
                rule = "must not be empty"
            elif etype in _TYPE_RULES:
                rule = _TYPE_RULES[etype]
            else:
                rule = str(err["msg"]).removeprefix("Value error, ")
            problems.append(ConfigProblem(path, shown, rule))
        return None


def _is_secret_field(model: type[BaseModel], loc: Sequence[int | str]) -> bool:
    current: Any = model
    for part in loc:
        if isinstance(current, tuple):
            current = current[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return False
        if "SecretStr" in repr(field.annotation):
            return True
        current = _model_in(field.annotation)
    return False


def _decode_object(key: str, value: Any, problems: list[ConfigProblem]) -> Any:
    """Pulumi hands structured config to programs as JSON text."""
    if isinstance(value, str):
        if value.strip() == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            problems.append(ConfigProblem(key, show(value), "must be a mapping of keys to values"))
            return None
    return value


def parse_stack_config(raw: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Validate raw ``airs:*`` values (keys without the namespace) into a :class:`StackConfig`.

    ``secret_keys`` names the top-level keys (without namespace) that Pulumi holds as secrets;
    every secret field must sit under one of them.

    Raises:
        ConfigError: with every problem found, one per line.
    """
    problems: list[ConfigProblem] = []
    for key in raw:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f" (did you mean `airs:{close[0]}`?)" if close else ""
            # A mistyped secret key still holds a secret (even one set in plaintext by
            # mistake): never echo it. Objects arrive as JSON text; redact inside them.
            if key in secret_keys or (close and close[0] in SECRET_KEYS):
                shown = SECRET_SHOWN
            else:
                shown = show(_redact(_json_or_text(raw[key])))
            problems.append(ConfigProblem(key, shown, f"unknown key{hint}"))
    values: dict[str, Any] = {k: raw.get(k) for k in KNOWN_KEYS}
    for key in OBJECT_KEYS:
        values[key] = _decode_object(key, values[key], problems)
        if values[key] == {}:  # Pulumi.yaml declares `{}` defaults for optional objects
            values[key] = None
    for key in SCALAR_KEYS:
        if values[key] == "":
            values[key] = None

    cloud = values["cloud"]
    if cloud not in ("gcp", "azure", "aws", "private"):
        problems.append(
            ConfigProblem("cloud", show(cloud), "must be one of gcp, azure, aws, private")
        )
        cloud = None
    name = values["name"]
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(
            ConfigProblem(
                "name",
                show(name),
                "must be 1–19 characters: lowercase letters, digits and hyphens, "
                "starting with a letter",
            )
        )
        name = None
    security_stack = _security_stack(values, problems)
    layered = values["securityStack"] is not None

    security_project: Any = None
    if cloud in PUBLIC_CLOUDS:
        if values["securityProject"] is None:
            if not layered:
                problems.append(
                    ConfigProblem(
                        "securityProject",
                        MISSING,
                        f"is required when airs:cloud is {cloud} (or set airs:securityStack "
                        "to use the security project of another stack)",
                    )
                )
        elif layered:
            problems.append(
                ConfigProblem(
                    "securityProject",
                    show(_redact(values["securityProject"])),
                    f"must not be set with airs:securityStack ({show(values['securityStack'])}): "
                    "that stack owns the security project",
                )
            )
        else:
            security_project = _validate_model(
                SECURITY_PROJECT_MODELS[cloud],
                values["securityProject"],
                "securityProject",
                problems,
            )
        if values["firewall"] is not None:
            problems.append(
                ConfigProblem(
                    "firewall", show(values["firewall"]), "is only for airs:cloud private"
                )
            )
    firewall: PrivateFirewall | None = None
    if cloud == "private":
        if values["firewall"] is None:
            if not layered:
                problems.append(
                    ConfigProblem(
                        "firewall",
                        MISSING,
                        "is required when airs:cloud is private (or set airs:securityStack to "
                        "use the firewall of another stack)",
                    )
                )
        elif layered:
            problems.append(
                ConfigProblem(
                    "firewall",
                    show(values["firewall"]),
                    f"must not be set with airs:securityStack ({show(values['securityStack'])}): "
                    "that stack owns the firewall's configuration",
                )
            )
        else:
            firewall = _validate_model(PrivateFirewall, values["firewall"], "firewall", problems)
        if values["securityProject"] is not None:
            problems.append(
                ConfigProblem(
                    "securityProject",
                    show(_redact(values["securityProject"])),
                    "is only for airs:cloud gcp, azure or aws (private clouds use airs:firewall)",
                )
            )

    panorama: Panorama | None = None
    if values["panorama"] is None:
        problems.append(ConfigProblem("panorama", MISSING, "is required"))
    else:
        panorama = _validate_model(Panorama, values["panorama"], "panorama", problems)

    applications = _validate_map(Application, values["applications"], "applications", problems)
    clusters = _validate_map(Cluster, values["clusters"], "clusters", problems)
    if layered:
        _layered_problems(values, panorama, problems)

    api_key = _secret_scalar(values, "panoramaApiKey", secret_keys, problems)
    password = _secret_scalar(values, "panoramaPassword", secret_keys, problems)

    if panorama is not None:
        # A credential given in plaintext is reported as such, not as missing.
        if values["panoramaApiKey"] is None and values["panoramaPassword"] is None:
            problems.append(
                ConfigProblem(
                    "panoramaApiKey",
                    MISSING,
                    "Panorama needs a credential: set airs:panoramaApiKey, or "
                    "airs:panoramaPassword with airs:panorama.username "
                    "(both with `pulumi config set --secret`)",
                )
            )
        if not panorama.username:
            problems.append(
                ConfigProblem(
                    "panorama.username",
                    MISSING,
                    "is required: the admin whose changes are committed (a partial commit "
                    "leaves other admins' pending changes alone)",
                )
            )

    for key, model in (("securityProject", security_project), ("clusters", clusters)):
        if model is not None and key not in secret_keys:
            for path in _secret_paths(model, key):
                problems.append(
                    ConfigProblem(
                        path,
                        "plaintext",
                        f"must be a secret: set it with `pulumi config set --secret --path "
                        f"'airs:{path}' …`",
                    )
                )

    if not problems:
        assert cloud is not None
        assert name is not None
        assert panorama is not None
        cfg = StackConfig(
            cloud=cloud,
            name=name,
            panorama=panorama,
            security_project=security_project,
            firewall=firewall,
            applications=applications or {},
            clusters=clusters or {},
            panorama_api_key=api_key,
            panorama_password=password,
            security_stack=security_stack,
        )
        problems.extend(cross_checks(cfg))
        if not problems:
            return cfg
    raise ConfigError(_without_secret_wholes(problems, secret_keys))


def _without_secret_wholes(
    problems: list[ConfigProblem], secret_keys: Collection[str]
) -> list[ConfigProblem]:
    """Mask problems that show a whole secret top-level value (a broken ``airs:clusters``
    holding kubeconfigs, say); problems about one field inside it name that field only."""
    return [
        dataclasses.replace(p, value=SECRET_SHOWN)
        if p.key in secret_keys and p.value not in (MISSING, SECRET_SHOWN)
        else p
        for p in problems
    ]


def _security_stack(values: Mapping[str, Any], problems: list[ConfigProblem]) -> str | None:
    """``airs:securityStack``, validated: a stack name or ``<organization>/<project>/<stack>``."""
    value = values["securityStack"]
    if value is None:
        return None
    if not isinstance(value, str) or not STACK_REFERENCE.match(value):
        problems.append(
            ConfigProblem(
                "securityStack",
                show(value),
                "must be a stack name (letters, digits, '-', '_' or '.', e.g. gcp-security-dev) "
                "or a fully qualified <organization>/<project>/<stack>",
            )
        )
        return None
    return value


def _layered_problems(
    values: Mapping[str, Any], panorama: Panorama | None, problems: list[ConfigProblem]
) -> None:
    """What a cluster stack (``airs:securityStack`` set) must not say, or must say."""
    reference = show(values["securityStack"])
    if values["applications"] is not None:
        problems.append(
            ConfigProblem(
                "applications",
                show(values["applications"]),
                f"must not be set with airs:securityStack ({reference}): the security stack "
                "connects the application networks (list them, with the clusters' node, pod "
                "and service ranges, in its airs:applications)",
            )
        )
    if values["clusters"] is None:
        problems.append(
            ConfigProblem(
                "clusters",
                MISSING,
                f"is required with airs:securityStack ({reference}): a cluster stack deploys "
                "clusters",
            )
        )
    if panorama is None:
        return
    for field_name in sorted(panorama.model_fields_set - CLUSTER_STACK_PANORAMA_FIELDS):
        alias = Panorama.model_fields[field_name].alias or field_name
        problems.append(
            ConfigProblem(
                f"panorama.{alias}",
                show(_lookup(values["panorama"], (alias,))),
                f"must not be set with airs:securityStack ({reference}): the security stack "
                "owns Panorama's template, device group, rules and pushes; a cluster stack "
                "sets only hostname, apiPort, username, verifyTls and caBundle",
            )
        )


def _json_or_text(value: Any) -> Any:
    """A JSON object or list given as text, decoded; anything else unchanged."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _redact(value: Any) -> Any:
    """Hide anything that might be secret before it is echoed in an error."""
    if isinstance(value, Mapping):
        return {
            k: ("[secret]" if k in ("authKey", "kubeconfig") else _redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _validate_map(
    model: type[M], raw: Any, key: str, problems: list[ConfigProblem]
) -> dict[str, M] | None:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(ConfigProblem(key, show(raw), "must be a mapping of names to settings"))
        return None
    out: dict[str, M] = {}
    ok = True
    for item_key, item in raw.items():
        item_model = _validate_model(model, item, f"{key}.{item_key}", problems)
        if item_model is None:
            ok = False
        else:
            out[str(item_key)] = item_model
    return out if ok else None


def _secret_scalar(
    values: Mapping[str, Any], key: str, secret_keys: Collection[str], problems: list[ConfigProblem]
) -> SecretStr | None:
    value = values[key]
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(ConfigProblem(key, SECRET_SHOWN, "must be a string"))
        return None
    if key not in secret_keys:
        problems.append(
            ConfigProblem(
                key,
                "plaintext",
                f"must be a secret: set it with `pulumi config set --secret airs:{key} …`",
            )
        )
        return None
    return SecretStr(value)


def _secret_paths(value: Any, path: str) -> Iterator[str]:
    """Paths of every SecretStr set inside a validated model tree."""
    if isinstance(value, SecretStr):
        yield path
    elif isinstance(value, BaseModel):
        for field_name, field in type(value).model_fields.items():
            yield from _secret_paths(
                getattr(value, field_name), f"{path}.{field.alias or field_name}"
            )
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _secret_paths(v, f"{path}.{k}")


# --------------------------------------------------------------------------- cross-key rules


def security_cidrs(cfg: StackConfig) -> list[tuple[str, str]]:
    """(key path, CIDR) of every security-side range of the stack."""
    sp = cfg.security_project
    if isinstance(sp, GcpSecurityProject):
        return [
            (f"securityProject.cidrs.{k}", getattr(sp.cidrs, k))
            for k in ("mgmt", "untrust", "trust")
        ]
    if isinstance(sp, AzureSecurityProject):
        return [("securityProject.cidrs.vnet", sp.cidrs.vnet)]
    if isinstance(sp, AwsSecurityProject):
        return [("securityProject.cidrs.vpc", sp.cidrs.vpc)]
    if cfg.firewall is not None:
        return [("firewall.trustCidr", cfg.firewall.trust_cidr)]
    return []


def azure_subnets(sp: AzureSecurityProject) -> dict[str, str]:
    """mgmt / untrust / trust subnets of the security VNet (given, or cut into quarters)."""
    given = {k: getattr(sp.cidrs, k) for k in ("mgmt", "untrust", "trust")}
    if all(given.values()):
        return {k: str(v) for k, v in given.items()}
    prefix = network.parse_cidr(sp.cidrs.vnet).prefixlen + 2
    mgmt, untrust, trust = network.split(sp.cidrs.vnet, prefix, 3)
    return {"mgmt": mgmt, "untrust": untrust, "trust": trust}


def aws_zone_subnets(sp: AwsSecurityProject) -> dict[str, AwsZoneSubnets]:
    """Per-zone mgmt / trust / gwlb (/ nat) subnets: given, or cut from the VPC as /28s."""
    if sp.cidrs.zones is not None:
        return dict(sp.cidrs.zones)
    groups = 4 if sp.nat_gateway else 3
    needed = groups * len(sp.zones)
    cuts = network.split(sp.cidrs.vpc, 28, needed)
    out: dict[str, AwsZoneSubnets] = {}
    for i, zone in enumerate(sp.zones):
        block = cuts[i * groups : (i + 1) * groups]
        out[zone] = AwsZoneSubnets.model_validate(
            {
                "mgmt": block[0],
                "trust": block[1],
                "gwlb": block[2],
                "nat": block[3] if sp.nat_gateway else None,
            }
        )
    return out


def trust_cidr(cfg: StackConfig) -> str:
    """The CIDR of the firewalls' trust side (Helm `fwtrustcidr`, Panorama routes)."""
    sp = cfg.security_project
    if isinstance(sp, GcpSecurityProject):
        return sp.cidrs.trust
    if isinstance(sp, AzureSecurityProject):
        return azure_subnets(sp)["trust"]
    if isinstance(sp, AwsSecurityProject):
        return aws_zone_subnets(sp)[sp.zones[0]].trust
    assert cfg.firewall is not None
    return cfg.firewall.trust_cidr


def ilb_ip(cfg: StackConfig) -> str | None:
    """The internal load balancer address on GCP and Azure (None elsewhere)."""
    sp = cfg.security_project
    if isinstance(sp, GcpSecurityProject | AzureSecurityProject):
        return sp.ilb_ip or network.default_ilb_ip(trust_cidr(cfg))
    return None


def cross_checks(cfg: StackConfig) -> list[ConfigProblem]:
    """Rules that span keys; run once every key parsed on its own."""
    problems: list[ConfigProblem] = []
    sp = cfg.security_project

    def add(key: str, value: Any, rule: str) -> None:
        problems.append(ConfigProblem(key, show(value), rule))

    # --- security side
    if isinstance(sp, GcpSecurityProject | AzureSecurityProject | AwsSecurityProject):
        for i, cidr in enumerate(sp.mgmt_allowed_cidrs):
            if network.parse_cidr(cidr).prefixlen == 0:
                add(
                    f"securityProject.mgmtAllowedCidrs[{i}]",
                    cidr,
                    "must not open the firewalls' management to the whole internet",
                )
        if sp.health_check_port not in network.HEALTH_CHECK_SERVICES:
            add(
                "securityProject.healthCheckPort",
                sp.health_check_port,
                "must be 443, 80 or 22: load balancer health checks are answered by the "
                "HTTPS, HTTP or SSH service of the allow-health-checks management profile",
            )
    if (
        isinstance(sp, AzureSecurityProject)
        and sp.firewall.max_replicas is not None
        and sp.firewall.max_replicas != sp.firewall.min_replicas
    ):
        add(
            "securityProject.firewall.maxReplicas",
            sp.firewall.max_replicas,
            f"must equal airs:securityProject.firewall.minReplicas ({sp.firewall.min_replicas}) "
            "on Azure: the scale set has a fixed size (autoscaling on PAN-OS metrics in "
            "Application Insights is not built yet)",
        )
    if (
        isinstance(sp, GcpSecurityProject | AwsSecurityProject)
        and sp.firewall.min_replicas > sp.firewall.max_replicas
    ):
        add(
            "securityProject.firewall.minReplicas",
            sp.firewall.min_replicas,
            "must not exceed airs:securityProject.firewall.maxReplicas "
            f"({sp.firewall.max_replicas})",
        )
    if isinstance(sp, GcpSecurityProject):
        for i, zone in enumerate(sp.zones):
            if not re.match(rf"^{re.escape(sp.region)}-[a-z]$", zone):
                add(f"securityProject.zones[{i}]", zone, f"is not a zone of region {sp.region}")
        _check_ilb(cfg, add)
    if isinstance(sp, AzureSecurityProject):
        given = [sp.cidrs.mgmt, sp.cidrs.untrust, sp.cidrs.trust]
        if any(given) and not all(given):
            add("securityProject.cidrs", "partial", "give all of mgmt, untrust and trust, or none")
        elif all(given):
            for key in ("mgmt", "untrust", "trust"):
                sub = getattr(sp.cidrs, key)
                if not network.subnet_within(sub, sp.cidrs.vnet):
                    add(
                        f"securityProject.cidrs.{key}",
                        sub,
                        f"does not fit in the VNet {sp.cidrs.vnet}",
                    )
        elif network.parse_cidr(sp.cidrs.vnet).prefixlen > 26:
            add(
                "securityProject.cidrs.vnet",
                sp.cidrs.vnet,
                "must be /26 or larger to cut three subnets",
            )
        if not problems:
            _check_ilb(cfg, add)
        if len(set(sp.zones)) != len(sp.zones):
            add("securityProject.zones", sp.zones, "lists a zone twice")
    if isinstance(sp, AwsSecurityProject):
        _aws_checks(cfg, sp, add)
    if cfg.firewall is not None:
        fw = cfg.firewall
        for key, ip in (
            ("trustIp", fw.trust_ip),
            ("trustGatewayIp", fw.trust_gateway_ip),
        ):
            if ip is not None and not network.contains(fw.trust_cidr, ip):
                add(
                    f"firewall.{key}",
                    ip,
                    f"must lie inside airs:firewall.trustCidr {fw.trust_cidr}",
                )
        if fw.ha_peer_trust_ip is not None:
            add(
                "firewall.haPeerTrustIp",
                fw.ha_peer_trust_ip,
                "is not supported: an active/passive pair shares airs:firewall.trustIp (the "
                "address moves to the active peer); active/active pairs are not built yet",
            )
        if fw.trust_ip == fw.trust_gateway_ip:
            add("firewall.trustIp", fw.trust_ip, "must differ from airs:firewall.trustGatewayIp")

    # --- overlaps: security ranges, applications, pods and services must be disjoint
    ranges: list[tuple[str, str]] = []
    if isinstance(sp, AzureSecurityProject) and all(
        [sp.cidrs.mgmt, sp.cidrs.untrust, sp.cidrs.trust]
    ):
        ranges += [(f"securityProject.cidrs.{k}", v) for k, v in azure_subnets(sp).items()]
    else:
        ranges += security_cidrs(cfg)
    app_of: dict[str, str] = {}
    for app_key, app in cfg.applications.items():
        for i, c in enumerate(app.cidrs):
            key = f"applications.{app_key}.cidrs[{i}]"
            ranges.append((key, c))
            app_of[key] = app_key
    pod_owner: dict[str, str | None] = {}
    for c_key, cluster in cfg.clusters.items():
        pod_key = f"clusters.{c_key}.podCidr"
        ranges.append((pod_key, cluster.pod_cidr))
        ranges.append((f"clusters.{c_key}.serviceCidr", cluster.service_cidr))
        pod_owner[pod_key] = cluster.application
    for key_a, cidr_a, key_b, cidr_b in network.overlapping_pairs(ranges):
        # EKS and AKS (Azure CNI) give pods addresses from their own VPC/VNet: a pod range
        # inside its own application network is how those clusters work, not a clash.
        if (
            key_b in pod_owner
            and app_of.get(key_a) == pod_owner[key_b]
            and network.subnet_within(cidr_b, cidr_a)
        ):
            continue
        add(key_b, cidr_b, f"overlaps airs:{key_a} ({cidr_a})")

    decryption = cfg.panorama.decryption
    if decryption.enabled and not decryption.certificate:
        add(
            "panorama.decryption.certificate",
            None,
            "is required when decryption is enabled (the forward-trust certificate's name)",
        )

    # --- applications
    for section, keys in (("applications", cfg.applications), ("clusters", cfg.clusters)):
        for key in keys:
            if not MAP_KEY.match(key):
                add(
                    f"{section}.{key}",
                    key,
                    "names must be 1–30 lowercase letters, digits or hyphens "
                    "(they become cloud resource names)",
                )
    for app_key, app in cfg.applications.items():
        if cfg.cloud in PUBLIC_CLOUDS and not app.network:
            add(f"applications.{app_key}.network", None, f"is required on {cfg.cloud}")
        if cfg.cloud == "aws":
            if not app.endpoint_subnets:
                add(
                    f"applications.{app_key}.endpointSubnets",
                    None,
                    "is required on aws: one GWLB endpoint subnet per availability zone",
                )
            for zone, cidr in app.endpoint_subnets.items():
                if isinstance(sp, AwsSecurityProject) and zone not in sp.zones:
                    add(
                        f"applications.{app_key}.endpointSubnets.{zone}",
                        zone,
                        f"is not one of airs:securityProject.zones {sp.zones}",
                    )
                if not any(network.subnet_within(cidr, c) for c in app.cidrs):
                    add(
                        f"applications.{app_key}.endpointSubnets.{zone}",
                        cidr,
                        "must lie inside one of the application's cidrs",
                    )

    if cfg.cloud == "azure":
        _azure_application_checks(cfg, add)

    # --- clusters
    allowed_types = CLUSTER_TYPES_BY_CLOUD[cfg.cloud]
    seen_ids: dict[int, str] = {}
    seen_names: dict[str, str] = {}
    # Clusters that do not set an interval inherit the stack's (see monitoring_interval()).
    pano_interval = cfg.panorama.monitoring_interval
    intervals = {
        c.monitoring_interval for c in cfg.clusters.values() if c.monitoring_interval is not None
    }
    for c_key, cluster in cfg.clusters.items():
        base = f"clusters.{c_key}"
        if cluster.type not in allowed_types:
            add(
                f"{base}.type",
                cluster.type,
                f"airs:cloud {cfg.cloud} supports cluster types {', '.join(allowed_types)}",
            )
        if cluster.cluster_id in seen_ids:
            add(
                f"{base}.clusterId",
                cluster.cluster_id,
                f"must be unique (airs:clusters.{seen_ids[cluster.cluster_id]} uses it too)",
            )
        seen_ids.setdefault(cluster.cluster_id, c_key)
        pname = cfg.panorama_cluster_name(c_key)
        pkey = f"{base}.panoramaName"
        if len(pname) > 20:
            add(pkey, pname, "must be at most 20 characters (Panorama tags pods with it)")
        if pname in seen_names:
            add(pkey, pname, f"must be unique (airs:clusters.{seen_names[pname]} uses it too)")
        seen_names.setdefault(pname, c_key)
        if cluster.type == "GKE" and cluster.autopilot:
            add(
                f"{base}.autopilot",
                True,
                "GKE Autopilot is not supported: Helm cannot write to kube-system there, so "
                "pan-cni cannot be installed (use a GKE Standard cluster)",
            )
        if cluster.kubeconfig is None and not cluster.context:
            add(f"{base}.kubeconfig", None, "give a kubeconfig (secret) or a context")
        # A cluster stack's applications are its security stack's (checked against its outputs).
        if (
            cluster.application is not None
            and cluster.application not in cfg.applications
            and cfg.security_stack is None
        ):
            add(
                f"{base}.application",
                cluster.application,
                f"is not a key of airs:applications ({', '.join(cfg.applications) or 'none'})",
            )
        if cluster.type == "AKS":
            if cluster.network_plugin != "azure":
                add(
                    f"{base}.networkPlugin",
                    cluster.network_plugin,
                    "AKS must use Azure CNI (`azure`): pan-cni needs pods on the VNet",
                )
            if cluster.byo_vnet is not True:
                add(
                    f"{base}.byoVnet",
                    cluster.byo_vnet,
                    'AKS must use its own VNet ("bring your own virtual network") '
                    "so it can be peered",
                )
        if cluster.type == "EKS":
            cluster_app = cfg.applications.get(cluster.application or "")
            if not cluster.zones:
                add(f"{base}.zones", None, "EKS needs the availability zones of its nodes")
            for i, zone in enumerate(cluster.zones):
                if cluster_app is not None and zone not in cluster_app.endpoint_subnets:
                    add(
                        f"{base}.zones[{i}]",
                        zone,
                        f"has no GWLB endpoint: add it to airs:applications.{cluster.application}"
                        ".endpointSubnets",
                    )
            if cluster_app is None and cluster.application is None:
                add(f"{base}.application", None, "EKS clusters must name their application VPC")
            if (
                cluster_app is not None
                and "namespace" in cluster.protect.values()
                and cluster_app.protection == "vpc"
            ):
                add(
                    f"{base}.protect",
                    cluster.protect,
                    f"one GWLB endpoint cannot serve both VPC-level and namespace-level protection "
                    f"in a zone: airs:applications.{cluster.application}.protection is vpc",
                )
        explicit = cluster.monitoring_interval is not None
        if explicit and pano_interval is not None and cluster.monitoring_interval != pano_interval:
            add(
                f"{base}.monitoringInterval",
                cluster.monitoring_interval,
                f"must equal airs:panorama.monitoringInterval ({pano_interval}) "
                "(Panorama's Kubernetes plugin has one interval)",
            )
        elif explicit and pano_interval is None and len(intervals) > 1:
            add(
                f"{base}.monitoringInterval",
                cluster.monitoring_interval,
                "must be the same for every cluster "
                "(Panorama's Kubernetes plugin has one interval)",
            )
    return problems


def monitoring_interval(cfg: StackConfig) -> int:
    """The Kubernetes plugin's one monitoring interval for this stack, in seconds.

    ``airs:panorama.monitoringInterval`` if set, else the interval the clusters set
    (validation makes them agree), else 30 s.
    """
    if cfg.panorama.monitoring_interval is not None:
        return cfg.panorama.monitoring_interval
    explicit = [
        c.monitoring_interval for c in cfg.clusters.values() if c.monitoring_interval is not None
    ]
    return min(explicit, default=DEFAULT_MONITORING_INTERVAL)


def _check_ilb(cfg: StackConfig, add: Callable[[str, Any, str], None]) -> None:
    sp = cfg.security_project
    assert isinstance(sp, GcpSecurityProject | AzureSecurityProject)
    if sp.ilb_ip is None:
        return
    trust = trust_cidr(cfg)
    net = network.parse_cidr(trust)
    ip = ipaddress.IPv4Address(sp.ilb_ip)
    if ip not in net:
        add("securityProject.ilbIp", sp.ilb_ip, f"must lie inside the trust subnet {trust}")
    elif ip in (net.network_address, net.network_address + 1, net.broadcast_address):
        add("securityProject.ilbIp", sp.ilb_ip, f"is reserved in the trust subnet {trust}")


def _azure_application_checks(cfg: StackConfig, add: Callable[[str, Any, str], None]) -> None:
    """Application VNet ids, their subnets, and one application per VNet."""
    # The security VNet's peering to an application is named `<name>-to-<VNet name>`, so
    # two applications whose VNets share a name (even in other resource groups) collide.
    seen_names: dict[str, str] = {}
    for app_key, app in cfg.applications.items():
        base = f"applications.{app_key}"
        vnet = AZURE_VNET_ID.match(app.network.rstrip("/")) if app.network else None
        if app.network and vnet is None:
            add(
                f"{base}.network",
                app.network,
                "must be an Azure VNet resource id: /subscriptions/<subscription id>"
                "/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>",
            )
        if vnet is not None:
            name = vnet["vnet"].lower()
            if name in seen_names:
                other = seen_names[name]
                same = (cfg.applications[other].network or "").rstrip("/").lower()
                add(
                    f"{base}.network",
                    app.network,
                    f"must be unique (airs:applications.{other} uses it too)"
                    if same == vnet.group(0).lower()
                    else f"VNet name {vnet['vnet']} is also the name of airs:applications.{other}"
                    "'s VNet: the security VNet's peerings are named after the VNets, so "
                    "their names must be unique",
                )
            seen_names.setdefault(name, app_key)
        listed: set[str] = set()
        for i, subnet in enumerate(app.subnets):
            key = f"{base}.subnets[{i}]"
            found = AZURE_SUBNET_ID.match(subnet.rstrip("/"))
            if found is None:
                add(
                    key,
                    subnet,
                    "must be an Azure subnet resource id: <VNet resource id>/subnets/<name>",
                )
            elif vnet is not None and found["vnet_id"].lower() != vnet.group(0).lower():
                add(key, subnet, f"is not a subnet of airs:{base}.network")
            elif subnet.rstrip("/").lower() in listed:
                add(key, subnet, "is listed twice")
            listed.add(subnet.rstrip("/").lower())


def _aws_checks(
    cfg: StackConfig, sp: AwsSecurityProject, add: Callable[[str, Any, str], None]
) -> None:
    seen: set[str] = set()
    for i, zone in enumerate(sp.zones):
        if not re.match(rf"^{re.escape(sp.region)}[a-z]$", zone):
            add(f"securityProject.zones[{i}]", zone, f"is not a zone of region {sp.region}")
        if zone in seen:
            add(f"securityProject.zones[{i}]", zone, "is given twice")
        seen.add(zone)
    if sp.cidrs.zones is not None:
        missing = [z for z in sp.zones if z not in sp.cidrs.zones]
        if missing:
            add(
                "securityProject.cidrs.zones",
                sorted(sp.cidrs.zones),
                f"has fewer subnets than zones: none for {', '.join(missing)}",
            )
        zone_ranges: list[tuple[str, str]] = []
        for zone, subnets in sp.cidrs.zones.items():
            if zone not in sp.zones:
                add(
                    f"securityProject.cidrs.zones.{zone}",
                    zone,
                    f"is not one of airs:securityProject.zones {sp.zones}",
                )
            for group in ("mgmt", "trust", "gwlb", "nat"):
                cidr = getattr(subnets, group)
                if cidr is None:
                    continue
                zone_ranges.append((f"securityProject.cidrs.zones.{zone}.{group}", cidr))
                if not network.subnet_within(cidr, sp.cidrs.vpc):
                    add(
                        f"securityProject.cidrs.zones.{zone}.{group}",
                        cidr,
                        f"lies outside the VPC {sp.cidrs.vpc}",
                    )
            # Each zone's NAT gateway lives in that zone's nat subnet; without one the
            # program would fail half-way, after the VPC is registered.
            if sp.nat_gateway and subnets.nat is None and zone in sp.zones:
                add(
                    f"securityProject.cidrs.zones.{zone}.nat",
                    None,
                    "is required in every zone when airs:securityProject.natGateway is true",
                )
            elif not sp.nat_gateway and subnets.nat is not None:
                add(
                    f"securityProject.cidrs.zones.{zone}.nat",
                    subnets.nat,
                    "is unused: airs:securityProject.natGateway is false",
                )
        for key_a, cidr_a, key_b, cidr_b in network.overlapping_pairs(zone_ranges):
            add(key_b, cidr_b, f"overlaps airs:{key_a} ({cidr_a})")
    else:
        groups = 4 if sp.nat_gateway else 3
        prefix = network.parse_cidr(sp.cidrs.vpc).prefixlen
        if prefix > 28 or 2 ** (28 - prefix) < groups * len(sp.zones):
            add(
                "securityProject.cidrs.vpc",
                sp.cidrs.vpc,
                f"is too small for {groups} /28 subnets in each of {len(sp.zones)} zones",
            )


# --------------------------------------------------------------------------- Pulumi reading


def _read_pulumi_config() -> tuple[dict[str, Any], set[str]]:
    """Every ``airs:*`` value Pulumi hands the program, and which of them are secret."""
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    raw: dict[str, Any] = {}
    secret: set[str] = set()
    env_secret = set(runtime_config.get_config_secret_keys_env())
    for full_key in sorted(keys):
        ns, _, key = full_key.partition(":")
        if ns != NAMESPACE or not key:
            continue
        raw[key] = runtime_config.get_config(full_key)
        if runtime_config.is_config_secret(full_key) or full_key in env_secret:
            secret.add(key)
    return raw, secret


def load_stack_config() -> StackConfig:
    """Read and validate this stack's ``airs:*`` configuration from the Pulumi engine.

    Raises:
        ConfigError: with every problem found; nothing has been registered yet.
    """
    raw, secret = _read_pulumi_config()
    return parse_stack_config(raw, secret)


def secret_output(value: SecretStr) -> Any:
    """A secret value as a Pulumi secret Output (never a plain string in state)."""
    import pulumi

    return pulumi.Output.secret(value.get_secret_value())
