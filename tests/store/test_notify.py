"""PostgreSQL tells listeners what changed when it commits; SQLite readers poll instead."""

from __future__ import annotations

import time

from nodeeditor.store.notify import listen
from nodeeditor.store.status import WorkerState

from .conftest import on, seeds


def events_until(listener, predicate, timeout: float = 5.0) -> list[dict]:
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while not any(predicate(e) for e in seen) and time.monotonic() < deadline:
        seen += listener.wait(0.5)
    return seen


def test_there_is_nothing_to_listen_to_on_sqlite(store):
    on(store, "sqlite")
    assert listen(store.engine) is None


def test_listeners_hear_of_enqueues_claims_progress_outcomes_and_workers(store, workflow):
    on(store, "postgresql")
    with listen(store.engine) as listener:
        batch = store.queue.enqueue(workflow, seeds(2)).batch_id
        assert {"event": "enqueued", "batch": batch, "count": 2} in events_until(
            listener, lambda e: e["event"] == "enqueued")
        claimed = store.queue.claim("w1")
        seen = events_until(listener, lambda e: e.get("status") == "in_progress")
        assert {"event": "status", "status": "in_progress", "items": [claimed.item_id]} in seen
        store.queue.progress(claimed.item_id, claimed.attempt, "n", 0.5)
        seen = events_until(listener, lambda e: e["event"] == "progress")
        assert {"event": "progress", "item": claimed.item_id, "batch": batch, "node": "n", "fraction": 0.5} in seen
        store.queue.complete(claimed.item_id, {}, attempt=claimed.attempt)
        seen = events_until(listener, lambda e: e.get("status") == "completed")
        assert {"event": "status", "status": "completed", "items": [claimed.item_id]} in seen
        store.workers.register("w1", lease_s=30)
        store.workers.heartbeat("w1", WorkerState.RUNNING, current_item=claimed.item_id)
        seen = events_until(listener, lambda e: e.get("state") == "running")
        assert {"event": "workers", "worker": "w1", "state": "running", "item": claimed.item_id} in seen


def test_nothing_is_heard_of_a_transaction_that_rolled_back(store, workflow):
    on(store, "postgresql")
    from nodeeditor.store.db import writing
    from nodeeditor.store.notify import notify

    with listen(store.engine) as listener:
        try:
            with writing(store.engine) as conn:
                notify(conn, "status", status="completed", items=[1])
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        assert listener.wait(0.3) == []


def test_a_notice_naming_many_items_lists_the_first_ones_and_counts_the_rest(store):
    on(store, "postgresql")
    from nodeeditor.store.db import writing
    from nodeeditor.store.notify import MAX_ITEMS, notify

    with listen(store.engine) as listener:
        with writing(store.engine) as conn:
            notify(conn, "cancel_requested", items=list(range(1, MAX_ITEMS + 51)))
        seen = events_until(listener, lambda e: e["event"] == "cancel_requested")
    assert {"event": "cancel_requested", "items": list(range(1, MAX_ITEMS + 1)), "more": 50} in seen
