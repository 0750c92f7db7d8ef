"""The queue worker: one short supervising loop that owns every store call and the session child.

Each turn of the loop checks stop and pause, claims a block of sessions (one while sessions take
long, up to 64 while they end within 20 ms; see worker_block.py), then decides each session's
outcome once: `_execute` runs the block in the child (renewing every held lease every lease/3,
asking a cancel through the node's context, or before a waiting session starts, and killing the
child 1 s later if the node does not stop), `_record` writes the ended sessions of the block in
one transaction per group (each fenced by its attempt), `_announce` tells subscribers. Only then
is the next block claimed; a pause or a stop halts the block (the sessions not started go back
to the queue), so it never holds a session it is not running.

Delivery promise: at least once. A session whose worker is lost (its lease ran out, or its
process died on this host) runs again, as attempt + 1, so a node may run twice; completion is
exactly once, because a result is written only by the attempt that still holds the lease.

Failure modes, named here once:
- a node raises anything or ends its process: its session fails with the reason, the block's
  sessions after it are handed back, a new child takes the next block;
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
from pathlib import Path
from typing import Any

import psutil

from nodeeditor.core.registry import Registry
from nodeeditor.paths import user_nodes_dir
from nodeeditor.store.queue_rows import Lease
from nodeeditor.store.status import WorkerState

from .events import (
    MemorySample,
    NodeCompleted,
    NodeProgress,
    NodeStarted,
    QueueChanged,
    SessionStarted,
)
from .meter import vram
from .session_child import Job, Outcome
from .session_process import ChildDied, SessionProcess, setup_for
from .worker_base import WorkerBase
from .worker_block import Block, BlockSize, Dropped, HandedBack, Held, Result
from .worker_record import WorkerRecords
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


class Worker(WorkerRecords, WorkerBase):
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
        self.blocks = BlockSize()
        """How many sessions the next claim takes (see worker_block.py)."""
        self._last_counts = 0.0
        self._next_heartbeat = 0.0
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
        try:
            self.door.register()
            while not self._stopping.is_set():
                self._heartbeat_if_due()
                if self._paused.is_set():
                    self._state = WorkerState.PAUSED
                    self._wait_for_wake()
                    continue
                if not self._child_ready():
                    continue
                try:
                    claimed = self.door.claim_block(self.blocks.size)
                except Stopped:
                    break
                if not claimed:
                    self.blocks.size = 1  # whatever comes next starts alone
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
                block = Block(claimed)
                self._execute(block)
                self._record(block.to_record(time.monotonic(), all_ended=True), block)
                self.blocks.after(block)
                self._current = None
                self._state = WorkerState.PAUSED if self._paused.is_set() else WorkerState.IDLE
        finally:
            self._current = None
            self._child.close()
            self.door.unregister()
            self._state = WorkerState.STOPPED
        return {k: v for k, v in self.ended.items() if k in ("completed", "failed", "canceled")}

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

    # -- a block of sessions: execute -> record -> announce ------------------------------------

    def _execute(self, block: Block) -> None:
        """Run the block in the child and watch it; the only place that kills the child. Every
        session of the block has its result when this returns."""
        self._cancel.clear()
        self._state = WorkerState.RUNNING
        try:
            self._child.submit([Job(h.claimed.session_id, h.claimed.workflow, h.claimed.overrides,
                                    h.claimed.field_values, alone=len(block.held) == 1) for h in block.held])
        except ChildDied as exc:
            block.end_all(Outcome("failed", str(exc)), HandedBack(str(exc)))
            return
        self._begin(block.running)
        now = time.monotonic()
        renew_at, check_cancel_at = now + self.lease_s / 3, now + CANCEL_CHECK_S
        while (running := block.running) is not None:
            try:
                messages = self._child.receive(TICK_S)
            except ChildDied as exc:
                self._child_gone(block, str(exc))
                break
            for tag, payload in messages:
                self._take(block, tag, payload)
            now = time.monotonic()
            if (running := block.running) is None:
                break
            if self._hand_back_at is not None and now >= self._hand_back_at:
                self._child.kill()
                block.end_all(HandedBack("the worker stopped"), HandedBack("the worker stopped"))
                break
            if not block.halted and (self._stopping.is_set() or self._paused.is_set() or (
                    now - running.began >= self.blocks.hold_s and block.waiting_behind(running))):
                block.halted = True  # the sessions not started come back unrun; the running one goes on
                self._child.halt()
            if now >= check_cancel_at:
                check_cancel_at = now + CANCEL_CHECK_S
                asked = self.door.cancels_requested([h.claimed for h in block.held if h.result is None])
                for held in block.held:
                    if held.claimed.item_id in asked:
                        self._cancel_one(held, now)
                self.hub.publish(MemorySample(session_id=running.claimed.session_id, rss=self._child_rss(),
                                              vram=vram()))
            if self._cancel.is_set():
                self._cancel.clear()
                self._cancel_one(running, now)
            if running.cancel_sent is not None and now - running.cancel_sent >= CANCEL_GRACE_S:
                self._child.kill()
                block.end_all(Outcome("canceled", "canceled: the node did not stop within 1 s; its process was killed",
                                      duration_s=now - running.cancel_sent),
                              HandedBack("the session process was replaced"))
                break
            if now >= renew_at:
                renew_at = now + self.lease_s / 3
                if not self._renew(block, running, now):
                    break
                self._heartbeat_if_due()
            self._write_progress(running, now)
            self._record(block.to_record(now), block)
        self._current = None

    def _begin(self, held: Held | None, *, say: bool = True) -> None:
        """`held` runs now (or next): say so, unless the block was halted and it will likely come
        back unrun (then its first message says so)."""
        if held is None:
            return
        if self._current != held.claimed.item_id:
            self._current, held.began = held.claimed.item_id, time.monotonic()
        if say and not held.started_said:
            held.started_said = True
            c = held.claimed
            self.hub.publish(SessionStarted(session_id=c.session_id, item_id=c.item_id, batch_id=c.batch_id,
                                            nodes=held.nodes))

    def _cancel_one(self, held: Held, now: float) -> None:
        """Ask the child to stop a session: through its context if it runs, before it starts if not."""
        if held.cancel_sent is None and held.result is None:
            held.cancel_sent = now
            self._child.cancel(held.claimed.session_id)

    def _renew(self, block: Block, running: Held, now: float) -> bool:
        """Renew every lease the block holds; False when the running session's was taken (the
        child is killed and the block ends)."""
        leases = self.door.renew([h.claimed for h in block.unrecorded()])
        for held in block.unrecorded():
            lease = (leases or {}).get(held.claimed.item_id)
            if lease is Lease.LOST:
                held.lost = True
                self._cancel_one(held, now)
            elif lease is Lease.CANCEL_REQUESTED:
                self._cancel_one(held, now)
        if running.lost:
            self._child.kill()
            block.end_all(Dropped("its lease ran out and another worker took it"),
                          HandedBack("the session process was replaced"))
            return False
        return True

    def _take(self, block: Block, tag: str, payload: Any) -> None:
        if tag == "artifact":
            block.artifacts.append(payload)
            return
        if tag == "back":
            held = block.by_session.get(payload)
            if held is not None:
                block.end(held, HandedBack("the worker paused or stopped"))
                self._begin(block.running, say=not block.halted)
            return
        running = block.running
        if tag == "done":
            held = block.by_session.get(payload.session_id)
            if held is not None:
                self._begin(held)
                block.end(held, payload)
                self._begin(block.running, say=not block.halted)
            return
        if running is None or getattr(payload, "session_id", None) != running.claimed.session_id:
            self.hub.publish(payload)
            return
        self._begin(running)
        if isinstance(payload, NodeStarted):
            running.node = payload.node_id
        elif isinstance(payload, NodeCompleted):
            running.done.add(payload.node_id)
        share = 0.0
        if isinstance(payload, NodeProgress) and payload.node_id not in running.done:
            share = payload.fraction
        running.fraction = min(1.0, (len(running.done) + share) / running.nodes)
        self.hub.publish(payload)

    def _child_gone(self, block: Block, how: str) -> None:
        running = block.running
        if running is None:
            return
        if running.cancel_sent is not None:
            result: Result = Outcome("canceled", "canceled")
        else:
            where = f"node {running.node!r}: " if running.node else ""
            result = Outcome("failed", f"{where}{how}", "the session's process ended before the session did")
        block.end_all(result, HandedBack("the session process ended while running another session"))

    # -- bookkeeping in the store --------------------------------------------------------------

    def _heartbeat_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + self.lease_s / 3
            self.door.heartbeat(self._state, self._current, self.ended["completed"] + self.ended["failed"]
                                + self.ended["canceled"])

    def _write_progress(self, running: Held, now: float) -> None:
        """Coarse progress (node, fraction) at most 4 times a second, and only when it changed."""
        shown = (running.node, round(running.fraction, 2))
        if shown == running.written_progress or now < running.progress_due:
            return
        running.written_progress = shown
        running.progress_due = now + PROGRESS_INTERVAL_S
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
