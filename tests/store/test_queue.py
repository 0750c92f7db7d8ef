"""Queue transitions: enqueue without item rows, ordered atomic claims, cancel, retry, clear, listing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from nodeeditor.core.errors import GraphValidationError
from nodeeditor.store.queue import item_key
from nodeeditor.store.status import SessionStatus

PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELED = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS,
                                                     SessionStatus.COMPLETED, SessionStatus.FAILED,
                                                     SessionStatus.CANCELED)
from nodeeditor.store.tables import batches, queue_items

from .conftest import on, seeds


def rows_in(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_enqueue_writes_one_batch_row_and_no_session_rows(store, workflow):
    result = store.queue.enqueue(workflow, seeds(1000, runs=3))
    assert result.count == 3000
    assert (rows_in(store, batches), rows_in(store, queue_items)) == (1, 0)
    assert store.queue.counts()[PENDING] == 3000


def test_enqueue_refuses_an_invalid_batch_with_every_issue(store, workflow):
    bad = seeds(2).model_copy(update={"runs": 0})
    with pytest.raises(GraphValidationError) as caught:
        store.queue.enqueue(workflow, bad)
    assert [i.field for i in caught.value.issues] == ["runs"]
    assert rows_in(store, batches) == 0


def test_claims_follow_priority_then_fifo(store, workflow):
    first = store.queue.enqueue(workflow, seeds(2)).batch_id
    urgent = store.queue.enqueue(workflow, seeds(1), priority=5).batch_id
    later = store.queue.enqueue(workflow, seeds(1)).batch_id
    order = [(c.batch_id, c.index) for c in iter(lambda: store.queue.claim("w"), None)]
    assert order == [(urgent, 0), (first, 0), (first, 1), (later, 0)]


def test_front_of_queue_runs_before_everything_pending(store, workflow):
    store.queue.enqueue(workflow, seeds(2), priority=7)
    front = store.queue.enqueue(workflow, seeds(1), front=True).batch_id
    assert store.queue.claim("w").batch_id == front


def test_a_claim_carries_the_session_values(store, workflow):
    store.queue.enqueue(workflow, seeds(3))
    store.queue.claim("w")
    claimed = store.queue.claim("w")
    assert (claimed.index, claimed.overrides, claimed.field_values) == (1, {("n", "extra"): 1}, {"n.extra": 1})
    assert claimed.workflow.node("n").type == "testq_count" and len(claimed.session_id) == 32


def test_finishing_records_status_error_and_traceback(store, workflow):
    store.queue.enqueue(workflow, seeds(2))
    done, broken = store.queue.claim("w"), store.queue.claim("w")
    assert store.queue.complete(done.item_id, {"outputs": {"n.value": "1"}})
    assert store.queue.fail(broken.item_id, "node 'n' failed: boom", "Traceback: ...")
    first, second = store.queue.list_items()
    assert (first.status, first.summary, first.duration_s is not None) == (COMPLETED, {"outputs": {"n.value": "1"}}, True)
    assert (second.status, second.error, second.traceback) == (FAILED, "node 'n' failed: boom", "Traceback: ...")
    assert not store.queue.complete(done.item_id, {}), "a finished item cannot finish twice"


def test_claims_from_many_threads_never_share_a_session(store, workflow):
    store.queue.enqueue(workflow, seeds(300))
    claimed: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (session := store.queue.claim(name)) is not None:
            with lock:
                claimed.append((session.batch_id, session.index))

    errors: list[BaseException] = []

    def guarded(name: str) -> None:
        try:
            work(name)
        except BaseException as exc:  # noqa: BLE001  (a thread's exception fails the test)
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(claimed) == [(1, i) for i in range(300)]


def test_canceling_a_pending_session_skips_it(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(3)).batch_id
    assert store.queue.cancel_item(item_key(batch, 1))
    assert [c.index for c in iter(lambda: store.queue.claim("w"), None)] == [0, 2]
    assert store.queue.counts() == {PENDING: 0, IN_PROGRESS: 2, COMPLETED: 0, FAILED: 0, CANCELED: 1}


def test_canceling_a_running_session_asks_its_worker_to_stop(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    running = store.queue.claim("w")
    assert not store.queue.is_cancel_requested(running.item_id)
    assert store.queue.cancel_item(running.item_id)
    assert store.queue.is_cancel_requested(running.item_id)
    assert store.queue.mark_canceled(running.item_id)
    assert store.queue.get(running.item_id).status == CANCELED


def test_cancel_batch_and_cancel_pending(store, workflow):
    one = store.queue.enqueue(workflow, seeds(4)).batch_id
    two = store.queue.enqueue(workflow, seeds(5)).batch_id
    store.queue.claim("w")
    assert store.queue.cancel_batch(one) == 3
    assert store.queue.counts(one) == {PENDING: 0, IN_PROGRESS: 1, COMPLETED: 0, FAILED: 0, CANCELED: 3}
    assert store.queue.cancel_pending() == 5
    assert store.queue.counts(two)[CANCELED] == 5
    assert store.queue.claim("w") is None


def test_retry_makes_failed_and_canceled_sessions_pending_again(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(4)).batch_id
    failed = store.queue.claim("w")
    store.queue.fail(failed.item_id, "boom", "")
    store.queue.cancel_pending()
    assert store.queue.counts(batch)[CANCELED] == 3
    assert store.queue.retry(item_ids=[failed.item_id, item_key(batch, 2)]) == 2
    assert [c.index for c in iter(lambda: store.queue.claim("w"), None)] == [0, 2]
    assert store.queue.retry(batch_id=batch) == 2
    assert sorted(c.index for c in iter(lambda: store.queue.claim("w"), None)) == [1, 3]


def test_clear_finished_keeps_pending_sessions_and_stats(store, workflow):
    from nodeeditor.engine.runner import NodeStat

    batch = store.queue.enqueue(workflow, seeds(5)).batch_id
    done = store.queue.claim("w")
    store.queue.complete(done.item_id, {}, stats=[NodeStat("n", "n", "testq_count", 0.01)])
    store.queue.cancel_item(item_key(batch, 3))
    assert store.queue.clear_finished() == 2
    assert store.queue.counts() == {PENDING: 3, IN_PROGRESS: 0, COMPLETED: 0, FAILED: 0, CANCELED: 0}
    assert [c.index for c in iter(lambda: store.queue.claim("w"), None)] == [1, 2, 4]
    assert store.stats.by_node_type()[0].calls == 1


def test_a_fully_cleared_batch_disappears(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(2)).batch_id
    store.queue.cancel_batch(batch)
    store.queue.clear_finished()
    assert store.queue.batches() == [] and store.queue.list_items() == []


def test_listing_pages_are_stable_across_stored_and_virtual_sessions(store, workflow):
    first = store.queue.enqueue(workflow, seeds(7)).batch_id
    second = store.queue.enqueue(workflow, seeds(6)).batch_id
    for _ in range(3):
        store.queue.complete(store.queue.claim("w").item_id, {})
    store.queue.cancel_item(item_key(first, 5))
    everything = store.queue.list_items(limit=100)
    assert [r.key for r in everything] == [item_key(first, i) for i in range(7)] + [item_key(second, i) for i in range(6)]
    pages, after = [], None
    while page := store.queue.list_items(after=after, limit=4):
        pages.extend(page)
        after = page[-1].key
    assert [r.key for r in pages] == [r.key for r in everything]
    assert [r.status for r in everything[:7]] == [COMPLETED] * 3 + [PENDING] * 2 + [CANCELED, PENDING]
    assert everything[4].item_id is None and everything[4].field_values == {"n.extra": 4}


def test_listing_and_counting_filter_by_status_and_batch(store, workflow):
    first = store.queue.enqueue(workflow, seeds(3)).batch_id
    second = store.queue.enqueue(workflow, seeds(2)).batch_id
    store.queue.fail(store.queue.claim("w").item_id, "boom", "")
    assert [r.key for r in store.queue.list_items(status=FAILED)] == [item_key(first, 0)]
    assert [r.key for r in store.queue.list_items(status=PENDING, batch_id=second)] == [
        item_key(second, 0), item_key(second, 1)]
    assert store.queue.count_items(PENDING) == 4 and store.queue.count_items(batch_id=first) == 3
    assert [b.counts[PENDING] for b in store.queue.batches()] == [2, 2]


def test_the_claim_queries_walk_an_index_in_their_own_order(store):
    on(store, "sqlite")
    from nodeeditor.store.claims import _EXPIRED, _NEXT_BATCH, _NEXT_ITEM

    with store.engine.connect() as conn:
        for statement in (_NEXT_ITEM, _NEXT_BATCH):
            sql = str(statement.statement.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "INDEX ix_" in plan and "TEMP B-TREE" not in plan, plan
        sql = str(_EXPIRED.statement.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "ix_queue_items_lease (status=? AND lease_until<?)" in plan, "every claim runs it: " + plan


def test_the_claim_queries_need_no_sort_on_postgresql(store):
    on(store, "postgresql")
    from nodeeditor.store.claims import _NEXT_BATCH, _NEXT_ITEM

    with store.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # an empty table would be scanned otherwise
        for statement in (_NEXT_ITEM, _NEXT_BATCH):
            sql = str(statement.statement.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql))
            assert "Index Scan using ix_" in plan and "Sort" not in plan, plan


def test_opening_the_store_takes_back_sessions_of_dead_processes_only(store, workflow, isolated_home):
    store.queue.enqueue(workflow, seeds(3))
    mine = store.queue.claim("w")
    orphan = store.queue.claim("w")
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == orphan.item_id).values(worker_pid=2 ** 22 + 7))
    assert store.queue.take_back() == 1
    taken = store.queue.get(orphan.item_id)
    assert (taken.status, taken.attempt, taken.worker_id) == (PENDING, 2, None)
    assert store.queue.get(mine.item_id).status == IN_PROGRESS
    again = store.queue.claim("w2")
    assert (again.item_id, again.attempt, again.index) == (orphan.item_id, 2, orphan.index)


def test_changing_the_workflow_after_enqueue_leaves_queued_sessions_alone(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    workflow.node("n").inputs["value"] = 99
    assert store.queue.claim("w").workflow.node("n").inputs["value"] == 1
