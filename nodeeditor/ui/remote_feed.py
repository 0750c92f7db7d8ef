"""The window without a worker of its own: sessions run on workers elsewhere (another process,
another machine), and what they do is read back from the store as engine events.

Workers write each running session's status, current node and fraction into its item row (at
most 4 times a second), and its figures, outputs and images when it ends. A watcher thread reads
the rows that changed since it last looked (new claims, and the ones it saw running) and publishes
the same events a local worker would: session started, node started and progress, and at the end
one node completed (or failed) per node with the stored figures, then session completed. On
PostgreSQL it LISTENs, so a change shows within a round trip; on SQLite it polls once a second.

While a remote session runs, the node it has moved past shows a full bar ("done") until the
session ends and its figures arrive: only then is its time known.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from nodeeditor.engine.events import (
    NodeCompleted,
    NodeFailed,
    NodeProgress,
    NodeStarted,
    QueueChanged,
    SessionCompleted,
    SessionReleased,
    SessionStarted,
)
from nodeeditor.engine.worker_base import WorkerBase
from nodeeditor.store.db import reading
from nodeeditor.store.notify import listen_or_poll
from nodeeditor.store.status import FINISHED, SessionStatus, WorkerState
from nodeeditor.store.tables import queue_items as Q

log = logging.getLogger(__name__)
POLL_S = 1.0
"""Without notifications (SQLite) the store is read this often."""
WAKE_S = 0.5
MIN_GAP_S = 0.05
"""After a notice, wait this long for the ones that follow it (a claim, a progress write)."""
COUNTS_EVERY_S = 1.0
_COLUMNS = (Q.c.id, Q.c.batch_id, Q.c.status, Q.c.session_id, Q.c.attempt, Q.c.progress_node, Q.c.progress,
            Q.c.error, Q.c.traceback, Q.c.summary, Q.c.started, Q.c.finished)


@dataclass
class _Seen:
    status: str
    session_id: str | None
    attempt: int
    node: str | None = None
    nodes: int = 1
    moved_past: tuple[str, ...] = ()


class RemoteWorkers(WorkerBase):
    """A WorkerControl that runs nothing: it watches the store and reports what others run."""

    def __init__(self, store: Any, poll_s: float = POLL_S) -> None:
        super().__init__("remote-feed-events")
        self.store = store
        self.poll_s = poll_s
        self.listening = False
        self._seen: dict[int, _Seen] = {}
        self._max_id: int | None = None
        self._counts: dict[str, int] | None = None
        self._counts_at = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- WorkerControl --------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._state = WorkerState.IDLE
        self._thread = threading.Thread(target=self._run, name="remote-feed", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Remote workers are paused where they run; nothing to do here."""

    def resume(self) -> None:
        """See pause()."""

    def wake(self) -> None:
        self._wake.set()

    def cancel_current(self) -> bool:
        """Ask the running session last seen to cancel (its worker hears it through the store)."""
        current = self._current
        if current is None:
            return False
        return bool(self.store.queue.cancel_item(current))

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        self._wake.set()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=WAKE_S + 5)
        self._state = WorkerState.STOPPED

    def close(self) -> None:
        self.stop()
        self.hub.close()

    # -- the watcher thread ---------------------------------------------------------------------

    def _run(self) -> None:
        listener = listen_or_poll(self.store.engine, "remote workers")
        self.listening = listener is not None
        try:
            while not self._stop.is_set():
                try:
                    self.read()
                except Exception as exc:  # a store hiccup: try again at the next look
                    log.warning("remote workers: cannot read the queue: %s", exc)
                if listener is None:
                    self._wake.wait(self.poll_s)
                    self._wake.clear()
                    continue
                try:
                    if listener.wait(WAKE_S):
                        self._stop.wait(MIN_GAP_S)
                except Exception:
                    listener = None
        finally:
            if listener is not None:
                listener.close()

    def read(self) -> None:
        """Read what changed since the last look and publish it (the watcher thread calls this)."""
        with reading(self.store.engine) as conn:
            if self._max_id is None:
                self._max_id = conn.execute(select(Q.c.id).order_by(Q.c.id.desc()).limit(1)).scalar() or 0
            watched = [i for i, seen in self._seen.items() if seen.status == SessionStatus.IN_PROGRESS.value]
            found = {}
            # three indexed reads rather than one OR, which SQLite answers by scanning every row
            for where in (Q.c.id > self._max_id, Q.c.status == SessionStatus.IN_PROGRESS.value, Q.c.id.in_(watched)):
                found.update((row.id, row) for row in conn.execute(select(*_COLUMNS).where(where)))
            rows = [found[i] for i in sorted(found)]
        for row in rows:
            self._max_id = max(self._max_id, row.id)
            self._follow(row)
        now = time.monotonic()
        if rows or now - self._counts_at >= COUNTS_EVERY_S:
            self._counts_at = now
            counts = self.store.queue.counts()
            if counts != self._counts:
                self._counts = counts
                self.hub.publish(QueueChanged(counts=counts))

    def _follow(self, row: Any) -> None:
        seen = self._seen.get(row.id)
        running = row.status == SessionStatus.IN_PROGRESS.value
        same_run = seen is not None and seen.session_id == row.session_id and seen.attempt == row.attempt
        if seen is not None and seen.status == SessionStatus.IN_PROGRESS.value and not (same_run and running):
            if not (same_run and row.status in {s.value for s in FINISHED}):
                self.hub.publish(SessionReleased(session_id=seen.session_id, item_id=row.id, batch_id=row.batch_id,
                                                 reason="taken back or handed back by its worker"))
                seen = None
        if running:
            if seen is None or not same_run or seen.status != row.status:
                seen = self._seen[row.id] = _Seen(row.status, row.session_id, row.attempt,
                                                   nodes=self._node_count(row.batch_id))
                self._current = row.id
                self._state = WorkerState.RUNNING
                self.hub.publish(SessionStarted(session_id=row.session_id, item_id=row.id, batch_id=row.batch_id,
                                                nodes=seen.nodes))
            self._progress(seen, row)
            return
        if row.status in {s.value for s in FINISHED} and row.session_id:
            if seen is None or seen.status != row.status:
                if seen is None:  # started and ended between two looks
                    self.hub.publish(SessionStarted(session_id=row.session_id, item_id=row.id,
                                                    batch_id=row.batch_id, nodes=self._node_count(row.batch_id)))
                self._finished(row, seen)
        self._seen.pop(row.id, None)
        if self._current == row.id:
            self._current = None
            self._state = WorkerState.IDLE

    def _progress(self, seen: _Seen, row: Any) -> None:
        node = row.progress_node
        if node is None:
            return
        if node != seen.node:
            if seen.node is not None:
                seen.moved_past += (seen.node,)
                self.hub.publish(NodeProgress(session_id=seen.session_id, node_id=seen.node, instance_id=seen.node,
                                              fraction=1.0, message="done"))
            seen.node = node
            self.hub.publish(NodeStarted(session_id=seen.session_id, node_id=node, instance_id=node, node_type=""))
        if row.progress is not None:
            whole = row.progress * seen.nodes
            share = max(0.0, min(1.0, whole - math.floor(whole + 1e-9)))
            self.hub.publish(NodeProgress(session_id=seen.session_id, node_id=node, instance_id=node, fraction=share))

    def _finished(self, row: Any, seen: _Seen | None) -> None:
        """The session ended: its nodes' stored figures, outputs and images, then its status."""
        session_id = row.session_id
        stats = [s for s in self.store.stats.for_item(row.id) if s.session_id == session_id]
        images: dict[str, list[str]] = {}
        for artifact in reversed(self.store.artifact_index.list(session_id=session_id)):
            if artifact.kind == "image" and artifact.node_id:
                images.setdefault(artifact.node_id, []).append(artifact.name)
        summary = _json(row.summary)
        outputs: dict[str, str] = summary.get("outputs") or {}
        failed_shown = False
        for stat in stats:
            if stat.status == "failed":
                failed_shown = True
                self.hub.publish(NodeFailed(session_id=session_id, node_id=stat.node_id, instance_id=stat.instance_id,
                                            node_type=stat.node_type, error=row.error or "failed",
                                            traceback=row.traceback or ""))
                continue
            if stat.status == "canceled":
                continue
            prefix = f"{stat.instance_id}."
            self.hub.publish(NodeCompleted(
                session_id=session_id, node_id=stat.node_id, instance_id=stat.instance_id, node_type=stat.node_type,
                duration_s=stat.duration_s, ram_delta=stat.ram_delta, peak_rss=stat.peak_rss, cached=stat.cached,
                outputs={k[len(prefix):]: v for k, v in outputs.items() if k.startswith(prefix)},
                images=images.get(stat.instance_id, [])))
        if row.status == SessionStatus.FAILED.value and not failed_shown and seen is not None and seen.node:
            self.hub.publish(NodeFailed(session_id=session_id, node_id=seen.node, instance_id=seen.node, node_type="",
                                        error=row.error or "failed", traceback=row.traceback or ""))
        duration = row.finished - row.started if row.finished is not None and row.started is not None else 0.0
        self.hub.publish(SessionCompleted(
            session_id=session_id, item_id=row.id, batch_id=row.batch_id, status=row.status, duration_s=duration,
            error=row.error, stats={"nodes": len(stats), "cache_hits": sum(1 for s in stats if s.cached),
                                    "peak_rss": max((s.peak_rss for s in stats), default=0),
                                    "images": summary.get("images") or []}))

    def _node_count(self, batch_id: int) -> int:
        """How many nodes a session of this batch runs, as its worker counts them for its fraction."""
        try:
            with reading(self.store.engine) as conn:
                workflow, _batch = self.store.queue._batch(conn, batch_id)
            return max(1, len(workflow.nodes))
        except Exception:
            return 1


def _json(text: str | None) -> dict[str, Any]:
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
