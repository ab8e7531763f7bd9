"""The event loops of one offline run, every one of them closed when the run ends.

Pulumi's mock monitor answers each registration on a worker thread of the run loop's default
executor, and there awaits the serialisation of its answer with ``_sync_await``, which
gives the thread an event loop of its own the first time (``_ensure_event_loop`` in
``pulumi/runtime/sync_await.py``) and never closes it. Those loops were left to the garbage
collector: a loop, its selector and the handle of its self-pipe reader form a reference
cycle, and the collector runs the finalizers of a cycle in no fixed order. When the
self-pipe socket's finalizer ran first it closed the socket, and the loop's ``__del__`` then
closed the loop, asked the selector to forget ``_ssock.fileno()``, now -1, and printed
``Exception ignored in: <function BaseEventLoop.__del__> … ValueError: Invalid file
descriptor: -1`` (seen once at the end of ``airs plan --stack gcp-dev``; which finalizer runs
first depends on the generation each object was in when the collector found them).

So the run's executor gives each worker thread its loop when the thread starts, and
``OwnedLoops.close`` joins the threads and closes each loop: nothing is left to a finalizer.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


class OwnedLoops:
    """A run's event loop and the loops of its executor's worker threads."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give ``loop`` a default executor whose threads each start with their own loop."""
        self.loop = loop
        self.workers: list[asyncio.AbstractEventLoop] = []
        # Same pool as asyncio's own default executor; only the thread start-up differs.
        self.executor = ThreadPoolExecutor(
            thread_name_prefix="asyncio", initializer=self._give_thread_a_loop
        )
        loop.set_default_executor(self.executor)

    def _give_thread_a_loop(self) -> None:
        # Found by pulumi's _ensure_event_loop (asyncio.get_event_loop), which then makes none.
        worker = asyncio.new_event_loop()
        asyncio.set_event_loop(worker)
        self.workers.append(worker)  # list.append is atomic: threads start concurrently

    def close(self) -> None:
        """Join the worker threads, then close their loops and the run's loop."""
        # Queued work that has not started is dropped (the run failed); a call already
        # running on a worker is a mock answer and ends on its own.
        self.executor.shutdown(wait=True, cancel_futures=True)
        for worker in self.workers:
            worker.close()
        self.workers.clear()
        self.loop.close()
