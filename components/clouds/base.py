"""The one protocol every target satisfies: :class:`Cloud`.

A target (``gcp``, ``azure``, ``aws``, ``private``) is a folder under ``components/clouds/``
that builds one :class:`Cloud` in its ``__init__.py``: its config model and rules, how its
security side and application connections are built, its Panorama facts and profile, its
mock answers and what a cluster stack must find in its security stack's outputs. The
deployment, the layered stacks and the CLI ask the registry (``components.clouds``) for
``cfg.cloud`` and never look at a cloud's types.

What needs a cloud SDK (components, mocks) is named by module path and imported when used,
so a stack loads only its own cloud's SDK and ``airs validate`` none.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from components.config import Cluster, Problems, StackConfig, TargetModel

if TYPE_CHECKING:
    import pulumi

    from components.clouds.mocking import MockCloud
    from components.clouds.outputs import SecurityProjectOutputs
    from components.panorama.intent import PanoramaIntent
    from components.panorama.profiles import PanoramaInputs

Checks = Callable[[StackConfig, Problems], None]
ClusterChecks = Callable[[StackConfig, str, Cluster, Problems], None]
LayeredChecks = Callable[[StackConfig, str, Cluster, Mapping[str, Any], Problems], None]


@dataclass(frozen=True)
class PanoramaFacts:
    """What a target tells its Panorama profile, derived from the config before deploy."""

    trust_gateway: str
    """Next hop of the trust-side routes."""
    health_check_ranges: tuple[str, ...]
    """Where the load balancer's health checks come from (routes, rules, profile)."""
    health_check_port: int
    """Port the health checks probe (picks the management profile's service)."""
    untrust_gateway: str | None = None
    """Next hop of the untrust side, where the firewalls have one."""
    trust_ip: str | None = None
    """A static trust interface address with its prefix length (private clouds)."""
    cloudwatch_namespace: str | None = None
    """AWS: the CloudWatch namespace the scaling policy watches (the firewalls publish there)."""
    cloud_monitoring_interval: int | None = None
    """GCP: minutes between the firewalls' metric publications to Cloud Monitoring, which
    the instance group's autoscaler scales on."""
    overlay_routing: bool = False
    """AWS: GWLB overlay routing, inspected traffic leaves by the untrust interface
    (``ethernet1/2``) instead of returning through the load balancer."""
    zone_trust_gateways: tuple[str, ...] = ()
    """AWS: each zone's trust-subnet gateway. One template serves firewalls in every zone, so
    a trust-side route is given once per zone; each firewall uses the one on its own subnet."""
    devices: tuple[str, ...] = ()
    """Serials of the firewalls to put in the template stack and device group (private
    clouds); empty where firewalls join by bootstrap (``tplname``/``dgname``)."""


@dataclass(frozen=True)
class SecuritySide:
    """What a target built on the security side: its component (if any) and its outputs."""

    project: pulumi.ComponentResource | None
    """The security project component; None where the firewall already exists (on-prem)."""
    outputs: SecurityProjectOutputs
    """The common output shape the deployment wires."""


def _no_checks(cfg: StackConfig, problems: Problems) -> None:
    """A target without rules of this kind."""


def _no_cluster_checks(cfg: StackConfig, key: str, cluster: Cluster, problems: Problems) -> None:
    """A target whose cluster types have no rules of their own."""


def _no_layered_checks(
    cfg: StackConfig, key: str, cluster: Cluster, app: Mapping[str, Any], problems: Problems
) -> None:
    """A target with nothing more to check against its security stack's application."""


def load(path: str) -> Any:
    """``module:attribute`` (or a module) imported now: the cloud SDK loads only when used."""
    module, _, attribute = path.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


@dataclass(frozen=True)
class Cloud:
    """One deployment target. Its fields are the protocol the rest of the program relies on.

    It satisfies :class:`components.config.TargetRules` (the config package's view).
    """

    name: str
    """``airs:cloud`` value."""
    public: bool
    """A public cloud: we build its security project; applications name their network."""
    config_key: str
    """The target's own top-level key: ``securityProject`` or ``firewall``."""
    config_model: type[TargetModel]
    """The model of that key."""
    config_noun: str
    """What that key describes, for messages."""
    config_owned: str
    """What a security stack owns of it, for messages."""
    cluster_types: tuple[str, ...]
    """``airs:clusters.<key>.type`` values this target protects."""
    checks: Checks
    """Rules across the target's own section (run only where the stack has one)."""
    panorama_facts: Callable[[StackConfig], PanoramaFacts]
    """The facts the Panorama profile needs, from the config."""
    panorama_profile: Callable[[PanoramaInputs], PanoramaIntent]
    """The target's Panorama intent (unvalidated; see ``components.clouds.build_intent``)."""
    security_side: Callable[[str, StackConfig, pulumi.ResourceOptions], SecuritySide]
    """Build (or describe) the security side of a stack that owns it."""
    application_connection: str | None = None
    """``module:Class`` of the component that connects ``airs:applications`` (public clouds)."""
    mocks_module: str | None = None
    """Module answering the mock engine for this target's provider."""
    provider_prefix: str | None = None
    """Type-token prefix of the target's Pulumi provider (``gcp``, ``azure-native``, ``aws``)."""
    application_checks: Checks = _no_checks
    """Rules for ``airs:applications`` on this target."""
    cluster_checks: Callable[[StackConfig, str, Cluster, Problems], None] = _no_cluster_checks
    """Rules of this target's cluster types, whatever the stack's cloud."""
    endpoint_output: str | None = None
    """Security-stack output naming pan-cni's one endpoint (None: one per zone, on AWS)."""
    routes_protected_ranges: bool = False
    """Whether the security stack's template routes the protected ranges via the trust
    gateway, so a cluster stack's ranges must lie inside its applications' ranges."""
    cni_trust_cidr: bool = True
    """Whether pan-cni gets the trust CIDR (``fwtrustcidr``): the firewalls' trust addresses
    are the source of returning traffic only where they route it (not behind AWS's GWLB,
    which hands traffic back through the endpoint, GENEVE-encapsulated)."""
    layered_cluster_checks: LayeredChecks = _no_layered_checks
    """What a cluster stack's cluster must agree on with its security stack's application."""
    picture_roles: str | None = None
    """``module:ROLES`` placing the target's resource types in ``airs graph``."""

    def connect_application(
        self, name: str, cfg: StackConfig, project: Any, opts: pulumi.ResourceOptions
    ) -> pulumi.ComponentResource | None:
        """Connect the stack's application networks to the security project, if it has any."""
        if self.application_connection is None or not cfg.applications:
            return None
        component: Any = load(self.application_connection)(name, cfg, project, opts=opts)
        return component  # type: ignore[no-any-return]

    def mocks(self) -> MockCloud | None:
        """This target's mock answers, if it has a provider of its own."""
        if self.mocks_module is None:
            return None
        module: MockCloud = load(self.mocks_module)
        return module


def lazy(path: str) -> Callable[..., Any]:
    """A function named ``module:function``, imported on its first call."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return load(path)(*args, **kwargs)

    return call


def public_security_side(component: str) -> Callable[[str, StackConfig, Any], SecuritySide]:
    """``security_side`` of a public cloud: build the component ``module:Class``."""

    def build(name: str, cfg: StackConfig, opts: Any) -> SecuritySide:
        project = load(component)(name, cfg, opts=opts)
        return SecuritySide(project=project, outputs=project.outputs)

    return build


class PublicCloudConfig(Protocol):
    """A public cloud's ``config`` module: its section's model and its rules."""

    @property
    def SECTION(self) -> type[TargetModel]:
        """The model of the cloud's ``airs:securityProject``."""
        ...

    def checks(self, cfg: StackConfig, problems: Problems) -> None:
        """Rules across the section."""
        ...

    def application_checks(self, cfg: StackConfig, problems: Problems) -> None:
        """Rules for ``airs:applications``."""
        ...

    def cluster_checks(
        self, cfg: StackConfig, key: str, cluster: Cluster, problems: Problems
    ) -> None:
        """Rules of the cloud's cluster type."""
        ...


class CloudPanorama(Protocol):
    """A target's ``panorama`` module: its facts and its profile."""

    def panorama_facts(self, cfg: StackConfig) -> PanoramaFacts:
        """The facts the profile needs."""
        ...

    def profile(self, inputs: PanoramaInputs) -> PanoramaIntent:
        """The target's Panorama intent."""
        ...


def public_cloud(
    name: str,
    config: PublicCloudConfig,
    panorama: CloudPanorama,
    cluster_types: tuple[str, ...],
    **facts: Any,
) -> Cloud:
    """A public cloud, from the modules of its folder ``components/clouds/<name>/``.

    By convention the folder holds ``config`` and ``panorama`` (passed in), and
    ``security_project``, ``application``, ``mocks`` and ``picture``, whose ``COMPONENT``
    classes, answers and roles load only when used. ``facts``: the remaining :class:`Cloud`
    fields (``provider_prefix``, ``endpoint_output``, ``routes_protected_ranges``, ...).
    """
    package = f"components.clouds.{name}"
    return Cloud(
        name=name,
        public=True,
        config_key="securityProject",
        config_model=config.SECTION,
        config_noun="security project",
        config_owned="the security project",
        cluster_types=cluster_types,
        checks=config.checks,
        application_checks=config.application_checks,
        cluster_checks=config.cluster_checks,
        panorama_facts=panorama.panorama_facts,
        panorama_profile=panorama.profile,
        security_side=public_security_side(f"{package}.security_project:COMPONENT"),
        application_connection=f"{package}.application:COMPONENT",
        mocks_module=f"{package}.mocks",
        picture_roles=f"{package}.picture:ROLES",
        **facts,
    )
