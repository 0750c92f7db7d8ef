"""Cache keys carry the keys of the outputs feeding a node: a batch over an upstream field is
never answered from a cache entry made with another upstream value."""

from __future__ import annotations

import worker_nodes
from workflow_builder import build

from .conftest import axis_batch


def test_a_batch_over_an_upstream_field_gives_each_session_its_own_result(store, worker):
    chain = build({"up": ("testq_count", {"value": 0}), "down": ("testq_count", {"extra": 0})},
                  ["up.value -> down.value"])
    store.queue.enqueue(chain, axis_batch("up", "value", [1, 11, 21]))
    assert worker.run_until_empty() == {"completed": 3, "failed": 0, "canceled": 0}
    outputs = [r.summary["outputs"] for r in store.queue.list_items()]
    assert outputs == [{"down.value": "1"}, {"down.value": "11"}, {"down.value": "21"}]
    assert worker_nodes.CALLS == {"up": 3, "down": 3}


def test_a_repeated_upstream_value_is_served_from_the_cache(store, worker):
    chain = build({"up": ("testq_count", {"value": 0}), "down": ("testq_count", {"extra": 1})},
                  ["up.value -> down.value"])
    store.queue.enqueue(chain, axis_batch("up", "value", [5, 6, 5]))
    worker.run_until_empty()
    outputs = [r.summary["outputs"] for r in store.queue.list_items()]
    assert outputs == [{"down.value": "6"}, {"down.value": "7"}, {"down.value": "6"}]
    assert worker_nodes.CALLS == {"up": 2, "down": 2}
