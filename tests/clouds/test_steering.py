"""VPC-level protection needs something to steer, on every cloud (issue 16, item 2).

An AWS stack without ``applications.<k>.subnets`` used to pass ``airs validate``, ``airs plan``
and ``--policy`` while ``pulumi up`` created GWLB endpoints and no route to them; an Azure one
created a route table associated with no subnet. What steers an application network:

* AWS: the default route written into each listed subnet's route table (``subnets``);
* Azure: the route table associated with each listed subnet (``subnets``);
* GCP: the peering itself, which imports the trust VPC's default route into the whole
  application VPC (``network``, already required);
* private clouds: the on-prem network routes the applications to the firewall; the stack
  configures only the firewall's side (``cidrs``), so there is nothing more to ask for.
"""

from __future__ import annotations

import copy

import pytest

from components.cli.main import main
from components.clouds import parse_stack_config
from components.config import ConfigError
from tests.helpers import ROOT, example_values

CORPUS = ROOT / "tests" / "bad_inputs"


@pytest.mark.parametrize(
    ("case", "key"),
    [
        ("aws-vpc-protection-without-subnets", "applications.app-vpc.subnets"),
        ("azure-vpc-protection-without-subnets", "applications.app-vnet.subnets"),
    ],
)
def test_plan_with_policy_refuses_before_any_resource(
    case: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The exact command of the report: `airs plan --policy` exited 0 with no route.
    argv = ["--project", str(ROOT), "--stacks-dir", str(CORPUS)]
    assert main([*argv, "plan", "--stack", case, "--policy"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"airs:{key}: <missing> — is required with protection vpc" in err


@pytest.mark.parametrize(("stack", "app"), [("aws-dev", "app-vpc"), ("azure-dev", "app-vnet")])
def test_explicit_vpc_protection_without_subnets_names_the_key(stack: str, app: str) -> None:
    values, secret = example_values(stack)
    values = copy.deepcopy(values)
    values["applications"][app]["subnets"] = []
    values["applications"][app]["protection"] = "vpc"
    with pytest.raises(ConfigError) as info:
        parse_stack_config(values, secret)
    assert [p.key for p in info.value.problems] == [f"applications.{app}.subnets"]
    assert f"airs:applications.{app}.protection to namespace" in info.value.problems[0].rule


def test_aws_namespace_protection_needs_no_subnets() -> None:
    # Only the pods pan-cni annotates use the endpoints: no subnet route is written.
    values, secret = example_values("aws-dev")
    values = copy.deepcopy(values)
    del values["applications"]["app-vpc"]["subnets"]
    values["applications"]["app-vpc"]["protection"] = "namespace"
    cfg = parse_stack_config(values, secret)
    assert cfg.applications["app-vpc"].subnets == []


@pytest.mark.parametrize("stack", ["gcp-dev", "openshift-dev"])
def test_clouds_that_steer_without_subnets_accept_vpc_protection(stack: str) -> None:
    # GCP: the peering steers the whole VPC; private clouds: the on-prem network does.
    values, secret = example_values(stack)
    cfg = parse_stack_config(values, secret)
    assert all(a.protection == "vpc" and not a.subnets for a in cfg.applications.values())
