"""`nodeeditor worker` as a real process: nodes that misbehave, cancels they ignore, signals, a
locked store. Each case is followed by a normal session that completes."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from nodeeditor.core.batch import Batch
from nodeeditor.store.status import SessionStatus
from workflow_builder import build

from .worker_procs import WorkerProc, wait_for

BUSY_TIMEOUT_MS = 400
"""The workers of the lock test give up waiting for the lock after this long (the default is
30 s); the lock is held well past it, which is what a 35 s lock does to a default worker."""
LOCK_HELD_S = BUSY_TIMEOUT_MS / 1000 * 5


def values(node: str, items: list[int], field: str = "value") -> Batch:
    return Batch.model_validate({"runs": 1, "data": [[{"node": node, "field": field, "items": items}]]})


def hostile(store, how: str) -> None:
    """Session 0 misbehaves (`how`), session 1 is normal."""
    store.queue.enqueue(build({"h": ("testq_hostile", {"bad": 1, "how": how})}), values("h", [1, 0]))


def statuses(store) -> list[str]:
    return [row.status for row in store.queue.list_items()]


@pytest.fixture
def procs():
    started: list[WorkerProc] = []
    yield started
    for proc in started:
        proc.close()


@pytest.mark.parametrize(("how", "reason"), [("exit", "SystemExit: 3"), ("interrupt", "KeyboardInterrupt"),
                                              ("die", "killed by SIGKILL")])
def test_a_node_that_exits_interrupts_or_kills_its_process_fails_only_its_session(
        store, isolated_home, procs, how, reason):
    hostile(store, how)
    procs.append(WorkerProc(isolated_home, "--until-empty"))
    assert procs[0].wait() == 1
    failed, completed = store.queue.list_items()
    assert (failed.status, completed.status) == (SessionStatus.FAILED, SessionStatus.COMPLETED)
    assert reason in failed.error and "'h'" in failed.error
    assert "completed 1, failed 1, canceled 0" in procs[0].out


def test_a_node_that_never_returns_is_canceled_and_the_next_session_runs(store, isolated_home, procs):
    hostile(store, "hang")
    worker = WorkerProc(isolated_home, "--name", "hang")
    procs.append(worker)
    wait_for(lambda: statuses(store)[:1] == [SessionStatus.IN_PROGRESS], what="the hanging session to start")
    hung = store.queue.list_items()[0]
    assert store.queue.cancel_item(hung.item_id)
    wait_for(lambda: statuses(store) == [SessionStatus.CANCELED, SessionStatus.COMPLETED], timeout=15,
             what="the cancel, then the next session")
    assert "its process was killed" in store.queue.get(hung.item_id).error
    worker.signal(signal.SIGTERM)
    assert worker.wait() == 0
    assert "completed 1, failed 0, canceled 1" in worker.out


def test_sigterm_mid_session_hands_it_back_pending_and_exits_0(store, isolated_home, procs):
    store.queue.enqueue(build({"s": ("testq_sleep", {"seconds": 60.0})}), values("s", [1]))
    worker = WorkerProc(isolated_home, "--name", "term")
    procs.append(worker)
    wait_for(lambda: statuses(store) == [SessionStatus.IN_PROGRESS], what="the session to start")
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    (row,) = store.queue.list_items()
    assert row.status == SessionStatus.PENDING and row.error is None
    assert "handed back 1" in worker.out and "failed 0" in worker.out
    assert store.workers.list() == []


def test_a_second_signal_hands_the_session_back_without_waiting(store, isolated_home, procs):
    store.queue.enqueue(build({"s": ("testq_sleep", {"seconds": 60.0})}), values("s", [1]))
    worker = WorkerProc(isolated_home, "--name", "twice")
    procs.append(worker)
    wait_for(lambda: statuses(store) == [SessionStatus.IN_PROGRESS], what="the session to start")
    worker.signal(signal.SIGINT)
    wait_for(lambda: "SIGINT" in worker.err, what="the first signal to be heard")
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=4) == 0  # well inside the 5 s the first signal gives the session
    assert statuses(store) == [SessionStatus.PENDING]
    assert "handing the running session back now" in worker.err


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def hold_write_lock(home, seconds: float) -> subprocess.Popen:
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(home / "nodeeditor.db"), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


def test_a_write_lock_held_past_the_busy_timeout_while_idle_is_waited_out(store, isolated_home, procs):
    worker = WorkerProc(isolated_home, "--name", "locked", env={"NODEEDITOR_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS)})
    procs.append(worker)
    wait_for(lambda: "idle, waiting for sessions" in worker.err, what="the worker to be idle")
    locker = hold_write_lock(isolated_home, LOCK_HELD_S)
    wait_for(lambda: "database is locked" in worker.err, what="the worker to meet the lock")
    locker.wait(timeout=30)
    store.queue.enqueue(build({"s": ("testq_sleep", {"seconds": 0.0})}), values("s", [1, 2]))
    wait_for(lambda: statuses(store) == [SessionStatus.COMPLETED] * 2, what="the sessions queued after the lock")
    assert worker.process.poll() is None
    assert "the store works again" in worker.err
    worker.signal(signal.SIGTERM)
    assert worker.wait() == 0


def test_a_store_that_stays_unusable_ends_the_worker_with_status_3(isolated_home, procs, store):
    worker = WorkerProc(isolated_home, "--name", "gives-up", "--give-up-after", "1",
                        env={"NODEEDITOR_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS)})
    procs.append(worker)
    wait_for(lambda: "idle, waiting for sessions" in worker.err, what="the worker to be idle")
    locker = hold_write_lock(isolated_home, 30)
    try:
        assert worker.wait(timeout=20) == 3
    finally:
        locker.kill()
    last = worker.err.strip().splitlines()[-1]
    assert last.startswith("error: the store failed for") and "database is locked" in last
