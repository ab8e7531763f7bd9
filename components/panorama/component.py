"""``PanoramaConfig``: the Panorama side of a deployment as one component.

One dynamic resource per rendered object (``pulumi-python:dynamic/panorama:Object``) and
one ``pulumi-python:dynamic/panorama:Commit`` that depends on all of them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from typing import Any

import pulumi
import pulumi.dynamic

from components.dynamic_providers import unwrap_sdk_pickler
from components.panorama import xpaths
from components.panorama.elements import flatten
from components.panorama.intent import PanoramaIntent, late_keys_in
from components.panorama.provider import (
    PanoramaCommitProvider,
    PanoramaObjectProvider,
    ProviderSettings,
)
from components.panorama.render import RenderedObject, render_intent


def commit_requirements(
    intent: PanoramaIntent, kinds: Collection[str] | None = None
) -> dict[str, Any]:
    """What the commit checks before writing: the AI security profile the rules rely on."""
    profile = intent.ai_security_profile
    if profile is None or kinds is not None:  # a cluster stack writes no rules
        return {}
    fix = (
        "create it in Panorama (Objects > Security Profiles > AI Security, in Shared so it "
        f"outlives this deployment, or in device group {intent.device_group}) with the model "
        "groups and protections you need, or name an existing one in "
        "airs:panorama.aiSecurityProfile"
    )
    where = [
        xpaths.AI_SECURITY_PROFILE.format(dg=intent.device_group, name=profile.name),
        xpaths.SHARED_AI_SECURITY_PROFILE.format(name=profile.name),
    ]
    what = f"AI security profile {profile.name}"
    return {"requires": [{"xpaths": where, "what": what, "fix": fix}]}


def _hashes_secret(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """State keeps only sha256 of late-bound values (plugin credential, LB addresses); keep
    even those hashes secret, so a guessable value can never be confirmed from state."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["late_sha256"])
    )


class PanoramaObject(pulumi.dynamic.Resource, module="panorama", name="Object"):
    """One Panorama object (template, interface, zone, rule, plugin entry...)."""

    xpath: pulumi.Output[str]
    digest: pulumi.Output[str]
    rev: pulumi.Output[str]

    def __init__(
        self,
        provider: PanoramaObjectProvider,
        name: str,
        props: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Register one object.

        Args:
            provider: the object provider (carries TLS and retry settings, no credentials).
            name: Pulumi resource name (see :func:`resource_name`).
            props: hostname, kind, name, xpath, element XML, merge mode, the flattened fields
                and the late-bound values it uses (secret).
            opts: resource options (parent: the ``PanoramaConfig``).
        """
        unwrap_sdk_pickler()
        super().__init__(
            provider, name, {**props, "digest": None, "rev": None}, _hashes_secret(opts)
        )


class PanoramaCommit(pulumi.dynamic.Resource, module="panorama", name="Commit"):
    """Writes changed objects, commits to Panorama and pushes, once per up."""

    commit_job: pulumi.Output[int | None]
    object_count: pulumi.Output[int]

    def __init__(
        self,
        provider: PanoramaCommitProvider,
        name: str,
        props: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Register the commit.

        Args:
            provider: the commit provider (writes, commits and pushes).
            name: Pulumi resource name.
            props: hostname, template stack and device group to push to, the objects with
                their revisions, and the late-bound values (secret).
            opts: resource options (depends on every ``PanoramaObject``).
        """
        unwrap_sdk_pickler()
        super().__init__(
            provider,
            name,
            {**props, "commit_job": None, "object_count": None, "committed": None, "order": None},
            _hashes_secret(opts),
        )


# What a layered cluster stack owns in Panorama: its clusters' plugin entries.
PLUGIN_CLUSTER_KINDS: frozenset[str] = frozenset({"k8s-cluster", "k8s-monitoring"})


def owned_objects(
    intent: PanoramaIntent, kinds: Collection[str] | None = None
) -> list[RenderedObject]:
    """The rendered objects a config owns: all of ``intent``'s, or those of ``kinds``."""
    objects = render_intent(intent)
    return objects if kinds is None else [o for o in objects if o.kind in kinds]


def resource_name(prefix: str, obj: RenderedObject) -> str:
    """Stable Pulumi name of an object's resource (``/`` is not kept in names)."""
    return f"{prefix}-{obj.kind}-" + re.sub(r"[^A-Za-z0-9._-]", "_", obj.name)


class PanoramaConfig(pulumi.ComponentResource):
    """The Panorama configuration of one deployment, applied with one commit per up."""

    object_count: int
    commit_id: pulumi.Output[int | None]
    objects: list[RenderedObject]
    resources: list[PanoramaObject]
    commit: PanoramaCommit

    def __init__(
        self,
        name: str,
        intent: PanoramaIntent,
        *,
        hostname: pulumi.Input[str],
        late_bound: Mapping[str, pulumi.Input[str]] | None = None,
        verify_tls: bool = True,
        ca_bundle: str | None = None,
        push: bool = True,
        kinds: Collection[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        settings: ProviderSettings | None = None,
    ) -> None:
        """Render ``intent`` and register its objects and the commit.

        Args:
            name: component name; prefixes every object's resource name.
            intent: the validated Panorama intent (``components/panorama/profiles.py``).
            hostname: Panorama's address (the API is reached over HTTPS).
            late_bound: values known only after the cloud resources exist (load balancer
                IPs, the cluster credential), by the key the intent uses for them.
            verify_tls: verify Panorama's certificate (turning it off is logged).
            ca_bundle: CA bundle file to verify it with; default the system store.
            push: push the committed config to the template stack and device group.
            kinds: own (create, update, delete) only the rendered objects of these kinds; a
                layered cluster stack owns its clusters' plugin entries
                (:data:`PLUGIN_CLUSTER_KINDS`), never the security stack's template,
                device group or rules. Default: every object of ``intent``.
            opts: resource options.
            settings: timeouts and retries of the providers (defaults suit production).
        """
        # Check before registering anything: a bad call leaves no half-registered component.
        objects = owned_objects(intent, kinds)
        late = dict(late_bound or {})
        missing = sorted(intent.late_keys() - late.keys())
        if missing:
            raise ValueError(
                f"PanoramaConfig {name}: late-bound values missing: {', '.join(missing)}"
            )
        super().__init__("airs:index:PanoramaConfig", name, None, opts)
        # Timeouts/retries may be tuned by the caller; TLS choices come from the arguments.
        settings = dataclasses.replace(
            settings or ProviderSettings(), verify_tls=verify_tls, ca_bundle=ca_bundle
        )
        object_provider = PanoramaObjectProvider(settings)
        commit_provider = PanoramaCommitProvider(settings)
        child = pulumi.ResourceOptions(parent=self)
        resources: list[PanoramaObject] = []
        entries: list[dict[str, Any]] = []
        names: set[str] = set()
        for obj in objects:
            rname = resource_name(name, obj)
            if rname in names:
                raise ValueError(f"two Panorama objects map to resource name {rname}")
            names.add(rname)
            keys = sorted(late_keys_in(obj.element))
            props: dict[str, Any] = {
                "hostname": hostname,
                "kind": obj.kind,
                "name": obj.name,
                "xpath": obj.xpath,
                "element": obj.element,
                "mode": obj.mode,
                "fields": flatten(obj.element),
                "managed": True,
                # Secret: credentials and late addresses; outputs keep only their sha256.
                "late": {k: pulumi.Output.secret(late[k]) for k in keys},
            }
            res = PanoramaObject(object_provider, rname, props, child)
            resources.append(res)
            entries.append(
                {
                    "kind": obj.kind,
                    "name": obj.name,
                    "xpath": obj.xpath,
                    "element": obj.element,
                    "mode": obj.mode,
                    "rev": res.rev,
                }
            )
        used = sorted(intent.late_keys())
        commit = PanoramaCommit(
            commit_provider,
            f"{name}-commit",
            {
                "hostname": hostname,
                "template_stack": intent.template_stack,
                "device_group": intent.device_group,
                "push": push,
                "description": f"{intent.name}: airs-intercept",
                # Firewalls the push must reach (on-prem); cloud firewalls join by bootstrap.
                **({"devices": list(intent.devices)} if intent.devices else {}),
                **commit_requirements(intent, kinds),
                "objects": entries,
                "late": {k: pulumi.Output.secret(late[k]) for k in used},
            },
            pulumi.ResourceOptions(parent=self, depends_on=resources),
        )
        self.objects = objects
        self.resources = resources
        # Depend on this to order work after Panorama is committed (e.g. the Helm release).
        self.commit = commit
        self.object_count = len(objects)
        self.commit_id = commit.commit_job
        self.register_outputs({"objectCount": len(objects), "commitId": commit.commit_job})
