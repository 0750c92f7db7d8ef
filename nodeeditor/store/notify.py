"""Change notices on PostgreSQL: NOTIFY in the writing transaction, LISTEN for readers.

Every status change, progress write and cancel request of an item row is announced by the
row's own statement trigger (migration 0004: no extra round trip, whoever writes); enqueue,
bulk cancel/retry/clear and worker registry changes call `notify`. Each notice is one small JSON
object on CHANNEL, delivered when the transaction commits, and only then:
  {"event": "status", "status": S, "items": [ids]}      {"event": "progress", "item", "batch", "node", "fraction"}
  {"event": "cancel_requested", "items": [ids]}         {"event": "enqueued", "batch", "count"}
  {"event": "batches", ...}                              {"event": "workers", ...} A reader
(the window's reader thread, `workers` watchers) opens a `Listener` and refreshes what a notice
names, within the notice's round trip instead of a poll period. SQLite has no such thing: there
`listen()` returns None and readers poll (1 Hz is plenty for a person).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, Engine

from .db import is_postgresql

CHANNEL = "nodeeditor_queue"
MAX_PAYLOAD = 7900
"""PostgreSQL refuses payloads of 8000 bytes and more; long id lists are cut (the notice still
says what changed)."""
MAX_ITEMS = 200


def notify(conn: Connection, event: str, **data: Any) -> None:
    """Send `{"event": event, **data}` when `conn`'s transaction commits (PostgreSQL only)."""
    if not is_postgresql(conn):
        return
    if isinstance(data.get("items"), list) and len(data["items"]) > MAX_ITEMS:
        data["more"] = len(data["items"]) - MAX_ITEMS
        data["items"] = data["items"][:MAX_ITEMS]
    payload = json.dumps({"event": event, **data}, default=str)
    if len(payload) > MAX_PAYLOAD:
        payload = json.dumps({"event": event, "truncated": True})
    conn.connection.cursor().execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))


class Listener:
    """LISTEN on the queue's channel over a connection of its own (autocommit, outside the pool).

    Use it from one thread: `wait(timeout)` blocks until a notice arrives or `timeout` passes,
    then returns every notice that has arrived, decoded. Close it when done.
    """

    def __init__(self, engine: Engine) -> None:
        import psycopg

        url = engine.url.set(drivername="postgresql")
        self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> list[dict[str, Any]]:
        """Notices received within `timeout` seconds (empty if none): the first one waited for,
        then whatever else is already there."""
        found = [self._decode(n.payload) for n in self._conn.notifies(timeout=timeout, stop_after=1)]
        if found:
            found += [self._decode(n.payload) for n in self._conn.notifies(timeout=0.001)]
        return found

    @staticmethod
    def _decode(payload: str) -> dict[str, Any]:
        try:
            decoded = json.loads(payload)
        except ValueError:
            return {"event": "unknown", "payload": payload}
        return decoded if isinstance(decoded, dict) else {"event": "unknown", "payload": payload}

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def listen(engine: Engine) -> Listener | None:
    """A Listener on PostgreSQL; None on databases without notifications (poll those)."""
    return Listener(engine) if is_postgresql(engine) else None


def listen_or_poll(engine: Engine, who: str) -> Listener | None:
    """`listen`, or None when the LISTEN connection cannot be opened (the caller polls); the
    log says so, naming `who`."""
    try:
        return listen(engine)
    except Exception as exc:  # no LISTEN connection: polling still works
        logging.getLogger(__name__).warning("%s: not listening for changes (%s); polling", who, exc)
        return None
