"""The stats dock groups the nodes inside each subgraph node on one row when asked."""

from __future__ import annotations

from .conftest import adder, grid
from .test_stats_panel import _panel, _run_by_hand, _table


def test_group_by_subgraph_adds_up_the_nodes_inside_each_subgraph_node(qtbot, store):
    batch = store.queue.enqueue(adder(), grid([1], [1, 2]))
    for _ in range(2):
        _run_by_hand(store, {"a": ("integer", 0.001), "g1/x": ("add", 0.25), "g1/y": ("multiply", 0.5),
                             "g2/x": ("add", 0.125)})
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch.batch_id)
    assert panel.wait_idle()
    assert {r["node_type"]: r["calls"] for r in _table(panel)} == {"integer": 2, "add": 4, "multiply": 2}
    panel.group_box.click()
    assert panel.wait_idle()
    rows = {r["node_type"]: (r["calls"], r["total_s"]) for r in _table(panel)}
    assert rows == {"integer": (2, 0.002), "subgraph g1": (4, 1.5), "subgraph g2": (2, 0.25)}


def test_inner_node_types_split_each_subgraph_row_by_the_types_inside_it(qtbot, store):
    batch = store.queue.enqueue(adder(), grid([1], [1]))
    _run_by_hand(store, {"a": ("integer", 0.001), "g1/x": ("add", 0.25), "g1/y": ("multiply", 0.5),
                         "g1/z": ("add", 0.25), "g1/g3/w": ("add", 0.5), "g2/x": ("add", 0.125)})
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch.batch_id)
    assert panel.wait_idle()
    assert not panel.inner_box.isEnabled()
    panel.group_box.click()
    panel.inner_box.click()
    assert panel.wait_idle()
    rows = {r["node_type"]: (r["calls"], r["total_s"]) for r in _table(panel)}
    assert rows == {"integer": (1, 0.001), "g1 › add": (3, 1.0), "g1 › multiply": (1, 0.5),
                    "g2 › add": (1, 0.125)}
    panel.group_box.click()  # back to plain node types: the inner box no longer applies
    assert panel.wait_idle()
    assert not panel.inner_box.isEnabled()
    assert {r["node_type"]: r["calls"] for r in _table(panel)} == {"integer": 1, "add": 4, "multiply": 1}
