"""The validated stack: :class:`StackConfig`, what every target tells the checks, derived values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import SecretStr

from components.config.base import DEFAULT_MONITORING_INTERVAL, Problems, TargetModel
from components.config.models import Application, Cluster, Panorama


@dataclass(frozen=True)
class StackConfig:
    """The validated ``airs:*`` configuration of one stack."""

    cloud: str
    """``airs:cloud``: a target of ``components/clouds`` (gcp, azure, aws, private)."""
    name: str
    """``airs:name``: the deployment prefix of every resource and Panorama object."""
    panorama: Panorama
    """``airs:panorama``."""
    security_project: TargetModel | None
    """``airs:securityProject`` (public clouds; none on a private cloud or a cluster stack)."""
    firewall: TargetModel | None
    """``airs:firewall`` (private cloud only)."""
    applications: Mapping[str, Application]
    """``airs:applications``: key → application network."""
    clusters: Mapping[str, Cluster]
    """``airs:clusters``: key → cluster."""
    panorama_api_key: SecretStr | None
    """``airs:panoramaApiKey`` (secret)."""
    panorama_password: SecretStr | None
    """``airs:panoramaPassword`` (secret; with ``airs:panorama.username``)."""
    security_stack: str | None = None
    """``airs:securityStack``: the stack that owns the security project (layered stacks).

    Set on a *cluster stack*: it then creates no security project, no application
    connection and no Panorama base configuration, and reads what its clusters need (trust
    CIDR, load balancer IP or per-zone endpoints, Panorama device group and notify group)
    from that stack's outputs through a ``pulumi.StackReference`` (see
    ``components/layered.py``). A plain stack name (``gcp-security-dev``) refers to a stack
    of this project; ``<organization>/<project>/<stack>`` to any stack of the backend.
    """

    @property
    def template(self) -> str:
        """Panorama template name."""
        return self.panorama.template or f"{self.name}-tpl"

    @property
    def template_stack(self) -> str:
        """Panorama template stack the firewalls bootstrap into."""
        return self.panorama.template_stack or f"{self.name}-stack"

    @property
    def device_group(self) -> str:
        """Panorama device group."""
        return self.panorama.device_group or f"{self.name}-dg"

    def panorama_cluster_name(self, key: str) -> str:
        """Name of cluster ``key`` in the Panorama Kubernetes plugin."""
        return self.clusters[key].panorama_name or key

    @property
    def target_config(self) -> TargetModel | None:
        """The target's own section (``securityProject``, ``firewall``); None on a cluster stack."""
        return self.security_project or self.firewall


class TargetRules(Protocol):
    """What the config package needs from a target (``components/clouds/<target>``)."""

    @property
    def name(self) -> str:
        """``airs:cloud`` value of the target."""
        ...

    @property
    def public(self) -> bool:
        """A public cloud: we build its security project, applications name their network."""
        ...

    @property
    def config_key(self) -> str:
        """The target's own top-level key: ``securityProject`` or ``firewall``."""
        ...

    @property
    def config_model(self) -> type[TargetModel]:
        """The model of that key."""
        ...

    @property
    def config_noun(self) -> str:
        """What that key describes, for messages (``security project``, ``firewall``)."""
        ...

    @property
    def config_owned(self) -> str:
        """What a security stack owns of it, for messages."""
        ...

    @property
    def cluster_types(self) -> tuple[str, ...]:
        """``airs:clusters.<key>.type`` values this target protects."""
        ...

    def checks(self, cfg: StackConfig, problems: Problems) -> None:
        """Rules across the target's own section (zones, subnets, load balancer address)."""
        ...

    def application_checks(self, cfg: StackConfig, problems: Problems) -> None:
        """The target's rules for ``airs:applications``."""
        ...

    def cluster_checks(
        self, cfg: StackConfig, key: str, cluster: Cluster, problems: Problems
    ) -> None:
        """The rules of this target's cluster types, for cluster ``key`` (whatever the cloud)."""
        ...


# --------------------------------------------------------------------------- derived values

Section = TypeVar("Section", bound=TargetModel)


def target_section(cfg: StackConfig, model: type[Section]) -> Section:
    """The stack's own section as ``model`` (a target's code asking for its own config).

    Raises:
        TypeError: the stack is another target's, or a cluster stack (no section).
    """
    section = cfg.target_config
    if not isinstance(section, model):
        raise TypeError(f"airs:cloud {cfg.cloud} has no {model.__name__} section")
    return section


def trust_cidr(cfg: StackConfig) -> str:
    """The CIDR of the firewalls' trust side (Helm `fwtrustcidr`, Panorama routes)."""
    target = cfg.target_config
    assert target is not None, "a cluster stack reads the trust CIDR from its security stack"
    return target.trust_subnet()


def ilb_ip(cfg: StackConfig) -> str | None:
    """The internal load balancer address on GCP and Azure (None elsewhere)."""
    target = cfg.target_config
    return target.ilb_address() if target is not None else None


def trust_gateway(cfg: StackConfig) -> str:
    """The trust side's next hop, derived from config; the cloud's outputs must agree with it."""
    target = cfg.target_config
    assert target is not None, "a cluster stack reads the trust gateway from its security stack"
    return target.trust_gateway()


def monitoring_interval(cfg: StackConfig) -> int:
    """The Kubernetes plugin's one monitoring interval for this stack, in seconds.

    ``airs:panorama.monitoringInterval`` if set, else the interval the clusters set
    (validation makes them agree), else 30 s.
    """
    if cfg.panorama.monitoring_interval is not None:
        return cfg.panorama.monitoring_interval
    explicit = [
        c.monitoring_interval for c in cfg.clusters.values() if c.monitoring_interval is not None
    ]
    return min(explicit, default=DEFAULT_MONITORING_INTERVAL)
