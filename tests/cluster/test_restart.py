"""WorkloadRestart against a local fake Kubernetes API server."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from components.cluster.restart import (
    RESTART_ANNOTATION,
    KubeApiError,
    WorkloadRestartProvider,
)
from tests.helpers import ROOT, by_type, plan_example, settings_from

# Pod-template annotations the fake cluster's workloads already carry.
ANNOTATED = {"api": {"k8s.v1.cni.cncf.io/networks": "sriov-net"}}
WORKLOADS = {
    "deployments": ["web", "api"],
    "statefulsets": ["db"],
    "daemonsets": [],
}


class FakeApi:
    def __init__(self) -> None:
        self.patches: list[tuple[str, str, dict[str, Any]]] = []
        self.auth: list[str | None] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                api.auth.append(self.headers.get("Authorization"))
                if self.headers.get("Authorization") != "Bearer good-token":
                    self._send(401, {"message": "Unauthorized"})
                    return
                parts = self.path.strip("/").split("/")
                kind = parts[-1]
                items = [
                    {
                        "metadata": {"name": n},
                        "spec": {"template": {"metadata": {"annotations": a}}},
                    }
                    for n, a in ((n, ANNOTATED.get(n, {})) for n in WORKLOADS.get(kind, []))
                ]
                self._send(200, {"items": items})

            def do_PATCH(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                api.patches.append((self.path, self.headers.get("Content-Type", ""), body))
                self._send(200, {})

        return Handler

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()
    api.thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()


def _kubeconfig(server: str, user: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "c",
            "clusters": [{"name": "k", "cluster": {"server": server}}],
            "users": [{"name": "u", "user": user}],
            "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
        }
    )


def test_restarts_every_workload_with_token(fake_api: FakeApi) -> None:
    kubeconfig = _kubeconfig(fake_api.url, {"token": "good-token"})
    result = WorkloadRestartProvider().create({"namespace": "ai-apps", "kubeconfig": kubeconfig})
    assert result.id == "ai-apps"
    assert result.outs["restarted"] == ["deployments/web", "deployments/api", "statefulsets/db"]
    assert "kubeconfig" not in result.outs
    paths = [p for p, _, _ in fake_api.patches]
    assert paths == [
        "/apis/apps/v1/namespaces/ai-apps/deployments/web",
        "/apis/apps/v1/namespaces/ai-apps/deployments/api",
        "/apis/apps/v1/namespaces/ai-apps/statefulsets/db",
    ]
    for _, content_type, body in fake_api.patches:
        assert content_type == "application/strategic-merge-patch+json"
        stamp = body["spec"]["template"]["metadata"]["annotations"][RESTART_ANNOTATION]
        assert stamp == result.outs["restartedAt"]


def test_exec_credential_plugin(fake_api: FakeApi) -> None:
    plugin = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": sys.executable,
        "args": ["-c", 'import json; print(json.dumps({"status": {"token": "good-token"}}))'],
    }
    kubeconfig = _kubeconfig(fake_api.url, {"exec": plugin})
    result = WorkloadRestartProvider().create({"namespace": "ns1", "kubeconfig": kubeconfig})
    assert len(result.outs["restarted"]) == 3
    assert fake_api.auth[0] == "Bearer good-token"


def test_refused_credentials_name_the_call(fake_api: FakeApi) -> None:
    kubeconfig = _kubeconfig(fake_api.url, {"token": "bad"})
    with pytest.raises(
        KubeApiError, match=r"GET /apis/apps/v1/namespaces/ns1/deployments: HTTP 401"
    ):
        WorkloadRestartProvider().create({"namespace": "ns1", "kubeconfig": kubeconfig})
    assert fake_api.patches == []


def test_restart_only_when_namespace_changes() -> None:
    provider = WorkloadRestartProvider()
    same = provider.diff(
        "ns", {"namespace": "a", "kubeconfig": "x"}, {"namespace": "a", "kubeconfig": "y"}
    )
    assert same.changes is False
    other = provider.diff("ns", {"namespace": "a"}, {"namespace": "b"})
    assert other.changes is True
    assert other.replaces == ["namespace"]


def test_provider_survives_sdk_serialisation(fake_api: FakeApi) -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    blob = serialize_provider(WorkloadRestartProvider())
    kubeconfig = _kubeconfig(fake_api.url, {"token": "good-token"})
    code = (
        "import base64, dill, json, sys\n"
        "provider = dill.loads(base64.b64decode(sys.argv[1]))\n"
        "res = provider.create({'namespace': 'fresh', 'kubeconfig': sys.argv[2]})\n"
        "print(json.dumps(res.outs['restarted']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, blob, kubeconfig],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == ["deployments/web", "deployments/api", "statefulsets/db"]
    assert base64.b64decode(blob)  # a real pickle, not empty


def test_on_by_default_with_an_opt_out_and_multus_on_openshift_pods() -> None:
    """Issue 15, defect 5: restart as the vendor page says; OpenShift pods get the network."""
    from components.cli.engine import run_program
    from tests.helpers import example_values, is_secret

    run = plan_example("openshift-prod")
    restarts = by_type(run, "pulumi-python:dynamic/cluster:WorkloadRestart")
    assert sorted(r.inputs["namespace"] for r in restarts) == ["ai-apps", "ai-gateway", "inference"]
    assert all(is_secret(r.inputs["kubeconfig"]) for r in restarts)
    assert all(
        r.inputs["podAnnotations"] == {"k8s.v1.cni.cncf.io/networks": "pan-cni"} for r in restarts
    )
    rancher = plan_example("rancher-dev")
    assert all(
        r.inputs["podAnnotations"] == {}
        for r in by_type(rancher, "pulumi-python:dynamic/cluster:WorkloadRestart")
    )
    values, secret = example_values("rancher-dev")
    for cluster in values["clusters"].values():
        cluster["restartWorkloads"] = False
    run = run_program(settings_from(values, secret))
    assert by_type(run, "pulumi-python:dynamic/cluster:WorkloadRestart") == []
    # OpenShift cannot opt out of the pod patch: it is what attaches pan-cni.
    values, secret = example_values("openshift-prod")
    values["clusters"]["apps"]["restartWorkloads"] = False
    run = run_program(settings_from(values, secret))
    assert len(by_type(run, "pulumi-python:dynamic/cluster:WorkloadRestart")) == 3


def test_openshift_pod_templates_get_the_multus_network(fake_api: FakeApi) -> None:
    """Multus reads ``networks`` from pods: each template gets pan-cni next to its own."""
    kubeconfig = _kubeconfig(fake_api.url, {"token": "good-token"})
    result = WorkloadRestartProvider().create(
        {
            "namespace": "ai-apps",
            "kubeconfig": kubeconfig,
            "podAnnotations": {"k8s.v1.cni.cncf.io/networks": "pan-cni"},
        }
    )
    networks = {
        path.rsplit("/", 1)[-1]: body["spec"]["template"]["metadata"]["annotations"][
            "k8s.v1.cni.cncf.io/networks"
        ]
        for path, _, body in fake_api.patches
    }
    assert networks == {"web": "pan-cni", "api": "sriov-net,pan-cni", "db": "pan-cni"}
    assert result.outs["podAnnotations"] == {"k8s.v1.cni.cncf.io/networks": "pan-cni"}


def test_multus_network_merge() -> None:
    from components.cluster.restart import with_network

    assert with_network(None, "pan-cni") == "pan-cni"
    assert with_network("a, pan-cni", "pan-cni") == "a, pan-cni"
    assert with_network('[{"name":"a"}]', "pan-cni") == '[{"name":"a"},{"name":"pan-cni"}]'
    assert with_network('[{"name":"pan-cni"}]', "pan-cni") == '[{"name":"pan-cni"}]'


def test_new_pod_annotations_restart_again_and_the_same_do_not() -> None:
    provider = WorkloadRestartProvider()
    net = {"k8s.v1.cni.cncf.io/networks": "pan-cni"}
    stored = {"namespace": "a", "podAnnotations": net}
    assert provider.diff("ns", stored, {"namespace": "a", "podAnnotations": net}).changes is False
    changed = provider.diff("ns", {"namespace": "a", "podAnnotations": {}}, stored)
    assert changed.changes is True
    assert changed.replaces == []
