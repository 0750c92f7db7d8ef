"""The workers registry: one row per running worker, on whatever machine, judged by heartbeat.

A worker registers when it starts, heartbeats from its working loop (with its state, the item
it runs and how many sessions it has done), and removes its row when it exits cleanly. One whose
heartbeat is older than its lease is lost (so is one whose process is gone on this host): its
row stays, marked lost, so that a person sees which machine went away. Readers never write:
`list` shows a stale row as lost before anyone has marked it.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from typing import Any

import psutil
from sqlalchemy import Connection, Engine, delete, insert, literal_column, or_, select, update

from .db import epoch_now, reading, writing
from .notify import notify
from .status import SessionStatus, WorkerState
from .tables import queue_items as Q
from .tables import workers as W

HOST = socket.gethostname()


@dataclass
class WorkerRow:
    id: str
    name: str
    host: str
    pid: int
    started: float
    heartbeat: float
    lease_s: float
    state: WorkerState
    current_item: int | None
    sessions_done: int
    capabilities: dict[str, Any] = field(default_factory=dict)
    seen_s_ago: float = 0.0
    """Seconds since the last heartbeat, on the database's clock."""


def process_alive(pid: int | None, started: float | None) -> bool:
    """Whether a process of this host still runs (a reused pid started later does not count)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or process.create_time() <= started + 1.0
    except psutil.Error:
        return False


_STALE = W.c.heartbeat + W.c.lease_s < epoch_now()
_NOT_LOST = W.c.state != literal_column(f"'{WorkerState.LOST.value}'")


def workers_to_mark(conn: Connection) -> list[str]:
    """Ids of the workers not yet marked lost whose heartbeat is older than their lease, or whose
    process is gone on this host (reads only)."""
    lost = [row[0] for row in conn.execute(select(W.c.id).where(_NOT_LOST, _STALE)).all()]
    for row in conn.execute(select(W.c.id, W.c.pid, W.c.started).where(_NOT_LOST, W.c.host == HOST)).all():
        if row.id not in lost and not process_alive(row.pid, row.started):
            lost.append(row.id)
    return lost


def mark_lost(conn: Connection) -> list[str]:
    """Mark lost the workers `workers_to_mark` finds; returns their ids. Runs in the caller's
    write transaction."""
    lost = workers_to_mark(conn)
    if lost:
        conn.execute(update(W).where(W.c.id.in_(lost), _NOT_LOST).values(state=WorkerState.LOST.value,
                                                                          current_item=None))
        notify(conn, "workers", lost=lost)
    return lost


class WorkerRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, worker_id: str, name: str | None = None, *, lease_s: float,
                 capabilities: dict[str, Any] | None = None, state: WorkerState = WorkerState.IDLE,
                 pid: int | None = None, started: float | None = None) -> None:
        """Add (or replace) this worker's row; `lease_s` is how stale its heartbeat may get."""
        pid = os.getpid() if pid is None else pid
        if started is None:
            try:
                started = psutil.Process(pid).create_time()
            except psutil.Error:
                started = None
        with writing(self.engine) as conn:
            conn.execute(delete(W).where(W.c.id == worker_id))
            conn.execute(insert(W).values(
                id=worker_id, name=name or worker_id, host=HOST, pid=pid,
                started=started if started is not None else epoch_now(), heartbeat=epoch_now(),
                lease_s=lease_s, state=WorkerState(state).value, current_item=None, sessions_done=0,
                capabilities=json.dumps(capabilities or {}, default=str)))
            notify(conn, "workers", registered=worker_id)

    def heartbeat(self, worker_id: str, state: WorkerState, current_item: int | None = None,
                  sessions_done: int | None = None) -> bool:
        """Say this worker is alive, what it does and (optionally) how many sessions it has done.

        False when its row is gone or marked lost: others have given up on it (its session was
        or will be taken back); register again before claiming.
        """
        values: dict[str, Any] = {"heartbeat": epoch_now(), "state": WorkerState(state).value,
                                  "current_item": current_item}
        if sessions_done is not None:
            values["sessions_done"] = sessions_done
        with writing(self.engine) as conn:
            alive = conn.execute(update(W).where(W.c.id == worker_id, _NOT_LOST).values(values)).rowcount > 0
            if alive:
                notify(conn, "workers", worker=worker_id, state=WorkerState(state).value, item=current_item)
        return alive

    def add_capabilities(self, worker_id: str, found: dict[str, Any]) -> bool:
        """Merge what the worker learnt after registering (its torch devices) into its row."""
        with writing(self.engine) as conn:
            row = conn.execute(select(W.c.capabilities).where(W.c.id == worker_id)).first()
            if row is None:
                return False
            try:
                known = json.loads(row.capabilities)
            except ValueError:
                known = {}
            merged = {**(known if isinstance(known, dict) else {}), **found}
            conn.execute(update(W).where(W.c.id == worker_id).values(capabilities=json.dumps(merged, default=str)))
            notify(conn, "workers", worker=worker_id, capabilities=sorted(found))
        return True

    def unregister(self, worker_id: str) -> None:
        """Remove this worker's row (it exits cleanly)."""
        with writing(self.engine) as conn:
            conn.execute(delete(W).where(W.c.id == worker_id))
            notify(conn, "workers", unregistered=worker_id)

    def mark_lost(self) -> list[str]:
        """Mark stale workers lost now (claims do this as they go); returns their ids."""
        with writing(self.engine) as conn:
            return mark_lost(conn)

    def forget_lost(self) -> int:
        """Remove the rows of lost workers (stale ones included)."""
        with writing(self.engine) as conn:
            mark_lost(conn)
            return conn.execute(delete(W).where(or_(~_NOT_LOST, _STALE))).rowcount

    def running(self) -> dict[str, tuple[int, str | None, float | None]]:
        """What each worker runs now, from the sessions it holds (not its last heartbeat, which
        may be a lease/3 old): worker id -> (item id, current node, fraction)."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(Q.c.worker_id, Q.c.id, Q.c.progress_node, Q.c.progress)
                                .where(Q.c.status == SessionStatus.IN_PROGRESS.value).order_by(Q.c.id)).all()
        return {r.worker_id: (r.id, r.progress_node, r.progress) for r in rows if r.worker_id}

    def list(self) -> list[WorkerRow]:
        """Every registered worker, by name; a stale one shows as lost even before it is marked."""
        with reading(self.engine) as conn:
            now = conn.execute(select(epoch_now())).scalar()
            rows = conn.execute(select(W).order_by(W.c.name, W.c.id)).all()
        found = []
        for r in rows:
            state = WorkerState(r.state)
            if now is not None and r.heartbeat + r.lease_s < now:
                state = WorkerState.LOST
            elif state is not WorkerState.LOST and r.host == HOST and not process_alive(r.pid, r.started):
                state = WorkerState.LOST
            try:
                capabilities = json.loads(r.capabilities)
            except ValueError:
                capabilities = {}
            found.append(WorkerRow(r.id, r.name, r.host, r.pid, r.started, r.heartbeat, r.lease_s, state,
                                   None if state is WorkerState.LOST else r.current_item, r.sessions_done,
                                   capabilities, max(0.0, (now or r.heartbeat) - r.heartbeat)))
        return found
