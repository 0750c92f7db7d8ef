"""Every store call a worker makes, through one door that retries, logs and finally gives up.

A store error (locked past the busy timeout, disk full, read-only, connection lost) is logged in
one line and retried with backoff; it never ends the working loop silently. After
`give_up_after_s` of uninterrupted failure the door raises StoreUnusable, which the CLI turns
into exit status 3. Calls the running session can do without for a moment (progress, cancel
checks, counts) are `soft`: a failure returns None and the next tick tries again, but still
counts towards giving up.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import sqlite3
import sys
import threading
import time
import uuid
from typing import Any, Callable, Sequence, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from nodeeditor.store.queue_rows import ClaimedSession, Lease, Written
from nodeeditor.store.status import SessionStatus, WorkerState

from . import devices

log = logging.getLogger("nodeeditor.worker")
T = TypeVar("T")

BACKOFF_S = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)

def _driver_errors() -> tuple[type[BaseException], ...]:
    """Driver errors can escape SQLAlchemy's wrapping (raised in its event hooks, e.g. SQLite's
    BEGIN IMMEDIATE), so they count as store errors too."""
    found: list[type[BaseException]] = [sqlite3.Error]
    try:
        import psycopg
    except ImportError:
        pass
    else:
        found.append(psycopg.Error)
    return tuple(found)


STORE_ERRORS = (SQLAlchemyError, OSError) + _driver_errors()


class StoreUnusable(Exception):
    """The store kept failing for longer than the worker was told to wait."""


class Stopped(Exception):
    """A stop arrived while a claim was being retried (nothing is held, so nothing is lost)."""


def short_error(exc: BaseException) -> str:
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def capabilities() -> dict[str, Any]:
    """What this machine offers sessions; torch devices only where torch is already loaded
    (importing it costs seconds, and the session child loads it when a node needs it)."""
    found: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                             "torch": importlib.util.find_spec("torch") is not None}
    torch = sys.modules.get("torch")
    if torch is not None:
        found["devices"] = devices.from_torch(torch)
    return found


class WorkerStore:
    def __init__(self, store: Any, *, name: str, lease_s: float, max_attempts: int, give_up_after_s: float,
                 stopping: threading.Event) -> None:
        self.store = store
        self.name = name
        self.worker_id = f"{name}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.give_up_after_s = give_up_after_s
        self._stopping = stopping
        self._failing_since: float | None = None
        self.on_give_up: Callable[[], None] = lambda: None
        """Called before StoreUnusable is raised (the worker kills its session child)."""
        self.devices = devices.DeviceProbe()

    # -- the door -------------------------------------------------------------------------------

    def retry(self, what: str, call: Callable[[], T], *, abandon_on_stop: bool = False) -> T:
        """Call until it works; each failure logged in one line; StoreUnusable after the limit."""
        attempt = 0
        while True:
            try:
                result = call()
            except STORE_ERRORS as exc:
                self._failed(what, exc)
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                attempt += 1
                if abandon_on_stop:
                    if self._stopping.wait(delay):
                        raise Stopped() from None
                else:
                    time.sleep(delay)
                continue
            self._recovered(what)
            return result

    def soft(self, what: str, call: Callable[[], T]) -> T | None:
        try:
            result = call()
        except STORE_ERRORS as exc:
            self._failed(what, exc)
            return None
        self._recovered(what)
        return result

    def _failed(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        failing = now - self._failing_since
        log.warning("worker %s: store error while %s (failing for %.0f s, retrying): %s",
                    self.name, what, failing, short_error(exc))
        if failing >= self.give_up_after_s:
            self.on_give_up()
            raise StoreUnusable(f"the store failed for {failing:.0f} s while {what}: {short_error(exc)}")

    def _recovered(self, what: str) -> None:
        if self._failing_since is not None:
            log.warning("worker %s: the store works again (%s)", self.name, what)
            self._failing_since = None

    # -- the verbs (each one transaction) ---------------------------------------------------------

    def register(self) -> None:
        self.retry("registering", lambda: self.store.workers.register(
            self.worker_id, self.name, lease_s=self.lease_s, capabilities={**capabilities(), **self.devices.found}))
        self.devices.start(lambda found: self.soft("listing devices", lambda: self.store.workers.add_capabilities(
            self.worker_id, found)))

    def unregister(self) -> None:
        """Best effort: a worker that cannot reach the store shows as lost, which is true."""
        self.soft("unregistering", lambda: self.store.workers.unregister(self.worker_id))

    def heartbeat(self, state: WorkerState, current: int | None, done: int) -> None:
        alive = self.soft("sending a heartbeat", lambda: self.store.workers.heartbeat(
            self.worker_id, state, current, done))
        if alive is False:  # judged lost while paused or cut off: its sessions were taken back
            log.warning("worker %s: this worker was marked lost; registering again", self.name)
            self.register()

    def claim(self) -> ClaimedSession | None:
        return self.retry("claiming a session", lambda: self.store.queue.claim(
            self.worker_id, self.lease_s, max_attempts=self.max_attempts), abandon_on_stop=True)

    def renew(self, claimed: ClaimedSession) -> Lease | None:
        return self.soft("renewing the lease", lambda: self.store.queue.renew(
            claimed.item_id, claimed.attempt, self.lease_s))

    def cancel_requested(self, claimed: ClaimedSession) -> bool:
        return bool(self.soft("looking for a cancel", lambda: self.store.queue.is_cancel_requested(claimed.item_id)))

    def progress(self, claimed: ClaimedSession, node: str | None, fraction: float) -> None:
        self.soft("writing progress", lambda: self.store.queue.progress(
            claimed.item_id, claimed.attempt, node, fraction))

    def index(self, records: Sequence[Any]) -> None:
        def write() -> None:
            for record in records:
                self.store.artifact_index.record(record)
        self.retry("indexing the session's files", write)

    def finish(self, claimed: ClaimedSession, status: SessionStatus, details: dict[str, Any]) -> Written:
        return self.retry("recording a session", lambda: self.store.queue.finish(
            claimed.item_id, status, attempt=claimed.attempt, **details))

    def finish_then_claim(self, claimed: ClaimedSession, status: SessionStatus, details: dict[str, Any]
                          ) -> tuple[Written, ClaimedSession | None]:
        """`finish`, and the worker's next session in the same transaction (see `claim`)."""
        return self.retry("recording a session", lambda: self.store.queue.finish_then_claim(
            claimed.item_id, status, attempt=claimed.attempt, claim_for=(self.worker_id, self.lease_s,
                                                                         self.max_attempts), **details))

    def hand_back(self, claimed: ClaimedSession) -> Written:
        return self.retry("handing a session back", lambda: self.store.queue.hand_back(
            claimed.item_id, claimed.attempt))

    def counts(self) -> dict[str, int] | None:
        return self.soft("counting the queue", self.store.queue.counts)
