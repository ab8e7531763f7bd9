"""Issue 16, item 5: `Exception ignored in: <function BaseEventLoop.__del__> … Invalid file
descriptor: -1` at the end of `airs plan --stack gcp-dev` (components/cli/event_loops.py).

Pulumi's mock monitor gave each worker thread of the run an event loop that nobody closed;
the garbage collector finalized each one with its self-pipe socket in no fixed order, and
when the socket went first, the loop's ``__del__`` failed on fd -1.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
import threading
import warnings
import weakref
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.cli.engine import run_program
from components.cli.stackfile import StackSettings
from tests.helpers import ROOT


def _program() -> None:
    # Each registration is answered on a worker thread of the run loop's executor.
    for index in range(8):
        pulumi.CustomResource("test:index:Thing", f"thing-{index}", {"n": index})


def test_no_event_loop_is_left_to_the_garbage_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every loop is closed by the run; none reaches a finalizer, in any GC order.

    The order that failed is made certain: each loop's self-pipe sockets are born one GC
    generation younger than the loop, so a full collection finalizes them first.
    """
    made: list[weakref.ref[asyncio.AbstractEventLoop]] = []  # weak: the GC must see them
    real_new_loop = asyncio.new_event_loop

    def recorded_new_loop() -> asyncio.AbstractEventLoop:
        loop = real_new_loop()
        made.append(weakref.ref(loop))
        return loop

    real_socketpair = socket.socketpair

    def socketpair_one_generation_younger(*args: Any, **kwargs: Any) -> Any:
        gc.collect(0)  # the half-built loop moves to generation 1, its sockets start in 0
        return real_socketpair(*args, **kwargs)

    unraisable: list[Any] = []
    monkeypatch.setattr(asyncio, "new_event_loop", recorded_new_loop)
    monkeypatch.setattr(socket, "socketpair", socketpair_one_generation_younger)
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    gc.disable()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            run = run_program(
                StackSettings(stack="loops", config={}, secret_keys=[]), program=_program
            )
            for thread in threading.enumerate():
                if thread.name.startswith("asyncio"):
                    thread.join()  # a finished worker drops its thread-local loop
            gc.collect()
    finally:
        gc.enable()
    assert len(run.resources) == 8
    assert len(made) >= 2, "the registrations ran on no worker thread: the test proves nothing"
    assert [str(u.exc_value) for u in unraisable] == []  # before: Invalid file descriptor: -1
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert [ref for ref in made if ref() is not None and not ref().is_closed()] == []


def test_plan_gcp_dev_leaves_no_unclosed_loop() -> None:
    """The command of the report, with ResourceWarnings shown: none about an event loop."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("airs")), "plan", "--stack", "gcp-dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "always::ResourceWarning"},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "unclosed event loop" not in done.stderr  # before: one per worker thread
    assert "Exception ignored" not in done.stderr
