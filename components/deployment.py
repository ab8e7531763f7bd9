"""``AirsDeployment``: wires one stack's security project, Panorama and clusters together.

Data flows one way (see ARCHITECTURE.md): the validated config builds the cloud's security
project; its outputs (trust gateway, load balancer IP, per-zone endpoints, CIDRs) feed the
Panorama configuration and the cluster-side Helm releases.
"""

from __future__ import annotations

import importlib
from typing import Any

import pulumi

from components.config import StackConfig
from components.security_project.common import SecurityProjectOutputs, private_outputs

# cloud → (module, security project class, application connection class). Imported lazily so
# that a stack only ever loads its own cloud's SDK.
CLOUD_COMPONENTS: dict[str, tuple[str, str, str, str]] = {
    "gcp": (
        "components.security_project.gcp",
        "GcpSecurityProject",
        "components.application.gcp",
        "GcpApplicationConnection",
    ),
    "azure": (
        "components.security_project.azure",
        "AzureSecurityProject",
        "components.application.azure",
        "AzureApplicationConnection",
    ),
    "aws": (
        "components.security_project.aws",
        "AwsSecurityProject",
        "components.application.aws",
        "AwsApplicationConnection",
    ),
}


def _load(module: str, attr: str) -> Any:
    return getattr(importlib.import_module(module), attr)


class AirsDeployment(pulumi.ComponentResource):
    """Everything one stack deploys: security project, app connection, Panorama, clusters."""

    security: SecurityProjectOutputs
    """The security project's outputs (the common shape on every cloud)."""

    def __init__(
        self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Build the deployment.

        Args:
            name: logical name (the stack's ``airs:name``).
            cfg: the validated stack configuration.
            opts: resource options passed to the component.
        """
        super().__init__("airs:index:AirsDeployment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.security_project: pulumi.ComponentResource | None = None
        self.application: pulumi.ComponentResource | None = None
        if cfg.cloud == "private":
            self.security = private_outputs(cfg)
        else:
            sp_module, sp_class, app_module, app_class = CLOUD_COMPONENTS[cfg.cloud]
            project = _load(sp_module, sp_class)(f"{name}-security", cfg, opts=child)
            self.security_project = project
            self.security = project.outputs
            if cfg.applications:
                self.application = _load(app_module, app_class)(
                    f"{name}-apps", cfg, project, opts=child
                )
        self.register_outputs(dict(self.security.as_exports()))

    def exports(self) -> dict[str, Any]:
        """Stack outputs: the security project's common shape."""
        return dict(self.security.as_exports())
