"""`airs diff`: promotion between stacks and drift against a saved plan or stack export."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.cli.diff import ABSENT, SECRET, PropertyChange, property_changes
from components.cli.diff_reading import Reading
from components.cli.main import main
from tests.helpers import ROOT

ARGS = ["--project", str(ROOT)]


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*ARGS, "diff", *args])
    return code, capsys.readouterr().out


def test_same_stack_has_no_difference(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "rancher-dev", "rancher-dev")
    assert code == 0
    assert "(no differences)" in out


def test_openshift_promotion_shows_changed_properties(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_json = tmp_path / "diff.json"
    code, out = _diff(capsys, "openshift-dev", "openshift-prod", "--json", str(out_json))
    assert code == 3
    assert "~ values.clusterid: 61 => 71" in out
    assert '~ values.endpoints[0].ip: "10.101.255.253" => "10.201.255.253"' in out
    assert "+ kubernetes:core/v1:NamespacePatch  airs-ocp-prod-apps-protect-inference" in out
    doc = json.loads(out_json.read_text())
    assert doc["from"] == "openshift-dev"
    assert doc["to"] == "openshift-prod"
    (release,) = [c for c in doc["changed"] if c["type"] == "kubernetes:helm.sh/v3:Release"]
    paths = {p["path"]: (p["old"], p["new"]) for p in release["properties"]}
    assert paths["values.clusterid"] == (61, 71)
    assert paths["values.fwtrustcidr"] == ("10.101.255.0/24", "10.201.255.0/24")


def test_rancher_promotion_adds_the_second_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "rancher-dev", "rancher-prod")
    assert code == 3
    assert "+ airs:index:ClusterIntercept  airs-rke-prod-edge" in out
    assert "~ values.clusterid: 81 => 91" in out


# Each cloud's promotion: the firewall size and the replica counts the stack files change,
# and the firewalls' bootstrap (a secret: prod adds a second Panorama server or other
# settings) changed without either side's value shown.
PROMOTION_LINES = {
    "gcp": [
        '~ machineType: "n2-standard-4" => "n2-standard-8"',
        "~ autoscalingPolicy.maxReplicas: 2 => 6",
        "~ autoscalingPolicy.minReplicas: 1 => 2",
        "~ metadata: [secret] => [secret]",
    ],
    "azure": [
        '~ sku.name: "Standard_D3_v2" => "Standard_D8_v5"',
        "~ sku.capacity: 1 => 2",
        "~ virtualMachineProfile: [secret] => [secret]",
    ],
    "aws": [
        '~ instanceType: "c6in.xlarge" => "c6in.2xlarge"',
        "~ maxSize: 2 => 6",
        "~ minSize: 1 => 2",
        "~ userData: [secret] => [secret]",
    ],
}


@pytest.mark.parametrize("cloud", sorted(PROMOTION_LINES))
def test_cloud_promotions_differ(cloud: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, f"{cloud}-dev", f"{cloud}-prod")
    assert code == 3
    lines = [line.strip() for line in out.splitlines()]
    for expected in PROMOTION_LINES[cloud]:
        assert expected in lines, f"{expected!r} missing from:\n{out}"
    # A secret only ever shows masked on both sides of a change, never beside a plain value.
    shown = [line for line in lines if SECRET in line]
    assert shown, out
    assert all(re.fullmatch(r"~ \S+: \[secret\] => \[secret\]", line) for line in shown), shown
    # The AIRS identification tags and labels carry the deployment id, read across like
    # `airs:name`: never a difference between two stacks.
    # (A property whose path names such a tag; the SubnetInfo's type or a policy that
    # mentions the tag key are no tag.)
    assert not re.search(r"^\s*[~+-] \S*paloaltonetworks[._]com-\S*:", out, re.MULTILINE), out


def test_gcp_promotion_shows_firewall_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys, "gcp-dev", "gcp-prod")
    assert code == 3
    assert '"n2-standard-4" => "n2-standard-8"' in out


def _plan(tmp_path: Path, stack: str) -> dict[str, Any]:
    path = tmp_path / f"{stack}.json"
    assert main([*ARGS, "plan", "--stack", stack, "--json", str(path)]) == 0
    return json.loads(path.read_text())


def _export_from_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """A `pulumi stack export` document holding what the plan would have deployed."""
    resources = [
        {
            "urn": f"urn:pulumi:{plan['stack']}::airs::pulumi:pulumi:Stack::airs-{plan['stack']}",
            "custom": False,
            "type": "pulumi:pulumi:Stack",
        }
    ]
    for res in plan["resources"]:
        if res["read"]:
            continue
        entry = {
            "urn": res["urn"],
            "custom": res["custom"],
            "type": res["type"],
            "parent": res["parent"],
        }
        if res["custom"]:
            inputs = copy.deepcopy(res["inputs"])
            # secrets are ciphertext in an export
            for key, value in list(inputs.items()):
                if value == "[secret]":
                    inputs[key] = {
                        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                        "ciphertext": "v1:abc:def",
                    }
            entry["inputs"] = inputs
            entry["outputs"] = {**inputs, "id": "computed"}
        resources.append(entry)
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


def test_against_export_finds_exactly_the_edits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(tmp_path, "openshift-prod")
    capsys.readouterr()
    export = _export_from_plan(plan)
    resources = export["deployment"]["resources"]
    release = next(r for r in resources if r["type"] == "kubernetes:helm.sh/v3:Release")
    release["inputs"]["values"]["clusterid"] = 70  # edited out of band
    patch = next(r for r in resources if r["urn"].endswith("protect-inference"))
    resources.remove(patch)  # not yet deployed
    resources.append(
        {
            "urn": "urn:pulumi:openshift-prod::airs::airs:index:AirsDeployment$kubernetes:core/v1:NamespacePatch::stale",
            "custom": True,
            "type": "kubernetes:core/v1:NamespacePatch",
            "inputs": {"metadata": {"name": "old"}},
        }
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    out_json = tmp_path / "diff.json"
    code, out = _diff(
        capsys, "--stack", "openshift-prod", "--against", str(path), "--json", str(out_json)
    )
    assert code == 3
    doc = json.loads(out_json.read_text())
    assert [a["urn"] for a in doc["added"]] == [patch["urn"]]
    assert [r["name"] for r in doc["removed"]] == ["stale"]
    assert [
        (c["type"], [(p["path"], p["old"], p["new"]) for p in c["properties"]])
        for c in doc["changed"]
    ] == [("kubernetes:helm.sh/v3:Release", [("values.clusterid", 70, 71)])]
    assert "provider-side defaults and computed values" in out


def test_against_own_saved_plan_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plan(tmp_path, "rancher-prod")
    capsys.readouterr()
    code, out = _diff(
        capsys, "--stack", "rancher-prod", "--against", str(tmp_path / "rancher-prod.json")
    )
    assert code == 0, out


@pytest.mark.parametrize(
    "args",
    [
        ["rancher-dev"],
        ["rancher-dev", "rancher-prod", "--stack", "x"],
        ["--stack", "rancher-dev", "--against", "/nonexistent.json"],
        ["rancher-dev", "nope"],
    ],
)
def test_bad_input_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _diff(capsys, *args)
    assert code == 2


def test_garbage_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"neither": 1}')
    code, _ = _diff(capsys, "--stack", "rancher-dev", "--against", str(path))
    assert code == 2


# --- property_changes: every kind of difference is reported, with each side's own value ---


def test_a_grown_list_is_a_change() -> None:
    old = {"values": {"endpoints": [{"ip": "10.0.0.1"}]}}
    new = {"values": {"endpoints": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]}}
    assert property_changes(old, new) == [
        PropertyChange(
            "values.endpoints[1]", ABSENT, {"ip": "10.0.0.2"}, ("values", "endpoints", 1)
        )
    ]
    # and shrunk the other way round
    assert property_changes(new, old) == [
        PropertyChange(
            "values.endpoints[1]", {"ip": "10.0.0.2"}, ABSENT, ("values", "endpoints", 1)
        )
    ]


def test_a_removed_key_is_a_change_whatever_its_value() -> None:
    old = {"a": 1, "gone": "x", "gone-null": None, "nested": {"keep": 1, "drop": False}}
    new = {"a": 1, "nested": {"keep": 1}}
    assert property_changes(old, new) == [
        PropertyChange("gone", "x", ABSENT, ("gone",)),
        PropertyChange("gone-null", None, ABSENT, ("gone-null",)),
        PropertyChange("nested.drop", False, ABSENT, ("nested", "drop")),
    ]
    assert property_changes(new, old)[1] == PropertyChange(
        "gone-null", ABSENT, None, ("gone-null",)
    )


def test_the_reading_decides_equality_but_the_old_value_printed_is_the_old_sides() -> None:
    reading = Reading((("airs-gcp-dev", "airs-gcp-prod"),))
    old = {"network": "projects/example-airs-dev/global/networks/airs-gcp-dev-fw-trust-vpc"}
    same = {"network": "projects/example-airs-dev/global/networks/airs-gcp-prod-fw-trust-vpc"}
    other = {"network": "projects/example-airs-prod/global/networks/airs-gcp-prod-fw-trust-vpc"}
    assert property_changes(old, same, reading=reading) == []
    assert property_changes(old, other, reading=reading) == [
        PropertyChange("network", old["network"], other["network"], ("network",))
    ]


def test_against_a_plan_from_before_a_list_grew_and_a_key_was_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pulumi up` would add an endpoint (the program's list grew) and drop a value (the
    program no longer sets it): both must be differences."""
    plan = _plan(tmp_path, "rancher-prod")
    capsys.readouterr()
    release = next(
        r
        for r in plan["resources"]
        if r["type"] == "kubernetes:helm.sh/v3:Release" and r["name"].endswith("edge-pan-cni")
    )
    values = release["inputs"]["values"]
    endpoint = values["endpoints"].pop()  # recorded before the program's list grew
    values["retired"] = "yes"  # recorded before the program stopped setting the key
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(plan))
    out_json = tmp_path / "diff.json"
    code, out = _diff(
        capsys, "--stack", "rancher-prod", "--against", str(path), "--json", str(out_json)
    )
    assert code == 3, out
    (change,) = json.loads(out_json.read_text())["changed"]
    index = len(values["endpoints"])
    assert [(p["path"], p["old"], p["new"]) for p in change["properties"]] == [
        (f"values.endpoints[{index}]", None, endpoint),
        ("values.retired", "yes", None),
    ]
    assert f"+ values.endpoints[{index}]: {json.dumps(endpoint, sort_keys=True)}" in out
    assert '- values.retired: "yes"' in out


# --- AWS: assets by content, the deployment id read across (issue 16, item 1) ---


def test_same_aws_stack_has_no_difference(capsys: pytest.CaptureFixture[str]) -> None:
    """`airs diff aws-dev aws-dev` exited 3: the Lambda's AssetArchive compared by address."""
    code, out = _diff(capsys, "aws-dev", "aws-dev")
    assert code == 0, out
    assert "(no differences)" in out
    assert "object at 0x" not in out


def test_aws_against_its_own_fresh_plan_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _plan(tmp_path, "aws-dev")
    capsys.readouterr()
    code, out = _diff(capsys, "--stack", "aws-dev", "--against", str(tmp_path / "aws-dev.json"))
    assert code == 0, out
    assert "(no differences)" in out


def test_plan_json_holds_the_lambda_code_by_content(tmp_path: Path) -> None:
    from components.clouds.aws.lifecycle import LIFECYCLE_LAMBDA

    plan = _plan(tmp_path, "aws-dev")
    assert "object at 0x" not in (tmp_path / "aws-dev.json").read_text()
    (function,) = [r for r in plan["resources"] if r["type"] == "aws:lambda/function:Function"]
    member = {
        "__asset": "StringAsset",
        "hash": hashlib.sha256(LIFECYCLE_LAMBDA.encode()).hexdigest(),
    }
    assert function["inputs"]["code"]["__asset"] == "AssetArchive"
    assert function["inputs"]["code"]["assets"] == {"index.py": member}
    # The same on every run (an address was new on each).
    again = tmp_path / "again"
    again.mkdir()
    assert _plan(again, "aws-dev")["resources"] == plan["resources"]


def _export_code(text: str) -> dict[str, Any]:
    """The Lambda code as `pulumi stack export` holds it: the engine's archive form."""
    sig = "4dabf18193072939515e22adb298388d"
    asset = {sig: "c44067f5952c0a294b673a41bacd8c17", "text": text}
    asset["hash"] = hashlib.sha256(text.encode()).hexdigest()
    return {sig: "0def7320c3a5731c473e5ecbe6d01bc7", "assets": {"index.py": asset}}


def test_aws_against_an_export_compares_the_lambda_code_by_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from components.clouds.aws.lifecycle import LIFECYCLE_LAMBDA

    export = _export_from_plan(_plan(tmp_path, "aws-dev"))
    capsys.readouterr()
    resources = export["deployment"]["resources"]
    (function,) = [r for r in resources if r["type"] == "aws:lambda/function:Function"]
    path = tmp_path / "export.json"
    function["inputs"]["code"] = _export_code(LIFECYCLE_LAMBDA)
    path.write_text(json.dumps(export))
    code, out = _diff(capsys, "--stack", "aws-dev", "--against", str(path))
    assert code == 0, out
    # Deployed code that is not the program's is a change of `code`.
    function["inputs"]["code"] = _export_code(LIFECYCLE_LAMBDA + "# edited in the console\n")
    path.write_text(json.dumps(export))
    out_json = tmp_path / "diff.json"
    code, out = _diff(capsys, "--stack", "aws-dev", "--against", str(path), "--json", str(out_json))
    assert code == 3, out
    (change,) = json.loads(out_json.read_text())["changed"]
    assert [p["path"] for p in change["properties"]] == ["code"]
    assert "~ code: AssetArchive(" in out


# What stacks/Pulumi.aws-prod.yaml changes from aws-dev, and where each change lands. Every
# other value is the same once read across (names, deployment id, references to resources
# both stacks have), so the identification tags, the Lambda's code, the launch template id
# and the target group, load balancer, rule and function ARNs are no difference.
# Commit objects whose apply mode changes too (a merge-mode object now sits at their index).
_MODE_CHANGED = {i: ("mode",) for i in (6, 7, 8, 13)}

AWS_PROMOTION = {
    # region us-east-1 → us-west-2
    "security-aws": ["region"],
    # applications.app-vpc: another VPC, CIDR and endpoint subnets (three zones)
    "apps-app-vpc-igw-edge-rt": [
        "routes[0].cidrBlock",
        "routes[0].vpcEndpointId",
        "routes[1].cidrBlock",
        "routes[1].vpcEndpointId",
        "routes[2]",
        "vpcId",
    ],
    "apps-app-vpc-igw-edge-rta": ["gatewayId"],  # the other VPC's internet gateway
    # firewall: replicas 1-2 → 2-6, in three zones' trust subnets; instance type
    "security-asg": [
        "maxSize",
        "minSize",
        "vpcZoneIdentifiers[0]",
        "vpcZoneIdentifiers[1]",
        "vpcZoneIdentifiers[2]",
    ],
    # instance type; bootstrap adds panorama-server-2 (a secret)
    "security-lt": ["instanceType", "userData"],
    # securityProject.cidrs.vpc 10.70.0.0/23 → 10.170.0.0/22: the GWLB subnets' ranges
    "security-data-sg": [
        "ingress[0].cidrBlocks[0]",
        "ingress[0].cidrBlocks[1]",
        "ingress[0].cidrBlocks[2]",
        "ingress[1].cidrBlocks[0]",
        "ingress[1].cidrBlocks[1]",
        "ingress[1].cidrBlocks[2]",
    ],
    "security-vpc": ["cidrBlock"],
    "security-endpoint-service": ["allowedPrincipals[0]"],  # allowedPrincipals
    # The lifecycle function may complete actions only on its group, named by region.
    "security-lifecycle-policy": ["policy"],
    # The zones' subnets; overlay routing (prod only) adds the untrust ENIs' subnets and group.
    "security-lifecycle": [
        "environment.variables.MGMT_SUBNETS",
        "environment.variables.UNTRUST_SG",
        "environment.variables.UNTRUST_SUBNETS",
    ],
    "security-gwlb": ["subnets[0]", "subnets[1]", "subnets[2]"],
    # clusters.apps: clusterId 41 → 51, endpoints in three zones
    "apps-pan-cni": [
        "values.clusterid",
        "values.endpoints[0].ip",
        "values.endpoints[0].zone",
        "values.endpoints[1].ip",
        "values.endpoints[1].zone",
        "values.endpoints[2]",
    ],
    # Panorama: health checks from the new GWLB subnets, clusters eks-prod and eks-ml-prod;
    # overlay routing's ethernet1/2, its vsys import, zone untrust and the outbound NAT rule
    # join the commit's object list from index 6 on, moving every later object.
    "panorama-commit": [
        "late",
        "objects[4].element",
        "objects[5].element",
        *(
            f"objects[{i}].{field}"
            for i in range(6, 17)
            for field in ("element", "kind", *_MODE_CHANGED.get(i, ()), "name", "xpath")
        ),
        *(f"objects[{i}]" for i in range(17, 23)),
    ],
    # With overlay routing the default route is ethernet1/2's, and the ranges the replies go
    # to (GWLB subnets, application VPCs, service ranges) are routed via each zone's trust
    # gateway out of ethernet1/1.
    "panorama-ethernet-ethernet1_1": ["element", "fields.layer3/dhcp-client/create-default-route"],
    "panorama-logical-router-vr-private": [
        "element",
        "fields.vrf/entry[default]/interface",
        *(
            f"fields.vrf/entry[default]/routing-table/ip/static-route/entry[{route}-z{zone}]/{field}"
            for route in (
                "app-app-vpc",
                "app-ml-vpc",
                "gwlb-hc-0",
                "gwlb-hc-1",
                "gwlb-hc-2",
                "svc-eks-ml-prod",
                "svc-eks-prod",
            )
            for zone in range(3)
            for field in ("destination", "interface", "metric", "nexthop/ip-address")
        ),
    ],
    "panorama-security-rule-airs-aws-prod-allow-ai": ["element", "fields.to"],
    "panorama-management-profile-allow-health-checks": [
        "element",
        "fields.permitted-ip/entry[10.170.0.160/28]",
        "fields.permitted-ip/entry[10.170.0.32/28]",
        "fields.permitted-ip/entry[10.170.0.96/28]",
        "fields.permitted-ip/entry[10.70.0.32/28]",
        "fields.permitted-ip/entry[10.70.0.96/28]",
    ],
    "panorama-security-rule-airs-aws-prod-allow-health-checks": ["element", "fields.source"],
}


def test_aws_promotion_reports_exactly_the_real_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "diff.json"
    code, out = _diff(capsys, "aws-dev", "aws-prod", "--json", str(out_json))
    assert code == 3
    assert "(read as airs-aws-dev → airs-aws-prod, " in out  # then the deployment ids
    doc = json.loads(out_json.read_text())
    assert doc["readAs"][0] == ["airs-aws-dev", "airs-aws-prod"]
    assert len(doc["readAs"]) == 2  # and the deployment ids
    prefix = "airs-aws-prod-"
    changed = {
        c["name"].removeprefix(prefix): [p["path"] for p in c["properties"]] for c in doc["changed"]
    }
    assert changed == AWS_PROMOTION
    values = {
        (c["name"].removeprefix(prefix), p["path"]): (p["old"], p["new"])
        for c in doc["changed"]
        for p in c["properties"]
    }
    assert values["security-asg", "maxSize"] == (2, 6)
    assert values["security-asg", "minSize"] == (1, 2)
    assert values["security-lt", "instanceType"] == ("c6in.xlarge", "c6in.2xlarge")
    assert values["security-aws", "region"] == ("us-east-1", "us-west-2")
    assert values["security-vpc", "cidrBlock"] == ("10.70.0.0/23", "10.170.0.0/22")
    assert values["security-endpoint-service", "allowedPrincipals[0]"] == (
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::111122223333:root",
    )
    # Removed: dev's per-zone resources (us-east-1a/b), its app subnets' routes and its
    # cluster's Panorama entries, under dev's own names. Added: prod's zones, its second
    # application VPC and cluster (ml), its app subnets' routes and clusters' entries.
    removed = [r["name"] for r in doc["removed"]]
    assert len(removed) == 34
    assert all(
        re.fullmatch(
            r"airs-aws-dev-.*-(us-east-1[ab]|subnet-0a1b2c3d4e5f607(19|1a)-default|eks-dev)", n
        )
        for n in removed
    ), removed
    added = [r["name"] for r in doc["added"]]
    # 65, the ml namespace's steering SubnetInfo, and overlay routing's 12: 3 untrust subnets,
    # their table and 3 associations, the untrust group, and Panorama's ethernet1/2, its vsys
    # import, zone untrust and the outbound NAT rule.
    assert len(added) == 78
    assert all(
        re.fullmatch(
            r"airs-aws-prod-(.*-us-west-2[abc]|apps-app-vpc-subnet-0b1c2d3e4f50617(29|2a|2b)-default"
            r"|ml|ml-.*|panorama-k8s-(cluster|monitoring)-eks(-ml)?-prod"
            r"|security-untrust-(rt|sg)|panorama-(ethernet|vsys-import)-ethernet1_2"
            r"|panorama-zone-untrust|panorama-nat-rule-airs-aws-prod-outbound-internet)",
            n,
        )
        for n in added
    ), added


def test_aws_copy_with_other_replica_counts_differs_in_those(
    project_dir: Path, tmp_path: Path
) -> None:
    """The issue's case: a prod stack that is dev's file with its own name and other replica
    counts. Dev's deployment id tags (a hash of the stack name) are read as prod's."""
    dev = (ROOT / "stacks" / "Pulumi.aws-dev.yaml").read_text()
    (project_dir / "stacks" / "Pulumi.aws-dev.yaml").write_text(dev)
    prod = dev.replace("airs:name: airs-aws-dev", "airs:name: airs-aws-prod")
    prod = prod.replace("minReplicas: 1", "minReplicas: 2").replace(
        "maxReplicas: 2", "maxReplicas: 6"
    )
    assert prod.count("airs-aws-prod") == 1
    assert "maxReplicas: 6" in prod
    (project_dir / "stacks" / "Pulumi.aws-prod.yaml").write_text(prod)
    out_json = tmp_path / "diff.json"
    code = main(
        ["--project", str(project_dir), "diff", "aws-dev", "aws-prod", "--json", str(out_json)]
    )
    assert code == 3
    doc = json.loads(out_json.read_text())
    assert doc["added"] == []
    assert doc["removed"] == []
    changed = {
        c["name"].removeprefix("airs-aws-prod-"): [
            (p["path"], p["old"], p["new"]) for p in c["properties"]
        ]
        for c in doc["changed"]
    }
    assert changed.pop("security-asg") == [("maxSize", 2, 6), ("minSize", 1, 2)]
    # The rest differ between any two deployments: the address AWS gives each GWLB endpoint
    # (pan-cni's endpoints) and the token the cluster issues for Panorama's Kubernetes plugin
    # (late-bound, secret). The offline plan makes both up per stack; neither is a name.
    assert {name: [p for p, _, _ in props] for name, props in changed.items()} == {
        "apps-pan-cni": ["values.endpoints[0].ip", "values.endpoints[1].ip"],
        "panorama-commit": ["late"],
        "panorama-k8s-cluster-eks-dev": ["late"],
    }


def _at(value: Any, keys: list[str | int]) -> Any:
    for key in keys:
        in_dict = isinstance(value, dict) and key in value
        in_list = isinstance(value, list) and isinstance(key, int) and key < len(value)
        if in_dict or in_list:
            value = value[key]
        else:
            return None  # the side that does not have it (the diff's null)
    return value


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
def test_promotion_prints_each_sides_own_values(
    cloud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """gcp-dev → gcp-prod showed an old value that never existed
    (`projects/example-airs-dev/…/airs-gcp-prod-fw-trust-vpc`): A's value with B's names.
    Every old value must be A's as its own plan has it, every new value B's."""
    dev, prod = f"{cloud}-dev", f"{cloud}-prod"
    plans = {stack: _plan(tmp_path, stack) for stack in (dev, prod)}
    inputs = {r["urn"]: r["inputs"] for plan in plans.values() for r in plan["resources"]}
    capsys.readouterr()
    out_json = tmp_path / "diff.json"
    code, _ = _diff(capsys, dev, prod, "--json", str(out_json))
    assert code == 3
    doc = json.loads(out_json.read_text())
    props = [(c, p) for c in doc["changed"] for p in c["properties"]]
    assert len(props) > 20
    for change, prop in props:
        assert _at(inputs[change["oldUrn"]], prop["keys"]) == prop["old"], (change["name"], prop)
        assert _at(inputs[change["urn"]], prop["keys"]) == prop["new"], (change["name"], prop)
    # No old value holds B's deployment name, and removed resources keep A's names.
    dev_name, prod_name = (
        next(r["name"] for r in plans[s]["resources"] if r["type"] == "airs:index:AirsDeployment")
        for s in (dev, prod)
    )
    assert not [p for _, p in props if prod_name in json.dumps(p["old"])]
    assert all(r["name"].startswith(dev_name) for r in doc["removed"]), doc["removed"]


def test_json_gives_the_type_as_the_engine_and_as_the_text_spell_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "diff.json"
    code, out = _diff(capsys, "aws-dev", "aws-prod", "--json", str(out_json))
    assert code == 3
    doc = json.loads(out_json.read_text())
    table = next(c for c in doc["changed"] if c["name"] == "airs-aws-prod-apps-app-vpc-igw-edge-rt")
    assert table["type"] == "aws:ec2/routeTable:RouteTable"  # as in URNs and the plan JSON
    assert table["displayType"] == "aws:ec2:RouteTable"
    for section, mark in (("added", "+"), ("removed", "-"), ("changed", "~")):
        for res in doc[section]:
            assert f"  {mark} {res['displayType']}  {res['name']}" in out
