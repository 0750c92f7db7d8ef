"""Decode images off the GUI thread: a few pool workers serve requests newest first.

A gallery scrolled quickly asks for many thumbnails; the newest request is the one on screen,
so workers take from the end of the queue, and requests nobody needs any more can be dropped.
Results come back as `ready(key, value)` / `failed(key, message)` queued onto the GUI thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

WORKERS = 2


class BackgroundLoader(QObject):
    """Runs `make(key)` on a private thread pool for each requested key, at most once at a time."""

    ready = Signal(str, object)
    failed = Signal(str, str)

    def __init__(self, make: Callable[[str], Any], workers: int = WORKERS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make = make
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(workers)
        self._workers = workers
        self._lock = threading.Lock()
        self._waiting: OrderedDict[str, None] = OrderedDict()
        self._running = 0
        self._closed = False

    def request(self, key: str) -> None:
        """Queue `key` (again at the front, if it was waiting); a worker starts when one is free."""
        with self._lock:
            if self._closed:
                return
            self._waiting[key] = None
            self._waiting.move_to_end(key)
            if self._running >= self._workers:
                return
            self._running += 1
        self._pool.start(self._work)

    def forget(self) -> None:
        """Drop every request not started yet (e.g. after the list was reloaded)."""
        with self._lock:
            self._waiting.clear()

    def _next(self) -> str | None:
        with self._lock:
            if not self._waiting or self._closed:
                self._running -= 1
                return None
            return self._waiting.popitem(last=True)[0]

    def _work(self) -> None:
        while (key := self._next()) is not None:
            try:
                value = self._make(key)
            except Exception as exc:  # a broken file must not stop the other thumbnails
                self._emit(self.failed, key, f"{type(exc).__name__}: {exc}")
            else:
                self._emit(self.ready, key, value)

    @staticmethod
    def _emit(signal: Any, key: str, value: Any) -> None:
        try:
            signal.emit(key, value)
        except RuntimeError:  # the receiver was deleted while this worker ran
            pass

    def close(self, timeout_ms: int = 5000) -> bool:
        """Stop taking requests and wait for running workers; True if they all finished."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
        return self._pool.waitForDone(timeout_ms)
