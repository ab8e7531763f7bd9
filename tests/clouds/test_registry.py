"""The registry of targets: every folder is one ``Cloud`` and the protocol holds for each."""

from __future__ import annotations

import inspect
import typing

from components.clouds import TARGETS, build_intent, target
from components.clouds.base import Cloud
from components.config import TargetModel
from components.config.base import ClusterType
from tests.helpers import ROOT
from tests.panorama import fixtures


def test_every_folder_is_one_registered_target() -> None:
    folders = {p.parent.name for p in (ROOT / "components" / "clouds").glob("*/__init__.py")}
    assert folders == set(TARGETS) == {"gcp", "azure", "aws", "private"}
    for name, cloud in TARGETS.items():
        assert isinstance(cloud, Cloud)
        assert cloud.name == name
        assert target(name) is cloud


def test_each_target_names_its_own_config_section() -> None:
    for cloud in TARGETS.values():
        assert issubclass(cloud.config_model, TargetModel)
        assert cloud.config_key == ("securityProject" if cloud.public else "firewall")
        # The model answers what every target must (no NotImplementedError left).
        for method in ("trust_subnet", "security_ranges"):
            assert getattr(cloud.config_model, method) is not getattr(TargetModel, method)


def test_every_cluster_type_has_exactly_one_owner() -> None:
    owned = [t for cloud in TARGETS.values() for t in cloud.cluster_types]
    assert sorted(owned) == sorted(typing.get_args(ClusterType))


def test_public_clouds_bring_components_and_mocks() -> None:
    prefixes = set()
    for cloud in TARGETS.values():
        if not cloud.public:
            assert cloud.mocks() is None
            assert cloud.application_connection is None
            continue
        mocks = cloud.mocks()
        assert mocks is not None
        assert callable(mocks.new_resource)
        assert callable(mocks.call)
        assert cloud.application_connection is not None
        prefixes.add(cloud.provider_prefix)
    assert prefixes == {"gcp", "azure-native", "aws"}


def test_build_intent_asks_the_target() -> None:
    for name in TARGETS:
        assert build_intent(fixtures.ALL[name]()).cloud == name
    signature = inspect.signature(TARGETS["gcp"].panorama_profile)
    assert list(signature.parameters) == ["inputs"]
