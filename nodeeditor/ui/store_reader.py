"""Store reads on a background thread, results applied on the GUI thread.

Measured here: with a worker thread running pure-Python nodes, a 200-row queue page that takes
3 ms on an idle GUI thread takes 15 ms (median) to 90 ms, because every SQLite call gives the GIL
up and waits a switch interval to get it back. So panels never read the store on the GUI thread:
they submit a read and apply its result when it arrives. The reader thread touches no Qt object
(it only fills a deque), so it can never delete or signal a widget from the wrong thread. Nor
does it ever drop the last reference to a read or its apply (closures that may hold a panel):
they go back with the result and are dropped on the GUI thread, because a widget destroyed on
another thread deadlocks against the GUI thread (seen as a process that never exits).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict, deque
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)
Read = Callable[[], Any]
Apply = Callable[[Any], None]
POLL_MS = 20
"""How often the GUI thread looks for finished reads, only while some are outstanding."""


class _Jobs:
    """What the reader thread shares with the GUI thread: plain Python, no Qt."""

    def __init__(self) -> None:
        self.waiting: OrderedDict[str, tuple[Read, Apply]] = OrderedDict()
        self.done: deque[tuple[Apply, Any, BaseException | None, Read]] = deque()
        self.cond = threading.Condition()
        self.closed = False

    def close(self) -> None:
        """Drop the waiting and unapplied work on the closing (GUI) thread, not on the reader
        thread as it ends."""
        with self.cond:
            self.closed = True
            self.waiting.clear()
            self.done.clear()
            self.cond.notify()


def _serve(jobs: _Jobs) -> None:
    while True:
        with jobs.cond:
            while not jobs.waiting and not jobs.closed:
                jobs.cond.wait()
            if jobs.closed:
                return
            _key, (read, apply) = jobs.waiting.popitem(last=False)
        try:
            result, error = read(), None
        except Exception as exc:  # reported on the GUI thread; the reader goes on
            result, error = None, exc
        jobs.done.append((apply, result, error, read))
        del read, apply, result, error


class StoreReader(QObject):
    """One reader thread; a read submitted under a key replaces that key's read still waiting."""

    def __init__(self, parent: QObject | None = None, name: str = "store-reader") -> None:
        super().__init__(parent)
        self._jobs = _Jobs()
        self._outstanding = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._drain)
        self._thread = threading.Thread(target=_serve, args=(self._jobs,), name=name, daemon=True)
        self._thread.start()
        weakref.finalize(self, self._jobs.close)

    def submit(self, key: str, read: Read, apply: Apply) -> None:
        """Run `read()` on the reader thread, then `apply(result)` on the GUI thread."""
        jobs = self._jobs
        with jobs.cond:
            replaced = jobs.waiting.pop(key, None) is not None
            jobs.waiting[key] = (read, apply)
            jobs.cond.notify()
        if not replaced:
            self._outstanding += 1
        self._timer.start()

    @property
    def idle(self) -> bool:
        """No read waiting, running, or waiting to be applied."""
        return self._outstanding == 0

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Block until every submitted read is applied (tools and tests; never in a slot)."""
        end = time.monotonic() + timeout_s
        while not self.idle and time.monotonic() < end:
            self._drain()
            time.sleep(0.002)
        return self.idle

    def close(self) -> None:
        self._timer.stop()
        self._jobs.close()
        self._thread.join(timeout=5.0)
        self._jobs.close()  # what a read running during the first close handed back

    def _drain(self) -> None:
        done = self._jobs.done
        while done:
            apply, result, error, _read = done.popleft()
            self._outstanding -= 1
            if error is not None:
                log.error("store read failed", exc_info=error)
                continue
            apply(result)
        if self._outstanding == 0:
            self._timer.stop()


class InlineReader:
    """Runs reads at once on the calling thread: for tools and tests that want no thread."""

    idle = True

    def submit(self, key: str, read: Read, apply: Apply) -> None:
        apply(read())

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        return True

    def close(self) -> None:
        pass
