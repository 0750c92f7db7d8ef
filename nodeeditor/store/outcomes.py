"""How a running session ends: completed, failed or canceled, with its figures, fenced by attempt.

Each outcome (or a worker's group of short sessions) is one transaction of its own (the next
claim is another), guarded by the attempt the worker was given: a worker that resumes after its
session was taken back (SIGSTOP, a network pause) writes neither status nor figures over the
newer attempt, and is told STALE.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import Engine

from .claims import fence_result
from .db import writing
from .queue_rows import Written
from .stats import NodeFigures, SessionFigures, record_sessions
from .transitions import transition
from .status import FINISHED, SessionStatus


@dataclass
class Finish:
    """One session's end, as `finish_many` takes it (see `Outcomes.finish` for the fields)."""

    item_id: int
    status: SessionStatus
    attempt: int | None = None
    summary: dict[str, Any] | None = None
    error: str | None = None
    traceback: str | None = None
    stats: Sequence[NodeFigures] | None = None
    duration_s: float | None = None
    models: dict[str, Any] | None = None


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
        """
        return self.finish_many([Finish(item_id, status, attempt, summary, error, traceback, stats, duration_s,
                                        models)])[0]

    def finish_many(self, finished: Sequence[Finish]) -> list[Written]:
        """`finish` for a group of sessions in one transaction (a worker's block of short
        sessions): one guarded status change each, then every figure row at once."""
        for one in finished:
            if SessionStatus(one.status) not in FINISHED:
                raise ValueError(f"{one.status!r} is not a finished status")
        now = time.time()
        written: list[Written] = []
        figures: list[SessionFigures] = []
        with writing(self.engine) as conn:
            for one in finished:
                status = SessionStatus(one.status)
                where: dict[str, Any] = ({"id": one.item_id} if one.attempt is None
                                         else {"id": one.item_id, "attempt": one.attempt})
                rows = transition(conn, where, (SessionStatus.IN_PROGRESS,), status,
                                  returning=("batch_id", "session_id", "started"), finished=now, error=one.error,
                                  traceback=one.traceback, lease_until=None,
                                  summary=json.dumps(one.summary, default=str) if one.summary is not None else None)
                if not rows:
                    written.append(fence_result(conn, one.item_id, one.attempt))
                    continue
                written.append(Written.WRITTEN)
                _id, batch_id, session_id, started = rows[0]
                if one.stats is not None:
                    duration = one.duration_s if one.duration_s is not None else now - (started or now)
                    figures.append(SessionFigures(one.item_id, batch_id, session_id, status, one.stats, duration,
                                                  one.models))
            record_sessions(conn, figures)
        return written

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
