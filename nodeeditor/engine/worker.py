"""The queue worker: one short supervising loop that owns every store call and the session child.

Each turn of the loop checks stop and pause, claims one session, then decides its outcome once:
`_submit` hands it to the child and `_watch` follows it (renewing the lease every lease/3, asking
a cancel through the node's context and killing the child 1 s later if it does not stop). While
the child runs it, the loop writes the previous session's one outcome (`_record`, fenced by the
attempt) and claims the next session, on SQLite in the same transaction; `_announce` tells
subscribers (both in worker_record.py). So the child never waits for the store, and the store is
written once a session. A pause or a stop that comes before the session claimed ahead starts
hands it back unstarted (as does a session that runs past a lease renewal): the worker never
holds one it does not run for long.

Delivery promise: at least once. A session whose worker is lost (its lease ran out, or its
process died on this host) runs again, as attempt + 1, so a node may run twice; completion is
exactly once, because a result is written only by the attempt that still holds the lease.

Failure modes, named here once:
- a node raises anything or ends its process: its session fails with the reason, a new child
  takes the next session;
- a node ignores cancel: killed 1 s after the request, the session is canceled;
- the store fails (locked, full, read-only, unreachable): one line logged, retried with backoff;
  after `give_up_after_s` of failure `StoreUnusable` ends the loop (the CLI exits 3);
- the lease was taken (this process was paused past it): the result is dropped, and said so.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from nodeeditor.core.registry import Registry
from nodeeditor.paths import user_nodes_dir
from nodeeditor.store.queue_rows import ClaimedSession, Lease
from nodeeditor.store.status import WorkerState

from .events import (MemorySample, NodeCompleted, NodeProgress, NodeStarted, QueueChanged, SessionStarted)
from .meter import vram
from .session_child import Job, Outcome
from .session_process import ChildDied, SessionProcess, setup_for
from .worker_base import WorkerBase
from .worker_record import Dropped, HandedBack, Result, WorkerRecord
from .worker_store import Stopped, StoreUnusable, WorkerStore

__all__ = ["StoreUnusable", "Worker"]

log = logging.getLogger("nodeeditor.worker")

IDLE_POLL_S = 0.5
TICK_S = 0.05
"""How often the loop looks up from a running session (messages, cancel, lease, stop)."""
CANCEL_CHECK_S = 0.25
"""How often a cancel asked through the store (the CLI, another window) is looked for."""
CANCEL_GRACE_S = 1.0
"""A node asked to cancel that has not stopped this much later has its process killed."""
PROGRESS_INTERVAL_S = 0.25
"""Progress rows are written at most 4 times a second."""
QUEUE_EVENT_INTERVAL_S = 0.25
CHILD_RETRY_S = 5.0


@dataclass
class _Running:
    """What the loop knows about the session it runs, for progress and the cancel policy."""

    claimed: Any
    nodes: int
    node: str | None = None
    done: set[str] = field(default_factory=set)
    fraction: float = 0.0
    artifacts: list[Any] = field(default_factory=list)
    cancel_sent: float | None = None
    written_progress: tuple[str | None, float] | None = None


class Worker(WorkerRecord, WorkerBase):
    def __init__(self, store: Any, registry: Registry, *, name: str | None = None, lease_s: float = 30.0,
                 max_attempts: int = 3, give_up_after_s: float = 300.0, nodes_dir: Path | None = None) -> None:
        super().__init__("worker-events")
        self.store = store
        self.registry = registry
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.lease_s = lease_s
        self.ended: dict[str, int] = {"completed": 0, "failed": 0, "canceled": 0, "handed_back": 0, "dropped": 0}
        self.error: str | None = None
        """Why the loop ended on its own (the store stayed unusable)."""
        self._child = SessionProcess(setup_for(registry, store.artifacts.root,
                                               nodes_dir if nodes_dir is not None else user_nodes_dir(store.home)))
        self._stopping = threading.Event()
        self._paused = threading.Event()
        self._wake = threading.Event()
        self._cancel = threading.Event()
        self._hand_back_at: float | None = None
        self._thread: threading.Thread | None = None
        self._running: _Running | None = None
        self._artifacts: list[Any] = []
        self._last_counts = 0.0
        self._next_heartbeat = 0.0
        self._progress_due = 0.0
        """Progress writes are limited per worker, not per session: short sessions in a row
        would each write one otherwise (a write transaction apiece, ~40 % of a 2-node session)."""
        self.door = WorkerStore(store, name=self.name, lease_s=lease_s, max_attempts=max_attempts,
                                give_up_after_s=give_up_after_s, stopping=self._stopping)
        self.door.on_give_up = self._child.kill

    @property
    def worker_id(self) -> str:
        return self.door.worker_id

    # -- control (any thread) -------------------------------------------------------------------

    def start(self) -> None:
        """Run the loop on a thread of this process until stop()."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._hand_back_at = None
        self._thread = threading.Thread(target=self._serve_quietly, name="queue-worker", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._paused.set()
        self._wake.set()

    def resume(self) -> None:
        self._paused.clear()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def cancel_current(self) -> bool:
        if self._current is None:
            return False
        self._cancel.set()
        return True

    def request_stop(self, grace_s: float = 0.0) -> None:
        """Claim nothing more; a running session has `grace_s` to finish, then is handed back."""
        deadline = time.monotonic() + grace_s
        if self._hand_back_at is None or deadline < self._hand_back_at:
            self._hand_back_at = deadline
        if not self._stopping.is_set():
            self._state = WorkerState.STOPPING
        self._stopping.set()
        self._wake.set()

    def stop(self, wait: bool = True) -> None:
        self.request_stop(0.0)
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()
        if thread is None or not thread.is_alive():
            self._state = WorkerState.STOPPED

    def close(self) -> None:
        self.stop()
        self.hub.close()

    def run_until_empty(self) -> dict[str, int]:
        """Run sessions on the calling thread until none is pending; returns how many ended how."""
        return self.serve(until_empty=True)

    # -- the loop -------------------------------------------------------------------------------

    def _serve_quietly(self) -> None:
        try:
            self.serve()
        except StoreUnusable as exc:
            self.error = str(exc)
            log.error("worker %s: %s", self.name, exc)

    def serve(self, until_empty: bool = False) -> dict[str, int]:
        """The working loop; returns counts of sessions by how they ended. Raises StoreUnusable."""
        if until_empty:
            self._stopping.clear()
        self.ended = dict.fromkeys(self.ended, 0)
        self._state = WorkerState.IDLE
        said_idle = False
        ahead: list[ClaimedSession | None] = []
        """The next session, claimed while the child works: [] when none was claimed."""
        pending: tuple[ClaimedSession, Result] | None = None
        """A session that ended, written once the next one runs (its outcome and the next claim are
        written while the child works), and always before the loop waits or stops."""
        try:
            self.door.register()
            while not self._stopping.is_set():
                self._heartbeat_if_due()
                if self._paused.is_set():
                    self._write(pending, None)
                    pending = None
                    self._hand_back_unstarted(ahead)
                    self._state = WorkerState.PAUSED
                    self._wait_for_wake()
                    continue
                if ahead:
                    claimed = ahead.pop()
                elif pending is not None:
                    self._write(pending, ahead)  # its finish claims the next session
                    pending = None
                    continue
                else:
                    if not self._child_ready():
                        continue
                    try:
                        claimed = self.door.claim()
                    except Stopped:
                        break
                if claimed is None:
                    if pending is not None:  # the queue was empty when its predecessor's finish looked
                        self._write(pending, ahead)
                        pending = None
                        continue
                    if not said_idle:
                        self._queue_changed(force=True)
                        if not until_empty:
                            log.info("worker %s: idle, waiting for sessions", self.name)
                        said_idle = True
                    if until_empty:
                        break
                    self._state = WorkerState.IDLE
                    self._wait_for_wake()
                    continue
                said_idle = False
                began, failed = time.perf_counter(), self._submit(claimed)
                if pending is not None:  # while the child works: the last outcome, and the next claim
                    self._write(pending, ahead)
                    pending = None
                elif failed is None and self._going_on():
                    try:
                        ahead.append(self.door.claim())
                    except Stopped:  # the session just handed over is still watched (and handed back)
                        pass
                pending = (claimed, failed or self._watch(claimed, began, ahead))
        except StoreUnusable:
            pending = None  # not written: its lease runs out and another worker runs it again
            raise
        finally:
            try:
                self._write(pending, None)
            finally:
                self._hand_back_unstarted(ahead)
                self._current = None
                self._child.close()
                self.door.unregister()
                self._state = WorkerState.STOPPED
        return {k: v for k, v in self.ended.items() if k in ("completed", "failed", "canceled")}

    def _write(self, ended: tuple[ClaimedSession, Result] | None,
               ahead: list[ClaimedSession | None] | None) -> None:
        """Write and announce a session that ended (if any); with `ahead`, the next session is
        claimed in the same transaction and put there (see `_record`)."""
        if ended is not None:
            claimed, result = ended
            self._announce(claimed, result, self._record(claimed, result, ahead))

    def _child_ready(self) -> bool:
        """Start the session child before claiming: a lease must not run out while it starts."""
        try:
            self._child.start()
        except ChildDied as exc:
            log.error("worker %s: %s; trying again", self.name, exc)
            self._stopping.wait(CHILD_RETRY_S)
            return False
        return True

    def _wait_for_wake(self) -> None:
        self._wake.wait(min(IDLE_POLL_S, self.lease_s / 3))
        self._wake.clear()

    # -- one session: execute -> record -> announce ---------------------------------------------

    def _submit(self, claimed: ClaimedSession) -> Outcome | None:
        """Hand the session to the child, which starts it at once; a failed Outcome if it cannot."""
        try:
            self._child.submit(Job(claimed.session_id, claimed.workflow, claimed.overrides, claimed.field_values))
        except ChildDied as exc:
            return Outcome("failed", str(exc))
        return None

    def _watch(self, claimed: ClaimedSession, began: float, ahead: list[ClaimedSession | None]) -> Result:
        """Watch the session the child runs until it ends; the only place that kills the child.
        A session claimed ahead goes back to the queue if this one runs past a lease renewal."""
        self._cancel.clear()
        self._current = claimed.item_id
        self._state = WorkerState.RUNNING
        running = _Running(claimed, nodes=max(1, len(claimed.workflow.nodes)))
        self.hub.publish(SessionStarted(session_id=claimed.session_id, item_id=claimed.item_id,
                                        batch_id=claimed.batch_id, nodes=running.nodes))
        self._running = running
        now = time.monotonic()
        renew_at = now + self.lease_s / 3
        check_cancel_at = now + CANCEL_CHECK_S
        try:
            while True:
                try:
                    messages = self._child.receive(TICK_S)
                except ChildDied as exc:
                    return self._child_gone(running, str(exc), time.perf_counter() - began)
                for tag, payload in messages:
                    if tag == "done":
                        return payload
                    self._take(running, tag, payload)
                now = time.monotonic()
                if self._hand_back_at is not None and now >= self._hand_back_at:
                    self._child.kill()
                    return HandedBack("the worker stopped")
                if now >= check_cancel_at:
                    check_cancel_at = now + CANCEL_CHECK_S
                    if self.door.cancel_requested(claimed):
                        self._cancel.set()
                    self.hub.publish(MemorySample(session_id=claimed.session_id, rss=self._child_rss(),
                                                  vram=vram()))
                if self._cancel.is_set() and running.cancel_sent is None:
                    running.cancel_sent = now
                    self._child.cancel(claimed.session_id)
                if running.cancel_sent is not None and now - running.cancel_sent >= CANCEL_GRACE_S:
                    self._child.kill()
                    return Outcome("canceled", "canceled: the node did not stop within 1 s; its process was killed",
                                   stats=[], duration_s=time.perf_counter() - began)
                if now >= renew_at:
                    renew_at = now + self.lease_s / 3
                    self._hand_back_unstarted(ahead)  # a long session: others may take the next one
                    lease = self.door.renew(claimed)
                    if lease is Lease.LOST:
                        self._child.kill()
                        return Dropped("its lease ran out and another worker took it")
                    if lease is Lease.CANCEL_REQUESTED:
                        self._cancel.set()
                    self._heartbeat_if_due()
                self._write_progress(running, now)
        finally:
            self._running = None
            self._artifacts = running.artifacts

    def _take(self, running: _Running, tag: str, payload: Any) -> None:
        if tag == "artifact":
            running.artifacts.append(payload)
            return
        if isinstance(payload, NodeStarted):
            running.node = payload.node_id
        elif isinstance(payload, NodeCompleted):
            running.done.add(payload.node_id)
        share = 0.0
        if isinstance(payload, NodeProgress) and payload.node_id not in running.done:
            share = payload.fraction
        running.fraction = min(1.0, (len(running.done) + share) / running.nodes)
        self.hub.publish(payload)

    def _child_gone(self, running: _Running, how: str, duration: float) -> Result:
        if running.cancel_sent is not None:
            return Outcome("canceled", "canceled", duration_s=duration)
        node = self._child.running_node() or running.node  # the child's last events may have died with it
        where = f"node {node!r}: " if node else ""
        return Outcome("failed", f"{where}{how}", "the session's process ended before the session did",
                       duration_s=duration)

    # -- bookkeeping in the store --------------------------------------------------------------

    def _heartbeat_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + self.lease_s / 3
            self.door.heartbeat(self._state, self._current, self.ended["completed"] + self.ended["failed"]
                                + self.ended["canceled"])

    def _write_progress(self, running: _Running, now: float) -> None:
        """Coarse progress (node, fraction) at most 4 times a second, and only when it changed."""
        shown = (running.node, round(running.fraction, 2))
        if shown == running.written_progress or now < self._progress_due:
            return
        running.written_progress = shown
        self._progress_due = now + PROGRESS_INTERVAL_S
        self.door.progress(running.claimed, running.node, running.fraction)

    def _queue_changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_counts >= QUEUE_EVENT_INTERVAL_S:
            counts = self.door.counts()
            self._last_counts = time.monotonic()
            if counts is not None:
                self.hub.publish(QueueChanged(counts=counts))

    def _child_rss(self) -> int:
        pid = self._child.pid
        try:
            return psutil.Process(pid).memory_info().rss if pid else 0
        except psutil.Error:
            return 0
