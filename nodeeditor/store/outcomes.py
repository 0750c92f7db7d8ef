"""How a running session ends: completed, failed or canceled, with its figures, fenced by attempt.

Each outcome is one transaction (with the worker's next claim in it, when it asks: see
`finish_then_claim`), guarded by the attempt the worker was given: a worker that resumes after
its session was taken back (SIGSTOP, a network pause) writes neither status nor figures over the
newer attempt, and is told STALE.
"""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

from sqlalchemy import Connection, Engine

from .claims import fence_result
from .db import is_postgresql, writing
from .pg_finish import finish_in_one
from .queue_rows import ClaimedSession, Written
from .stats import NodeFigures, record_session
from .transitions import transition
from .status import FINISHED, SessionStatus


class Outcomes:
    """complete / fail / mark_canceled verbs of QueueRepo (see queue.py)."""

    engine: Engine

    def finish(self, item_id: int, status: SessionStatus, *, attempt: int | None = None,
               summary: dict[str, Any] | None = None, error: str | None = None, traceback: str | None = None,
               stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None,
               models: dict[str, Any] | None = None) -> Written:
        """End a running session with `status` (completed, failed or canceled) and record its
        figures in the same transaction (`models`: its model loads, hits and load time, if any).

        Workers always pass the `attempt` they claimed: the write happens only while the session
        still runs under that attempt. Without it (tools, tests) any running attempt is ended.
        On PostgreSQL a worker's finish is one statement (see pg_finish.py)."""
        return self.finish_then_claim(item_id, status, attempt=attempt, summary=summary, error=error,
                                      traceback=traceback, stats=stats, duration_s=duration_s, models=models)[0]

    def finish_then_claim(self, item_id: int, status: SessionStatus, *, attempt: int | None = None,
                          summary: dict[str, Any] | None = None, error: str | None = None,
                          traceback: str | None = None, stats: Sequence[NodeFigures] | None = None,
                          duration_s: float | None = None, models: dict[str, Any] | None = None,
                          claim_for: tuple[str | None, float, int] | None = None
                          ) -> tuple[Written, ClaimedSession | None]:
        """`finish`, then with `claim_for` (worker id, lease, max attempts) the worker's next
        session as `claim` takes it: on SQLite in the same transaction (one commit a session,
        not two), on PostgreSQL right after (each is one statement there already)."""
        status = SessionStatus(status)
        if status not in FINISHED:
            raise ValueError(f"{status!r} is not a finished status")
        encoded = json.dumps(summary, default=str) if summary is not None else None
        if not is_postgresql(self.engine):
            return self._finish_in(item_id, status, attempt, encoded, error, traceback, stats, duration_s, models,
                                   claim_for)
        if attempt is not None and stats is not None:
            written = finish_in_one(self.engine, item_id, attempt, status, summary=encoded, error=error,
                                    traceback=traceback, stats=stats, duration_s=duration_s, models=models)
        else:
            written, _ = self._finish_in(item_id, status, attempt, encoded, error, traceback, stats, duration_s,
                                         models)
        return written, (self.claim(claim_for[0], claim_for[1], max_attempts=claim_for[2]) if claim_for else None)

    def _finish_in(self, item_id: int, status: SessionStatus, attempt: int | None, encoded: str | None,
                   error: str | None, traceback: str | None, stats: Sequence[NodeFigures] | None,
                   duration_s: float | None, models: dict[str, Any] | None,
                   claim_for: tuple[str | None, float, int] | None = None) -> tuple[Written, ClaimedSession | None]:
        now = time.time()
        where: dict[str, Any] = {"id": item_id} if attempt is None else {"id": item_id, "attempt": attempt}
        with writing(self.engine) as conn:
            rows = transition(conn, where, (SessionStatus.IN_PROGRESS,), status,
                              returning=("batch_id", "session_id", "started"), finished=now, error=error,
                              traceback=traceback, lease_until=None, summary=encoded)
            if rows:
                written = Written.WRITTEN
                _id, batch_id, session_id, started = rows[0]
                if stats is not None:
                    record_session(conn, item_id=item_id, batch_id=batch_id, session_id=session_id, status=status,
                                   stats=stats, models=models,
                                   duration_s=duration_s if duration_s is not None else now - (started or now))
            else:
                written = fence_result(conn, item_id, attempt)
            claimed = self._claim_taking_back(conn, *claim_for) if claim_for is not None else None
        return written, claimed

    def claim(self, worker_id: str | None, lease_s: float, *, max_attempts: int) -> ClaimedSession | None:
        raise NotImplementedError  # Claims'

    def _claim_taking_back(self, conn: Connection, worker_id: str | None, lease_s: float, max_attempts: int,
                           looked: bool | None = None) -> ClaimedSession | None:
        raise NotImplementedError  # Claims'

    def complete(self, item_id: int, summary: dict[str, Any], *, attempt: int | None = None,
                 stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None) -> Written:
        return self.finish(item_id, SessionStatus.COMPLETED, attempt=attempt, summary=summary, stats=stats,
                           duration_s=duration_s)

    def fail(self, item_id: int, error: str, traceback: str = "", *, attempt: int | None = None,
             stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None) -> Written:
        return self.finish(item_id, SessionStatus.FAILED, attempt=attempt, error=error, traceback=traceback,
                           stats=stats, duration_s=duration_s)

    def mark_canceled(self, item_id: int, *, attempt: int | None = None,
                      stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None) -> Written:
        return self.finish(item_id, SessionStatus.CANCELED, attempt=attempt, error="canceled", stats=stats,
                           duration_s=duration_s)
