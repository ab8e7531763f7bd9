"""The pan-cni Helm chart (``helm/``): its release values, and an offline render of it.

``ClusterIntercept`` installs the chart as a ``helm.v3.Release`` with :func:`chart_values`;
``airs plan --show helm`` and the tests show what that release creates with
:func:`render_chart`, which runs Helm's own template engine (``helm_python``) offline, so
the chart's ``values.schema.json`` refuses bad values exactly as ``helm install`` would.

Run as a module to write the rendered manifests of every platform (used by
``.ci/checkov.sh``)::

    python -m components.cluster.chart --out DIR [--platform eks ...]
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHART_DIR: Path = Path(__file__).resolve().parents[2] / "helm"
"""The chart folder (``<repo>/helm``)."""
CHART_NAME = "ai-runtime-security"
RELEASE_NAME = "ai-runtime-security"
RELEASE_NAMESPACE = "kube-system"
PLATFORMS: tuple[str, ...] = ("gke", "eks", "aks", "openshift", "rancher", "native")
"""Values of the chart's ``platform`` key."""

# Order in which render_chart returns the objects: Helm's install order for these kinds,
# then anything else (the NetworkAttachmentDefinitions) by kind.
_KIND_ORDER: tuple[str, ...] = (
    "CustomResourceDefinition",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "EndpointSlice",
    "DaemonSet",
)
# One schema problem in Helm's message: "- at '/endpoints/0/ip': '1.2.3' does not match ...".
_PROBLEM = re.compile(r"^\s*- at '(?P<path>[^']*)': (?P<reason>.*)$")


class ChartError(ValueError):
    """The chart refused the values (schema) or failed to render.

    Attributes:
        problems: ``(key, value, reason)`` for each schema violation, where ``key`` is the
            offending values key in dotted form (``endpoints[0].ip``; ``""`` for the top
            level) and ``value`` what the values held there (``None`` when unset).
    """

    def __init__(self, message: str, problems: Sequence[tuple[str, Any, str]] = ()) -> None:
        super().__init__(message)
        self.problems: list[tuple[str, Any, str]] = list(problems)


@dataclass(frozen=True)
class Endpoint:
    """A firewall-side address of ``pan-ngfw-svc``, with the zone it serves (AWS GWLBe)."""

    ip: str
    zone: str | None = None


@functools.cache
def _chart_defaults() -> dict[str, Any]:
    """The chart's ``values.yaml``."""
    import yaml

    defaults: dict[str, Any] = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    return defaults


def default_image() -> str:
    """The pan-cni image the chart pins by default (``cniimage`` in ``values.yaml``)."""
    return str(_chart_defaults()["cniimage"])


def chart_values(
    *,
    platform: str,
    endpoints: Sequence[Endpoint],
    cluster_id: int,
    fw_trust_cidr: str = "",
    namespace: str = "kube-system",
    nad_namespaces: Sequence[str] = (),
    plugin_service_account: bool = True,
    image: str | None = None,
) -> dict[str, Any]:
    """The values of the ``ai-runtime-security`` release.

    Args:
        platform: gke, eks, aks, openshift, rancher or native.
        endpoints: where pan-cni sends traffic (at least one); a zone per endpoint on AWS.
        cluster_id: the cluster's ID, 1-2048 (CNI ``traffic_object_id``).
        fw_trust_cidr: the firewalls' trust subnet, or empty.
        namespace: namespace of the chart's objects.
        nad_namespaces: OpenShift: namespaces that get the ``pan-cni``
            NetworkAttachmentDefinition (the chart ignores them on other platforms).
        plugin_service_account: create the Panorama plugin service account and secrets.
        image: the pan-cni image; ``None`` for the chart's pinned default.

    Returns:
        Every key the release sets, as plain JSON-able data. The chart's schema checks them
        at render or install time (:func:`render_chart` raises :class:`ChartError`).
    """
    return {
        "platform": platform,
        "endpoints": [
            {"ip": ep.ip, "zone": ep.zone} if ep.zone else {"ip": ep.ip} for ep in endpoints
        ],
        "cniimage": image if image is not None else default_image(),
        "fwtrustcidr": fw_trust_cidr,
        "namespace": namespace,
        "clusterid": cluster_id,
        "nadNamespaces": list(nad_namespaces),
        "pluginServiceAccount": plugin_service_account,
    }


def example_values(platform: str) -> dict[str, Any]:
    """Representative values for ``platform`` (CI scans and previews).

    EKS gets two zoned endpoints (one GWLB endpoint per zone), OpenShift one protected
    namespace; the others a single endpoint.
    """
    if platform == "eks":
        endpoints = [Endpoint("10.0.1.10", "us-east-1a"), Endpoint("10.0.2.10", "us-east-1b")]
    else:
        endpoints = [Endpoint("10.0.2.10")]
    return chart_values(
        platform=platform,
        endpoints=endpoints,
        cluster_id=1,
        fw_trust_cidr="10.0.2.0/24",
        nad_namespaces=["app"] if platform == "openshift" else [],
    )


def _dotted(path: str) -> str:
    """``/endpoints/0/ip`` → ``endpoints[0].ip``."""
    out = ""
    for part in (p for p in path.split("/") if p):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _lookup(values: Any, path: str) -> Any:
    """The value at a JSON pointer in ``values``, or ``None`` when it is not there."""
    node = values
    for part in (p for p in path.split("/") if p):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, Sequence) and not isinstance(node, str) and part.isdigit():
            index = int(part)
            if index >= len(node):
                return None
            node = node[index]
        else:
            return None
    return node


def schema_problems(message: str, values: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """``(key, value, reason)`` for each violation in a Helm schema error message."""
    problems = []
    for line in message.splitlines():
        match = _PROBLEM.match(line)
        if match:
            path = match["path"]
            problems.append((_dotted(path), _lookup(values, path), match["reason"].strip()))
    return problems


def _sort_key(doc: Mapping[str, Any]) -> tuple[int, str, str, str]:
    """Install order, then kind, namespace and name."""
    kind = str(doc.get("kind", ""))
    metadata = doc.get("metadata") or {}
    order = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    return (order, kind, str(metadata.get("namespace", "")), str(metadata.get("name", "")))


def render_chart(
    values: Mapping[str, Any], *, namespace: str = RELEASE_NAMESPACE
) -> list[dict[str, Any]]:
    """Render the chart offline with Helm's engine, as release ``ai-runtime-security``.

    Args:
        values: release values (usually from :func:`chart_values`); merged over the
            chart's ``values.yaml`` as Helm does.
        namespace: the release namespace.

    Returns:
        The manifests as dicts (NOTES.txt and empty documents dropped), in Helm's install
        order by kind, then by kind, namespace and name.

    Raises:
        ChartError: the schema refused the values (the message names each offending key
            and its value) or a template failed.
    """
    import helm_python
    import yaml

    plain = dict(values)
    with helm_python.Chart.load(CHART_DIR) as chart:
        try:
            rendered = chart.render(values=plain, name=RELEASE_NAME, namespace=namespace)
        except helm_python.HelmValuesError as exc:
            problems = schema_problems(str(exc), plain)
            if not problems:
                raise ChartError(f"{CHART_NAME}: values refused: {exc}") from exc
            lines = [
                f"  {key} = {value!r}: {reason}" if key else f"  (top level): {reason}"
                for key, value, reason in problems
            ]
            raise ChartError(
                f"{CHART_NAME}: values refused by helm/values.schema.json:\n" + "\n".join(lines),
                problems,
            ) from exc
        except helm_python.HelmError as exc:
            raise ChartError(f"{CHART_NAME}: render failed: {exc}") from exc
    docs = [
        doc
        for template, text in rendered.items()
        if not template.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    return sorted(docs, key=_sort_key)


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``<out>/<platform>.yaml`` with the rendered manifests of each platform."""
    import yaml

    parser = argparse.ArgumentParser(
        prog="python -m components.cluster.chart",
        description="Render the pan-cni chart with example values for each platform.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--platform",
        action="append",
        choices=PLATFORMS,
        help="platform to render (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for platform in args.platform or PLATFORMS:
        try:
            docs = render_chart(example_values(platform))
        except ChartError as exc:
            print(f"{platform}: {exc}", file=sys.stderr)
            return 1
        target = out / f"{platform}.yaml"
        target.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        print(f"{target}: {len(docs)} manifests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
