"""Azure deployment identity, bootstrap ``customData``, resource ids and NSG rules.

Pure functions of the stack config (no resources), shared by the security project, its
firewalls and the tests.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

import pulumi

from components.clouds.azure.config import AzureSecurityProject
from components.config import StackConfig, secret_output
from components.config.stack import target_section

# Tag keys Prisma AIRS uses to recognise a deployment's resources (same value on both).
TRUST_TAG = "paloaltonetworks.com-trust"
OCCUPIED_TAG = "paloaltonetworks.com-occupied"
# Namespace of the per-deployment id (uuid5); changing it would re-tag every deployment.
DEPLOYMENT_ID_NAMESPACE = uuid.UUID("5d0c1a8e-4b7e-5a55-9c1d-a1a5a1a5a1a5")
# NIC order decides the PAN-OS interface: NIC0 is management, NIC1 ethernet1/1, NIC2
# ethernet1/2. The AIRS Panorama profile (components/clouds/azure/panorama.py, after the vendor's
# Azure page) puts ethernet1/1 in trust / vr-private and ethernet1/2 in untrust / vr-public,
# so the trust NIC must come second.
NIC_ORDER: tuple[str, ...] = ("mgmt", "trust", "untrust")


def deployment_id(cfg: StackConfig) -> str:
    """The deployment's unique, stable id: the value of both AIRS tags.

    A uuid5 of subscription, resource group and ``airs:name``: the same stack always gets
    the same id (no random state to lose, no re-tagging on re-runs), and two deployments
    that could coexist differ in at least one of the three (two stacks with the same name in
    the same resource group would also collide on every resource name).
    """
    sp = target_section(cfg, AzureSecurityProject)
    key = f"{sp.subscription_id}/{sp.resource_group.name}/{cfg.name}"
    return str(uuid.uuid5(DEPLOYMENT_ID_NAMESPACE, key))


def bootstrap_string(cfg: StackConfig, auth_key: str, auth_codes: str | None = None) -> str:
    """The init-cfg key/value pairs PAN-OS reads from Azure custom data (``;``-separated).

    Args:
        cfg: the validated stack configuration (Azure).
        auth_key: the Panorama registration key, in clear (the caller keeps it secret).
        auth_codes: the BYOL auth codes, in clear, if any.
    """
    sp = target_section(cfg, AzureSecurityProject)
    boot = sp.firewall.bootstrap
    pairs = [
        ("type", "dhcp-client"),
        ("plugin-op-commands", boot.plugin_op_commands()),
        ("panorama-server", boot.panorama_server or cfg.panorama.hostname),
    ]
    if boot.panorama_server2:
        pairs.append(("panorama-server-2", boot.panorama_server2))
    pairs += [("tplname", cfg.template_stack), ("dgname", cfg.device_group), ("auth-key", auth_key)]
    if auth_codes is not None:
        pairs.append(("authcodes", auth_codes))
    return ";".join(f"{k}={v}" for k, v in pairs)


def custom_data(cfg: StackConfig) -> pulumi.Output[str]:
    """Base64 bootstrap custom data; a secret because it carries the Panorama auth key."""
    sp = target_section(cfg, AzureSecurityProject)
    boot = sp.firewall.bootstrap
    codes = secret_output(boot.auth_codes) if boot.auth_codes is not None else None
    secrets = pulumi.Output.all(secret_output(boot.auth_key), codes)
    return pulumi.Output.secret(
        secrets.apply(
            lambda s: base64.b64encode(bootstrap_string(cfg, s[0], s[1]).encode()).decode()
        )
    )


def arm_id(subscription: str, group: str, kind: str, *names: str) -> str:
    """An Azure resource id: ``kind`` like ``Microsoft.Network/loadBalancers`` + names.

    Child segments alternate type and name: ``arm_id(s, g, "Microsoft.Network/
    loadBalancers", "lb", "probes", "p")``.
    """
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind}/" + "/".join(
        names
    )


def nsg_rule(
    name: str,
    priority: int,
    *,
    sources: Sequence[str],
    ports: Sequence[int] | None = None,
    protocol: str = "*",
    access: str = "Allow",
    description: str,
) -> dict[str, Any]:
    """One inbound NSG rule (inline in its NSG)."""
    rule: dict[str, Any] = {
        "name": name,
        "priority": priority,
        "direction": "Inbound",
        "access": access,
        "protocol": protocol,
        "source_port_range": "*",
        "destination_address_prefix": "*",
        "description": description,
    }
    if len(sources) == 1:
        rule["source_address_prefix"] = sources[0]
    else:
        rule["source_address_prefixes"] = list(sources)
    if ports is None:
        rule["destination_port_range"] = "*"
    else:
        rule["destination_port_ranges"] = [str(p) for p in ports]
    return rule
