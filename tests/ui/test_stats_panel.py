"""The stats panel shows the stored per node type figures, sorts them, and charts time and memory."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from nodeeditor.engine.events import MemorySample, NodeCompleted, NodeStarted, SessionCompleted
from nodeeditor.engine.runner import NodeStat
from nodeeditor.ui.bridge import EngineBridge
from nodeeditor.ui.panels.stats_panel import COLUMNS, SORT_ROLE, StatsPanel

from .conftest import adder, grid

KEYS = [key for key, _title in COLUMNS]


def _run_by_hand(store, durations: dict[str, tuple[str, float]], cached: bool = False) -> int:
    """Claim the next session and finish it with these (node type, seconds) per node."""
    claimed = store.queue.claim("test")
    stats = [NodeStat(node, node, kind, seconds, ram_delta=1000, peak_rss=50_000_000 + int(seconds * 1e6),
                      cached=cached) for node, (kind, seconds) in durations.items()]
    store.queue.complete(claimed.item_id, {}, stats=stats, duration_s=sum(s for _t, s in durations.values()))
    return claimed.item_id


def _table(panel) -> list[dict]:
    proxy = panel.proxy
    return [{KEYS[c]: proxy.data(proxy.index(r, c), SORT_ROLE) for c in range(len(KEYS))}
            for r in range(proxy.rowCount())]


def _stored(rows) -> list[dict]:
    return [{key: (getattr(row, key) if getattr(row, key) is not None else -1) for key in KEYS} for row in rows]


def _panel(qtbot, store, **kwargs) -> StatsPanel:
    panel = StatsPanel(store.stats, **kwargs)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    return panel


def _fill(store) -> tuple[int, list[int]]:
    batch = store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    items = [_run_by_hand(store, {"a": ("integer", 0.001), "b": ("integer", 0.002), "s": ("add", 0.05 * i)})
             for i in range(1, 4)]
    return batch.batch_id, items


def test_rows_equal_the_stored_figures_of_the_batch(qtbot, store):
    batch_id, _items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    stored = store.stats.by_node_type(batch_id=batch_id)
    assert sorted(_table(panel), key=lambda r: r["node_type"]) == sorted(_stored(stored), key=lambda r: r["node_type"])
    assert {r["node_type"]: r["calls"] for r in _table(panel)} == {"integer": 6, "add": 3}


def test_session_scope_follows_the_selected_queue_row(qtbot, store):
    _batch_id, items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("session")
    assert panel.wait_idle()
    panel.show_item(store.queue.get(items[1]))
    assert panel.wait_idle()
    assert _table(panel) == _stored(store.stats.by_node_type(item_id=items[1]))
    assert panel.title.text() == f"item {items[1]}"


def test_columns_sort_by_their_numbers(qtbot, store):
    batch_id, _items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    panel.table.sortByColumn(KEYS.index("calls"), Qt.SortOrder.DescendingOrder)
    assert [r["node_type"] for r in _table(panel)] == ["integer", "add"]
    panel.table.sortByColumn(KEYS.index("total_s"), Qt.SortOrder.DescendingOrder)
    assert [r["node_type"] for r in _table(panel)] == ["add", "integer"]


def test_vram_column_shows_only_when_measured(qtbot, store):
    batch_id, _items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    assert panel.table.isColumnHidden(KEYS.index("vram_peak"))


def test_time_bars_have_one_bar_per_node_type(qtbot, store):
    batch_id, _items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    bars = panel._bars.opts
    assert list(bars["width"]) == sorted(r.total_s for r in store.stats.by_node_type(batch_id=batch_id))


def test_memory_chart_draws_samples_and_node_markers_from_the_bridge(qtbot, store):
    bridge = EngineBridge()
    panel = _panel(qtbot, store, bridge=bridge)
    bridge.push(NodeStarted(ts=99.0, session_id="s", node_id="a", instance_id="a", node_type="add"))
    bridge.push(MemorySample(ts=100.0, rss=100 * 2**20))
    bridge.push(NodeStarted(ts=100.5, session_id="s", node_id="a", instance_id="a", node_type="add"))
    bridge.push(NodeCompleted(ts=101.0, session_id="s", node_id="a", instance_id="a", node_type="add",
                              duration_s=0.5, peak_rss=120 * 2**20))
    bridge.flush()
    panel._tick()
    assert panel.wait_idle()
    xs, ys = panel._memory_line.getData()
    assert list(xs) == [0.0, 1.0]
    assert list(ys) == [100.0, 120.0]
    assert [tuple(p) for p in panel._start_marks.data[["x", "y"]].tolist()] == [(0.5, 100.0)]
    assert [tuple(p) for p in panel._end_marks.data[["x", "y"]].tolist()] == [(1.0, 120.0)]


def test_a_finished_session_of_the_shown_batch_reloads_the_table(qtbot, store):
    batch_id, _items = _fill(store)
    bridge = EngineBridge()
    panel = _panel(qtbot, store, bridge=bridge)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    item = _run_by_hand(store, {"a": ("integer", 0.001)})
    bridge.push(SessionCompleted(session_id="x", item_id=item, batch_id=batch_id, status="completed"))
    bridge.flush()
    panel._tick()
    assert panel.wait_idle()
    assert {r["node_type"]: r["calls"] for r in _table(panel)} == {"integer": 7, "add": 3}


def test_after_a_real_run_the_rows_equal_the_stored_figures(qtbot, store, worker):
    bridge = EngineBridge(worker)
    panel = _panel(qtbot, store, bridge=bridge)
    batch = store.queue.enqueue(adder(), grid([1, 2, 3], [10, 20]))
    panel.set_scope("batch", batch_id=batch.batch_id)
    assert panel.wait_idle()
    worker.start()
    qtbot.waitUntil(lambda: store.queue.counts(batch.batch_id)["completed"] == 6, timeout=10_000)
    qtbot.waitUntil(lambda: sum(r["calls"] for r in _table(panel)) == 18, timeout=5000)
    stored = store.stats.by_node_type(batch_id=batch.batch_id)
    assert sorted(_table(panel), key=lambda r: r["node_type"]) == sorted(_stored(stored), key=lambda r: r["node_type"])
    assert {r["node_type"]: r["cache_hits"] for r in _table(panel)}["integer"] > 0
    bridge.detach()


def test_selecting_a_queue_row_shows_that_session_in_the_stats_panel(qtbot, store):
    from nodeeditor.ui.panels.queue_panel import QueuePanel

    _batch_id, items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("session")
    queue = QueuePanel(store.queue)
    qtbot.addWidget(queue)
    queue.selectedItemChanged.connect(panel.show_item)
    assert queue.wait_idle()
    queue.table.setCurrentIndex(queue.model.index(2, 0))
    assert panel.wait_idle()
    assert _table(panel) == _stored(store.stats.by_node_type(item_id=items[2]))


def test_a_selected_session_charts_its_stored_nodes_memory(qtbot, store):
    _batch_id, items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("session", item_id=items[0])
    assert panel.wait_idle()
    xs, ys = panel._memory_line.getData()
    assert list(xs) == pytest.approx([0.0, 0.001, 0.001, 0.003, 0.003, 0.053])
    assert list(ys) == pytest.approx([(50_000_000 + s) / 2**20 for s in (1000, 1000, 2000, 2000, 50_000, 50_000)])
    assert len(panel._start_marks.data) == len(panel._end_marks.data) == 3
    panel.set_scope("batch", batch_id=_batch_id)
    assert panel.wait_idle()
    assert panel._memory_line.getData() == (None, None)
    assert panel.memory_chart.plotItem.titleLabel.text == "Memory over the run (MB)"


def test_the_memory_chart_of_a_batch_shows_only_that_batchs_sessions(qtbot, store):
    from nodeeditor.engine.events import SessionStarted

    bridge = EngineBridge()
    panel = _panel(qtbot, store, bridge=bridge)
    bridge.push(SessionStarted(ts=1.0, session_id="one", batch_id=1, nodes=1))
    bridge.push(MemorySample(ts=2.0, session_id="one", rss=100 * 2**20))
    bridge.push(SessionStarted(ts=3.0, session_id="two", batch_id=2, nodes=1))
    bridge.push(MemorySample(ts=4.0, session_id="two", rss=300 * 2**20))
    bridge.push(MemorySample(ts=5.0, session_id="two", rss=310 * 2**20))
    bridge.flush()
    panel.set_scope("batch", batch_id=2)
    panel._tick()
    xs, ys = panel._memory_line.getData()
    assert list(xs) == [0.0, 1.0] and list(ys) == [300.0, 310.0]
    panel.set_scope("batch", batch_id=1)
    panel._tick()
    assert list(panel._memory_line.getData()[1]) == [100.0]
    panel.set_scope("all")
    panel._tick()
    assert list(panel._memory_line.getData()[1]) == [100.0, 300.0, 310.0]


def test_times_under_a_millisecond_read_in_microseconds(qtbot, store):
    batch = store.queue.enqueue(adder(), grid([1], [1]))
    _run_by_hand(store, {"a": ("integer", 0.0004), "b": ("integer", 0.0006)})
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch.batch_id)
    assert panel.wait_idle()
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.item(r, 0).text() == "integer")
    assert model.item(row, KEYS.index("mean_s")).text() == "500 µs"


def test_the_time_axis_names_its_unit_instead_of_a_multiplier(qtbot, store):
    batch_id, _items = _fill(store)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch_id)
    assert panel.wait_idle()
    qtbot.wait(50)
    label = panel.time_chart.getAxis("bottom").labelString()
    assert "(ms)" in label and "x0.001" not in label


def test_the_stats_table_has_room_at_the_default_window_size(app, qtbot, store):
    window, controller, _store = app
    dock = controller.stats_dock
    dock.show()
    dock.raise_()
    qtbot.wait(50)
    table = dock.panel.table
    rows = table.viewport().height() / table.verticalHeader().defaultSectionSize()
    assert rows >= 6


def test_a_measured_vram_peak_shows_in_its_column(qtbot, store):
    store.queue.enqueue(adder(), grid([1], [1]))
    claimed = store.queue.claim("test")
    stats = [NodeStat("a", "a", "integer", 0.01, vram_peak=3 * 2**20), NodeStat("s", "s", "add", 0.02)]
    store.queue.complete(claimed.item_id, {}, stats=stats, duration_s=0.03)
    panel = _panel(qtbot, store)
    panel.set_scope("all")
    assert panel.wait_idle()
    column = KEYS.index("vram_peak")
    assert not panel.table.isColumnHidden(column)
    shown = {panel.proxy.index(r, 0).data(): panel.proxy.index(r, column).data() for r in range(panel.proxy.rowCount())}
    assert shown == {"integer": "3.0 MB", "add": "–"}


def test_the_model_cache_line_shows_the_scope_s_loads_and_hits(qtbot, store):
    batch = store.queue.enqueue(adder(), grid([1, 2], [1])).batch_id
    plain = store.queue.enqueue(adder(), grid([1], [1])).batch_id
    for models in ({"loads": 1, "hits": 0, "load_s": 2.5}, {"loads": 0, "hits": 1, "load_s": 0.0}, None):
        claimed = store.queue.claim("test")
        store.queue.finish(claimed.item_id, "completed", summary={}, stats=[NodeStat("a", "a", "integer", 0.01)],
                           duration_s=0.01, models=models)
    panel = _panel(qtbot, store)
    panel.set_scope("batch", batch_id=batch)
    assert panel.wait_idle()
    assert panel.models_label.isVisible()
    assert panel.models_label.text() == "Model cache: 1 load (2.50 s loading), 1 hit in 2 sessions"
    panel.set_scope("batch", batch_id=plain)
    assert panel.wait_idle()
    assert not panel.models_label.isVisible()
