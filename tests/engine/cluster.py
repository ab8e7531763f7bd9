"""A real Kubernetes control plane on loopback for the engine tier.

etcd, kube-apiserver and kube-controller-manager, built by ``scripts/engine`` from their
upstream sources, started as processes on free loopback ports. There are no nodes and no
kubelet: objects are stored, validated, defaulted and admitted exactly as on a cluster, and
the controller manager fills in what the chart relies on (service-account token Secrets,
DaemonSet status), but no pod ever runs.

The control plane gets a throwaway CA of its own: a serving certificate for 127.0.0.1, an
admin client certificate in ``system:masters`` and a service-account signing key. Every
process is stopped by :meth:`ControlPlane.stop`, also when start-up fails half-way.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

START_TIMEOUT = 120.0
# The CRD Multus brings on OpenShift; the chart's NetworkAttachmentDefinitions need it.
NAD_CRD = (
    Path(__file__).parents[1] / "chart" / "fixtures" / "network-attachment-definition-crd.yaml"
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pem_key(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _certificate(
    subject: x509.Name,
    key: Any,
    issuer: x509.Name,
    issuer_key: Any,
    *,
    ca: bool = False,
    sans: list[x509.GeneralName] | None = None,
    client: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        usage = (
            x509.ExtendedKeyUsageOID.CLIENT_AUTH if client else x509.ExtendedKeyUsageOID.SERVER_AUTH
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class ControlPlane:
    """etcd + kube-apiserver + kube-controller-manager in ``workdir``."""

    bin_dir: Path
    workdir: Path
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    port: int = 0

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def kubeconfig_path(self) -> Path:
        return self.workdir / "admin.kubeconfig"

    def kubeconfig(self) -> str:
        return self.kubeconfig_path.read_text()

    # ------------------------------------------------------------------ set-up

    def _pki(self) -> None:
        pki = self.workdir / "pki"
        pki.mkdir(parents=True, exist_ok=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "airs-engine-tier-ca")])
        ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
        serving_key = ec.generate_private_key(ec.SECP256R1())
        serving = _certificate(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]),
            serving_key,
            ca_name,
            ca_key,
            sans=[
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost"),
                x509.DNSName("kubernetes.default.svc"),
            ],
        )
        admin_key = ec.generate_private_key(ec.SECP256R1())
        admin = _certificate(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "airs-engine-tier-admin"),
                ]
            ),
            admin_key,
            ca_name,
            ca_key,
            client=True,
        )
        sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = serialization.Encoding.PEM
        (pki / "ca.crt").write_bytes(ca.public_bytes(pem))
        (pki / "apiserver.crt").write_bytes(serving.public_bytes(pem))
        (pki / "apiserver.key").write_bytes(_pem_key(serving_key))
        (pki / "admin.crt").write_bytes(admin.public_bytes(pem))
        (pki / "admin.key").write_bytes(_pem_key(admin_key))
        (pki / "sa.key").write_bytes(_pem_key(sa_key))
        (pki / "sa.pub").write_bytes(
            sa_key.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo)
        )

    def _write_kubeconfig(self) -> None:
        pki = self.workdir / "pki"

        # Certificates inline, so the kubeconfig is one self-contained secret value for Pulumi.
        def b64(name: str) -> str:
            return base64.b64encode((pki / name).read_bytes()).decode()

        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "engine-tier",
                    "cluster": {"server": self.server, "certificate-authority-data": b64("ca.crt")},
                }
            ],
            "users": [
                {
                    "name": "admin",
                    "user": {
                        "client-certificate-data": b64("admin.crt"),
                        "client-key-data": b64("admin.key"),
                    },
                }
            ],
            "contexts": [
                {"name": "engine-tier", "context": {"cluster": "engine-tier", "user": "admin"}}
            ],
            "current-context": "engine-tier",
        }
        self.kubeconfig_path.write_text(yaml.safe_dump(doc))

    def _spawn(self, name: str, args: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [str(self.bin_dir / name), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.processes.append((name, proc))

    def _wait(self, what: str, probe: Any) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for name, proc in self.processes:
                if proc.poll() is not None:
                    tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(
                        f"{name} exited with {proc.returncode} while waiting for {what}:\n{tail}"
                    )
            try:
                if probe():
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"timed out after {START_TIMEOUT:.0f} s waiting for {what}")

    def start(self) -> ControlPlane:
        """Start the three processes, wait until the API server is ready, install NAD_CRD."""
        try:
            self._start()
            self.install_crd(yaml.safe_load(NAD_CRD.read_text()))
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._pki()
        pki = self.workdir / "pki"
        etcd_port, peer_port = free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        peer_url = f"http://127.0.0.1:{peer_port}"
        self._spawn(
            "etcd",
            [
                "--name=engine-tier",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=engine-tier={peer_url}",
                # A test store: durability across a crash buys nothing here and fsync costs seconds.
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        self._wait(
            "etcd", lambda: urllib.request.urlopen(f"{etcd_url}/health", timeout=2).status == 200
        )

        self.port = free_port()
        self._spawn(
            "kube-apiserver",
            [
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.port}",
                f"--cert-dir={self.workdir / 'apiserver-certs'}",
                f"--tls-cert-file={pki / 'apiserver.crt'}",
                f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--client-ca-file={pki / 'ca.crt'}",
                f"--service-account-key-file={pki / 'sa.pub'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--authorization-mode=RBAC",
                "--enable-priority-and-fairness=false",
            ],
        )
        self._write_kubeconfig()
        self._wait(
            "kube-apiserver /readyz", lambda: self.request("GET", "/readyz", raw=True) == "ok"
        )

        self._spawn(
            "kube-controller-manager",
            [
                f"--kubeconfig={self.kubeconfig_path}",
                f"--service-account-private-key-file={pki / 'sa.key'}",
                f"--root-ca-file={pki / 'ca.crt'}",
                "--controllers=serviceaccount-token-controller,serviceaccount-controller,"
                "daemonset-controller,namespace-controller,garbage-collector-controller",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                f"--cert-dir={self.workdir / 'kcm-certs'}",
            ],
        )
        # The controllers are up once the default service account of `default` exists.
        self._wait(
            "kube-controller-manager (default service account)",
            lambda: self.get("/api/v1/namespaces/default/serviceaccounts/default") is not None,
        )

    def stop(self) -> None:
        """Stop every process this control plane started (controller, API server, etcd)."""
        for _name, proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in reversed(self.processes):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.processes.clear()

    # ------------------------------------------------------------------ API calls

    def _context(self) -> ssl.SSLContext:
        pki = self.workdir / "pki"
        ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
        return ctx

    def request(self, method: str, path: str, body: Any = None, *, raw: bool = False) -> Any:
        """One API call as the admin; the decoded JSON answer (or text with ``raw``)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=self._context(), timeout=30) as resp:
            text = resp.read().decode()
        return text if raw else json.loads(text)

    def get(self, path: str) -> dict[str, Any] | None:
        """The object at ``path``, or None when the API server answers 404."""
        try:
            return dict(self.request("GET", path))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def items(self, path: str) -> list[dict[str, Any]]:
        """The items of a list call."""
        return list(self.request("GET", path)["items"])

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to the collection at ``path``."""
        return dict(self.request("POST", path, body))

    def ensure_namespace(self, name: str) -> None:
        """Create namespace ``name`` unless it exists (an application team's namespace)."""
        if self.get(f"/api/v1/namespaces/{name}") is None:
            self.create(
                "/api/v1/namespaces",
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            )

    def install_crd(self, crd: dict[str, Any]) -> None:
        """Create a CustomResourceDefinition and wait until its API is served."""
        self.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        spec = crd["spec"]
        version = next(v["name"] for v in spec["versions"] if v.get("served"))
        collection = f"/apis/{spec['group']}/{version}/{spec['names']['plural']}"
        self._wait(f"CRD {crd['metadata']['name']}", lambda: self.items(collection) is not None)
