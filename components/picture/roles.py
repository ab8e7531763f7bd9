"""Where a registered resource goes in the picture: its stage and the facts its box shows.

Each target lists its own resource types (``components/clouds/<cloud>/picture.py``); the
Kubernetes side is the same on every target and is listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

APPLICATIONS = "applications"
STEERING = "steering"
LOAD_BALANCER = "load balancer"
FIREWALLS = "firewalls"
NETWORKS = "networks"
EGRESS = "egress"
MANAGEMENT = "management"

TRAFFIC_PATH = (APPLICATIONS, STEERING, LOAD_BALANCER, FIREWALLS, NETWORKS, EGRESS)
"""The stages, left to right, in the order traffic crosses them."""

STAGE_TITLES = {
    APPLICATIONS: "Application networks and clusters",
    STEERING: "Steering: what sends their traffic to the firewalls",
    LOAD_BALANCER: "Load balancer",
    FIREWALLS: "Firewall group",
    NETWORKS: "Trust, untrust and management networks",
    EGRESS: "Egress",
    MANAGEMENT: "Management plane (Panorama)",
}


@dataclass(frozen=True)
class Role:
    """How one resource type is drawn.

    ``stage`` is one of :data:`TRAFFIC_PATH`; ``facts`` are (label, property path) pairs read
    from the resource's inputs (``a.b[0].c``; ``[*]`` takes every element; a trailing ``/``
    keeps the last segment of a URL or id). ``role`` names what the box is (``frontend``,
    ``endpoint``, ``group``…) so the picture can wire it.
    """

    stage: str
    facts: tuple[tuple[str, str], ...] = ()
    role: str = ""


Roles = Mapping[str, Role]
"""Type token (or ``token#name-suffix`` for one resource of a type) → its role."""

KUBERNETES: Roles = {
    "kubernetes:helm.sh/v3:Release": Role(
        APPLICATIONS,
        (
            ("chart", "name"),
            ("endpoints", "values.endpoints[*].ip"),
            ("cluster id", "values.clusterid"),
            ("fwtrustcidr", "values.fwtrustcidr"),
        ),
        role="pan-cni",
    ),
    "kubernetes:core/v1:NamespacePatch": Role(
        APPLICATIONS,
        (("protects namespace", "metadata.name"),),
        role="namespace",
    ),
    "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition": Role(
        APPLICATIONS, (("namespace", "metadata.namespace"),), role="namespace"
    ),
}


def role_of(roles: Roles, rtype: str, name: str) -> Role | None:
    """The role of a resource: a name-suffix entry first, then its type's."""
    for key, role in roles.items():
        token, _, suffix = key.partition("#")
        if suffix and token == rtype and name.endswith(suffix):
            return role
    return roles.get(rtype)


def _steps(path: str) -> list[str]:
    return [s for s in path.replace("[", ".[").split(".") if s]


def read(inputs: Any, path: str) -> list[Any]:
    """Every value at ``path`` in ``inputs`` (several where the path has ``[*]``)."""
    last_segment = path.endswith("/")
    values = [inputs]
    for step in _steps(path.rstrip("/")):
        found: list[Any] = []
        for value in values:
            if step == "[*]" and isinstance(value, list):
                found.extend(value)
            elif step.startswith("[") and isinstance(value, list):
                index = int(step[1:-1])
                if index < len(value):
                    found.append(value[index])
            elif isinstance(value, Mapping) and step in value:
                found.append(value[step])
        values = found
    out = [v for v in values if v not in (None, "", [], {})]
    if last_segment:
        out = [str(v).rstrip("/").rsplit("/", 1)[-1] for v in out]
    return out


def facts(role: Role, inputs: Any) -> list[tuple[str, str]]:
    """(label, text) of each fact the resource has."""
    shown = []
    for label, path in role.facts:
        values = read(inputs, path)
        flat: list[str] = []
        for value in values:
            if isinstance(value, list):
                flat.extend(str(v) for v in value)
            else:
                flat.append(str(value))
        if flat:
            shown.append((label, ", ".join(flat)))
    return shown
