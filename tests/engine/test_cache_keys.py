"""Cache keys carry the keys of the outputs feeding a node: a batch over an upstream field is
never answered from a cache entry made with another upstream value."""

from __future__ import annotations

from workflow_builder import build

from .conftest import axis_batch


def _chain(extra: int):
    return build({"up": ("testq_count", {"value": 0}), "down": ("testq_count", {"extra": extra})},
                 ["up.value -> down.value"])


def test_a_batch_over_an_upstream_field_gives_each_session_its_own_result(store, worker):
    store.queue.enqueue(_chain(0), axis_batch("up", "value", [1, 11, 21]))
    assert worker.run_until_empty() == {"completed": 3, "failed": 0, "canceled": 0}
    outputs = [r.summary["outputs"] for r in store.queue.list_items()]
    assert outputs == [{"down.value": "1"}, {"down.value": "11"}, {"down.value": "21"}]
    (counted,) = store.stats.by_node_type()
    assert (counted.calls, counted.cache_hits) == (6, 0)


def test_a_repeated_upstream_value_is_served_from_the_cache(store, worker):
    store.queue.enqueue(_chain(1), axis_batch("up", "value", [5, 6, 5]))
    worker.run_until_empty()
    outputs = [r.summary["outputs"] for r in store.queue.list_items()]
    assert outputs == [{"down.value": "6"}, {"down.value": "7"}, {"down.value": "6"}]
    (counted,) = store.stats.by_node_type()
    assert (counted.calls, counted.cache_hits) == (6, 2)
