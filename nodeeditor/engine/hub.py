"""Delivers engine events to subscribers from its own thread, so a slow subscriber never blocks the worker."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

Subscriber = Callable[[Any], None]
log = logging.getLogger(__name__)
_STOP = object()


class EventHub:
    def __init__(self, name: str = "events") -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._dispatch, name=name, daemon=True)
        self._thread.start()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        with self._lock:
            self._subscribers = self._subscribers + [callback]

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = [s for s in self._subscribers if s is not callback]

        return unsubscribe

    def publish(self, event: Any) -> None:
        """Never blocks: the event waits in a queue for the dispatcher thread (dropped if no one listens)."""
        if self._subscribers:
            self._queue.put(event)

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every event published so far has been delivered."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=5.0)

    def _dispatch(self) -> None:
        while True:
            event = self._queue.get()
            if event is _STOP:
                return
            if isinstance(event, threading.Event):
                event.set()
                continue
            for subscriber in self._subscribers:
                try:
                    subscriber(event)
                except Exception:  # one broken subscriber must not starve the others
                    log.exception("event subscriber %r failed on %s", subscriber, type(event).__name__)
