"""AWS deployment identity and firewall bootstrap: tags, ``init-cfg`` user data, metrics."""

from __future__ import annotations

import base64
import hashlib

import pulumi

from components.clouds.aws.config import AwsSecurityProject
from components.config import StackConfig
from components.config.stack import target_section

# Tag keys Prisma AIRS uses to find a deployment's resources (application side, SCM).
TRUST_TAG = "paloaltonetworks.com-trust"
OCCUPIED_TAG = "paloaltonetworks.com-occupied"


def deployment_id(cfg: StackConfig) -> str:
    """The per-deployment id carried by the ``-trust`` and ``-occupied`` tags.

    It must be unique per deployment and stable across runs (a changing tag would retag, or
    with names derived from it replace, every resource). A hash of the Pulumi project, the
    stack, ``airs:name`` and the region is both, needs no extra provider (pulumi-random is
    not a dependency) and is known at preview time. It does not depend on the account, so
    two stacks with the same project, stack name, deployment name and region would share it;
    stack names are unique within a project, which rules that out in one organisation.

    Args:
        cfg: the validated stack configuration (AWS).
    """
    sp = target_section(cfg, AwsSecurityProject)
    seed = "/".join((pulumi.get_project(), pulumi.get_stack(), cfg.name, sp.region))
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def airs_tags(cfg: StackConfig) -> dict[str, str]:
    """The two Prisma AIRS identification tags (same unique value, as the vendor bundle).

    Args:
        cfg: the validated stack configuration (AWS).
    """
    ident = deployment_id(cfg)
    return {TRUST_TAG: ident, OCCUPIED_TAG: ident}


def bootstrap_lines(cfg: StackConfig, auth_key: str, auth_codes: str | None = None) -> list[str]:
    """PAN-OS user-data (init-cfg) lines for the AIRS firewalls.

    Args:
        cfg: the validated stack configuration (AWS).
        auth_key: the Panorama device registration auth key, in clear (the caller keeps the
            result secret).
        auth_codes: the BYOL auth codes, in clear, if any.
    """
    sp = target_section(cfg, AwsSecurityProject)
    boot = sp.firewall.bootstrap
    plugins = ["aws-gwlb-inspect:enable"]
    if sp.overlay_routing:
        # PAN-OS routes decapsulated traffic (out of ethernet1/2) instead of hairpinning it.
        plugins.append("aws-gwlb-overlay-routing:enable")
    lines = [
        # ENI 0 is the GWLB target, so it must be the data interface.
        "mgmt-interface-swap=enable",
        f"plugin-op-commands={boot.plugin_op_commands(*plugins)}",
        f"panorama-server={boot.panorama_server or cfg.panorama.hostname}",
    ]
    if boot.panorama_server2:
        lines.append(f"panorama-server-2={boot.panorama_server2}")
    lines += [
        f"tplname={cfg.template_stack}",
        f"dgname={cfg.device_group}",
        f"auth-key={auth_key}",
        "dhcp-send-hostname=yes",
        "dhcp-send-client-id=yes",
        "dhcp-accept-server-hostname=yes",
        "dhcp-accept-server-domain=yes",
    ]
    if auth_codes is not None:
        lines.append(f"authcodes={auth_codes}")
    return lines


def encode_user_data(lines: list[str]) -> str:
    """Base64 user data, as launch templates require.

    Args:
        lines: ``key=value`` bootstrap lines (see :func:`bootstrap_lines`).
    """
    return base64.b64encode("\n".join(lines).encode()).decode()


def metrics_namespace(cfg: StackConfig) -> str:
    """CloudWatch namespace the firewalls publish PAN-OS metrics to (one per deployment).

    Args:
        cfg: the validated stack configuration.
    """
    return f"{cfg.name}-airs"
