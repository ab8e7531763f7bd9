"""Start-up of the ``airs`` process: keep the garbage collector off our long-lived imports.

Config models and pan-os-python live as long as the process; the collections the Pulumi SDK
triggers while it imports and registers would walk them again and again. ``airs`` pauses the
collector while its own modules load and freezes them before the SDK loads.
"""

from __future__ import annotations

import gc
import sys

# Whether `main` paused the cyclic GC for our own start-up (see freeze_heap).
_gc_paused = False


def pause_gc() -> bool:
    """Pause the cyclic GC while our own modules load (they live as long as the process).

    Only in a process that has not loaded the Pulumi SDK yet; returns whether it paused.
    """
    global _gc_paused
    if "pulumi" in sys.modules or not gc.isenabled():
        return False
    gc.disable()
    _gc_paused = True
    return True


def resume_gc() -> None:
    """Collect again, if ``pause_gc`` paused the GC."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.enable()


def freeze_heap() -> None:
    """Move what our own imports built (config models, pan-os-python) out of the GC's reach.

    Those objects live as long as the process, yet every full collection the Pulumi SDK
    triggers while importing and registering would walk them again (~0.2 s on a small
    stack). Only ever before the SDK is imported, so the SDK's own objects are collected as
    usual (benchmarks/README.md: the floor freezes at the same point). The GC paused by
    `main` resumes here, before the SDK loads.
    """
    if "pulumi" in sys.modules:
        return
    import components.panorama.profiles
    import components.panorama.render  # noqa: F401 (pan-os-python, imported for the freeze)

    gc.freeze()
    resume_gc()
