"""The stack files ``airs init`` writes: one commented template per target, example secrets.

Every template holds each key its target requires, with example values that pass ``airs
validate`` as written (documentation address ranges, example ids) and a comment ``EXAMPLE``
on each one to replace. A line ``@secret <key path>`` stands for a secret: ``airs init``
writes it encrypted (with ``PULUMI_CONFIG_PASSPHRASE``) or as a comment saying how to set
it. The example stacks in ``stacks/`` hold secrets the same way (``scripts/example_secrets.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from string import Template
from typing import Any

SECRET_LINE = re.compile(r"^(?P<indent>\s*)@secret (?P<path>\S+)$", re.MULTILINE)

_HEADER = """\
# Stack $stack: Prisma AIRS network intercept, $what.
# Written by `airs init`.
# Each value marked EXAMPLE is a stand-in that passes `airs validate` as written
# (documentation address ranges, example ids): replace it with yours before `pulumi up`,
# in this file or with `airs config set` / `pulumi config set`.
# Keys and rules: README.md, "Configuration: the airs:* contract".
config:
  # Each cloud and Kubernetes resource uses the provider built from this file, never an
  # ambient default account.
  pulumi:disable-default-providers: [gcp, aws, azure-native, kubernetes]
"""

_PANORAMA = """\
  airs:panorama:
    hostname: 203.0.113.10         # EXAMPLE: Panorama's address, as `pulumi up` reaches it
    username: airs-automation      # EXAMPLE: the admin the API key belongs to
  @secret airs:panoramaApiKey
"""

# Every target's one example cluster opens and ends the same way.
_CLUSTERS = """\
  airs:clusters:
    apps:                               # EXAMPLE: one entry per cluster
"""
_CLUSTER_END = """\
      @secret airs:clusters.apps.kubeconfig
      protect:
        ai-apps: vpc                    # EXAMPLE: namespace to protect: vpc or namespace
"""

_GCP = (
    """\
  airs:cloud: gcp
  airs:name: $name   # prefix of every resource name (a-z, 0-9, -; at most 19)
  airs:securityProject:
    project: example-security-project   # EXAMPLE: the GCP project of the firewalls
    region: us-east1                    # EXAMPLE
    zones: [us-east1-b, us-east1-c]     # EXAMPLE: zones of that region
    cidrs:                              # EXAMPLE: three unused ranges
      mgmt: 10.10.0.0/24
      untrust: 10.10.1.0/24
      trust: 10.10.2.0/24
    mgmtAllowedCidrs: [198.51.100.0/24] # EXAMPLE: who may reach the firewalls' management
    healthCheckPort: 443
    firewall:
      image: ai-runtime-security-byol-1125h1
      machineType: n2-standard-4
      minReplicas: 1
      maxReplicas: 2
      bootstrap:
        panoramaLicensing: true         # Panorama's Software Firewall License plugin licenses
        panoramaServer: 203.0.113.10    # EXAMPLE: Panorama, as the firewalls reach it
        @secret airs:securityProject.firewall.bootstrap.authKey
  airs:applications:
    app-vpc:                            # EXAMPLE: one entry per application network
      network: example-app-vpc          # EXAMPLE: the application VPC
      cidrs: [10.20.0.0/16]             # EXAMPLE: its ranges
"""
    + _PANORAMA
    + _CLUSTERS
    + """\
      type: GKE
      panoramaName: gke-example         # EXAMPLE: at most 20 characters, unique
      clusterId: 1                      # EXAMPLE: 1-2048, unique in Panorama
      apiServer: https://198.51.100.20  # EXAMPLE
      application: app-vpc
      nodeCidr: 10.20.0.0/20            # EXAMPLE
      podCidr: 10.40.0.0/14             # EXAMPLE
      serviceCidr: 10.44.0.0/20         # EXAMPLE
"""
    + _CLUSTER_END
)

_AZURE_SUB = "00000000-0000-4000-8000-000000000001"
_AZURE_VNET = (
    f"/subscriptions/{_AZURE_SUB}/resourceGroups/rg-apps-example/providers/"
    "Microsoft.Network/virtualNetworks/vnet-apps-example"
)

_AZURE = (
    f"""\
  airs:cloud: azure
  airs:name: $name   # prefix of every resource name (a-z, 0-9, -; at most 19)
  airs:securityProject:
    subscriptionId: {_AZURE_SUB}   # EXAMPLE
    location: eastus2                   # EXAMPLE
    resourceGroup:
      name: rg-airs-example             # EXAMPLE
      create: true
    zones: ["1", "2"]
    cidrs:
      vnet: 10.50.0.0/24                # EXAMPLE: an unused range
    mgmtAllowedCidrs: [198.51.100.0/24] # EXAMPLE: who may reach the firewalls' management
    healthCheckPort: 443
    firewall:
      mode: vmss
      vmSize: Standard_D3_v2
      minReplicas: 1
      maxReplicas: 1
      # EXAMPLE: your SSH public key
      sshPublicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForDocumentation airs@example
      bootstrap:
        panoramaLicensing: true         # Panorama's Software Firewall License plugin licenses
        panoramaServer: 203.0.113.10    # EXAMPLE: Panorama, as the firewalls reach it
        @secret airs:securityProject.firewall.bootstrap.authKey
  airs:applications:
    app-vnet:                           # EXAMPLE: one entry per application VNet
      # EXAMPLE: the application VNet's resource id, its ranges and the subnets to route
      network: {_AZURE_VNET}
      cidrs: [10.60.0.0/16]
      subnets:
        - {_AZURE_VNET}/subnets/aks-nodes
"""
    + _PANORAMA
    + _CLUSTERS
    + """\
      type: AKS
      panoramaName: aks-example         # EXAMPLE: at most 20 characters, unique
      clusterId: 1                      # EXAMPLE: 1-2048, unique in Panorama
      apiServer: https://aks-example.hcp.eastus2.azmk8s.io   # EXAMPLE
      application: app-vnet
      networkPlugin: azure
      byoVnet: true
      podCidr: 10.60.64.0/18            # EXAMPLE
      serviceCidr: 172.16.0.0/24        # EXAMPLE
"""
    + _CLUSTER_END
)

_AWS = (
    """\
  airs:cloud: aws
  airs:name: $name   # prefix of every resource name (a-z, 0-9, -; at most 19)
  airs:securityProject:
    region: us-east-1                   # EXAMPLE
    zones: [us-east-1a, us-east-1b]     # EXAMPLE: zones of that region
    cidrs:
      vpc: 10.70.0.0/23                 # EXAMPLE: an unused range for the security VPC
    mgmtAllowedCidrs: [198.51.100.0/24] # EXAMPLE: who may reach the firewalls' management
    healthCheckPort: 443
    natGateway: true
    firewall:
      instanceType: c6in.xlarge
      minReplicas: 1
      maxReplicas: 2
      bootstrap:
        panoramaLicensing: true         # Panorama's Software Firewall License plugin licenses
        panoramaServer: 203.0.113.10    # EXAMPLE: Panorama, as the firewalls reach it
        @secret airs:securityProject.firewall.bootstrap.authKey
  airs:applications:
    app-vpc:                            # EXAMPLE: one entry per application VPC
      network: vpc-0a1b2c3d4e5f60718    # EXAMPLE: the application VPC's id
      cidrs: [10.80.0.0/16]             # EXAMPLE: its ranges
      subnets: [subnet-0a1b2c3d4e5f60719, subnet-0a1b2c3d4e5f6071a]   # EXAMPLE
      endpointSubnets:                  # EXAMPLE: an unused /28 per zone for the endpoints
        us-east-1a: 10.80.255.0/28
        us-east-1b: 10.80.255.16/28
      protection: vpc
"""
    + _PANORAMA
    + _CLUSTERS
    + """\
      type: EKS
      panoramaName: eks-example         # EXAMPLE: at most 20 characters, unique
      clusterId: 1                      # EXAMPLE: 1-2048, unique in Panorama
      # EXAMPLE: the cluster's API server
      apiServer: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com
      application: app-vpc
      zones: [us-east-1a, us-east-1b]   # EXAMPLE
      podCidr: 10.80.0.0/18             # EXAMPLE
      serviceCidr: 172.20.0.0/16        # EXAMPLE
"""
    + _CLUSTER_END
)

# Private clouds: ranges clear of each platform's default pod and service ranges.
_PRIVATE = (
    """\
  airs:cloud: private
  airs:name: $name   # prefix of every resource name (a-z, 0-9, -; at most 19)
  airs:firewall:                        # the on-prem firewall Panorama manages
    serials: ["007951000123456"]        # EXAMPLE: its serial number, quoted
    trustIp: 10.151.255.253             # EXAMPLE: its trust interface's address
    trustCidr: 10.151.255.0/24          # EXAMPLE
    trustGatewayIp: 10.151.255.1        # EXAMPLE
  airs:applications:
    dc-apps:                            # EXAMPLE: one entry per application network
      cidrs: [10.152.0.0/16]            # EXAMPLE: its ranges
"""
    + _PANORAMA
    + _CLUSTERS
    + """\
      type: $cluster_type
      panoramaName: $panorama_name# EXAMPLE: at most 20 characters, unique
      clusterId: 1                      # EXAMPLE: 1-2048, unique in Panorama
      apiServer: $api_server   # EXAMPLE
      podCidr: $pod_cidr# EXAMPLE
      serviceCidr: $service_cidr# EXAMPLE
"""
    + _CLUSTER_END
)

_PLATFORMS: dict[str, dict[str, str]] = {
    "openshift": {
        "cluster_type": "OpenShift",
        "panorama_name": "ocp-example",
        "api_server": "https://api.ocp.example.com:6443",
        "pod_cidr": "10.128.0.0/14",
        "service_cidr": "172.30.0.0/16",
    },
    "rancher": {
        "cluster_type": "Rancher",
        "panorama_name": "rke-example",
        "api_server": "https://rancher.example.com/k8s/clusters/c-m-example",
        "pod_cidr": "10.42.0.0/16",
        "service_cidr": "10.43.0.0/16",
    },
    "native": {
        "cluster_type": "Native",
        "panorama_name": "k8s-example",
        "api_server": "https://k8s.example.com:6443",
        "pod_cidr": "10.244.0.0/16",
        "service_cidr": "10.96.0.0/12",
    },
}

TARGETS: dict[str, tuple[str, str]] = {
    "gcp": ("on GCP", _GCP),
    "azure": ("on Azure", _AZURE),
    "aws": ("on AWS", _AWS),
    "openshift": ("for OpenShift behind an on-prem firewall", _PRIVATE),
    "rancher": ("for Rancher behind an on-prem firewall", _PRIVATE),
    "native": ("for native Kubernetes behind an on-prem firewall", _PRIVATE),
}
"""``airs init --cloud`` choices: (what the stack is, its template)."""


def deployment_name(stack: str) -> str:
    """An ``airs:name`` for a new stack: ``airs-<stack>`` made valid (a-z, 0-9, -; ≤ 19)."""
    name = re.sub(r"[^a-z0-9]+", "-", f"airs-{stack.lower()}")[:19].strip("-")
    return name or "airs"


def template(target: str, stack: str) -> str:
    """The stack file of ``target`` for ``stack``, secrets still as ``@secret`` lines."""
    what, body = TARGETS[target]
    fields = {"stack": stack, "what": what, "name": deployment_name(stack)}
    for key, value in _PLATFORMS.get(target, {}).items():
        # Values before a comment are padded so that the comments line up at column 40.
        column = {"panorama_name": 20, "pod_cidr": 25, "service_cidr": 21}.get(key)
        fields[key] = value.ljust(column) if column else value
    return Template(_HEADER + body).substitute(fields)


def secret_paths_of(text: str) -> list[str]:
    """The key paths of a template's ``@secret`` lines, in order."""
    return [m["path"] for m in SECRET_LINE.finditer(text)]


def example_plaintext(stack: str, path: str) -> str:
    """The throwaway value an example secret decrypts to: ``example:<stack>:<key path>``,
    obviously no credential (the example stacks' and ``airs init``'s)."""
    return f"example:{stack}:{path}"


def secure_paths(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, ciphertext) of every ``secure:`` leaf of a stack's ``config``, in order."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            yield path, str(value["secure"])
            return
        for key, sub in value.items():
            yield from secure_paths(sub, f"{path}.{key}" if path else str(key))
