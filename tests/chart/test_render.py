"""The chart rendered by Helm's engine: objects and key fields for every platform."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.cluster import chart
from tests.chart.conftest import (
    ENDPOINT_SETS,
    THREE_ZONES,
    find,
    one,
    render,
    values_for,
)

NS = "kube-system"
CASES = [(p, e) for p in chart.PLATFORMS for e in ENDPOINT_SETS]
BIN_DIR = {"gke": "/home/kubernetes/bin", "openshift": "/var/lib/cni/bin"}
NET_DIR = {"openshift": "/etc/cni/multus/net.d"}
CLOUD = {"gke": "gke", "eks": "eks", "aks": "aks"}
CORE_OBJECTS = {
    ("CustomResourceDefinition", "portinfos.paloaltonetworks.com"),
    ("CustomResourceDefinition", "subnetinfos.paloaltonetworks.com"),
    ("ServiceAccount", "pan-cni-sa"),
    ("ConfigMap", "pan-cni-config"),
    ("ClusterRole", "pan-cni-crole"),
    ("ClusterRoleBinding", "pan-cni-crb-kube-system"),
    ("Service", "pan-ngfw-svc"),
    ("EndpointSlice", "pan-ngfw-svc-endpoints"),
    ("DaemonSet", "pan-cni"),
}
PLUGIN_OBJECTS = {
    ("ServiceAccount", "pan-plugin-user"),
    ("ClusterRole", "pan-plugin-crole"),
    ("ClusterRoleBinding", "pan-plugin-crb"),
    ("Secret", "pan-plugin-user-secret"),
    ("Secret", "pan-plugin-cluster-mode-secret"),
}

OPENSHIFT_OBJECTS = {
    ("NetworkAttachmentDefinition", "pan-cni"),
    ("Role", "pan-cni-scc"),
    ("RoleBinding", "pan-cni-scc"),
}


def kinds_and_names(docs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(d["kind"], d["metadata"]["name"]) for d in docs}


def cni_config(docs: list[dict[str, Any]]) -> dict[str, Any]:
    cm = one(docs, "ConfigMap", "pan-cni-config")
    assert set(cm["data"]) == {"cni_network_config"}
    config: dict[str, Any] = json.loads(cm["data"]["cni_network_config"])
    return config


def container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    ds = one(docs, "DaemonSet", "pan-cni")
    (c,) = ds["spec"]["template"]["spec"]["containers"]
    return dict(c)


@pytest.mark.parametrize(("platform", "endpoints"), CASES)
def test_objects(rendered, platform, endpoints):
    docs = rendered[(platform, endpoints)]
    expected = CORE_OBJECTS | PLUGIN_OBJECTS
    if platform == "openshift":
        expected |= OPENSHIFT_OBJECTS
    assert kinds_and_names(docs) == expected
    namespaced = [d for d in docs if d["kind"] not in {"ClusterRole", "ClusterRoleBinding"}]
    for doc in namespaced:
        if doc["kind"] in {"CustomResourceDefinition", "NetworkAttachmentDefinition"}:
            continue
        assert doc["metadata"]["namespace"] == NS, doc["metadata"]["name"]
    for doc in docs:
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/instance"] == chart.RELEASE_NAME
        assert labels["app.kubernetes.io/managed-by"] == "Helm"


@pytest.mark.parametrize(("platform", "endpoints"), CASES)
def test_service_has_no_selector_and_udp_6080(rendered, platform, endpoints):
    svc = one(rendered[(platform, endpoints)], "Service", "pan-ngfw-svc")
    assert "selector" not in svc["spec"]
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ports"] == [{"protocol": "UDP", "port": 6080, "targetPort": 6080}]
    assert svc["metadata"]["labels"]["app"] == "pan-ngfw-svc"
    annotations = svc["metadata"].get("annotations") or {}
    if endpoints == "three-zones":
        assert annotations == {"service.kubernetes.io/topology-mode": "Auto"}
    else:
        assert annotations == {}


@pytest.mark.parametrize(("platform", "endpoints"), CASES)
def test_endpoint_slice(rendered, platform, endpoints):
    eps = one(rendered[(platform, endpoints)], "EndpointSlice", "pan-ngfw-svc-endpoints")
    assert eps["apiVersion"] == "discovery.k8s.io/v1"
    assert eps["metadata"]["labels"]["kubernetes.io/service-name"] == "pan-ngfw-svc"
    assert eps["addressType"] == "IPv4"
    assert eps["ports"] == [{"name": "", "protocol": "UDP", "port": 6080}]
    if endpoints == "one":
        assert eps["endpoints"] == [{"addresses": ["10.0.2.10"], "conditions": {"ready": True}}]
    else:
        assert eps["endpoints"] == [
            {
                "addresses": [ep.ip],
                "conditions": {"ready": True},
                "zone": ep.zone,
                "hints": {"forZones": [{"name": ep.zone}]},
            }
            for ep in THREE_ZONES
        ]


def test_mixed_zoned_and_unzoned_endpoints():
    docs = render(
        values_for("eks", [chart.Endpoint("10.0.1.10", "us-east-1a"), chart.Endpoint("10.0.9.9")])
    )
    first, second = one(docs, "EndpointSlice", "pan-ngfw-svc-endpoints")["endpoints"]
    assert first["zone"] == "us-east-1a"
    assert "zone" not in second
    assert "hints" not in second


@pytest.mark.parametrize(("platform", "endpoints"), CASES)
def test_cni_config_json(rendered, platform, endpoints):
    config = cni_config(rendered[(platform, endpoints)])
    assert config["type"] == config["name"] == "pan-cni"
    assert config["mode"] == "service"
    assert config["dpservicename"] == "pan-ngfw-svc"
    assert config["dpservicenamespace"] == NS
    assert config["traffic_object_id"] == "7"
    assert config["fwtrustcidr"] == "10.0.2.0/24"
    assert config["firewall"] == ["pan-fw"]
    assert config["appinfo_dir"] == "/var/log/pan-appinfo"
    assert config["kubernetes"] == {
        "kubeconfig": "__KUBECONFIG_FILEPATH__",
        "cni_bin_dir": BIN_DIR.get(platform, "/opt/cni/bin"),
        "exclude_namespaces": [],
        "security_namespaces": [NS],
    }
    if platform in CLOUD:
        assert config["cloud"] == CLOUD[platform]
        assert "cloudcni" not in config
    elif platform == "openshift":
        assert config["cloudcni"] == "openshiftsdn"
        assert "cloud" not in config
    else:
        assert "cloud" not in config
        assert "cloudcni" not in config


def test_cni_config_is_valid_json_for_awkward_values():
    docs = render(values_for("native", fw_trust_cidr="", cluster_id=2048))
    config = cni_config(docs)
    assert config["fwtrustcidr"] == ""
    assert config["traffic_object_id"] == "2048"


@pytest.mark.parametrize(("platform", "endpoints"), CASES)
def test_daemonset(rendered, platform, endpoints):
    docs = rendered[(platform, endpoints)]
    ds = one(docs, "DaemonSet", "pan-cni")
    assert ds["spec"]["selector"] == {"matchLabels": {"k8s-app": "pan-cni"}}
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1},
    }
    pod = ds["spec"]["template"]
    assert pod["metadata"]["labels"] == {
        "k8s-app": "pan-cni",
        "app.kubernetes.io/name": "pan-cni",
        "app.kubernetes.io/instance": chart.RELEASE_NAME,
        "app.kubernetes.io/part-of": "prisma-airs",
    }
    assert pod["metadata"]["annotations"]["paloaltonetworks.com/app"] == "pan-cni"
    spec = pod["spec"]
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["hostNetwork"] is True
    assert spec["priorityClassName"] == "system-node-critical"
    assert spec["serviceAccountName"] == "pan-cni-sa"
    assert spec["terminationGracePeriodSeconds"] == 5
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert {"effect": "NoSchedule", "operator": "Exists"} in spec["tolerations"]
    assert {"effect": "NoExecute", "operator": "Exists"} in spec["tolerations"]
    assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in spec["tolerations"]

    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["cni-bin-dir"]["hostPath"] == {"path": BIN_DIR.get(platform, "/opt/cni/bin")}
    assert volumes["cni-net-dir"]["hostPath"] == {"path": NET_DIR.get(platform, "/etc/cni/net.d")}
    assert volumes["appinfo"]["hostPath"] == {
        "path": "/var/log/pan-appinfo",
        "type": "DirectoryOrCreate",
    }
    assert "emptyDir" in volumes["tmp"]

    c = container(docs)
    assert c["name"] == "install-pan-cni"
    assert c["image"] == chart.default_image()
    assert not c["image"].endswith(":latest")
    assert c["imagePullPolicy"] == "Always"
    assert c["command"] == ["/install-pan-cni.sh", "main"]
    assert c["lifecycle"]["preStop"]["exec"]["command"] == ["/install-pan-cni.sh", "cleanup"]
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    assert mounts == {
        "cni-bin-dir": "/host/opt/cni/bin",
        "cni-net-dir": "/host/etc/cni/net.d",
        "appinfo": "/host/appinfo",
        "tmp": "/tmp",
    }
    assert set(c["resources"]) == {"requests", "limits"}
    assert set(c["resources"]["limits"]) == {"cpu", "memory"}
    sc = c["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["privileged"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]

    env = {e["name"]: e for e in c["env"]}
    assert env["CNI_NETWORK_CONFIG"]["valueFrom"] == {
        "configMapKeyRef": {"name": "pan-cni-config", "key": "cni_network_config"}
    }
    assert env["MY_POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
    assert env["MY_POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    openshift_env = {
        "CNI_CONF_NAME": "pan-cni.conf",
        "CNI_NET_DIR": "/etc/cni/multus/net.d",
        "CHAINED_CNI_PLUGIN": "false",
    }
    plain = {name: e["value"] for name, e in env.items() if "value" in e}
    assert plain == (openshift_env if platform == "openshift" else {})


def test_cni_conf_name_pins_the_primary_conflist():
    values = {**values_for("eks"), "cniConfName": "10-aws.conflist"}
    env = {e["name"]: e.get("value") for e in container(render(values))["env"]}
    assert env["CNI_CONF_NAME"] == "10-aws.conflist"
    # OpenShift always writes its own standalone pan-cni.conf.
    values = {**values_for("openshift"), "cniConfName": "10-ovn.conflist"}
    env = {e["name"]: e.get("value") for e in container(render(values))["env"]}
    assert env["CNI_CONF_NAME"] == "pan-cni.conf"


def test_config_change_rolls_the_daemonset():
    """The pod template carries a hash of pan-cni's ConfigMap: a change to the CNI config
    (the cluster id is in it) changes the hash, so the pods roll; a change elsewhere (the
    image) leaves it; a fresh Helm run of the same values gives the same hash."""

    def daemonset(docs: list[dict[str, Any]]) -> dict[str, Any]:
        return one(docs, "DaemonSet", "pan-cni")

    def checksum(docs: list[dict[str, Any]]) -> str:
        return str(
            daemonset(docs)["spec"]["template"]["metadata"]["annotations"]["checksum/cni-config"]
        )

    base = render(values_for("gke", cluster_id=1))
    assert re.fullmatch(r"[0-9a-f]{64}", checksum(base))
    other_cluster = render(values_for("gke", cluster_id=2))
    assert one(other_cluster, "ConfigMap", "pan-cni-config") != one(
        base, "ConfigMap", "pan-cni-config"
    )
    assert checksum(other_cluster) != checksum(base)
    image = "registry.example.com/airs/pan-cni@sha256:" + "b" * 64
    other_image = render(values_for("gke", cluster_id=1, image=image))
    assert container(other_image)["image"] == image != container(base)["image"]
    assert checksum(other_image) == checksum(base)
    fresh = chart.render_chart(values_for("gke", cluster_id=1))  # not the memoised render
    assert checksum(fresh) == checksum(base)


def test_custom_image():
    image = "registry.example.com/airs/pan-cni@sha256:" + "a" * 64
    assert container(render(values_for("aks", image=image)))["image"] == image


def test_openshift_may_use_the_privileged_scc(rendered):
    docs = rendered[("openshift", "one")]
    role = one(docs, "Role", "pan-cni-scc")
    assert role["metadata"]["namespace"] == NS
    assert role["rules"] == [
        {
            "apiGroups": ["security.openshift.io"],
            "resources": ["securitycontextconstraints"],
            "resourceNames": ["privileged"],
            "verbs": ["use"],
        }
    ]
    binding = one(docs, "RoleBinding", "pan-cni-scc")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "pan-cni-scc",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "pan-cni-sa", "namespace": NS}
    ]
    for platform in chart.PLATFORMS:
        if platform != "openshift":
            assert find(rendered[(platform, "one")], "Role") == []


def test_cni_rbac(rendered):
    docs = rendered[("native", "one")]
    role = one(docs, "ClusterRole", "pan-cni-crole")
    assert {"apiGroups": [""], "resources": ["pods"], "verbs": ["update"]} in role["rules"]
    assert {
        "apiGroups": ["paloaltonetworks.com"],
        "resources": ["portinfos", "subnetinfos"],
        "verbs": ["get", "list"],
    } in role["rules"]
    binding = one(docs, "ClusterRoleBinding", "pan-cni-crb-kube-system")
    assert binding["roleRef"]["name"] == "pan-cni-crole"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "pan-cni-sa", "namespace": NS}
    ]


@pytest.mark.parametrize(
    ("platform", "kind", "plural", "field"),
    [
        ("eks", "PortInfo", "portinfos", "portinfo"),
        ("rancher", "SubnetInfo", "subnetinfos", "subnetinfo"),
    ],
)
def test_string_crds(rendered, platform, kind, plural, field):
    """PortInfo and SubnetInfo: namespaced, v1, one required string, kept on uninstall."""
    crd = one(
        rendered[(platform, "one")], "CustomResourceDefinition", f"{plural}.paloaltonetworks.com"
    )
    assert crd["spec"]["group"] == "paloaltonetworks.com"
    assert crd["spec"]["scope"] == "Namespaced"
    assert crd["spec"]["names"]["kind"] == kind
    assert crd["spec"]["names"]["plural"] == plural
    (version,) = crd["spec"]["versions"]
    assert version["name"] == "v1"
    assert version["served"]
    assert version["storage"]
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert spec["required"] == [field]
    assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_plugin_service_account_by_default(rendered):
    docs = rendered[("gke", "one")]
    sa = one(docs, "ServiceAccount", "pan-plugin-user")
    assert sa["automountServiceAccountToken"] is False
    token = one(docs, "Secret", "pan-plugin-user-secret")
    assert token["type"] == "kubernetes.io/service-account-token"
    assert (
        token["metadata"]["annotations"]["kubernetes.io/service-account.name"] == "pan-plugin-user"
    )
    mode = one(docs, "Secret", "pan-plugin-cluster-mode-secret")
    assert mode["type"] == "Opaque"
    assert mode["stringData"] == {"CLUSTER_MODE": "K8S_SERVICE"}
    role = one(docs, "ClusterRole", "pan-plugin-crole")
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["endpoints", "nodes", "pods", "services", "secrets"],
            "verbs": ["list"],
        },
        {"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["watch"]},
    ]
    binding = one(docs, "ClusterRoleBinding", "pan-plugin-crb")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "pan-plugin-user", "namespace": NS}
    ]


@pytest.mark.parametrize("platform", chart.PLATFORMS)
def test_plugin_service_account_can_be_disabled(platform):
    docs = render(values_for(platform, plugin_service_account=False))
    assert not kinds_and_names(docs) & PLUGIN_OBJECTS
    assert kinds_and_names(docs) >= CORE_OBJECTS


def test_network_attachment_definitions_per_namespace_on_openshift(rendered):
    nads = find(rendered[("openshift", "one")], "NetworkAttachmentDefinition")
    assert [(n["metadata"]["name"], n["metadata"]["namespace"]) for n in nads] == [
        ("pan-cni", "app-a"),
        ("pan-cni", "app-b"),
    ]
    for nad in nads:
        assert nad["apiVersion"] == "k8s.cni.cncf.io/v1"
        assert "spec" not in nad


def test_no_network_attachment_definitions_without_namespaces():
    docs = render(values_for("openshift", nad_namespaces=[]))
    assert find(docs, "NetworkAttachmentDefinition") == []


@pytest.mark.parametrize("platform", [p for p in chart.PLATFORMS if p != "openshift"])
def test_no_network_attachment_definitions_elsewhere(rendered, platform):
    assert find(rendered[(platform, "one")], "NetworkAttachmentDefinition") == []


def test_other_namespace():
    docs = render(values_for("rancher", namespace="pan-system"))
    assert (
        one(docs, "ClusterRoleBinding", "pan-cni-crb-pan-system")["subjects"][0]["namespace"]
        == "pan-system"
    )
    config = cni_config(docs)
    assert config["dpservicenamespace"] == "pan-system"
    assert config["kubernetes"]["security_namespaces"] == ["pan-system"]
    for doc in docs:
        if doc["kind"] not in {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}:
            assert doc["metadata"]["namespace"] == "pan-system"


def test_stable_order(rendered):
    docs = chart.render_chart(values_for("openshift"))
    assert docs == chart.render_chart(values_for("openshift"))
    kinds = [d["kind"] for d in docs]
    assert kinds[0] == "CustomResourceDefinition"
    assert kinds.index("ServiceAccount") < kinds.index("Secret") < kinds.index("DaemonSet")
    assert kinds[-1] == "NetworkAttachmentDefinition"


def test_chart_values_mapping():
    values = chart.chart_values(
        platform="eks",
        endpoints=[chart.Endpoint("10.0.1.10", "us-east-1a"), chart.Endpoint("10.0.2.10")],
        cluster_id=12,
        fw_trust_cidr="10.0.2.0/24",
        nad_namespaces=("x",),
    )
    assert values == {
        "platform": "eks",
        "endpoints": [{"ip": "10.0.1.10", "zone": "us-east-1a"}, {"ip": "10.0.2.10"}],
        "cniimage": "gcr.io/pan-cn-series/airs/pan-cni:4.0.3",
        "fwtrustcidr": "10.0.2.0/24",
        "namespace": "kube-system",
        "clusterid": 12,
        "nadNamespaces": ["x"],
        "pluginServiceAccount": True,
    }
    json.dumps(values)  # plain data, as a Pulumi Release takes it


def test_chart_metadata_and_constants():
    meta = yaml.safe_load((chart.CHART_DIR / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2"
    assert meta["name"] == chart.CHART_NAME == "ai-runtime-security"
    assert meta["appVersion"] == "11.2.2"
    assert chart.RELEASE_NAME == "ai-runtime-security"
    assert chart.RELEASE_NAMESPACE == "kube-system"
    assert Path(__file__).resolve().parents[2] / "helm" == chart.CHART_DIR


def test_default_values_yaml_renders():
    """`helm install ... --values helm/values.yaml` as the vendor documents it."""
    defaults = yaml.safe_load((chart.CHART_DIR / "values.yaml").read_text())
    docs = chart.render_chart(defaults)
    assert kinds_and_names(docs) == CORE_OBJECTS | PLUGIN_OBJECTS
    assert defaults["cniimage"].rsplit(":", 1)[1] != "latest"
    assert defaults["platform"] == "native"


def test_cli_writes_every_platform(tmp_path):
    assert chart.main(["--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"{p}.yaml" for p in chart.PLATFORMS)
    docs = [d for d in yaml.safe_load_all((tmp_path / "eks.yaml").read_text()) if d]
    assert len(one(docs, "EndpointSlice", "pan-ngfw-svc-endpoints")["endpoints"]) == 2
