"""Queue behaviours that no other test pinned down (each one found by a surviving mutant)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nodeeditor.store.queue import item_key
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.tables import batches, queue_items

from .conftest import seeds

PENDING, IN_PROGRESS, CANCELED, FAILED = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS, SessionStatus.CANCELED,
                                          SessionStatus.FAILED)


def test_counting_one_batch_ignores_what_was_canceled_ahead_in_another(store, workflow):
    one = store.queue.enqueue(workflow, seeds(4)).batch_id
    two = store.queue.enqueue(workflow, seeds(2)).batch_id
    assert store.queue.cancel_item(item_key(one, 3))  # a row past the first batch's claim cursor
    assert store.queue.counts(two)[PENDING] == 2 and store.queue.counts(two)[CANCELED] == 0
    assert store.queue.counts(one)[PENDING] == 3 and store.queue.counts(one)[CANCELED] == 1


@pytest.mark.parametrize("key", ["1:x", "one:0", "1"])
def test_a_malformed_session_key_is_refused_saying_what_it_should_look_like(store, workflow, key):
    store.queue.enqueue(workflow, seeds(2))
    with pytest.raises(ValueError, match=r"must look like BATCH:INDEX"):
        store.queue.get(key)


def test_a_session_claimed_on_another_host_is_left_to_its_lease(store, workflow):
    """Only this host's pids can be checked here: another host's session, whose pid means
    nothing on this machine, is taken back only when its lease runs out."""
    store.queue.enqueue(workflow, seeds(2))
    remote = store.queue.claim("far", lease_s=3600)
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == remote.item_id)
                     .values(worker_host="another-host.example", worker_pid=2 ** 22 + 7))
    assert store.queue.take_back() == 0
    assert store.queue.get(remote.item_id).status == IN_PROGRESS


def test_a_sessions_vram_peak_is_the_highest_of_the_nodes_that_measured_one(store, workflow):
    from nodeeditor.engine.runner import NodeStat

    store.queue.enqueue(workflow, seeds(2))
    gpu = store.queue.claim("w")
    store.queue.complete(gpu.item_id, {}, stats=[NodeStat("a", "a", "testq_count", 0.01, vram_peak=5 << 20),
                                                 NodeStat("b", "b", "testq_count", 0.01),  # ran on the CPU
                                                 NodeStat("c", "c", "testq_count", 0.01, vram_peak=7 << 20)])
    cpu = store.queue.claim("w")
    store.queue.complete(cpu.item_id, {}, stats=[NodeStat("a", "a", "testq_count", 0.01)])
    [on_gpu] = store.stats.sessions(item_id=gpu.item_id)
    [on_cpu] = store.stats.sessions(item_id=cpu.item_id)
    assert (on_gpu.vram_peak, on_cpu.vram_peak) == (7 << 20, None)


def _two_items_with_figures(store, workflow, second_node: str):
    """Two finished sessions: the first ran nodes a and b, the second `second_node`."""
    from nodeeditor.engine.runner import NodeStat

    store.queue.enqueue(workflow, seeds(2))
    first, second = store.queue.claim("w"), store.queue.claim("w")
    store.queue.complete(first.item_id, {}, stats=[NodeStat("a", "a", "testq_count", 0.01),
                                                   NodeStat("b", "b", "testq_count", 0.02)])
    store.queue.complete(second.item_id, {}, stats=[NodeStat(second_node, second_node, "testq_count", 0.03)])
    return first, second


def test_the_node_rows_of_one_item_are_that_items_only(store, workflow):
    first, second = _two_items_with_figures(store, workflow, "c")
    assert [(r.item_id, r.node_id) for r in store.stats.for_item(first.item_id)] == [
        (first.item_id, "a"), (first.item_id, "b")]
    assert [r.node_id for r in store.stats.for_item(second.item_id)] == ["c"]


def test_figures_per_node_type_and_per_batch_keep_zero_memory_as_zero(store, workflow):
    from nodeeditor.engine.runner import NodeStat

    one = store.queue.enqueue(workflow, seeds(1)).batch_id
    two = store.queue.enqueue(workflow, seeds(1)).batch_id
    for _ in range(2):
        claimed = store.queue.claim("w")
        store.queue.complete(claimed.item_id, {}, stats=[NodeStat("a", "a", "testq_count", 0.01)])
    [row] = store.stats.by_node_type(batch_id=one)
    assert (row.calls, row.peak_rss, row.ram_delta) == (1, 0, 0)
    assert [s.batch_id for s in store.stats.sessions(batch_id=two)] == [two]


def test_a_session_finished_without_a_duration_is_timed_from_its_start(store, workflow):
    import time

    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w")
    began = time.time()
    store.queue.complete(claimed.item_id, {}, stats=[])
    [session] = store.stats.sessions(item_id=claimed.item_id)
    assert 0 <= session.duration_s <= time.time() - began + 60


def test_clearing_counts_each_batchs_canceled_sessions_once(store, workflow):
    one = store.queue.enqueue(workflow, seeds(5)).batch_id
    two = store.queue.enqueue(workflow, seeds(5)).batch_id
    assert store.queue.cancel_item(item_key(one, 3))  # a stored row, ahead of the first batch's cursor
    assert store.queue.cancel_batch(two) == 5  # not stored: the second batch's end is cut
    assert store.queue.clear_finished() == 6
    assert store.queue.counts()[CANCELED] == 0 and store.queue.counts()[PENDING] == 4


def test_a_database_in_a_missing_folder_is_refused_naming_the_folder(tmp_path):
    from nodeeditor.core.errors import StoreError
    from nodeeditor.store.store import open_store

    missing = tmp_path / "nowhere"
    with pytest.raises(StoreError, match=rf"cannot open the database: folder {missing} does not exist"):
        open_store(f"sqlite:///{missing / 'queue.db'}", home=tmp_path)
    assert not missing.exists()


def test_a_reader_opening_an_older_schema_brings_it_up_to_date_first(isolated_home):
    from nodeeditor.paths import database_url
    from nodeeditor.store import health, migrate
    from nodeeditor.store.db import make_engine
    from nodeeditor.store.store import open_store

    url = database_url(isolated_home)
    engine = make_engine(url)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    reader = open_store(url, home=isolated_home, write=False)
    try:
        assert reader.queue.counts()[PENDING] == 0 and reader.queue.batches() == []
        assert health.stored_revision(reader.engine) == migrate.head_revision()
    finally:
        reader.close()


def test_values_past_32_bits_are_stored_and_read_back_on_every_backend(store, workflow):
    """A priority is any 64-bit number, and a node holding a model peaks at gigabytes of RSS and
    VRAM: both must be written as given (PostgreSQL's 32-bit integer refused them)."""
    from nodeeditor.engine.runner import NodeStat

    big = 2**62 + 7
    store.queue.enqueue(workflow, seeds(1), priority=big)
    claimed = store.queue.claim("w", 30.0)
    assert store.queue.get(item_key(claimed.batch_id, claimed.index)).priority == big
    figures = NodeStat("n", "n", "testq_count", 2.5, ram_delta=3 * 2**30, peak_rss=5 * 2**30,
                       vram_peak=9 * 2**30)
    assert store.queue.complete(claimed.item_id, {}, attempt=claimed.attempt, stats=[figures], duration_s=2.5).name \
        == "WRITTEN"
    (row,) = store.stats.for_item(claimed.item_id)
    assert (row.ram_delta, row.peak_rss, row.vram_peak) == (3 * 2**30, 5 * 2**30, 9 * 2**30)
    (session,) = store.stats.sessions(item_id=claimed.item_id)
    assert (session.peak_rss, session.vram_peak) == (5 * 2**30, 9 * 2**30)


def test_a_batch_enqueued_without_a_priority_has_priority_zero(store, workflow):
    first = store.queue.enqueue(workflow, seeds(1)).batch_id
    second = store.queue.enqueue(workflow, seeds(1), priority=0).batch_id
    assert [(b.batch_id, b.priority) for b in store.queue.batches()] == [(first, 0), (second, 0)]
    assert [store.queue.claim("w").batch_id for _ in range(2)] == [first, second], "equal priorities: oldest first"


def test_retrying_one_batch_leaves_the_other_batches_failures_alone(store, workflow):
    one = store.queue.enqueue(workflow, seeds(1)).batch_id
    store.queue.enqueue(workflow, seeds(1))
    first, second = store.queue.claim("w"), store.queue.claim("w")
    for claimed in (first, second):
        store.queue.fail(claimed.item_id, "boom", attempt=claimed.attempt)
    assert store.queue.retry(batch_id=one) == 1
    assert (store.queue.get(first.item_id).status, store.queue.get(second.item_id).status) == (PENDING, FAILED)


def test_canceling_one_batch_leaves_the_other_batches_pending_sessions_alone(store, workflow):
    one = store.queue.enqueue(workflow, seeds(1)).batch_id
    store.queue.enqueue(workflow, seeds(1))
    first, second = store.queue.claim("w"), store.queue.claim("w")
    for claimed in (first, second):  # back in the queue: pending sessions that have rows
        store.queue.hand_back(claimed.item_id, claimed.attempt)
    assert store.queue.cancel_batch(one) == 1
    assert (store.queue.get(first.item_id).status, store.queue.get(second.item_id).status) == (CANCELED, PENDING)


def test_retrying_a_canceled_batch_counts_a_session_canceled_by_itself_once(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(5)).batch_id
    assert store.queue.cancel_item(item_key(batch, 0))  # a stored row, at the batch's cursor
    assert store.queue.cancel_batch(batch) == 4
    assert store.queue.retry(batch_id=batch) == 5
    assert store.queue.counts(batch)[PENDING] == 5
    assert sorted(c.index for c in iter(lambda: store.queue.claim("w"), None)) == [0, 1, 2, 3, 4]


def test_canceling_an_index_past_a_batchs_end_is_refused_and_changes_nothing(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(3)).batch_id
    assert store.queue.cancel_item(item_key(batch, 5)) is False
    assert store.queue.counts(batch) == {PENDING: 3, IN_PROGRESS: 0, "completed": 0, FAILED: 0, CANCELED: 0}
    assert [r.index for r in store.queue.list_items(batch_id=batch)] == [0, 1, 2]


def test_a_cleared_batch_disappears_though_a_session_ahead_of_its_cursor_was_canceled(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(3)).batch_id
    assert store.queue.cancel_item(item_key(batch, 2))
    store.queue.cancel_batch(batch)
    assert store.queue.clear_finished() == 3
    assert store.queue.batches() == [] and store.queue.list_items() == []


def test_a_failure_can_be_recorded_with_every_argument_named(store, workflow):
    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w")
    assert store.queue.fail(item_id=claimed.item_id, error="node 'n' failed: boom", traceback="Traceback: ...",
                            attempt=claimed.attempt)
    row = store.queue.get(claimed.item_id)
    assert (row.status, row.error, row.traceback) == (FAILED, "node 'n' failed: boom", "Traceback: ...")


def test_figures_of_one_item_count_that_items_nodes_only(store, workflow):
    first, second = _two_items_with_figures(store, workflow, "a")
    assert [(r.node_type, r.calls) for r in store.stats.by_node_type(item_id=first.item_id)] == [("testq_count", 2)]
    assert [(r.node_type, r.calls) for r in store.stats.by_node_type(item_id=second.item_id)] == [("testq_count", 1)]


def test_a_node_type_whose_calls_only_freed_memory_shows_no_ram_growth(store, workflow):
    from nodeeditor.engine.runner import NodeStat

    store.queue.enqueue(workflow, seeds(1))
    claimed = store.queue.claim("w")
    store.queue.complete(claimed.item_id, {}, stats=[NodeStat("a", "a", "testq_count", 0.01, ram_delta=-(64 << 20)),
                                                     NodeStat("b", "b", "testq_count", 0.01, ram_delta=-(8 << 20))])
    [row] = store.stats.by_node_type()
    assert (row.calls, row.ram_delta) == (2, 0)


def _cursor(store, batch_id: int) -> tuple[int, bool]:
    """The batch row's claim cursor (indices below it were claimed), and whether any are left to claim."""
    with store.engine.connect() as conn:
        next_index, still_open = conn.execute(select(batches.c.next_index, batches.c.open)
                                              .where(batches.c.id == batch_id)).one()
    return next_index, bool(still_open)


def test_a_claim_moves_the_batch_cursor_past_the_claimed_session(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(3)).batch_id
    store.queue.claim("w")
    assert _cursor(store, batch) == (1, True)
    store.queue.claim("w")
    store.queue.claim("w")
    assert _cursor(store, batch) == (3, False)


def test_passing_over_a_canceled_index_moves_the_cursor_past_the_session_claimed(store, workflow):
    batch = store.queue.enqueue(workflow, seeds(2)).batch_id
    assert store.queue.cancel_item(item_key(batch, 0))
    assert store.queue.claim("w").index == 1
    assert _cursor(store, batch) == (2, False)
