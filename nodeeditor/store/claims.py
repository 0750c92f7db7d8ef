"""Claims and leases: who holds which session, until when, and taking back what a lost worker held.

A claim takes the next session (priority, then batch, then index) for one worker and gives it a
lease on the database's clock. The worker's loop renews it every lease/3. A claim first takes
back sessions whose lease ran out (or, on this host, whose process is gone): back to pending
with attempt + 1, or failed once their workers were lost `max_attempts` times, or canceled if a
cancel had been asked. Claims are atomic: SQLite takes the write lock at BEGIN; PostgreSQL locks
the batch row and skips item rows other claimers hold (`FOR UPDATE SKIP LOCKED`); there the usual
claim, the next index of the first open batch, is one statement (pg_claim.py). Each claim is its
own transaction, never the one that finished the previous session.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Float, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import Prepared, epoch_now, is_postgresql, named_values, reading, writing
from .pg_claim import claim_cursor
from .queue_rows import ClaimedSession, Lease, Written
from .status import SessionStatus
from .tables import batches as B
from .tables import queue_items as Q
from .transitions import transition
from .workers import mark_lost, process_alive, workers_to_mark

if TYPE_CHECKING:
    from nodeeditor.core.batch import Batch
    from nodeeditor.core.workflow import Workflow

PENDING, IN_PROGRESS = SessionStatus.PENDING, SessionStatus.IN_PROGRESS
HOST = socket.gethostname()
DEFAULT_LEASE_S = 30.0
DEFAULT_MAX_ATTEMPTS = 3
EXPIRY_CHECK_INTERVAL_S = 0.25
"""How often a busy claimer looks for expired leases before claiming (one indexed query, but a
round trip on PostgreSQL); a claim that finds nothing else always looks."""
PID_CHECK_INTERVAL_S = 1.0
"""How often a claimer asks the OS whether this host's other claimers still run."""
LOST_ERROR = "interrupted: worker lost {n} times"

_LEASE_END = epoch_now() + bindparam("lease_s", type_=Float)
_CLAIM_COLUMNS = ("session_id", "worker_id", "worker_host", "worker_pid", "started", "cancel_requested")
_TAKEN_PAGE = 64
# The statements every session runs, compiled once and run on the driver (see db.Prepared).
_NEXT_ITEM = Prepared(select(Q.c.id, Q.c.priority, Q.c.batch_id, Q.c.idx).where(Q.c.status == PENDING)
                      .order_by(Q.c.priority.desc(), Q.c.batch_id, Q.c.idx).limit(1).with_for_update(skip_locked=True))
_NEXT_BATCH = Prepared(select(B.c.id, B.c.priority, B.c.next_index, B.c.stop_index).where(B.c.open.is_(True))
                       .order_by(B.c.priority.desc(), B.c.id).limit(1).with_for_update())
_ANY_OPEN = Prepared(select(B.c.id).where(B.c.open.is_(True)).limit(1))
_TAKEN = Prepared(select(Q.c.idx).where(Q.c.batch_id == bindparam("batch"), Q.c.idx >= bindparam("lo"),
                                        Q.c.idx < bindparam("hi")).order_by(Q.c.idx).limit(_TAKEN_PAGE))
_MOVE_CURSOR = Prepared(update(B).where(B.c.id == bindparam("batch"))
                        .values(next_index=bindparam("cursor"), open=bindparam("still_open")))
_NEW_ITEM = dict(**named_values(("batch_id", "idx", "priority", "created") + _CLAIM_COLUMNS),
                 status=IN_PROGRESS.value, attempt=1, lost=0, lease_until=_LEASE_END)
_NEW_ITEM_RETURNS = (Q.c.id, Q.c.attempt, Q.c.lease_until)
_INSERT_ITEM = Prepared(insert(Q).values(**_NEW_ITEM).returning(*_NEW_ITEM_RETURNS))
_INSERT_NEW = {
    name: Prepared(dialect_insert(Q).values(**_NEW_ITEM).on_conflict_do_nothing(index_elements=["batch_id", "idx"])
                   .returning(*_NEW_ITEM_RETURNS))
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))}
"""An insert that returns no row if the index already has one (canceled or retried by hand):
one statement instead of looking first."""
_EXPIRED = Prepared(select(Q.c.id, Q.c.attempt, Q.c.lost, Q.c.cancel_requested)
                    .where(Q.c.status == IN_PROGRESS, Q.c.lease_until < epoch_now()))
_ON_HOST = Prepared(select(Q.c.id, Q.c.attempt, Q.c.lost, Q.c.cancel_requested, Q.c.worker_pid, Q.c.started)
                    .where(Q.c.status == IN_PROGRESS, or_(Q.c.worker_host == bindparam("host"),
                                                           Q.c.worker_host.is_(None))))
_RENEW = Prepared(update(Q).where(Q.c.id == bindparam("item"), Q.c.attempt == bindparam("attempt"),
                                  Q.c.status == IN_PROGRESS).values(lease_until=_LEASE_END)
                  .returning(Q.c.cancel_requested))
_PROGRESS = Prepared(update(Q).where(Q.c.id == bindparam("item"), Q.c.attempt == bindparam("attempt"),
                                     Q.c.status == IN_PROGRESS)
                     .values(progress_node=bindparam("node"), progress=bindparam("fraction"), progress_at=epoch_now())
                     .returning(Q.c.batch_id))
_WHERE_ATTEMPT = Prepared(select(Q.c.attempt, Q.c.status).where(Q.c.id == bindparam("item")))
_NEXT_ATTEMPT = Q.c.attempt + 1
_ONE_MORE_LOST = Q.c.lost + 1
_RELEASED: dict[str, Any] = dict(session_id=None, worker_id=None, worker_host=None, worker_pid=None, started=None,
                 lease_until=None, progress_node=None, progress=None, progress_at=None)
"""A session back in the queue holds nothing of the worker that had it."""


def fence_result(conn: Connection, item_id: int, attempt: int | None) -> Written:
    """Why a fenced write matched no row: a newer attempt owns the session (STALE), or it is no
    longer running at all (GONE)."""
    row = _WHERE_ATTEMPT.run(conn, item=item_id).fetchone()
    if row is not None and attempt is not None and row[0] != attempt:
        return Written.STALE
    return Written.GONE


class Claims:
    """Claim, lease, progress and hand-back verbs of QueueRepo (see queue.py)."""

    engine: Engine
    _last_pid_check: float
    _last_expiry_check: float

    def _batch(self, conn: Connection, batch_id: int) -> "tuple[Workflow, Batch]":
        raise NotImplementedError

    def claim(self, worker_id: str | None, lease_s: float = DEFAULT_LEASE_S, *,
              max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> ClaimedSession | None:
        """Take the next session for `worker_id` with a lease of `lease_s` seconds, or None if
        none waits. Sessions of lost workers are taken back first (see `take_back`)."""
        looked = self._due("_last_expiry_check", EXPIRY_CHECK_INTERVAL_S)
        if not looked and is_postgresql(self.engine):
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                claim = self._claim_values(worker_id)
                row = claim_cursor(conn, claim, lease_s)
                if row is not None:
                    item_id, attempt, lease_until, batch_id, index = row
                    return self._claimed(conn, item_id, batch_id, index, claim, attempt, worker_id, lease_s,
                                         lease_until)
        with writing(self.engine) as conn:
            return self._claim_taking_back(conn, worker_id, lease_s, max_attempts, looked)

    def _claim_taking_back(self, conn: Connection, worker_id: str | None, lease_s: float, max_attempts: int,
                           looked: bool | None = None) -> ClaimedSession | None:
        """The claim inside the caller's write transaction: sessions of lost workers are taken back
        when it is time to look (`looked`), or when nothing else waits."""
        if looked is None:
            looked = self._due("_last_expiry_check", EXPIRY_CHECK_INTERVAL_S)
        if looked:
            self._take_back_in(conn, max_attempts, check_pids=self._due("_last_pid_check", PID_CHECK_INTERVAL_S))
        claimed = self._claim_in(conn, worker_id, lease_s)
        if claimed is None and not looked and self._take_back_in(
                conn, max_attempts, check_pids=self._due("_last_pid_check", PID_CHECK_INTERVAL_S)):
            claimed = self._claim_in(conn, worker_id, lease_s)
        return claimed

    def _due(self, last: str, interval: float) -> bool:
        now = time.monotonic()
        if now - getattr(self, last, 0.0) < interval:
            return False
        setattr(self, last, now)
        return True

    @staticmethod
    def _claim_values(worker_id: str | None) -> dict[str, Any]:
        return dict(session_id=uuid.uuid4().hex, worker_id=worker_id, worker_host=HOST, worker_pid=os.getpid(),
                    started=time.time(), cancel_requested=False)

    def _claimed(self, conn: Connection, item_id: int, batch_id: int, index: int, claim: dict[str, Any],
                 attempt: int, worker_id: str | None, lease_s: float, lease_until: float) -> ClaimedSession:
        workflow, parsed = self._batch(conn, batch_id)
        overrides = parsed.values_at(index)
        return ClaimedSession(item_id, batch_id, index, workflow, overrides,
                              {f"{n}.{f}": v for (n, f), v in overrides.items()}, claim["session_id"],
                              attempt=attempt, worker_id=worker_id, lease_s=lease_s, lease_until=lease_until)

    def _claim_in(self, conn: Connection, worker_id: str | None, lease_s: float) -> ClaimedSession | None:
        claim = self._claim_values(worker_id)
        now = claim["started"]
        while True:
            batch = _NEXT_BATCH.run(conn).fetchone()  # the batch row first: cancel and retry lock it first too
            item = _NEXT_ITEM.run(conn).fetchone()
            if item is None and batch is None:
                if _ANY_OPEN.run(conn).fetchone() is not None:
                    continue  # PostgreSQL: the batch we waited for closed meanwhile, another is open
                return None
            if batch is not None and (item is None or (-batch[1], batch[0], batch[2]) < (-item[1], item[2], item[3])):
                batch_id, priority, next_index, stop_index = batch
                values = dict(v_batch_id=batch_id, v_priority=priority, v_created=now, lease_s=lease_s,
                              **{f"v_{k}": v for k, v in claim.items()})
                inserted = _INSERT_NEW.get(conn.dialect.name)  # the cursor's index is almost always free
                row = inserted.run(conn, v_idx=next_index, **values).fetchone() if inserted is not None else None
                if row is not None:
                    index = next_index
                    _MOVE_CURSOR.run(conn, batch=batch_id, cursor=index + 1, still_open=index + 1 < stop_index)
                else:
                    found = self._advance_cursor(conn, batch_id, next_index, stop_index)
                    if found is None:
                        continue
                    index = found
                    row = _INSERT_ITEM.run(conn, v_idx=index, **values).fetchone()
                item_id, attempt, lease_until = row
            else:
                item_id, _priority, batch_id, index = item
                rows = transition(conn, {"id": item_id}, (PENDING,), IN_PROGRESS, returning=("attempt", "lease_until"),
                                  binds={"lease_s": lease_s}, lease_until=_LEASE_END, finished=None, error=None,
                                  traceback=None, summary=None, progress_node=None, progress=None, progress_at=None,
                                  **claim)
                if not rows:
                    continue
                _id, attempt, lease_until = rows[0]
            break
        return self._claimed(conn, item_id, batch_id, index, claim, attempt, worker_id, lease_s, lease_until)

    @staticmethod
    def _advance_cursor(conn: Connection, batch_id: int, index: int, stop: int) -> int | None:
        """The first index at the batch cursor without a row; moves the cursor past it."""
        while index < stop:
            taken = [row[0] for row in _TAKEN.run(conn, batch=batch_id, lo=index, hi=stop).fetchall()]
            for idx in taken:
                if idx != index:
                    break
                index += 1
            else:
                if len(taken) == _TAKEN_PAGE:
                    continue
            break
        found = index if index < stop else None
        after = stop if found is None else index + 1
        _MOVE_CURSOR.run(conn, batch=batch_id, cursor=after, still_open=after < stop)
        return found

    # -- leases -------------------------------------------------------------------------------

    def renew(self, item_id: int, attempt: int, lease_s: float = DEFAULT_LEASE_S) -> Lease:
        """Extend the lease of a held session to now + `lease_s`; says whether it is still held
        and whether a cancel was asked. LOST: drop the session and write nothing more for it."""
        with writing(self.engine) as conn:
            row = _RENEW.run(conn, item=item_id, attempt=attempt, lease_s=lease_s).fetchone()
        if row is None:
            return Lease.LOST
        return Lease.CANCEL_REQUESTED if row[0] else Lease.HELD

    def progress(self, item_id: int, attempt: int, node: str | None, fraction: float | None) -> Written:
        """Record the running session's coarse progress (current node, 0..1); on PostgreSQL the
        window hears of it at once (a NOTIFY sent by the row's trigger). Writing more than ~4 times a second is the caller's fault."""
        with writing(self.engine) as conn:
            row = _PROGRESS.run(conn, item=item_id, attempt=attempt, node=node, fraction=fraction).fetchone()
            if row is None:
                return fence_result(conn, item_id, attempt)
        return Written.WRITTEN

    def hand_back(self, item_id: int, attempt: int) -> Written:
        """Give a held session back unrun (the worker stops or pauses): pending again with the
        same attempt, for any worker to claim; canceled instead if a cancel had been asked."""
        with writing(self.engine) as conn:
            where = {"id": item_id, "attempt": attempt, "cancel_requested": True}
            if transition(conn, where, (IN_PROGRESS,), SessionStatus.CANCELED, finished=time.time(),
                          error="canceled", **_RELEASED):
                return Written.WRITTEN
            if transition(conn, {"id": item_id, "attempt": attempt}, (IN_PROGRESS,), PENDING, cancel_requested=False,
                          **_RELEASED):
                return Written.WRITTEN
            return fence_result(conn, item_id, attempt)

    # -- taking back what lost workers held -----------------------------------------------------

    def take_back(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> int:
        """Take back now the sessions whose lease ran out or whose process is gone on this host
        (claims do this as they go; a store opening does it once), and mark their workers lost.
        Returns how many sessions; writes nothing when there is nothing to take."""
        with reading(self.engine) as conn:  # most of the time there is nothing: no write lock then
            anything = (_EXPIRED.run(conn).fetchone() is not None
                        or any(not process_alive(row[4], row[5]) for row in _ON_HOST.run(conn, host=HOST).fetchall())
                        or workers_to_mark(conn))
        if not anything:
            return 0
        with writing(self.engine) as conn:
            return self._take_back_in(conn, max_attempts, check_pids=True)

    def _take_back_in(self, conn: Connection, max_attempts: int, *, check_pids: bool) -> int:
        lost = list(_EXPIRED.run(conn).fetchall())
        if check_pids:
            expired = {row[0] for row in lost}
            lost += [row[:4] for row in _ON_HOST.run(conn, host=HOST).fetchall()
                     if row[0] not in expired and not process_alive(row[4], row[5])]
            mark_lost(conn)
        taken = 0
        for item_id, attempt, times_lost, cancel_requested in lost:
            taken += len(self._take_back_one(conn, item_id, attempt, times_lost + 1, bool(cancel_requested),
                                             max_attempts))
        return taken

    @staticmethod
    def _take_back_one(conn: Connection, item_id: int, attempt: int, times_lost: int, cancel_requested: bool,
                       max_attempts: int) -> list[tuple]:
        where = {"id": item_id, "attempt": attempt}  # a worker that renewed meanwhile keeps it
        common: dict[str, Any] = dict(_RELEASED, lost=_ONE_MORE_LOST, cancel_requested=False)
        if cancel_requested:
            return transition(conn, where, (IN_PROGRESS,), SessionStatus.CANCELED, finished=time.time(),
                              error="canceled", **common)
        if times_lost >= max_attempts:  # ends here: the row keeps the attempt that was lost
            return transition(conn, where, (IN_PROGRESS,), SessionStatus.FAILED, finished=time.time(),
                              error=LOST_ERROR.format(n=times_lost),
                              traceback="the worker running this session stopped renewing its lease", **common)
        return transition(conn, where, (IN_PROGRESS,), PENDING, attempt=_NEXT_ATTEMPT, **common)

    def is_cancel_requested(self, item_id: int) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(select(Q.c.cancel_requested).where(Q.c.id == item_id)).scalar())


