"""What the engine-tier tests check against: the API server, the emulator and ``airs``."""

from __future__ import annotations

import copy
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from components.cluster import chart
from components.cluster.intercept import PLUGIN_SECRET, plugin_credential
from tests.engine.cluster import ControlPlane
from tests.engine.project import EXAMPLE_PASSPHRASE, EngineProject
from tests.helpers import ROOT
from tests.panorama.emulator import PanoramaEmulator

# Emulator requests that write configuration (the rest read, commit, push or poll).
WRITE_ACTIONS = ("set", "edit", "delete", "move", "rename", "multi-config")
# A firewall Panorama already manages, as an on-prem HA member would be before we configure it.
SERIAL = "007951000123"


class _StackDumper(yaml.SafeDumper):
    """Writes strings of digits quoted: Pulumi's YAML reads ``007951…`` as a number."""


_StackDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if value.isdigit() else None
    ),
)


def dump_stack(doc: Any) -> str:
    """A stack file's text, as Pulumi will read it back."""
    return yaml.dump(doc, Dumper=_StackDumper, sort_keys=False)


def point_at_local_servers(
    project: EngineProject, stack: str, plane: ControlPlane, emu: PanoramaEmulator, admin: str
) -> None:
    """Aim a copied example stack at the local API server and the emulator, nothing else.

    Only the cluster's kubeconfig and Panorama's address, port, CA and API key change; every
    other value is the example's own.
    """
    doc = yaml.safe_load((project.folder / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    for cluster in doc["config"].get("airs:clusters") or {}:
        project.config_set(
            stack, f"airs:clusters.{cluster}.kubeconfig", plane.kubeconfig(), secret=True
        )
    project.config_set(stack, "airs:panorama.hostname", "127.0.0.1")
    project.config_set(stack, "airs:panorama.apiPort", str(emu.port))
    project.config_set(stack, "airs:panorama.caBundle", str(emu.cert))
    project.config_set(stack, "airs:panoramaApiKey", emu.key_for(admin), secret=True)


def airs(project: EngineProject, *args: str) -> subprocess.CompletedProcess[str]:
    """The offline ``airs`` command on the engine project's stack files."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "airs"), "--project", str(project.folder), *args],
        cwd=project.folder,
        env={**project.env(), "PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def rendered_panorama(project: EngineProject, stack: str) -> list[tuple[str, str]]:
    """``airs render --panorama``: (xpath, element) of every object, in commit order."""
    out = airs(project, "render", "--stack", stack, "--panorama").stdout
    objects = []
    for block in out.strip().split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#")]
        xpath = lines[0].removeprefix("xpath: ")
        objects.append((xpath, "\n".join(lines[1:])))
    return objects


def push_targets(project: EngineProject, stack: str) -> tuple[str, str]:
    """The template stack and device group a stack's commit pushes to (from its render)."""
    xpaths = [x for x, _ in rendered_panorama(project, stack)]
    return tuple(  # type: ignore[return-value]
        next(x for x in xpaths if f"/{kind}/entry" in x).rsplit("'", 2)[1]
        for kind in ("template-stack", "device-group")
    )


def panorama_modes(project: EngineProject, stack: str) -> dict[str, str]:
    """xpath → how the provider writes it (``replace`` or ``merge``), from ``airs plan --json``."""
    plan_file = project.workdir / f"{stack}-plan.json"
    airs(project, "plan", "--stack", stack, "--json", str(plan_file))
    return {
        r["inputs"]["xpath"]: r["inputs"]["mode"]
        for r in read_json(plan_file)["resources"]
        if r["type"] == "pulumi-python:dynamic/panorama:Object"
    }


def rendered_helm(project: EngineProject, stack: str) -> list[dict[str, Any]]:
    """``airs render --helm``: every manifest of the release."""
    out = airs(project, "render", "--stack", stack, "--helm").stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def config_writes(emu: PanoramaEmulator) -> int:
    """How many configuration writes the emulator has answered."""
    with emu.lock:
        return sum(
            1
            for r in emu.requests
            if r.get("type") == "config" and r.get("action") in WRITE_ACTIONS
        )


def _object_xpath(action: str, xpath: str, element: str) -> str:
    """The object a write names: ``edit`` names it; ``set`` names its parent."""
    if action == "edit":
        return xpath
    el = ET.fromstring(element)
    if el.get("name") is not None:
        return f"{xpath}/{el.tag}[@name='{el.get('name')}']"
    if el.tag == "member":
        return f"{xpath}/member[text()='{(el.text or '').strip()}']"
    return f"{xpath}/{el.tag}"


def written_xpaths(emu: PanoramaEmulator, since: int = 0) -> set[str]:
    """The objects written (set/edit, alone or inside multi-config) since request ``since``."""
    paths: set[str] = set()
    with emu.lock:
        requests = list(emu.requests[since:])
    for r in requests:
        if r.get("type") != "config":
            continue
        if r.get("action") in ("set", "edit"):
            paths.add(_object_xpath(r["action"], r["xpath"], r["element"]))
        elif r.get("action") == "multi-config":
            for op in ET.fromstring(r["element"]):
                if op.tag in ("set", "edit"):
                    inner = "".join(ET.tostring(c, encoding="unicode") for c in op)
                    paths.add(_object_xpath(op.tag, op.get("xpath", ""), inner))
    return paths


def _prune(el: ET.Element) -> bool:
    """Drop empty containers below ``el``; whether ``el`` itself holds nothing."""
    for child in list(el):
        if _prune(child):
            el.remove(child)
    return not len(el) and not (el.text or "").strip() and not el.attrib


def running_config(emu: PanoramaEmulator) -> str:
    """The emulator's whole running configuration, as text, without empty containers.

    Deleting the last entry of a list leaves its empty container behind (``<address/>``);
    it holds no configuration, so it does not count as a difference.
    """
    with emu.lock:
        tree = copy.deepcopy(emu.running)
    _prune(tree)
    return ET.tostring(tree, encoding="unicode")


def plugin_token_credential(plane: ControlPlane) -> str:
    """The plugin credential Panorama must hold: built from the token Secret on the cluster."""
    secret = plane.get(f"/api/v1/namespaces/{chart.RELEASE_NAMESPACE}/secrets/{PLUGIN_SECRET}")
    assert secret is not None, f"no Secret {PLUGIN_SECRET}"
    assert secret.get("data", {}).get("token"), "the controller manager filled in no token"
    return plugin_credential(secret)


API_PATHS = {
    "ServiceAccount": "/api/v1/namespaces/{ns}/serviceaccounts/{name}",
    "Secret": "/api/v1/namespaces/{ns}/secrets/{name}",
    "ConfigMap": "/api/v1/namespaces/{ns}/configmaps/{name}",
    "Service": "/api/v1/namespaces/{ns}/services/{name}",
    "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets/{name}",
    "EndpointSlice": "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{name}",
    "ClusterRole": "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}",
    "ClusterRoleBinding": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{name}",
    "Role": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles/{name}",
    "RoleBinding": "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings/{name}",
    "CustomResourceDefinition": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}",
    "NetworkAttachmentDefinition": (
        "/apis/k8s.cni.cncf.io/v1/namespaces/{ns}/network-attachment-definitions/{name}"
    ),
}


def api_path(manifest: dict[str, Any]) -> str:
    """Where the API server keeps the object a manifest describes."""
    meta = manifest["metadata"]
    return API_PATHS[manifest["kind"]].format(
        ns=meta.get("namespace", chart.RELEASE_NAMESPACE), name=meta["name"]
    )


def helm_release_secrets(plane: ControlPlane) -> list[dict[str, Any]]:
    """Helm's release records (Secrets ``sh.helm.release.v1.<release>.v<N>``)."""
    return plane.items(
        f"/api/v1/namespaces/{chart.RELEASE_NAMESPACE}/secrets"
        f"?labelSelector=owner%3Dhelm,name%3D{chart.RELEASE_NAME}"
    )


def preview_changes(preview: dict[str, Any]) -> dict[str, str]:
    """URN → operation of every step of ``pulumi preview --json`` that changes something.

    ``same`` and ``read`` (a ``Resource.get``, which runs every time) change nothing.
    """
    return {s["urn"]: s["op"] for s in preview.get("steps", []) if s["op"] not in ("same", "read")}


def urns_and_types(resources: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(URN, type) pairs."""
    return {(r["urn"], r["type"]) for r in resources}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
