"""BYOL licensing in the firewall bootstrap, on every cloud (issue 15, defect 2).

Auth codes go into GCP metadata, Azure custom data and AWS user data as a secret end to end;
``panoramaLicensing`` turns on Panorama licensing mode (the Software Firewall License plugin
licenses and, at scale-in, delicenses), and an autoscaled group licensed by auth codes is
refused (its removed firewalls would keep their licences).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from components.cli.engine import run_program
from components.cli.mocks import is_secret, unwrap
from components.clouds import parse_stack_config
from components.config import ConfigError
from tests.helpers import example_values, settings_from

CODES = "I1234567-LICENSE-CODE"


def _values(stack: str, **bootstrap: Any) -> tuple[dict[str, Any], set[str]]:
    values, secret = example_values(stack)
    values = copy.deepcopy(values)
    values["securityProject"]["firewall"]["bootstrap"].update(bootstrap)
    # The whole section is a secret once it holds a secret field (as `config set --secret`).
    return values, secret | {"securityProject"}


def _bootstrap_text(stack: str, **bootstrap: Any) -> tuple[str, list[Any]]:
    """The clear bootstrap text the firewalls read, and every registration's inputs."""
    values, secret = _values(stack, **bootstrap)
    firewall = values["securityProject"]["firewall"]
    if "authCodes" in bootstrap and "minReplicas" in firewall:
        firewall["maxReplicas"] = firewall["minReplicas"]  # auth codes suit a fixed size
    run = run_program(settings_from(values, secret, stack=stack))
    regs = list(run.resources)
    if stack.startswith("gcp"):
        (template,) = [r for r in regs if r.type == "gcp:compute/instanceTemplate:InstanceTemplate"]
        meta = template.inputs["metadata"]
        assert is_secret(meta)
        return "\n".join(f"{k}={v}" for k, v in unwrap(meta).items()), regs
    if stack.startswith("azure"):
        (vmss,) = [r for r in regs if r.type.endswith(":VirtualMachineScaleSet")]
        profile = vmss.inputs["virtualMachineProfile"]
        assert is_secret(profile)  # it holds the custom data
        data = unwrap(profile)["osProfile"]["customData"]
        return base64.b64decode(unwrap(data)).decode().replace(";", "\n"), regs
    (lt,) = [r for r in regs if r.type == "aws:ec2/launchTemplate:LaunchTemplate"]
    assert is_secret(lt.inputs["userData"])
    return base64.b64decode(unwrap(lt.inputs["userData"])).decode(), regs


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev", "aws-dev"])
def test_auth_codes_and_licensing_mode_reach_the_bootstrap_as_secrets(stack: str) -> None:
    text, regs = _bootstrap_text(stack, authCodes=CODES, panoramaLicensing=True)
    lines = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert lines["authcodes"] == CODES
    assert "panorama-licensing-mode-on" in lines["plugin-op-commands"].split(",")
    for reg in regs:
        if reg.type.endswith(("InstanceTemplate", "VirtualMachineScaleSet", "LaunchTemplate")):
            continue
        assert CODES not in repr(reg.inputs), f"auth codes leaked into {reg.name}"


@pytest.mark.parametrize("stack", ["gcp-dev", "azure-dev", "aws-dev"])
def test_without_licensing_keys_nothing_changes(stack: str) -> None:
    text, _ = _bootstrap_text(stack, panoramaLicensing=False)
    assert "authcodes" not in text
    assert "panorama-licensing-mode-on" not in text


@pytest.mark.parametrize("stack", ["gcp-dev", "aws-dev"])
def test_autoscaled_groups_are_licensed_by_panorama_not_auth_codes(stack: str) -> None:
    values, secret = _values(stack, authCodes=CODES)
    values["securityProject"]["firewall"].update(minReplicas=1, maxReplicas=3)
    with pytest.raises(ConfigError) as err:
        parse_stack_config(values, secret)
    (problem,) = err.value.problems
    assert problem.key == "securityProject.firewall.bootstrap.authCodes"
    assert problem.value == "[secret]"
    assert "maxReplicas > minReplicas" in problem.rule
    assert "panoramaLicensing: true" in problem.rule
    # Panorama licensing mode is how an autoscaled group gets (and gives back) licences.
    values["securityProject"]["firewall"]["bootstrap"].pop("authCodes")
    values["securityProject"]["firewall"]["bootstrap"]["panoramaLicensing"] = True
    parse_stack_config(values, secret)
    assert CODES not in str(err.value)
    # A fixed-size group keeps its licences: allowed.
    values["securityProject"]["firewall"].update(minReplicas=2, maxReplicas=2)
    parse_stack_config(values, secret)
