"""Mock answers for pulumi-kubernetes resources (Helm release status, the plugin token)."""

from __future__ import annotations

import base64
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from components.clouds.mocking import stable_hex


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def new_resource(args: MockResourceArgs, resource_id: str) -> tuple[str, dict[str, Any]]:
    """Computed state a cluster would report."""
    if args.typ == "kubernetes:helm.sh/v3:Release":
        inputs = args.inputs
        name = inputs.get("name", args.name)
        namespace = inputs.get("namespace", "default")
        return f"{namespace}/{name}", {
            "status": {
                "name": name,
                "namespace": namespace,
                "revision": 1,
                "status": "deployed",
                "chart": "ai-runtime-security",
                "version": "0.2.0",
                "appVersion": "11.2.2",
            }
        }
    if args.typ == "kubernetes:core/v1:Secret" and args.resource_id:
        # A read of the service-account token Secret: the token controller's fields.
        token = f"eyJhbGciOiJSUzI1NiJ9.mock-{stable_hex(args.name, length=24)}"
        return args.resource_id, {
            "data": {
                "ca.crt": _b64("-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n"),
                "namespace": _b64("kube-system"),
                "token": _b64(token),
            },
            "type": "kubernetes.io/service-account-token",
        }
    if args.typ == "kubernetes:core/v1:NamespacePatch":
        meta = args.inputs.get("metadata") or {}
        return str(meta.get("name", resource_id)), {}
    return resource_id, {}


def call(args: MockCallArgs) -> dict[str, Any]:
    """No Kubernetes invokes are used."""
    return {}
