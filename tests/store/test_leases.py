"""Leases, attempts and fencing: what a lost worker held runs again, and exactly one result counts."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from nodeeditor.engine.runner import NodeStat
from nodeeditor.store.queue import Lease, Written
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.store import open_store
from nodeeditor.store.tables import queue_items, session_stats

from .conftest import seeds

PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELED = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS,
                                                     SessionStatus.COMPLETED, SessionStatus.FAILED,
                                                     SessionStatus.CANCELED)


def expire(store, item_id: int) -> None:
    """Make a lease run out now (what a SIGSTOP or a dead machine does, without the wait)."""
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == item_id).values(lease_until=0.0))


def stats_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(session_stats)).scalar()


def test_a_claim_carries_its_worker_attempt_and_a_lease_on_the_database_clock(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    before = time.time()
    claimed = store.queue.claim("w1", lease_s=30)
    assert (claimed.worker_id, claimed.attempt, claimed.lease_s) == ("w1", 1, 30)
    assert before + 25 < claimed.lease_until < time.time() + 35
    row = store.queue.get(claimed.item_id)
    assert (row.status, row.worker_id, row.attempt, row.lease_until) == (IN_PROGRESS, "w1", 1, claimed.lease_until)


def test_renewing_moves_the_deadline_and_says_when_a_cancel_was_asked(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w1", lease_s=1)
    assert store.queue.renew(claimed.item_id, claimed.attempt, lease_s=60) is Lease.HELD
    assert store.queue.get(claimed.item_id).lease_until > claimed.lease_until + 50
    store.queue.cancel_item(claimed.item_id)
    assert store.queue.renew(claimed.item_id, claimed.attempt, lease_s=60) is Lease.CANCEL_REQUESTED
    assert store.queue.renew(claimed.item_id, claimed.attempt + 1, lease_s=60) is Lease.LOST


def test_an_expired_lease_is_taken_back_by_the_next_claim(store, workflow):
    store.queue.enqueue(workflow, seeds(2))
    lost = store.queue.claim("w1", lease_s=0.2)
    time.sleep(0.4)  # the real clock: the lease runs out on the database's time
    again = store.queue.claim("w2")
    assert (again.item_id, again.index, again.attempt, again.worker_id) == (lost.item_id, 0, 2, "w2")
    assert store.queue.renew(lost.item_id, lost.attempt) is Lease.LOST
    assert store.queue.claim("w3").index == 1


def test_a_late_result_of_a_taken_back_attempt_is_refused(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    stopped = store.queue.claim("w1")
    expire(store, stopped.item_id)
    current = store.queue.claim("w2")
    stat = [NodeStat("n", "n", "testq_count", 0.01)]
    assert store.queue.complete(stopped.item_id, {"late": True}, attempt=stopped.attempt, stats=stat) is Written.STALE
    assert store.queue.fail(stopped.item_id, "boom", attempt=stopped.attempt, stats=stat) is Written.STALE
    assert store.queue.progress(stopped.item_id, stopped.attempt, "n", 0.5) is Written.STALE
    assert store.queue.hand_back(stopped.item_id, stopped.attempt) is Written.STALE
    assert (store.queue.get(current.item_id).status, stats_rows(store)) == (IN_PROGRESS, 0)
    assert store.queue.complete(current.item_id, {"on": "time"}, attempt=current.attempt, stats=stat)
    row = store.queue.get(current.item_id)
    assert (row.status, row.summary, row.attempt, stats_rows(store)) == (COMPLETED, {"on": "time"}, 2, 1)
    assert store.queue.complete(current.item_id, {}, attempt=current.attempt) is Written.GONE


def test_a_session_whose_workers_keep_getting_lost_fails_after_max_attempts(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    attempts = []
    while (claimed := store.queue.claim("w", max_attempts=3)) is not None:
        attempts.append(claimed.attempt)
        expire(store, claimed.item_id)
    assert attempts == [1, 2, 3]
    (row,) = store.queue.list_items()
    assert (row.status, row.error, row.worker_id) == (FAILED, "interrupted: worker lost 3 times", None)
    assert store.queue.retry(item_ids=[row.item_id]) == 1
    again = store.queue.claim("w", max_attempts=3)
    assert again.attempt == 4, "a retry is a new attempt: a result of an old one is refused"
    expire(store, again.item_id)
    assert store.queue.claim("w", max_attempts=3).attempt == 5, "a retry starts a fresh count of losses"


def test_a_canceled_session_whose_worker_is_lost_ends_canceled(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w1")
    store.queue.cancel_item(claimed.item_id)
    expire(store, claimed.item_id)
    assert store.queue.claim("w2") is None
    assert store.queue.get(claimed.item_id).status == CANCELED


def test_handing_back_keeps_the_attempt_and_frees_the_session(store, workflow):
    store.queue.enqueue(workflow, seeds(2))
    held = store.queue.claim("w1")
    assert store.queue.progress(held.item_id, held.attempt, "n", 0.25)
    assert store.queue.hand_back(held.item_id, held.attempt) is Written.WRITTEN
    row = store.queue.get(held.item_id)
    assert (row.status, row.attempt, row.worker_id, row.lease_until, row.progress) == (PENDING, 1, None, None, None)
    again = store.queue.claim("w2")
    assert (again.item_id, again.attempt) == (held.item_id, 1)
    assert store.queue.hand_back(held.item_id, held.attempt + 1) is Written.STALE


def test_handing_back_a_session_asked_to_cancel_cancels_it(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    held = store.queue.claim("w1")
    store.queue.cancel_item(held.item_id)
    assert store.queue.hand_back(held.item_id, held.attempt)
    assert store.queue.get(held.item_id).status == CANCELED
    assert store.queue.claim("w1") is None


def test_progress_is_written_for_the_running_attempt_and_listed(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    held = store.queue.claim("w1")
    assert store.queue.progress(held.item_id, held.attempt, "n", 0.5) is Written.WRITTEN
    row = store.queue.get(held.item_id)
    assert (row.progress_node, row.progress, row.progress_at is not None) == ("n", 0.5, True)
    store.queue.complete(held.item_id, {}, attempt=held.attempt)
    assert store.queue.progress(held.item_id, held.attempt, "n", 0.75) is Written.GONE


def test_a_dead_process_on_this_host_frees_its_session_at_the_next_claim(store, db_url, isolated_home, workflow):
    store.queue.enqueue(workflow, seeds(2))
    orphan = store.queue.claim("w1", lease_s=3600)
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == orphan.item_id).values(worker_pid=2 ** 22 + 7))
    other = open_store(db_url, home=isolated_home, recover=False)  # another process: it checks pids at once
    try:
        again = other.queue.claim("w2")
        assert (again.item_id, again.attempt) == (orphan.item_id, 2)
    finally:
        other.close()


def test_claiming_the_next_session_is_its_own_transaction(store, workflow):
    store.queue.enqueue(workflow, seeds(2))
    first = store.queue.claim("w1")
    assert not hasattr(store.queue, "finish_and_claim")
    assert store.queue.complete(first.item_id, {}, attempt=first.attempt)
    assert store.queue.counts()[IN_PROGRESS] == 0, "finishing takes nothing new"


def test_opening_a_store_with_nothing_to_take_back_writes_nothing(store, db_url, isolated_home, workflow):
    store.queue.enqueue(workflow, seeds(1))
    store.queue.claim("w1")
    store.workers.register("w1", lease_s=30)
    with store.engine.connect() as conn:
        before = conn.execute(select(queue_items.c.id, queue_items.c.status, queue_items.c.attempt)).all()
    if store.engine.dialect.name == "sqlite":  # a reader holding the write lock would make a write wait
        locker = store.engine.raw_connection()
        locker.cursor().execute("BEGIN IMMEDIATE")
    try:
        again = open_store(db_url, home=isolated_home)
        assert again.queue.take_back() == 0
        again.close()
    finally:
        if store.engine.dialect.name == "sqlite":
            locker.rollback()
            locker.close()
    with store.engine.connect() as conn:
        assert conn.execute(select(queue_items.c.id, queue_items.c.status, queue_items.c.attempt)).all() == before


def test_a_lease_is_true_while_held_and_false_once_lost(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    held = store.queue.claim("w1")
    assert store.queue.renew(held.item_id, held.attempt)
    store.queue.cancel_item(held.item_id)
    assert store.queue.renew(held.item_id, held.attempt), "asked to cancel, the worker still holds it"
    assert not store.queue.renew(held.item_id, held.attempt + 1)


def test_renewing_a_session_no_longer_running_loses_it_and_leaves_it_alone(store, workflow):
    store.queue.enqueue(workflow, seeds(2))
    handed, finished = store.queue.claim("w1"), store.queue.claim("w1")
    assert store.queue.hand_back(handed.item_id, handed.attempt)
    assert store.queue.complete(finished.item_id, {}, attempt=finished.attempt)
    for held in (handed, finished):
        assert store.queue.renew(held.item_id, held.attempt, lease_s=60) is Lease.LOST
        row = store.queue.get(held.item_id)
        assert (row.status, row.lease_until) == ((PENDING, None) if held is handed else (COMPLETED, None))


def test_progress_of_one_session_leaves_the_other_running_sessions_alone(store, workflow):
    store.queue.enqueue(workflow, seeds(3))
    first, second, third = (store.queue.claim(f"w{n}") for n in range(3))
    assert store.queue.progress(second.item_id, second.attempt, "n", 0.5) is Written.WRITTEN
    progress = [(r.progress_node, r.progress) for r in (store.queue.get(c.item_id) for c in (first, second, third))]
    assert progress == [(None, None), ("n", 0.5), (None, None)]
