"""Restart the workloads of a newly protected namespace (optional, off by default).

pan-cni only steers pods created after their namespace is annotated; the vendor page says to
restart existing pods. ``WorkloadRestart`` is one Pulumi resource per protected namespace:
creating it (the namespace became protected) performs a rolling restart of every Deployment,
StatefulSet and DaemonSet there, exactly as ``kubectl rollout restart`` does (a pod-template
annotation). Later runs change nothing, so workloads are restarted once, not on every ``up``.

It speaks to the Kubernetes API directly from the kubeconfig (token, client certificate or
``exec`` credential plugins such as ``aws eks get-token`` and ``gke-gcloud-auth-plugin``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.dynamic

from components.dynamic_providers import unwrap_sdk_pickler

RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
# Multus reads the networks to attach from the pod only (not from its namespace).
MULTUS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
WORKLOAD_KINDS = ("deployments", "statefulsets", "daemonsets")


class KubeApiError(Exception):
    """The Kubernetes API refused a call or could not be reached."""


@dataclass
class KubeApi:
    """Just enough of a Kubernetes API client: JSON GET and strategic-merge PATCH."""

    server: str
    headers: dict[str, str] = field(default_factory=dict)
    context: ssl.SSLContext | None = None
    timeout: float = 30.0

    @classmethod
    @contextlib.contextmanager
    def from_kubeconfig(cls, kubeconfig: str, context: str | None = None) -> Iterator[KubeApi]:
        """A client for ``context`` (default: the current context) of a kubeconfig."""
        import yaml

        doc = yaml.safe_load(kubeconfig) or {}
        name = context or doc.get("current-context")
        ctx = _named(doc.get("contexts"), name, "context")
        cluster = _named(doc.get("clusters"), ctx.get("cluster"), "cluster")
        user = _named(doc.get("users"), ctx.get("user"), "user") if ctx.get("user") else {}
        server = str(cluster["server"]).rstrip("/")
        headers: dict[str, str] = {}
        with tempfile.TemporaryDirectory(prefix="airs-kube-") as tmp:
            ssl_context: ssl.SSLContext | None = None
            if server.startswith("https://"):
                ssl_context = ssl.create_default_context()
                if cluster.get("insecure-skip-tls-verify"):
                    ssl_context.check_hostname = False
                    ssl_context.verify_mode = ssl.CERT_NONE
                elif cluster.get("certificate-authority-data"):
                    ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
                    ssl_context.load_verify_locations(cadata=ca)
                elif cluster.get("certificate-authority"):
                    ssl_context.load_verify_locations(cafile=cluster["certificate-authority"])
                if user.get("client-certificate-data") and user.get("client-key-data"):
                    cert = os.path.join(tmp, "client.crt")
                    key = os.path.join(tmp, "client.key")
                    for path, data in (
                        (cert, user["client-certificate-data"]),
                        (key, user["client-key-data"]),
                    ):
                        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
                        with os.fdopen(fd, "wb") as fh:
                            fh.write(base64.b64decode(data))
                    ssl_context.load_cert_chain(cert, key)
            token = user.get("token") or _exec_token(user.get("exec"))
            if token:
                headers["Authorization"] = f"Bearer {token}"
            yield cls(server=server, headers=headers, context=ssl_context)

    def request(self, method: str, path: str, body: Any = None, content_type: str = "") -> Any:
        """One API call; returns the decoded JSON body."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", **self.headers}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(  # noqa: S310 - the server comes from the kubeconfig
            self.server + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self.context) as resp:  # noqa: S310
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise KubeApiError(f"{method} {path}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise KubeApiError(f"{method} {path}: {exc}") from None


def _named(items: Any, name: Any, what: str) -> dict[str, Any]:
    for item in items or []:
        if item.get("name") == name:
            return dict(item.get(what) or {})
    raise KubeApiError(f"kubeconfig has no {what} named {name!r}")


def _exec_token(spec: Any) -> str | None:
    """Run a client-go credential plugin (``users[].user.exec``) and return its token."""
    if not spec:
        return None
    env = {**os.environ, **{e["name"]: e["value"] for e in spec.get("env") or []}}
    argv = [spec["command"], *(spec.get("args") or [])]
    # Errors name the command only: its arguments and env may carry credentials
    # (e.g. `kubelogin get-token --client-secret …`), and subprocess errors quote them.
    try:
        out = subprocess.run(  # noqa: S603 - the command is the kubeconfig's own plugin
            argv, capture_output=True, text=True, env=env, timeout=60, check=True
        )
    except subprocess.CalledProcessError as exc:
        lines = [line.strip() for line in (exc.stderr or "").splitlines() if line.strip()]
        said = f": {lines[-1][:300]}" if lines else ""
        why = f"exit status {exc.returncode}{said}"
    except subprocess.TimeoutExpired:
        why = "no answer within 60 s"
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
    else:
        status = json.loads(out.stdout).get("status") or {}
        token = status.get("token")
        return str(token) if token else None
    raise KubeApiError(f"credential plugin {spec['command']} failed: {why}")


def _default_kubeconfig() -> str:
    """The kubeconfig kubectl would use (``$KUBECONFIG``'s first file, else ~/.kube/config)."""
    path = (os.environ.get("KUBECONFIG") or "").split(os.pathsep)[0]
    path = path or os.path.join(os.path.expanduser("~"), ".kube", "config")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def with_network(existing: str | None, network: str) -> str:
    """A Multus ``networks`` annotation that also names ``network`` (list or JSON form)."""
    text = (existing or "").strip()
    if not text:
        return network
    if text.startswith("["):
        entries = json.loads(text)
        if not any((e.get("name") if isinstance(e, dict) else e) == network for e in entries):
            entries.append({"name": network})
        return json.dumps(entries, separators=(",", ":"))
    names = [n.strip() for n in text.split(",") if n.strip()]
    return text if network in names else ",".join([*names, network])


def restart_namespace(
    api: KubeApi, namespace: str, stamp: str, pod_annotations: dict[str, str] | None = None
) -> list[str]:
    """Rolling-restart every Deployment, StatefulSet and DaemonSet in ``namespace``.

    ``pod_annotations`` are added to each pod template in the same patch (a Multus network is
    merged with the networks the template already names).

    Returns ``kind/name`` of every workload restarted.
    """
    restarted: list[str] = []
    for kind in WORKLOAD_KINDS:
        listing = api.request("GET", f"/apis/apps/v1/namespaces/{namespace}/{kind}")
        for item in listing.get("items") or []:
            name = item["metadata"]["name"]
            current = (
                item.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations")
                or {}
            )
            annotations = {RESTART_ANNOTATION: stamp}
            for key, value in (pod_annotations or {}).items():
                annotations[key] = (
                    with_network(current.get(key), value) if key == MULTUS_ANNOTATION else value
                )
            patch = {"spec": {"template": {"metadata": {"annotations": annotations}}}}
            api.request(
                "PATCH",
                f"/apis/apps/v1/namespaces/{namespace}/{kind}/{name}",
                patch,
                "application/strategic-merge-patch+json",
            )
            restarted.append(f"{kind}/{name}")
    return restarted


class WorkloadRestartProvider(pulumi.dynamic.ResourceProvider):
    """Dynamic provider: restart once when a namespace becomes protected."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        """Restart the namespace's workloads."""
        namespace = str(props["namespace"])
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        kubeconfig = props.get("kubeconfig") or _default_kubeconfig()
        with KubeApi.from_kubeconfig(str(kubeconfig), props.get("context")) as api:
            restarted = restart_namespace(api, namespace, stamp, props.get("podAnnotations"))
        # The kubeconfig is not echoed into outputs: state keeps it only as a secret input.
        return pulumi.dynamic.CreateResult(
            id_=namespace,
            outs={
                "namespace": namespace,
                # Kept in state: diff compares the next run's annotations with these.
                "podAnnotations": dict(props.get("podAnnotations") or {}),
                "restarted": restarted,
                "restartedAt": stamp,
            },
        )

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        """Another namespace or other pod annotations mean another restart; credentials may
        rotate freely."""
        moved = olds.get("namespace") != news.get("namespace")
        retagged = (olds.get("podAnnotations") or {}) != (news.get("podAnnotations") or {})
        return pulumi.dynamic.DiffResult(
            changes=moved or retagged,
            replaces=["namespace"] if moved else [],
            delete_before_replace=False,
        )

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        """New pod annotations: patch (and so roll) the workloads again."""
        return pulumi.dynamic.UpdateResult(outs=self.create(news).outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: unprotecting a namespace does not restart anything."""


class WorkloadRestart(pulumi.dynamic.Resource, module="cluster", name="WorkloadRestart"):
    """A one-time rolling restart of a newly protected namespace's workloads."""

    namespace: pulumi.Output[str]
    restarted: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        namespace: str,
        kubeconfig: pulumi.Input[str],
        context: str | None = None,
        pod_annotations: dict[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Register the restart.

        Args:
            name: logical name.
            namespace: the namespace whose workloads restart.
            kubeconfig: the cluster's kubeconfig (a secret).
            context: kubeconfig context; default the current one.
            pod_annotations: annotations every pod template gets (OpenShift: the Multus
                network, which Multus reads from pods only).
            opts: resource options.
        """
        props = {
            "namespace": namespace,
            "podAnnotations": dict(pod_annotations or {}),
            "kubeconfig": pulumi.Output.secret(kubeconfig),
            "context": context,
            "restarted": None,
            "restartedAt": None,
        }
        unwrap_sdk_pickler()
        super().__init__(WorkloadRestartProvider(), name, props, opts)
