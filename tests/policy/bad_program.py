"""A deliberately bad deployment, built at resource level.

Stack config validation refuses most of these mistakes before any resource exists, so this
program registers the bad resources directly (real SDK classes, under the mock engine) to
prove that each guardrail catches its mistake in what the engine would see.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.panorama.component import PanoramaCommit, PanoramaObject
from components.panorama.provider import PanoramaCommitProvider, PanoramaObjectProvider

PANORAMA = "203.0.113.10"
ZONE_XPATH = (
    "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='bad-tpl']"
    "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']/zone"
)


def _zone(name: str) -> dict[str, object]:
    return {
        "hostname": PANORAMA,
        "kind": "zone",
        "name": name,
        "xpath": f"{ZONE_XPATH}/entry[@name='{name}']",
        "element": f'<entry name="{name}"><network><layer3/></network></entry>',
        "mode": "replace",
        "fields": {"network": ""},
        "managed": True,
        "late": {},
    }


def bad_program() -> None:
    """One mistake per guardrail; ``BAD`` maps each guardrail to the resources it must flag."""
    network = "https://www.googleapis.com/compute/v1/projects/bad/global/networks"
    gcp.compute.Firewall(
        "bad-security-allow-mgmt",
        name="bad-allow-mgmt-ingress",
        network=f"{network}/bad-fw-mgmt-vpc",
        direction="INGRESS",
        source_ranges=["0.0.0.0/0"],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=["22", "443"])],
    )
    gcp.compute.Firewall(
        "bad-security-allow-untrust",
        name="bad-allow-untrust-ingress",
        network=f"{network}/bad-fw-untrust-vpc",
        direction="INGRESS",
        source_ranges=["0.0.0.0/1", "128.0.0.0/1"],  # the internet, in two halves
        allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
    )
    gcp.compute.Firewall(
        "bad-security-allow-trust",
        name="bad-allow-trust-ingress",
        network=f"{network}/bad-fw-trust-vpc",
        direction="INGRESS",
        source_ranges=["10.20.0.0/16", "35.191.0.0/16"],  # 130.211.0.0/22 forgotten
        allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
    )
    gcp.compute.InstanceTemplate(
        "bad-security-fw-template",
        machine_type="n2-standard-4",
        disks=[gcp.compute.InstanceTemplateDiskArgs(source_image="img", boot=True)],
        network_interfaces=[
            gcp.compute.InstanceTemplateNetworkInterfaceArgs(network=f"{network}/bad-untrust")
        ],
        metadata={"panorama-server": PANORAMA, "vm-auth-key": "plain-auth-key"},
    )
    plain_kubeconfig = k8s.Provider("bad-a-k8s", kubeconfig="apiVersion: v1\nkind: Config\n")
    secret_kubeconfig = k8s.Provider(
        "bad-b-k8s", kubeconfig=pulumi.Output.secret("apiVersion: v1\nkind: Config\n")
    )
    k8s.helm.v3.Release(
        "bad-a-pan-cni",
        name="ai-runtime-security",
        chart="helm",
        namespace="default",
        values={"clusterid": 7, "platform": "gke"},
        opts=pulumi.ResourceOptions(provider=plain_kubeconfig),
    )
    k8s.helm.v3.Release(
        "bad-b-pan-cni",
        name="ai-runtime-security",
        chart="helm",
        namespace="kube-system",
        values={"clusterid": 7, "platform": "gke"},
        opts=pulumi.ResourceOptions(provider=secret_kubeconfig),
    )
    committed = PanoramaObject(PanoramaObjectProvider(), "bad-panorama-zone-trust", _zone("trust"))
    PanoramaObject(PanoramaObjectProvider(), "bad-panorama-zone-untrust", _zone("untrust"))
    PanoramaCommit(
        PanoramaCommitProvider(),
        "bad-panorama-commit",
        {
            "hostname": PANORAMA,
            "template_stack": "bad-stack",
            "device_group": "bad-dg",
            "push": True,
            "description": "bad",
            "objects": [],
            "late": {},
        },
        pulumi.ResourceOptions(depends_on=[committed]),
    )


# Guardrail → logical names of the resources it must flag (and no others).
BAD: dict[str, set[str]] = {
    "mgmt-not-open-to-internet": {"bad-security-allow-mgmt"},
    "untrust-not-open-to-internet": {"bad-security-allow-untrust"},
    "trust-admits-health-checks": {"bad-security-allow-trust"},
    "sensitive-values-are-secret": {"bad-security-fw-template", "bad-a-k8s"},
    "helm-release-in-kube-system": {"bad-a-pan-cni"},
    "cluster-identity-unique": {"bad-a-pan-cni", "bad-b-pan-cni"},
    "panorama-objects-committed": {"bad-panorama-zone-untrust"},
}
