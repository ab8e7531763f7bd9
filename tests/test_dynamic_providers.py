"""The SDK's pickler patch must not pile up across dynamic resources (see the module)."""

from __future__ import annotations

import pickle

from pulumi.dynamic.dynamic import serialize_provider

from components.cluster.restart import WorkloadRestartProvider
from components.dynamic_providers import sdk_pickler_depth, unwrap_sdk_pickler


def test_sdk_wrappers_pile_up_without_the_unwrap_and_not_with_it() -> None:
    original = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    try:
        unwrap_sdk_pickler()
        for _ in range(5):
            serialize_provider(WorkloadRestartProvider())
        # The SDK bug itself: one more wrapper per serialisation.
        assert sdk_pickler_depth() == 5
        for _ in range(1200):
            unwrap_sdk_pickler()
            serialize_provider(WorkloadRestartProvider())
        # With the unwrap before each one, never more than the SDK's own single wrapper,
        # and 1,200 serialisations (past the recursion limit otherwise) succeed.
        assert sdk_pickler_depth() == 1
        unwrap_sdk_pickler()
        assert sdk_pickler_depth() == 0
    finally:
        pickle._Pickler._batch_setitems = original  # type: ignore[attr-defined]
