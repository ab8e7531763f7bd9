"""Realistic PanoramaInputs for each cloud (shared by tests and the benchmark)."""

from __future__ import annotations

from components.panorama.profiles import (
    PUBLIC_LB_ADDRESS,
    ClusterEntry,
    Decryption,
    InboundNat,
    PanoramaInputs,
)

GCP_HC = ("35.191.0.0/16", "130.211.0.0/22")
AZURE_PROBE = ("168.63.129.16/32",)


def gcp() -> PanoramaInputs:
    return PanoramaInputs(
        cloud="gcp",
        name="airs-gcp",
        template="airs-gcp-tpl",
        template_stack="airs-gcp-stack",
        device_group="airs-gcp-dg",
        ai_security_profile_group="airs-ai-group",
        ai_security_profile="airs-ai-security",
        trust_cidr="10.10.2.0/24",
        trust_gateway="10.10.2.1",
        untrust_gateway="10.10.1.1",
        ilb_ip="10.10.2.253",
        trust_ip=None,
        app_cidrs={"app-vpc": ("10.20.0.0/16",)},
        clusters=(
            ClusterEntry(
                name="gke-airs",
                api_server="https://34.1.2.3",
                cluster_type="GKE",
                pod_cidr="10.40.0.0/14",
                service_cidr="10.44.0.0/20",
            ),
        ),
        monitoring_interval=60,
        health_check_ranges=GCP_HC,
        cloud_monitoring_interval=1,
        decryption=Decryption(
            certificate="airs-forward-trust", untrust_certificate="airs-forward-untrust"
        ),
    )


def azure() -> PanoramaInputs:
    # VNet 10.110.0.0/24 split: mgmt .0/26, untrust .64/26, trust .128/26.
    return PanoramaInputs(
        cloud="azure",
        name="airs-az",
        template="airs-az-tpl",
        template_stack="airs-az-stack",
        device_group="airs-az-dg",
        ai_security_profile_group="airs-ai-group",
        ai_security_profile="airs-ai-security",
        trust_cidr="10.110.0.128/26",
        trust_gateway="10.110.0.129",
        untrust_gateway="10.110.0.65",
        ilb_ip="10.110.0.189",
        trust_ip=None,
        app_cidrs={"app-vnet": ("10.112.0.0/16",), "ml-vnet": ("10.113.0.0/20", "10.113.16.0/20")},
        clusters=(
            ClusterEntry(
                name="aks-airs",
                api_server="aks-airs-dns.hcp.eastus.azmk8s.io:443",
                cluster_type="AKS",
                pod_cidr="10.244.0.0/16",
                service_cidr="172.16.0.0/24",
                label_filter="app",
            ),
        ),
        monitoring_interval=30,
        health_check_ranges=AZURE_PROBE,
        inbound_nat=(
            InboundNat(
                name="inbound-web",
                destination=PUBLIC_LB_ADDRESS,
                translated_address="10.112.0.10",
                service="service-http",
                translated_port=80,
            ),
        ),
    )


def aws() -> PanoramaInputs:
    return PanoramaInputs(
        cloud="aws",
        name="airs-aws",
        template="airs-aws-tpl",
        template_stack="airs-aws-stack",
        device_group="airs-aws-dg",
        ai_security_profile_group="airs-ai-group",
        ai_security_profile="airs-ai-security",
        trust_cidr="10.100.1.0/24",
        trust_gateway="10.100.1.1",
        untrust_gateway=None,
        ilb_ip=None,
        trust_ip=None,
        app_cidrs={"app-vpc": ("10.104.0.0/16",)},
        clusters=(
            ClusterEntry(
                name="eks-airs",
                api_server="https://ABCDEF0123.gr7.us-east-1.eks.amazonaws.com",
                cluster_type="EKS",
                pod_cidr="10.104.0.0/16",
                service_cidr="172.20.0.0/16",
            ),
        ),
        cloudwatch_namespace="airs-aws-airs",
        monitoring_interval=120,
        # GWLB health checks come from the load balancer's subnets.
        health_check_ranges=("10.100.0.32/28", "10.100.0.96/28"),
    )


def private() -> PanoramaInputs:
    return PanoramaInputs(
        cloud="private",
        name="airs-dc",
        template="airs-dc-tpl",
        template_stack="airs-dc-stack",
        device_group="airs-dc-dg",
        ai_security_profile_group="airs-ai-group",
        ai_security_profile="airs-ai-security",
        trust_cidr="192.0.2.0/24",
        trust_gateway="192.0.2.1",
        untrust_gateway=None,
        ilb_ip=None,
        trust_ip="192.0.2.253/24",
        app_cidrs={"apps": ("198.51.100.0/24",)},
        clusters=(
            ClusterEntry(
                name="ocp-airs",
                api_server="api.ocp.example.internal:6443",
                cluster_type="OpenShift",
                pod_cidr="10.128.0.0/14",
                service_cidr="172.30.0.0/16",
            ),
            ClusterEntry(
                name="rancher-airs",
                api_server="rancher.example.internal",
                cluster_type="Rancher",
                pod_cidr="10.42.0.0/16",
                service_cidr="10.43.0.0/16",
            ),
        ),
        monitoring_interval=300,
        health_check_ranges=(),
    )


ALL = {"gcp": gcp, "azure": azure, "aws": aws, "private": private}
