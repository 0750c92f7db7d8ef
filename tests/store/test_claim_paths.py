"""Claims made in one statement (PostgreSQL's cursor claim) or by the full claim take the same
sessions in the same order; every test runs with the expiry check not due, the state in which
a busy PostgreSQL worker takes the one-statement path."""

from __future__ import annotations

import time

import pytest

from nodeeditor.store import claims as claims_module
from nodeeditor.store.queue import item_key

from .conftest import seeds


@pytest.fixture
def cursor_claims(store, monkeypatch):
    """Claims as a busy worker makes them; returns how many were made in one statement."""
    made = []
    one_statement = claims_module.claim_cursor

    def counted(*args, **kwargs):
        row = one_statement(*args, **kwargs)
        made.append(row is not None)
        return row
    monkeypatch.setattr(claims_module, "claim_cursor", counted)

    def claim():
        store.queue._last_expiry_check = time.monotonic()
        return store.queue.claim("w", 30.0)
    claim.made = made
    return claim


def _postgresql(store) -> bool:
    return store.engine.dialect.name == "postgresql"


def test_batches_are_claimed_by_priority_then_age_then_index(store, workflow, cursor_claims):
    low = store.queue.enqueue(workflow, seeds(2), priority=-1).batch_id
    high = store.queue.enqueue(workflow, seeds(2), priority=7).batch_id
    same = store.queue.enqueue(workflow, seeds(1), priority=7).batch_id
    order = [(c.batch_id, c.index) for c in (cursor_claims() for _ in range(5))]
    assert order == [(high, 0), (high, 1), (same, 0), (low, 0), (low, 1)]
    assert cursor_claims() is None
    if _postgresql(store):
        assert cursor_claims.made[:5] == [True] * 5


def test_a_claimed_session_carries_its_lease_attempt_and_overrides(store, workflow, cursor_claims):
    store.queue.enqueue(workflow, seeds(3))
    cursor_claims()
    claimed = cursor_claims()
    assert claimed.index == 1 and claimed.attempt == 1 and claimed.overrides == {("n", "extra"): 1}
    assert claimed.lease_until > time.time() + 20
    row = store.queue.get(item_key(claimed.batch_id, 1))
    assert (row.status, row.worker_id, row.session_id) == ("in_progress", "w", claimed.session_id)


def test_a_canceled_index_at_the_cursor_is_passed_over(store, workflow, cursor_claims):
    batch = store.queue.enqueue(workflow, seeds(3)).batch_id
    assert store.queue.cancel_item(item_key(batch, 0))
    assert [cursor_claims().index for _ in range(2)] == [1, 2]
    assert cursor_claims() is None


@pytest.mark.parametrize("item_priority, batch_priority, first", [(0, 5, "batch"), (5, 0, "item")])
def test_a_retried_session_ahead_of_the_cursor_is_claimed_first(store, workflow, cursor_claims, item_priority,
                                                                batch_priority, first):
    retried_batch = store.queue.enqueue(workflow, seeds(1), priority=item_priority).batch_id
    claimed = cursor_claims()
    store.queue.fail(claimed.item_id, "boom", attempt=claimed.attempt)
    assert store.queue.retry(item_ids=[claimed.item_id]) == 1
    other = store.queue.enqueue(workflow, seeds(1), priority=batch_priority).batch_id
    taken = [(c.batch_id, c.index, c.attempt) for c in (cursor_claims(), cursor_claims())]
    retried = (retried_batch, 0, claimed.attempt + 1)  # a retry is a new attempt
    assert taken == ([retried, (other, 0, 1)] if first == "item" else [(other, 0, 1), retried])
    if _postgresql(store):  # the cursor in one statement; the retried row through the full claim
        assert cursor_claims.made[1:3] == ([False, True] if first == "item" else [True, False])


def test_a_finish_with_the_next_claim_records_it_and_takes_the_session_a_claim_would(store, workflow):
    from nodeeditor.engine.runner import NodeStat
    from nodeeditor.store.queue_rows import Written
    from nodeeditor.store.status import SessionStatus

    low = store.queue.enqueue(workflow, seeds(1), priority=-1).batch_id
    high = store.queue.enqueue(workflow, seeds(2), priority=3).batch_id
    claimed = store.queue.claim("w", 30.0)
    taken = [(claimed.batch_id, claimed.index)]
    while claimed is not None:
        written, following = store.queue.finish_then_claim(
            claimed.item_id, SessionStatus.COMPLETED, attempt=claimed.attempt, summary={"outputs": {}},
            stats=[NodeStat("n", "n", "integer", 0.25)], duration_s=0.5, claim_for=("w", 30.0, 3))
        assert written is Written.WRITTEN
        assert store.queue.get(claimed.item_id).status == SessionStatus.COMPLETED
        assert [s.duration_s for s in store.stats.for_item(claimed.item_id)] == [0.25]
        if following is not None:
            row = store.queue.get(following.item_id)
            assert (row.status, row.worker_id, row.attempt) == ("in_progress", "w", following.attempt)
            assert following.lease_until > time.time() + 20
            taken.append((following.batch_id, following.index))
        claimed = following
    assert taken == [(high, 0), (high, 1), (low, 0)]


def test_a_refused_finish_still_claims_the_next_session(store, workflow):
    from nodeeditor.store.queue_rows import Written
    from nodeeditor.store.status import SessionStatus

    store.queue.enqueue(workflow, seeds(2))
    first = store.queue.claim("w", 30.0)
    written, following = store.queue.finish_then_claim(first.item_id, SessionStatus.FAILED, attempt=first.attempt + 1,
                                                       error="late", claim_for=("w", 30.0, 3))
    assert written is not Written.WRITTEN and following is not None and following.index == 1
    assert store.queue.get(first.item_id).status == SessionStatus.IN_PROGRESS
