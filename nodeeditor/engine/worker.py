"""The queue worker: claims sessions, runs them with the engine, stores results and figures.

Plain threading, no Qt: the GUI, the CLI and the tests drive it the same way. Events go out
through an EventHub (its own thread), so subscribers never slow the sessions down. A failing
session fails alone; the worker moves on to the next one.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
import uuid
from typing import Any

from nodeeditor.core.errors import GraphValidationError
from nodeeditor.core.registry import Registry

from nodeeditor.store.queue import DEFAULT_LEASE_S
from nodeeditor.store.status import SessionStatus

from .cache import OutputCache
from .events import MemorySample, NodeCompleted, QueueChanged, SessionCompleted, SessionStarted
from .worker_base import WorkerBase
from .meter import Meter, rss, vram
from .runner import NodeStat, RunResult, run_workflow, summarize

WATCH_INTERVAL_S = 0.25
"""How often a running session is checked for a cancel asked from elsewhere, and RSS sampled."""
IDLE_POLL_S = 0.5
QUEUE_EVENT_INTERVAL_S = 0.25
"""queue_changed is sent at most this often while sessions complete (and once when idle)."""


class Worker(WorkerBase):
    def __init__(self, store: Any, registry: Registry, *, cache: OutputCache | None = None,
                 worker_id: str | None = None) -> None:
        self.store = store
        self.registry = registry
        self.cache = cache if cache is not None else OutputCache()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_s = DEFAULT_LEASE_S
        self._claimed: Any = None
        super().__init__("worker-events")
        self._meter = Meter()
        self._session_id: str | None = None
        self._cancel = threading.Event()
        self._stopping = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher: threading.Thread | None = None
        self._last_counts = 0.0
        self._count_cost = 0.0

    # -- control --------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._state = "idle"
        self._start_watcher()
        self._thread = threading.Thread(target=self._loop, args=(False,), name="queue-worker", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Finish the running session, then take no more until resume()."""
        self._running.clear()
        if self._current is None:
            self._state = "paused"

    def resume(self) -> None:
        self._running.set()
        self.wake()

    def wake(self) -> None:
        """Look at the queue now instead of at the next poll (call after enqueueing)."""
        self._wake.set()

    def cancel_current(self) -> bool:
        """Cancel the running session (between nodes, and inside nodes that check their context)."""
        if self._current is None:
            return False
        self._cancel.set()
        return True

    def stop(self, wait: bool = True) -> None:
        """Stop taking sessions; a running one is interrupted and goes back to pending."""
        self._stopping.set()
        self._running.set()
        self._cancel.set()
        self._wake.set()
        if wait:
            for thread in (self._thread, self._watcher):
                if thread is not None and thread is not threading.current_thread():
                    thread.join()
        self._state = "stopped"

    def close(self) -> None:
        """Stop, and end the event thread (at application exit)."""
        self.stop()
        self.hub.close()

    def run_until_empty(self) -> dict[str, int]:
        """Run sessions in the calling thread until none is pending; returns how many ended how."""
        self._stopping.clear()
        self._state = "idle"
        self._start_watcher()
        try:
            return self._loop(True)
        finally:
            self._stopping.set()
            if self._watcher is not None:
                self._watcher.join()
            self._state = "stopped"

    # -- the loop -------------------------------------------------------------------------------

    def _loop(self, until_empty: bool) -> dict[str, int]:
        ended = {"completed": 0, "failed": 0, "canceled": 0}
        claimed = None
        announced_idle = False
        while not self._stopping.is_set():
            if not self._running.is_set():
                self._state = "paused"
                self._running.wait(IDLE_POLL_S)
                continue
            if claimed is None:
                claimed = self.store.queue.claim(self.worker_id, self.lease_s)
            if claimed is None:
                if not announced_idle:
                    self._queue_changed(force=True)
                    announced_idle = True
                if until_empty:
                    break
                self._state = "idle"
                self._wake.wait(IDLE_POLL_S)
                self._wake.clear()
                continue
            status, claimed = self._run(claimed)
            announced_idle = False
            if status in ended:
                ended[status] += 1
            self._queue_changed()
        return ended

    def _run(self, claimed: Any) -> tuple[str, Any]:
        """Run one session and store its end (its own transaction); returns its status and None:
        the loop claims the next one after looking at pause and stop."""
        self._cancel = threading.Event()
        self._session_id = claimed.session_id
        self._claimed = claimed
        self._current = claimed.item_id
        self._state = "running"
        publish = self.hub.publish
        publish(SessionStarted(session_id=claimed.session_id, item_id=claimed.item_id,
                               batch_id=claimed.batch_id, nodes=len(claimed.workflow.nodes)))
        images: list[str] = []

        def on_event(event: Any) -> None:
            if isinstance(event, NodeCompleted) and event.images:
                images.extend(event.images)
            publish(event)

        began = time.perf_counter()
        result: RunResult | None = None
        error = trace = None
        try:
            result = run_workflow(claimed.workflow, self.registry, artifacts=self.store.artifacts,
                                  overrides=claimed.overrides, on_event=on_event, cancel=self._cancel,
                                  cache=self.cache, session_id=claimed.session_id,
                                  field_values=claimed.field_values, meter=self._meter)
            status = result.status
            if result.error is not None:
                error, trace = str(result.error), result.error.traceback
        except GraphValidationError as exc:
            status, error, trace = "failed", str(exc), ""
        except Exception as exc:  # the engine itself broke: fail this session, keep the worker
            status, error, trace = "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()
        duration = time.perf_counter() - began
        stats: list[NodeStat] = result.stats if result is not None else []
        queue = self.store.queue
        handed_back = status == SessionStatus.CANCELED and self._stopping.is_set()
        if handed_back:
            queue.hand_back(claimed.item_id, claimed.attempt)
        else:
            details: dict[str, Any] = {"stats": stats, "duration_s": duration}
            if status == "completed":
                details["summary"] = {"outputs": {f"{iid}.{name}": summarize(value)
                                                  for iid, outs in result.leaf_outputs().items()
                                                  for name, value in outs.items()},
                                      "images": images}
            else:
                details.update(error=error or status, traceback=trace or "")
            queue.finish(claimed.item_id, status, attempt=claimed.attempt, **details)
        self._current = None
        self._claimed = None
        self._session_id = None
        self._state = "idle" if self._running.is_set() else "paused"
        if not handed_back:
            publish(SessionCompleted(
                session_id=claimed.session_id, item_id=claimed.item_id, batch_id=claimed.batch_id,
                status=status, duration_s=duration, error=error,
                stats={"nodes": len(stats), "cache_hits": sum(1 for s in stats if s.cached),
                       "peak_rss": max((s.peak_rss for s in stats), default=0), "images": images}))
        return status, None

    def _queue_changed(self, force: bool = False) -> None:
        """Counting a queue of a million finished rows takes a while: never spend more than a
        tenth of the worker's time on it."""
        now = time.monotonic()
        if force or now - self._last_counts >= max(QUEUE_EVENT_INTERVAL_S, 10 * self._count_cost):
            counts = self.store.queue.counts()
            self._last_counts = time.monotonic()
            self._count_cost = self._last_counts - now
            self.hub.publish(QueueChanged(counts=counts))

    # -- watching the running session ----------------------------------------------------------

    def _start_watcher(self) -> None:
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name="queue-worker-watch", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        renewed = time.monotonic()
        while not self._stopping.wait(WATCH_INTERVAL_S):
            item, cancel, session, claimed = self._current, self._cancel, self._session_id, self._claimed
            if item is None or claimed is None:
                continue
            if time.monotonic() - renewed >= claimed.lease_s / 3:
                renewed = time.monotonic()
                lease = self.store.queue.renew(item, claimed.attempt, claimed.lease_s)
                if lease is not lease.HELD and not cancel.is_set():
                    cancel.set()  # cancel asked, or the session was taken back: stop working on it
            elif not cancel.is_set() and self.store.queue.is_cancel_requested(item):
                cancel.set()
            self.hub.publish(MemorySample(session_id=session, rss=rss(), vram=vram()))
