"""Each guardrail: quiet on what the program really plans, firing on one edit of it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from components.cli import policy
from components.guardrails import checks as g
from components.guardrails import model
from components.guardrails.model import PlannedResource
from tests.helpers import plan_example
from tests.policy.conftest import DELETE, edited, find

MGMT = {
    "gcp-dev": (model.GCP_FIREWALL, "-allow-mgmt"),
    "azure-dev": (model.AZURE_NSG, "-mgmt-nsg"),
    "aws-dev": (model.AWS_SECURITY_GROUP, "-mgmt-sg"),
}
TRUST = {
    "gcp-dev": (model.GCP_FIREWALL, "-allow-trust"),
    "azure-dev": (model.AZURE_NSG, "-trust-nsg"),
    "aws-dev": (model.AWS_SECURITY_GROUP, "-data-sg"),
}


# ------------------------------------------------------------------ 1. management exposure


@pytest.mark.parametrize("stack", sorted(MGMT))
def test_mgmt_quiet_on_the_plan(planned: dict[str, list[PlannedResource]], stack: str) -> None:
    res = find(planned[stack], *MGMT[stack])
    assert model.security_role(res) == "mgmt"
    assert g.check_mgmt_not_open(res) == []


@pytest.mark.parametrize(
    ("stack", "path", "value"),
    [
        ("gcp-dev", ("sourceRanges",), ["198.51.100.0/24", "0.0.0.0/0"]),
        ("azure-dev", ("securityRules", 0, "sourceAddressPrefix"), "Internet"),
        ("aws-dev", ("ingress", 1, "cidrBlocks"), ["0.0.0.0/0"]),
        ("aws-dev", ("ingress", 0, "ipv6CidrBlocks"), ["::/0"]),
    ],
)
def test_mgmt_fires_when_open(
    planned: dict[str, list[PlannedResource]], stack: str, path: tuple[Any, ...], value: object
) -> None:
    res = edited(find(planned[stack], *MGMT[stack]), path, value)
    messages = g.check_mgmt_not_open(res)
    assert len(messages) == 1
    assert "mgmtAllowedCidrs" in messages[0]


HALVES = ["0.0.0.0/1", "128.0.0.0/1"]


def test_mgmt_fires_on_the_internet_in_pieces(planned: dict[str, list[PlannedResource]]) -> None:
    """Sources are judged together: two /1s are the whole internet, within a rule or across."""
    gcp = edited(find(planned["gcp-dev"], *MGMT["gcp-dev"]), ("sourceRanges",), HALVES)
    aws = find(planned["aws-dev"], *MGMT["aws-dev"])
    aws = edited(
        edited(aws, ("ingress", 0, "cidrBlocks"), HALVES[:1]),
        ("ingress", 1, "cidrBlocks"),
        HALVES[1:],
    )
    azure = find(planned["azure-dev"], *MGMT["azure-dev"])
    rule = dict(azure.props["securityRules"][0])
    del rule["sourceAddressPrefix"]
    azure = edited(azure, ("securityRules", 0), {**rule, "sourceAddressPrefixes": HALVES})
    too_many = "3,702,258,688 public IPv4 addresses, more than a /8 holds (16,777,216)"
    assert g.check_mgmt_not_open(gcp) == [
        "management firewall rule airs-gcp-dev-allow-mgmt-ingress admits 0.0.0.0/1, "
        f"128.0.0.0/1: together {too_many}; admit only the admin networks "
        "(airs:securityProject.mgmtAllowedCidrs)"
    ]
    assert g.check_mgmt_not_open(aws) == [
        "management security group rules management SSH, management HTTPS admit 0.0.0.0/1, "
        f"128.0.0.0/1: together {too_many}; admit only the admin networks "
        "(airs:securityProject.mgmtAllowedCidrs)"
    ]
    assert len(g.check_mgmt_not_open(azure)) == 1
    assert too_many in g.check_mgmt_not_open(azure)[0]


@pytest.mark.parametrize(
    "sources",
    [
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"],  # not public
        ["1.0.0.0/8"],  # exactly the limit
        ["1.0.0.0/8", "1.0.0.0/9", "1.128.0.0/9"],  # overlaps counted once
    ],
)
def test_mgmt_quiet_up_to_a_slash_8_of_public_addresses(
    planned: dict[str, list[PlannedResource]], sources: list[str]
) -> None:
    res = edited(find(planned["gcp-dev"], *MGMT["gcp-dev"]), ("sourceRanges",), sources)
    assert g.check_mgmt_not_open(res) == []


def test_mgmt_fires_just_past_a_slash_8(planned: dict[str, list[PlannedResource]]) -> None:
    res = edited(
        find(planned["gcp-dev"], *MGMT["gcp-dev"]), ("sourceRanges",), ["1.0.0.0/8", "3.0.0.0/32"]
    )
    assert "16,777,217 public IPv4 addresses" in g.check_mgmt_not_open(res)[0]


def test_mgmt_ignores_the_untrust_rule_and_deny_rules(
    planned: dict[str, list[PlannedResource]],
) -> None:
    # Untrust has its own guardrail (below); the mgmt NSG's last rule denies "*".
    untrust = find(planned["gcp-dev"], model.GCP_FIREWALL, "-allow-untrust")
    assert g.check_mgmt_not_open(edited(untrust, ("sourceRanges",), ["0.0.0.0/0"])) == []
    nsg = find(planned["azure-dev"], *MGMT["azure-dev"])
    deny = [r for r in nsg.props["securityRules"] if r["access"] == "Deny"]
    assert [r["sourceAddressPrefix"] for r in deny] == ["*"]


def test_mgmt_rule_found_by_its_vpc_when_renamed(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["gcp-dev"], *MGMT["gcp-dev"])
    res = edited(edited(res, ("name",), "custom-admin-rule"), ("sourceRanges",), ["0.0.0.0/0"])
    assert len(g.check_mgmt_not_open(res)) == 1


# ------------------------------------------------------------------ 1b. untrust (pack only)

UNTRUST = {
    "gcp-dev": (model.GCP_FIREWALL, "-allow-untrust"),
    "azure-dev": (model.AZURE_NSG, "-untrust-nsg"),
}


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev"])
def test_untrust_quiet_on_the_plan(planned: dict[str, list[PlannedResource]], stack: str) -> None:
    res = find(planned[stack], *UNTRUST[stack])
    assert model.security_role(res) == "untrust"
    assert g.check_untrust_not_open(res) == []


def test_untrust_fires_on_every_port_from_the_internet(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["gcp-dev"], *UNTRUST["gcp-dev"])
    fix = "admit only the client networks that need the firewalls (airs:securityProject.untrustAllowedCidrs)"
    opened = edited(res, ("sourceRanges",), [*res.props["sourceRanges"], "0.0.0.0/0"])
    assert g.check_untrust_not_open(opened) == [
        f"untrust firewall rule airs-gcp-dev-allow-untrust-ingress admits 0.0.0.0/0 on every port; {fix}"
    ]
    halves = edited(res, ("sourceRanges",), HALVES)
    assert len(g.check_untrust_not_open(halves)) == 1
    # Limited to ports, or to a few client networks: not this guardrail's concern.
    web = edited(opened, ("allows",), [{"protocol": "tcp", "ports": ["443"]}])
    assert g.check_untrust_not_open(web) == []
    clients = edited(res, ("sourceRanges",), [*res.props["sourceRanges"], "203.0.113.0/24"])
    assert g.check_untrust_not_open(clients) == []
    # A protocol with no port list admits every port of it.
    every_tcp = edited(opened, ("allows",), [{"protocol": "tcp"}])
    assert len(g.check_untrust_not_open(every_tcp)) == 1


def test_untrust_azure_rule_on_every_port_fires(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["azure-dev"], *UNTRUST["azure-dev"])
    web = [r for r in res.props["securityRules"] if r["name"] == "allow-inbound-web"]
    # The program admits the internet on the web ports only: quiet.
    assert [(r["sourceAddressPrefix"], r["destinationPortRanges"]) for r in web] == [
        ("Internet", ["80", "443"])
    ]
    rules = [
        {k: v for k, v in r.items() if k != "destinationPortRanges"} | {"destinationPortRange": "*"}
        if r["name"] == "allow-inbound-web"
        else r
        for r in res.props["securityRules"]
    ]
    messages = g.check_untrust_not_open(edited(res, ("securityRules",), rules))
    assert len(messages) == 1
    assert messages[0].startswith(
        "untrust NSG rule allow-inbound-web admits Internet on every port;"
    )


def test_untrust_aws_security_group_open_on_every_port_fires() -> None:
    """Overlay routing's untrust ENIs (aws-prod) have no inbound rule; one that admits the
    internet on every port is refused, one limited to a port is not this rule's concern."""
    res = find(policy.planned_resources(plan_example("aws-prod")), *UNTRUST_AWS)
    assert model.security_role(res) == "untrust"
    assert res.props["ingress"] == []
    assert g.check_untrust_not_open(res) == []
    every = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    assert g.check_untrust_not_open(edited(res, ("ingress",), [every])) == [
        "untrust security group rule -1 0 admits 0.0.0.0/0 on every port; remove it: replies "
        "to the firewalls' outbound sessions need no inbound rule"
    ]
    whole_range = every | {"protocol": "tcp", "fromPort": 0, "toPort": 65535}
    assert len(g.check_untrust_not_open(edited(res, ("ingress",), [whole_range]))) == 1
    https = every | {"protocol": "tcp", "fromPort": 443, "toPort": 443}
    assert g.check_untrust_not_open(edited(res, ("ingress",), [https])) == []


UNTRUST_AWS = (model.AWS_SECURITY_GROUP, "-untrust-sg")


# ------------------------------------------------------------------ 2. health checks on trust


@pytest.mark.parametrize("stack", sorted(TRUST))
def test_trust_quiet_on_the_plan(planned: dict[str, list[PlannedResource]], stack: str) -> None:
    res = find(planned[stack], *TRUST[stack])
    assert model.security_role(res) == "trust"
    assert g.check_trust_admits_health_checks(res) == []


def test_trust_fires_without_a_gcp_health_check_range(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["gcp-dev"], *TRUST["gcp-dev"])
    sources = [s for s in res.props["sourceRanges"] if s != "130.211.0.0/22"]
    messages = g.check_trust_admits_health_checks(edited(res, ("sourceRanges",), sources))
    assert len(messages) == 1
    assert "130.211.0.0/22" in messages[0]
    assert "35.191.0.0/16" not in messages[0]


def test_trust_health_check_range_covered_only_by_the_whole_of_it(
    planned: dict[str, list[PlannedResource]],
) -> None:
    """A /24 inside 35.191.0.0/16 does not cover it; two /17 halves do, together."""
    res = find(planned["gcp-dev"], *TRUST["gcp-dev"])
    others = [s for s in res.props["sourceRanges"] if s != "35.191.0.0/16"]
    assert len(others) == len(res.props["sourceRanges"]) - 1
    narrow = edited(res, ("sourceRanges",), [*others, "35.191.0.0/24"])
    messages = g.check_trust_admits_health_checks(narrow)
    assert len(messages) == 1
    assert "range(s) 35.191.0.0/16;" in messages[0]
    halves = edited(res, ("sourceRanges",), [*others, "35.191.0.0/17", "35.191.128.0/17"])
    assert g.check_trust_admits_health_checks(halves) == []
    assert model._covers(["35.191.0.0/17", "35.191.128.0/17"], "35.191.0.0/16")
    assert not model._covers(["35.191.0.0/24"], "35.191.0.0/16")
    assert not model._covers(["35.191.0.0/17", "35.191.128.0/18"], "35.191.0.0/16")
    assert model._covers(["35.0.0.0/8"], "35.191.0.0/16")


def test_trust_fires_without_the_azure_probe_rule(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["azure-dev"], *TRUST["azure-dev"])
    rules = [r for r in res.props["securityRules"] if r["name"] != "allow-azure-lb-probe"]
    assert len(rules) == len(res.props["securityRules"]) - 1
    messages = g.check_trust_admits_health_checks(edited(res, ("securityRules",), rules))
    assert len(messages) == 1
    assert "AzureLoadBalancer" in messages[0]


def test_trust_azure_probe_by_address(planned: dict[str, list[PlannedResource]]) -> None:
    res = find(planned["azure-dev"], *TRUST["azure-dev"])
    res = edited(res, ("securityRules", 0, "sourceAddressPrefix"), "168.63.129.16/32")
    assert g.check_trust_admits_health_checks(res) == []


def test_trust_fires_without_the_gwlb_health_check_rule(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["aws-dev"], *TRUST["aws-dev"])
    geneve = [r for r in res.props["ingress"] if r["protocol"] == "udp"]
    messages = g.check_trust_admits_health_checks(edited(res, ("ingress",), geneve))
    assert len(messages) == len(geneve[0]["cidrBlocks"]) == 2  # one per GWLB subnet


# ------------------------------------------------------------------ 3. secrets


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev", "aws-dev", "rancher-prod"])
def test_secrets_quiet_on_the_plan(planned: dict[str, list[PlannedResource]], stack: str) -> None:
    checked = [(r, path) for r in planned[stack] for path, _ in g.sensitive_values(r)]
    kinds = {r.type for r, _ in checked}
    # Every stack has kubeconfigs and plugin credentials; public clouds a bootstrap value.
    assert {"pulumi:providers:kubernetes", model.PANORAMA_OBJECT, model.PANORAMA_COMMIT} <= kinds
    assert all(g.check_secrets(r) == [] for r in planned[stack])


@pytest.mark.parametrize(
    ("stack", "type_", "suffix", "what"),
    [
        ("gcp-dev", "gcp:compute/instanceTemplate:InstanceTemplate", "", "vm-auth-key"),
        ("azure-dev", "azure-native:compute:VirtualMachineScaleSet", "", "custom data"),
        ("aws-dev", "aws:ec2/launchTemplate:LaunchTemplate", "", "user data"),
        ("rancher-prod", "pulumi:providers:kubernetes", "-apps-k8s", "kubeconfig"),
        ("rancher-prod", model.PANORAMA_COMMIT, "", "plugin credential"),
    ],
)
def test_secrets_fire_when_plaintext(
    planned: dict[str, list[PlannedResource]], stack: str, type_: str, suffix: str, what: str
) -> None:
    res = find(planned[stack], type_, suffix)
    assert g.check_secrets(res) == []
    plaintext = dataclasses.replace(res, secret_paths=frozenset())
    messages = g.check_secrets(plaintext)
    assert messages
    assert all("is not a Pulumi secret" in m for m in messages)
    assert any(what in m for m in messages)


def test_secrets_fail_closed_when_not_observed(planned: dict[str, list[PlannedResource]]) -> None:
    res = find(planned["gcp-dev"], "pulumi:providers:kubernetes")
    messages = g.check_secrets(dataclasses.replace(res, secret_paths=None))
    assert messages == [f"kubeconfig (kubeconfig): {model.SECRETS_NOT_OBSERVED}"]


def test_secrets_fire_on_an_inline_plugin_credential(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["gcp-dev"], model.PANORAMA_OBJECT, "-k8s-cluster-gke-dev")
    field = "cluster-credential-file/service-account-cred"
    assert res.props["fields"][field].startswith("{{late:")
    inline = edited(res, ("fields", field), "H4sIAAAAAAAA-inline-token")
    messages = g.check_secrets(inline)
    assert len(messages) == 1
    assert "inline" in messages[0]
    # The same literal inside secret element and fields is acceptable.
    assert inline.secret_paths is not None
    hidden = dataclasses.replace(
        inline, secret_paths=inline.secret_paths | {("element",), ("fields",)}
    )
    assert g.check_secrets(hidden) == []


def test_secret_of_a_containing_value_covers_its_parts() -> None:
    res = PlannedResource(
        urn="u",
        type="gcp:compute/instanceTemplate:InstanceTemplate",
        name="t",
        props={"metadata": {"vm-auth-key": "k", "tplname": "s"}},
        secret_paths=frozenset({("metadata",)}),
    )
    assert res.is_secret(("metadata", "vm-auth-key"))
    assert g.check_secrets(res) == []


# ------------------------------------------------------------------ 4. Helm release namespace


def test_release_quiet_on_the_plan(planned: dict[str, list[PlannedResource]]) -> None:
    releases = [r for r in planned["rancher-prod"] if r.type == model.HELM_RELEASE]
    assert len(releases) == 2
    assert all(g.check_release_namespace(r) == [] for r in releases)


@pytest.mark.parametrize("namespace", ["default", "pan-cni", "", DELETE])
def test_release_fires_outside_kube_system(
    planned: dict[str, list[PlannedResource]], namespace: object
) -> None:
    res = find(planned["gcp-dev"], model.HELM_RELEASE)
    messages = g.check_release_namespace(edited(res, ("namespace",), namespace))
    assert len(messages) == 1
    assert "kube-system" in messages[0]


def test_release_namespace_unknown_is_not_judged(
    planned: dict[str, list[PlannedResource]],
) -> None:
    res = find(planned["gcp-dev"], model.HELM_RELEASE)
    assert g.check_release_namespace(edited(res, ("namespace",), model.UNKNOWN)) == []


# ------------------------------------------------------------------ 5. unique cluster identity


def test_identity_quiet_on_two_clusters(planned: dict[str, list[PlannedResource]]) -> None:
    found = g.cluster_identities(planned["rancher-prod"])
    assert sorted(v for w, v, _ in found if w == "clusterId") == [91, 92]
    assert sorted(v for w, v, _ in found if w == "panoramaName") == ["rke-prod-a", "rke-prod-b"]
    assert g.check_cluster_identity(planned["rancher-prod"]) == []


def test_identity_fires_on_a_shared_cluster_id(planned: dict[str, list[PlannedResource]]) -> None:
    resources = list(planned["rancher-prod"])
    a, b = (r for r in resources if r.type == model.HELM_RELEASE)
    resources[resources.index(b)] = edited(
        b, ("values", "clusterid"), a.props["values"]["clusterid"]
    )
    found = g.check_cluster_identity(resources)
    assert sorted(urn for urn, _ in found) == sorted([a.urn, b.urn])
    assert all("clusterId" in m for _, m in found)


def test_identity_fires_on_a_shared_panorama_name(
    planned: dict[str, list[PlannedResource]],
) -> None:
    resources = list(planned["rancher-prod"])
    a, b = (
        r for r in resources if r.type == model.PANORAMA_OBJECT and r.props["kind"] == "k8s-cluster"
    )
    resources[resources.index(b)] = edited(b, ("name",), a.props["name"])
    found = g.check_cluster_identity(resources)
    assert sorted(urn for urn, _ in found) == sorted([a.urn, b.urn])
    assert all(f"panoramaName {a.props['name']}" in m for _, m in found)


# ------------------------------------------------------------------ 6. Panorama commit


def test_commit_quiet_on_the_plan(planned: dict[str, list[PlannedResource]]) -> None:
    objects = [r for r in planned["azure-dev"] if r.type == model.PANORAMA_OBJECT]
    assert len(objects) > 10
    assert g.check_panorama_committed(planned["azure-dev"]) == []


def test_commit_fires_for_an_object_the_commit_does_not_depend_on(
    planned: dict[str, list[PlannedResource]],
) -> None:
    resources = list(planned["azure-dev"])
    commit = find(resources, model.PANORAMA_COMMIT)
    orphan = next(r for r in resources if r.type == model.PANORAMA_OBJECT)
    resources[resources.index(commit)] = dataclasses.replace(
        commit, dependencies=commit.dependencies - {orphan.urn}
    )
    found = g.check_panorama_committed(resources)
    assert [urn for urn, _ in found] == [orphan.urn]
    assert "no PanoramaCommit" in found[0][1]


def test_commit_fires_when_there_is_no_commit(planned: dict[str, list[PlannedResource]]) -> None:
    resources = [r for r in planned["gcp-dev"] if r.type != model.PANORAMA_COMMIT]
    objects = [r.urn for r in resources if r.type == model.PANORAMA_OBJECT]
    assert [u for u, _ in g.check_panorama_committed(resources)] == objects


def test_commit_on_another_panorama_does_not_count(
    planned: dict[str, list[PlannedResource]],
) -> None:
    resources = list(planned["gcp-dev"])
    commit = find(resources, model.PANORAMA_COMMIT)
    resources[resources.index(commit)] = edited(commit, ("hostname",), "192.0.2.99")
    assert len(g.check_panorama_committed(resources)) == sum(
        r.type == model.PANORAMA_OBJECT for r in resources
    )


# ------------------------------------------------------------------ all together


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev", "aws-dev", "rancher-prod"])
def test_evaluate_quiet_on_the_plan(planned: dict[str, list[PlannedResource]], stack: str) -> None:
    assert g.evaluate(planned[stack]) == []


def test_guardrail_names_are_unique_and_each_has_one_check() -> None:
    names = [x.name for x in g.GUARDRAILS]
    assert len(set(names)) == len(names) == 7
    assert all((x.resource_check is None) != (x.stack_check is None) for x in g.GUARDRAILS)
