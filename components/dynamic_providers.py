"""Work-around shared by our dynamic resources for a Pulumi SDK serialisation leak.

``pulumi.dynamic.dynamic.serialize_provider`` wraps ``pickle._Pickler._batch_setitems``
in a sorting wrapper every time it pickles a provider and never restores it, so the
N-th dynamic resource of a process pickles through N nested wrappers: time grows with
the square of the resource count and, near 1,000 resources, pickling fails with
``RecursionError``. One ``pulumi up`` with many Panorama objects (or a test process
running many programs) gets there. Every dynamic resource of ours calls
:func:`unwrap_sdk_pickler` first, so the SDK always adds exactly one wrapper.
"""

from __future__ import annotations

import pickle
from typing import Any

# The SDK's wrappers are closures named like this over the previous function.
_SDK_WRAPPER_PREFIX = "batch_set_items_sorted"


def _layers(fn: Any) -> list[Any]:
    """``fn`` followed by every function the SDK's wrappers close over, innermost last."""
    chain = [fn]
    while getattr(fn, "__name__", "").startswith(_SDK_WRAPPER_PREFIX) and fn.__closure__:
        fn = next((c.cell_contents for c in fn.__closure__ if callable(c.cell_contents)), None)
        if fn is None:
            break
        chain.append(fn)
    return chain


def unwrap_sdk_pickler() -> None:
    """Strip the sorting wrappers earlier dynamic resources left on the pure-Python pickler."""
    pickler: Any = pickle._Pickler  # private, and patched by the SDK
    pickler._batch_setitems = _layers(pickler._batch_setitems)[-1]


def sdk_pickler_depth() -> int:
    """How many SDK wrappers sit on the pickler now (0 when clean); for tests."""
    pickler: Any = pickle._Pickler
    return len(_layers(pickler._batch_setitems)) - 1
