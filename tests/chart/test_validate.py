"""Every rendered manifest is valid Kubernetes (strict) for each supported version."""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate
import pytest

from tests.chart.conftest import (
    K8S_VERSIONS,
    crd_schema,
    find,
    nad_crd,
    one,
    validate_k8s,
)

CUSTOM_KINDS = {"NetworkAttachmentDefinition"}


def unique_docs(
    rendered: dict[tuple[str, str], list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """The distinct manifests over every platform and endpoint set."""
    seen: dict[str, dict[str, Any]] = {}
    for docs in rendered.values():
        for doc in docs:
            seen.setdefault(json.dumps(doc, sort_keys=True), doc)
    return list(seen.values())


def test_versions_are_shipped():
    shipped = set(kubernetes_validate.utils.all_versions())
    assert {f"{v}.0" for v in K8S_VERSIONS} <= shipped


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_validate_strictly(rendered, version):
    docs = unique_docs(rendered)
    kinds = {d["kind"] for d in docs}
    assert "CustomResourceDefinition" in kinds
    assert "EndpointSlice" in kinds
    failures = []
    for doc in docs:
        if doc["kind"] in CUSTOM_KINDS:
            continue
        try:
            validate_k8s(doc, version)
        except jsonschema.ValidationError as exc:
            failures.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    assert failures == []


def test_cached_validator_matches_kubernetes_validate(rendered):
    """The session cache builds the same validators as kubernetes_validate itself."""
    docs = rendered[("openshift", "three-zones")]
    for kind, name in [("DaemonSet", "pan-cni"), ("EndpointSlice", "pan-ngfw-svc-endpoints")]:
        doc = one(docs, kind, name)
        assert kubernetes_validate.validate(doc, K8S_VERSIONS[-1], strict=True) == K8S_VERSIONS[-1]
    broken = json.loads(json.dumps(one(docs, "Service", "pan-ngfw-svc")))
    broken["spec"]["selctor"] = {"app": "x"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)
    with pytest.raises(jsonschema.ValidationError, match="selctor"):
        validate_k8s(broken, K8S_VERSIONS[0])


def test_custom_resources_have_no_builtin_schema(rendered):
    nad = find(rendered[("openshift", "one")], "NetworkAttachmentDefinition")[0]
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(nad, K8S_VERSIONS[0], strict=True)


def test_portinfo_crd_is_a_valid_crd(rendered):
    crd = one(
        rendered[("gke", "one")], "CustomResourceDefinition", "portinfos.paloaltonetworks.com"
    )
    for version in K8S_VERSIONS:
        validate_k8s(crd, version)
    schema = crd_schema(crd)
    jsonschema.Draft202012Validator.check_schema(schema)
    portinfo = {
        "apiVersion": "paloaltonetworks.com/v1",
        "kind": "PortInfo",
        "metadata": {"name": "app", "namespace": "app"},
        "spec": {"portinfo": "BYPASS:169.254.169.254/32"},
    }
    jsonschema.validate(portinfo, schema)
    with pytest.raises(jsonschema.ValidationError, match="portinfo"):
        jsonschema.validate({**portinfo, "spec": {}}, schema)


def test_subnetinfo_crd_is_valid_and_admits_what_the_stacks_create(rendered):
    from components.cluster.intercept import SUBNET_INFO_API
    from tests.helpers import by_type, plan_example

    crd = one(
        rendered[("gke", "one")], "CustomResourceDefinition", "subnetinfos.paloaltonetworks.com"
    )
    for version in K8S_VERSIONS:
        validate_k8s(crd, version)
    schema = crd_schema(crd)
    jsonschema.Draft202012Validator.check_schema(schema)
    created = [
        r.inputs
        for stack in ("rancher-prod", "openshift-prod")
        for r in by_type(plan_example(stack), f"kubernetes:{SUBNET_INFO_API}:SubnetInfo")
    ]
    assert len(created) == 2
    for info in created:
        jsonschema.validate(info, schema)
    base = created[0]
    for bad in ("", "BYPASS:", "ALLOW:10.0.0.0/8", "BYPASS:10.0.0.0/8;rm", "bypass:10.0.0.0/8"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**base, "spec": {"subnetinfo": bad}}, schema)


def test_nad_fixture_is_a_valid_crd():
    for version in K8S_VERSIONS:
        validate_k8s(nad_crd(), version)


def test_network_attachment_definitions_match_their_crd(rendered):
    crd = nad_crd()
    schema = crd_schema(crd)
    nads = find(rendered[("openshift", "three-zones")], "NetworkAttachmentDefinition")
    assert nads
    for nad in nads:
        group, version = nad["apiVersion"].split("/")
        assert group == crd["spec"]["group"]
        assert version == "v1"
        assert nad["kind"] == crd["spec"]["names"]["kind"]
        jsonschema.validate(nad, schema)
    # The schema does bite: spec.config must be a string.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**nads[0], "spec": {"config": {"cniVersion": "0.3.1"}}}, schema)
