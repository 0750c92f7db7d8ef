"""Short sessions run in blocks: claimed together, run one after another in the child, recorded
per group. Everything a single session promises holds for each session of a block."""

from __future__ import annotations

import time

from sqlalchemy import select

from nodeeditor.core.batch import Batch
from nodeeditor.engine.events import NodeCompleted, NodeStarted, SessionCompleted, SessionStarted
from nodeeditor.engine.worker import Worker
from nodeeditor.engine.worker_block import MAX_BLOCK, BlockSize
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.tables import queue_items as Q
from workflow_builder import build

from .conftest import axis_batch

CANCELED, COMPLETED, FAILED, IN_PROGRESS, PENDING = (
    SessionStatus.CANCELED, SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.IN_PROGRESS,
    SessionStatus.PENDING)


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def claims_seen(store) -> list[list[int]]:
    """Record the indices of every block the store hands out."""
    seen: list[list[int]] = []
    claim_block = store.queue.claim_block

    def spy(*args, **kwargs):
        block = claim_block(*args, **kwargs)
        seen.append([c.index for c in block])
        return block

    store.queue.claim_block = spy
    return seen


def sleepy(store, seconds: list[float]) -> None:
    """Sessions of one testq_sleep node, one per entry of `seconds`."""
    store.queue.enqueue(build({"s": ("testq_sleep", {})}), Batch.model_validate({"runs": 1, "data": [[
        {"node": "s", "field": "value", "items": list(range(len(seconds)))},
        {"node": "s", "field": "seconds", "items": seconds}]]}))


def rows(store) -> list:
    with store.engine.connect() as conn:
        return conn.execute(select(Q.c.idx, Q.c.id, Q.c.status, Q.c.attempt, Q.c.worker_id).order_by(Q.c.idx)).all()


def block_of(worker: Worker, size: int) -> None:
    """The next claim takes `size` sessions, and a slow one never sends the rest back."""
    worker.blocks = BlockSize(size, hold_s=60.0)


def test_short_sessions_are_claimed_in_growing_blocks_in_queue_order_with_every_result_and_event(store, worker):
    seen = claims_seen(store)
    events: list = []
    worker.subscribe(events.append)
    count = 300
    store.queue.enqueue(build({"n": ("testq_count", {})}), axis_batch("n", "value", list(range(count))))
    assert worker.run_until_empty() == {"completed": count, "failed": 0, "canceled": 0}
    assert max(len(b) for b in seen) == MAX_BLOCK and len(seen[0]) == 1
    assert [i for b in seen for i in b] == list(range(count))
    done = store.queue.list_items(limit=count)
    assert [r.summary["outputs"] for r in done] == [{"n.value": str(i)} for i in range(count)]
    assert all(len(store.stats.for_item(r.item_id)) == 1 for r in done[::37])
    assert worker.hub.flush()
    by_session: dict[str, list[str]] = {}
    for event in events:
        if isinstance(event, (SessionStarted, NodeStarted, NodeCompleted, SessionCompleted)):
            by_session.setdefault(event.session_id, []).append(type(event).__name__)
    assert len(by_session) == count
    assert set(map(tuple, by_session.values())) == {("SessionStarted", "NodeStarted", "NodeCompleted",
                                                     "SessionCompleted")}


def test_long_sessions_are_claimed_one_at_a_time(store, worker):
    seen = claims_seen(store)
    sleepy(store, [0.05] * 4)
    worker.run_until_empty()
    assert [len(b) for b in seen if b] == [1, 1, 1, 1]


def test_a_block_behind_a_session_that_turns_out_long_goes_back_to_the_queue(store, worker):
    worker.blocks = BlockSize(4, hold_s=0.2)
    sleepy(store, [1.0, 0.0, 0.0, 0.0])
    worker.start()
    wait_for(lambda: [r.status for r in rows(store)] == [IN_PROGRESS, PENDING, PENDING, PENDING]
             or store.queue.counts()[COMPLETED] > 1)
    assert store.queue.counts()[COMPLETED] <= 1  # the three waiting ones were not kept behind the long one
    wait_for(lambda: store.queue.counts()[COMPLETED] == 4)
    assert [r.attempt for r in rows(store)] == [1, 1, 1, 1]


def test_cancel_of_a_session_waiting_in_the_block_cancels_it_without_running_it(store, worker):
    block_of(worker, 4)
    sleepy(store, [1.0, 0.0, 0.0, 0.0])
    worker.start()
    wait_for(lambda: [r.status for r in rows(store)] == [IN_PROGRESS] * 4)
    waiting = rows(store)[2].id
    assert store.queue.cancel_item(waiting)
    wait_for(lambda: store.queue.counts()[COMPLETED] == 3)
    assert store.queue.get(waiting).status == CANCELED
    assert store.stats.for_item(waiting) == []  # its node never ran
    assert [s.status for s in store.stats.sessions(item_id=waiting)] == [CANCELED]


def test_pause_finishes_the_running_session_and_hands_the_rest_of_the_block_back(store, worker):
    block_of(worker, 4)
    sleepy(store, [0.5, 0.0, 0.0, 0.0])
    worker.start()
    wait_for(lambda: [r.status for r in rows(store)] == [IN_PROGRESS] * 4)
    worker.pause()
    wait_for(lambda: worker.state == "paused")
    held = rows(store)
    assert [(r.status, r.attempt, r.worker_id) for r in held] == [(COMPLETED, 1, worker.worker_id)] + [
        (PENDING, 1, None)] * 3
    worker.resume()
    wait_for(lambda: store.queue.counts()[COMPLETED] == 4)


def test_stop_hands_back_the_running_session_and_the_rest_of_the_block(store, worker):
    block_of(worker, 4)
    sleepy(store, [5.0, 0.0, 0.0, 0.0])
    worker.start()
    wait_for(lambda: [r.status for r in rows(store)] == [IN_PROGRESS] * 4 and worker.current is not None)
    worker.stop()
    assert [(r.status, r.attempt, r.worker_id) for r in rows(store)] == [(PENDING, 1, None)] * 4
    assert worker.ended["handed_back"] == 4


def test_a_killed_child_fails_only_the_running_session_and_the_rest_run_again(store, worker):
    block_of(worker, 4)
    store.queue.enqueue(build({"h": ("testq_hostile", {"bad": 1, "how": "die"})}), axis_batch("h", "value", [0, 1, 2, 3]))
    assert worker.run_until_empty() == {"completed": 3, "failed": 1, "canceled": 0}
    failed = store.queue.list_items(status=FAILED)
    assert [r.index for r in failed] == [1] and "killed by SIGKILL" in failed[0].error
    assert [r.attempt for r in rows(store)] == [1, 1, 1, 1]


def test_every_lease_of_a_block_is_renewed_while_its_first_session_runs(store, registry):
    worker = Worker(store, registry, lease_s=0.6)
    try:
        block_of(worker, 4)
        sleepy(store, [1.5, 0.0, 0.0, 0.0])
        worker.start()
        wait_for(lambda: [r.status for r in rows(store)] == [IN_PROGRESS] * 4)
        time.sleep(1.0)  # past the first lease of every session of the block
        assert store.queue.take_back() == 0
        wait_for(lambda: store.queue.counts()[COMPLETED] == 4)
        assert [r.attempt for r in rows(store)] == [1, 1, 1, 1]
    finally:
        worker.close()
