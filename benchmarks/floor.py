"""The bare-SDK floor: what registering a plan's resources costs with no logic of ours.

    python -c "import sys; from benchmarks.floor import main; sys.exit(main(sys.argv[1:]))" PLAN.json

Reads a saved ``airs plan --json`` and registers every resource in it again, in the same
order and under the same parents, with the same type tokens, names and inputs, under Pulumi's
own mock engine (``pulumi.runtime.set_mocks`` with the SDK's ``MockMonitor``):

- cloud resources through the provider SDK's own generated class (``pulumi_gcp.compute.
  Firewall``, ``pulumi_kubernetes.helm.v3.Release``...), so the floor imports the same
  provider SDK modules and runs the same generated argument handling as the real plan;
  reads (``Resource.get``) through the class's ``get``;
- components as ``pulumi.ComponentResource`` with the same tokens;
- dynamic resources (Panorama objects) as ``pulumi.dynamic.Resource`` with the same tokens
  and a no-op provider, so the SDK pickles a provider per resource as it does for ours.

Not in the floor (so it counts as our cost): config validation, our components' logic, our
realistic mocks (``AirsMocks``: ids, self-links, addresses), the plan report, Helm chart
rendering, Panorama XML rendering and the imports those need (pydantic, pan-os-python,
helm_python...). The floor echoes inputs as outputs.

The floor applies the same work-around for the SDK's accumulating pickler wrappers as our
dynamic resources (``components.dynamic_providers.unwrap_sdk_pickler``): without it the SDK's
own cost would grow with the square of the dynamic resource count and flatter our ratio.

Prints one JSON line: ``{"registered": N, "generic": K}`` where K counts resources the SDK
class refused (they are registered as plain ``CustomResource`` of the same token instead).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import keyword
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.dynamic_providers import unwrap_sdk_pickler

# Provider token prefix → provider SDK package.
PACKAGES = {
    "gcp": "pulumi_gcp",
    "aws": "pulumi_aws",
    "azure-native": "pulumi_azure_native",
    "kubernetes": "pulumi_kubernetes",
}
SECRET = "[secret]"
UNKNOWN = "[unknown]"
DYNAMIC_PREFIX = "pulumi-python:dynamic"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


class EchoMocks(pulumi.runtime.Mocks):
    """The simplest mocks: every resource's outputs are its inputs."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Echo the inputs; components get no id."""
        if args.custom is False:
            return None, {}
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """No invokes in the floor."""
        return {}, None


class NoopProvider(pulumi.dynamic.ResourceProvider):
    """A dynamic provider that does nothing (only its pickling cost matters here)."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        """Echo the properties."""
        return pulumi.dynamic.CreateResult(id_="noop", outs=props)


_dynamic_classes: dict[str, type[pulumi.dynamic.Resource]] = {}


def dynamic_class(token: str) -> type[pulumi.dynamic.Resource]:
    """A ``pulumi.dynamic.Resource`` subclass registering ``token`` (module and name kept)."""
    if token not in _dynamic_classes:
        # pulumi-python:dynamic/panorama:Object → module "panorama", name "Object".
        module_part, name = token.split(":")[1:]
        module = module_part.split("/", 1)[1] if "/" in module_part else ""
        _dynamic_classes[token] = type(
            f"Floor{name}", (pulumi.dynamic.Resource,), {}, module=module, name=name
        )
    return _dynamic_classes[token]


def sdk_module(token: str) -> ModuleType | None:
    """The provider SDK module that defines ``token``'s class (None for non-SDK tokens)."""
    if token.startswith("pulumi:providers:"):
        package = PACKAGES.get(token.split(":")[2])
        return importlib.import_module(package) if package else None
    pkg, mod, _ = token.split(":")
    package = PACKAGES.get(pkg)
    if package is None:
        return None
    if pkg == "kubernetes":  # kubernetes:helm.sh/v3:Release → pulumi_kubernetes.helm.v3
        path = mod.replace("helm.sh", "helm").replace("/", ".")
    else:  # gcp:compute/firewall:Firewall → pulumi_gcp.compute; aws:lambda/… → lambda_
        path = mod.split("/")[0]
        path += "_" if keyword.iskeyword(path) else ""
    try:
        return importlib.import_module(f"{package}.{path}")
    except ImportError:
        return None


def sdk_class(token: str) -> type[pulumi.CustomResource] | None:
    """The generated SDK class of ``token``, importing its module as the program does."""
    module = sdk_module(token)
    if module is None:
        return None
    name = "Provider" if token.startswith("pulumi:providers:") else token.split(":")[2]
    cls = getattr(module, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource) else None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def python_names(cls: type) -> dict[str, str]:
    """Wire name → Python keyword of ``cls``'s inputs (from its ``…Args`` class)."""
    from pulumi import _types

    args_cls = getattr(sys.modules[cls.__module__], f"{cls.__name__}Args", None)
    if args_cls is None:
        return {}
    try:
        py_to_wire = _types.input_type_py_to_pulumi_names(args_cls)
    except Exception:
        return {}
    return {wire: py for py, wire in py_to_wire.items()}


def restore(value: Any) -> Any:
    """Turn the plan JSON's placeholders back into values the SDK serialises alike."""
    if value == SECRET:
        return pulumi.Output.secret("secret")
    if value == UNKNOWN:
        return "unknown"
    if isinstance(value, dict):
        return {k: restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore(v) for v in value]
    return value


def register(res: dict[str, Any], opts: pulumi.ResourceOptions) -> tuple[pulumi.Resource, bool]:
    """Register one recorded resource; the bool says whether the SDK class took it."""
    token: str = res["type"]
    name: str = res["name"]
    inputs = {k: restore(v) for k, v in res["inputs"].items()}
    if not res["custom"]:
        return pulumi.ComponentResource(token, name, None, opts), True
    if token.startswith(DYNAMIC_PREFIX):
        unwrap_sdk_pickler()
        return dynamic_class(token)(NoopProvider(), name, inputs, opts), True
    if token == STACK_REFERENCE:  # layered stacks read the security stack's outputs
        return pulumi.StackReference(name, opts=opts), True
    cls = sdk_class(token)
    if res.get("read"):
        rid = str(res["inputs"].get("id", name))
        if cls is not None:
            try:
                return cls.get(name, rid, opts=opts), True  # type: ignore[attr-defined]
            except Exception:  # counted as a generic registration below
                pass
        return pulumi.CustomResource(
            token, name, {}, pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=rid))
        ), False
    if cls is not None:
        names = python_names(cls)
        kwargs = {names.get(k, _snake(k)): v for k, v in inputs.items()}
        try:
            return cls(name, opts=opts, **kwargs), True
        except Exception:  # an input the class will not take: register generically
            pass
    return pulumi.CustomResource(token, name, inputs, opts), False


def floor_program(plan: dict[str, Any], counts: dict[str, int]) -> None:
    """Register every resource of ``plan`` under its recorded parent."""
    by_urn: dict[str, pulumi.Resource] = {}
    for res in plan["resources"]:
        parent = by_urn.get(res.get("parent") or "")
        opts = pulumi.ResourceOptions(parent=parent)
        created, typed = register(res, opts)
        if res.get("urn"):
            by_urn[res["urn"]] = created
        counts["registered"] += 1
        counts["generic"] += 0 if typed else 1


def main(argv: list[str]) -> int:
    """Run the floor for one saved plan; print the counts as JSON."""
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    counts = {"registered": 0, "generic": 0}
    project, stack = plan.get("project", "airs"), plan["stack"]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    runtime_settings.reset_options(project=project, stack=stack, preview=False)
    pulumi.runtime.set_mocks(EchoMocks(), project=project, stack=stack, preview=False)
    _sync_await(run_pulumi_func(lambda: floor_program(plan, counts)))
    loop.close()
    print(json.dumps(counts))
    return 0
