"""Engine events re-emitted as Qt signals on the GUI thread, coalesced so a busy worker never floods it.

The worker's dispatcher thread only appends to a deque (no Qt call, no lock wait); a timer on the
GUI thread drains it every FLUSH_INTERVAL_MS. Within one flush only the newest progress per node
and the newest queue counts are emitted, so progress reaches the GUI at most ~30 times a second per
node and a cross-thread signal is never sent per event (each one costs ~15 us).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from nodeeditor.engine.events import (
    MemorySample,
    NodeCompleted,
    NodeFailed,
    NodeProgress,
    NodeStarted,
    QueueChanged,
    SessionCompleted,
    SessionReleased,
    SessionStarted,
)

FLUSH_INTERVAL_MS = 33
"""One drain per frame-ish: progress per node is then bounded to ~30 updates a second."""


class Inbox:
    """What the engine's thread holds: a deque and a counter, and no reference back to the bridge,
    so a bridge is never kept alive by the worker (and then collected on the worker's thread)."""

    def __init__(self) -> None:
        self.events: deque[Any] = deque()
        self.received = 0

    def push(self, event: Any) -> None:
        """Called from any thread; never blocks (deque.append is atomic)."""
        self.events.append(event)
        self.received += 1


class EngineBridge(QObject):
    """Subscribes to a Worker (or any `subscribe(callback)` source) and emits its events here."""

    sessionStarted = Signal(object)
    nodeStarted = Signal(object)
    nodeProgress = Signal(object)
    nodeCompleted = Signal(object)
    nodeFailed = Signal(object)
    sessionCompleted = Signal(object)
    sessionReleased = Signal(object)
    queueChanged = Signal(dict)
    memorySample = Signal(object)
    flushed = Signal(list)
    """Every event delivered in one drain, in order, after the per-event signals; for bulk consumers."""

    def __init__(self, worker: Any = None, parent: QObject | None = None,
                 interval_ms: int = FLUSH_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._inbox = Inbox()
        self._unsubscribe: Callable[[], Any] | None = None
        self._source: Any = None
        self.delivered = 0
        """Events emitted as signals after coalescing."""
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._signals: dict[type, Any] = {
            SessionStarted: self.sessionStarted, NodeStarted: self.nodeStarted,
            NodeProgress: self.nodeProgress, NodeCompleted: self.nodeCompleted,
            NodeFailed: self.nodeFailed, SessionCompleted: self.sessionCompleted,
            SessionReleased: self.sessionReleased, MemorySample: self.memorySample,
        }
        if worker is not None:
            self.attach(worker)

    def attach(self, source: Any) -> None:
        """Start receiving `source`'s events; a previous source is detached first."""
        self.detach()
        self._source = source
        result = source.subscribe(self._inbox.push)
        self._unsubscribe = result if callable(result) else None
        self._timer.start()

    def detach(self) -> None:
        """Stop receiving events; anything already received is still delivered."""
        if self._source is not None:
            if self._unsubscribe is not None:
                self._unsubscribe()
            elif hasattr(self._source, "unsubscribe"):
                self._source.unsubscribe(self._inbox.push)
        self._source = None
        self._unsubscribe = None
        self.flush()
        self._timer.stop()

    @property
    def source(self) -> Any:
        return self._source

    @property
    def received(self) -> int:
        """Events taken from the engine, before coalescing."""
        return self._inbox.received

    def push(self, event: Any) -> None:
        """Hand an event over from any thread."""
        self._inbox.push(event)

    def flush(self) -> None:
        """Drain on the GUI thread: emit every event once, keeping only the newest progress per node."""
        batch: list[Any] = []
        pending = self._inbox.events
        while pending:
            batch.append(pending.popleft())
        if not batch:
            return
        events = _coalesce(batch)
        for event in events:
            if isinstance(event, QueueChanged):
                self.queueChanged.emit(dict(event.counts))
            else:
                signal = self._signals.get(type(event))
                if signal is not None:
                    signal.emit(event)
        self.delivered += len(events)
        self.flushed.emit(events)


def _coalesce(batch: list[Any]) -> list[Any]:
    """Keep the order; drop a progress event when a newer one for the same node follows, and
    every queue count but the last."""
    last: dict[Any, int] = {}
    for index, event in enumerate(batch):
        if isinstance(event, (NodeProgress, QueueChanged)):
            last[_slot(event)] = index
    return [event for index, event in enumerate(batch)
            if not isinstance(event, (NodeProgress, QueueChanged)) or last[_slot(event)] == index]


def _slot(event: NodeProgress | QueueChanged) -> Any:
    return QueueChanged if isinstance(event, QueueChanged) else (event.session_id, event.instance_id)
