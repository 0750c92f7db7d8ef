"""Queue edges a plausible one-line bug would break: claim order between a retried item and a batch,
a live claimer judged dead, a cancel one past the end."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from nodeeditor.store.queue import item_key
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.tables import queue_items
from nodeeditor.store.workers import process_alive

PENDING, IN_PROGRESS, FAILED, CANCELED = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS, SessionStatus.FAILED,
                                          SessionStatus.CANCELED)

from .conftest import seeds


def _retried(store, workflow, priority: int) -> tuple[int, int]:
    """A batch of one session at `priority`, claimed, failed and retried: a pending item row."""
    batch = store.queue.enqueue(workflow, seeds(1), priority=priority).batch_id
    claimed = store.queue.claim("w")
    store.queue.fail(claimed.item_id, "boom", attempt=claimed.attempt)
    assert store.queue.retry(item_ids=[claimed.item_id]) == 1
    return batch, claimed.item_id


@pytest.mark.parametrize("item_priority, batch_priority, first", [
    (0, 5, "batch"), (5, 0, "item"), (-3, -1, "batch"), (2, 1, "item"),
])
def test_a_retried_item_and_a_batch_are_claimed_by_priority(store, workflow, item_priority, batch_priority, first):
    item_batch, item_id = _retried(store, workflow, item_priority)
    other = store.queue.enqueue(workflow, seeds(1), priority=batch_priority).batch_id
    claims = [store.queue.claim("w"), store.queue.claim("w")]
    expected = [(item_batch, 0), (other, 0)] if first == "item" else [(other, 0), (item_batch, 0)]
    assert [(c.batch_id, c.index) for c in claims] == expected
    assert store.queue.claim("w") is None


def test_at_equal_priority_the_older_batch_goes_first_even_when_retried(store, workflow):
    older, _ = _retried(store, workflow, 0)
    newer = store.queue.enqueue(workflow, seeds(1)).batch_id
    assert [store.queue.claim("w").batch_id for _ in range(2)] == [older, newer]


@pytest.fixture
def live_child():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(0.05)  # created before "started" below, as a claimer is before its claim
    yield child
    child.kill()
    child.wait()


def test_a_live_process_on_this_host_is_not_judged_dead(store, workflow, live_child):
    assert process_alive(live_child.pid, time.time())
    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w")
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == claimed.item_id)
                     .values(worker_pid=live_child.pid, started=time.time()))
    assert store.queue.take_back() == 0
    assert store.queue.get(claimed.item_id).status == IN_PROGRESS
    live_child.kill()
    live_child.wait()
    assert store.queue.take_back() == 1
    assert store.queue.get(claimed.item_id).status == PENDING  # taken back, to run again


def test_a_pid_reused_by_a_newer_process_is_judged_dead(live_child):
    assert not process_alive(live_child.pid, time.time() - 3600)


@pytest.mark.parametrize("size", [1, 3])
def test_canceling_one_past_the_end_of_a_batch_changes_nothing(store, workflow, size):
    batch = store.queue.enqueue(workflow, seeds(size)).batch_id
    assert store.queue.cancel_item(item_key(batch, size)) is False
    assert store.queue.counts() == {PENDING: size, IN_PROGRESS: 0, "completed": 0, FAILED: 0, CANCELED: 0}
    assert [r.key for r in store.queue.list_items()] == [item_key(batch, i) for i in range(size)]
    assert store.queue.cancel_item(item_key(batch, size - 1)) is True
    assert store.queue.counts()[CANCELED] == 1



def test_listing_never_parses_the_graph(store, workflow, monkeypatch):
    """A 300,000-node workflow would cost seconds and a gigabyte per listed batch."""
    from nodeeditor.core.workflow import Workflow
    from nodeeditor.store.store import open_store

    store.queue.enqueue(workflow, seeds(3))
    fresh = open_store(store.engine.url.render_as_string(hide_password=False), home=store.home, write=False)
    try:
        monkeypatch.setattr(Workflow, "model_validate_json",
                            classmethod(lambda cls, *a, **k: (_ for _ in ()).throw(AssertionError("graph parsed"))))
        assert [r.key for r in fresh.queue.list_items(limit=10)] == ["1:0", "1:1", "1:2"]
        assert fresh.queue.get("1:1").field_values == {"n.extra": 1}
    finally:
        fresh.close()
