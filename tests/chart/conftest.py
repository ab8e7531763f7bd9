"""Shared fixtures of the chart tests: renders per platform and cached Kubernetes schemas.

kubernetes_validate.validate() re-reads a ~1 MB definitions file and rebuilds its JSON
Schema registry on every call; here each (Kubernetes version, kind) validator is built
once per session and reused, which keeps the full matrix (every manifest x 6 versions)
well under a second or two.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import referencing
import yaml
from kubernetes_validate import utils as kv

from components.cluster import chart

FIXTURES = Path(__file__).parent / "fixtures"
# Kubernetes versions the chart supports and is validated against (kubernetes-validate
# ships strict schemas for each of them).
K8S_VERSIONS = ("1.28", "1.29", "1.30", "1.31", "1.32", "1.33")
# Endpoint sets: a single unzoned address (ILB / private firewall) and one GWLB endpoint
# per zone in three zones (AWS).
ONE_ENDPOINT = (chart.Endpoint("10.0.2.10"),)
THREE_ZONES = (
    chart.Endpoint("10.0.1.10", "us-east-1a"),
    chart.Endpoint("10.0.2.10", "us-east-1b"),
    chart.Endpoint("10.0.3.10", "us-east-1c"),
)
ENDPOINT_SETS = {"one": ONE_ENDPOINT, "three-zones": THREE_ZONES}


def values_for(platform: str, endpoints: Any = ONE_ENDPOINT, **overrides: Any) -> dict[str, Any]:
    """chart_values() with test defaults; OpenShift protects two namespaces."""
    kwargs: dict[str, Any] = {
        "platform": platform,
        "endpoints": endpoints,
        "cluster_id": 7,
        "fw_trust_cidr": "10.0.2.0/24",
        "nad_namespaces": ["app-a", "app-b"],
    }
    kwargs.update(overrides)
    return chart.chart_values(**kwargs)


@functools.cache
def _render_cached(key: str) -> str:
    return json.dumps(chart.render_chart(json.loads(key)))


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    """render_chart() memoised on the values (each test gets its own copy)."""
    result: list[dict[str, Any]] = json.loads(_render_cached(json.dumps(values, sort_keys=True)))
    return result


def find(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    """The manifests of a kind (and name)."""
    return [
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """The single manifest of a kind and name."""
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


@functools.cache
def k8s_validator(version: str, kind: str, api_version: str) -> jsonschema.Validator:
    """A strict validator for one kind, as kubernetes_validate.validate(strict=True) builds it.

    Raises kubernetes_validate's SchemaNotFoundError for kinds it has no schema for (CRs).
    """
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_dir = f"kubernetes-json-schema/v{version}.0-local-strict"
    try:
        schema = kv.schema_contents(f"{schema_dir}/{kind.lower()}-{group_version}.json", version)
    except FileNotFoundError:
        raise kv.SchemaNotFoundError(kind=kind, version=version, api_version=api_version) from None
    definitions = _definitions(schema_dir, version)
    registry: referencing.Registry[Any] = referencing.Registry()
    registry = referencing.Resource.from_contents(schema) @ registry
    registry = definitions @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@functools.cache
def _definitions(schema_dir: str, version: str) -> referencing.Resource[Any]:
    return referencing.Resource.from_contents(
        kv.schema_contents(f"{schema_dir}/_definitions.json", version)
    )


def validate_k8s(doc: dict[str, Any], version: str) -> None:
    """Validate a manifest strictly against Kubernetes ``version``; raises ValidationError."""
    k8s_validator(version, doc["kind"], doc["apiVersion"]).validate(doc)


@functools.cache
def nad_crd() -> dict[str, Any]:
    """The NetworkAttachmentDefinition CRD fixture."""
    crd: dict[str, Any] = yaml.safe_load(
        (FIXTURES / "network-attachment-definition-crd.yaml").read_text()
    )
    return crd


def crd_schema(crd: dict[str, Any], version: str = "v1") -> dict[str, Any]:
    """The openAPIV3Schema of one version of a CRD."""
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
    return schema


@pytest.fixture(scope="session")
def rendered() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Rendered manifests per (platform, endpoint set)."""
    return {
        (platform, name): render(values_for(platform, endpoints))
        for platform in chart.PLATFORMS
        for name, endpoints in ENDPOINT_SETS.items()
    }
