"""Three `nodeeditor worker` processes on one PostgreSQL queue, one killed, one frozen past its
lease: every session completes exactly once, and the frozen worker's late result is refused."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

from sqlalchemy import func, select

from nodeeditor.core.batch import Batch
from nodeeditor.store.status import SessionStatus, WorkerState
from nodeeditor.store.store import open_store
from nodeeditor.store.tables import queue_items as Q
from nodeeditor.store.tables import session_stats as S
from workflow_builder import build

from .worker_procs import WorkerProc, wait_for

SESSIONS = 2000
LEASE_S = 2.0
KILLED, FROZEN = 300, 700
"""Indices of the two slow sessions: the worker running the first is SIGKILLed, the one running
the second is SIGSTOPped until another worker has taken it over."""


def item_at(store, index: int):
    with store.engine.connect() as conn:
        return conn.execute(select(Q.c.id, Q.c.status, Q.c.attempt, Q.c.worker_pid)
                            .where(Q.c.idx == index)).first()


def running_at(store, index: int):
    row = item_at(store, index)
    return row if row is not None and row.status == SessionStatus.IN_PROGRESS else None


def test_three_workers_complete_every_session_exactly_once_through_a_kill_and_a_freeze(
        pg_url, isolated_home, registry):
    store = open_store(pg_url, home=isolated_home, registry=registry)
    seconds = [0.0] * SESSIONS
    seconds[KILLED], seconds[FROZEN] = 3.0, LEASE_S
    store.queue.enqueue(build({"s": ("testq_sleep", {})}), Batch.model_validate({"runs": 1, "data": [[
        {"node": "s", "field": "value", "items": list(range(SESSIONS))},
        {"node": "s", "field": "seconds", "items": seconds}]]}))
    workers = [WorkerProc(isolated_home, "--db", pg_url, "--name", f"w{i}", "--lease", str(LEASE_S))
               for i in range(3)]
    by_pid = {w.pid: w for w in workers}
    try:
        wait_for(lambda: running_at(store, KILLED), timeout=120, what="the session to kill")
        killed = by_pid[running_at(store, KILLED).worker_pid]
        killed.signal(signal.SIGKILL)
        killed.wait()

        wait_for(lambda: running_at(store, FROZEN), timeout=120, what="the session to freeze")
        frozen_row = running_at(store, FROZEN)
        frozen = by_pid[frozen_row.worker_pid]
        frozen.signal(signal.SIGSTOP)
        wait_for(lambda: item_at(store, FROZEN).attempt > frozen_row.attempt, timeout=60,
                 what="another worker to take the frozen session over")
        frozen.signal(signal.SIGCONT)

        wait_for(lambda: store.queue.counts()[SessionStatus.COMPLETED] == SESSIONS, timeout=240,
                 what="every session to complete")
        refused = rf"item {frozen_row.id} \(attempt {frozen_row.attempt}\) (result refused|dropped)"
        wait_for(lambda: re.search(refused, frozen.err), timeout=30, what="the frozen worker to say it was refused")

        listed = subprocess.run([sys.executable, "-m", "nodeeditor", "workers", "--db", pg_url, "--json"],
                                capture_output=True, text=True, check=True)
        states = {row["name"]: row["state"] for row in json.loads(listed.stdout)}
        assert states[f"w{workers.index(killed)}"] == WorkerState.LOST

        for worker in workers:
            if worker is not killed:
                worker.signal(signal.SIGTERM)
                assert worker.wait() == 0
        with store.engine.connect() as conn:
            completions = conn.execute(select(S.c.item_id, func.count()).where(S.c.status == "completed")
                                       .group_by(S.c.item_id)).all()
        assert len(completions) == SESSIONS and {count for _item, count in completions} == {1}
        assert item_at(store, KILLED).attempt >= 2
        printed = sum(int(re.search(r"completed (\d+),", w.out).group(1)) for w in workers if w is not killed)
        assert printed <= SESSIONS
        # the frozen worker held the session it ran and at most one it had claimed to run next
        assert re.search(r"dropped [12] \(taken over by another worker\)", frozen.out), frozen.out[-300:]
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.signal(signal.SIGCONT)
            worker.close()
        store.close()
