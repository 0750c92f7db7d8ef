"""The queue panel pages through the store, filters, refreshes in place, and acts on the queue."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nodeeditor.ui.panels.queue_model import COLUMNS, QueueTableModel
from nodeeditor.ui.panels.queue_panel import QueuePanel

from .conftest import adder, finish, grid


def _text(model, row: int, column: str) -> str:
    return model.data(model.index(row, COLUMNS.index(column)), Qt.ItemDataRole.DisplayRole)


def _panel(qtbot, store, **kwargs) -> QueuePanel:
    panel = QueuePanel(store.queue, **kwargs)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.wait_idle()
    return panel


def test_rows_show_the_field_values_of_each_session(qtbot, store):
    store.queue.enqueue(adder(), grid([1, 2, 3], [10, 20]))
    finish(store, 2)
    panel = _panel(qtbot, store)
    model = panel.model
    assert model.rowCount() == 6
    assert [_text(model, r, "values") for r in range(6)] == [
        f"a.value={a}, b.value={b}" for a in (1, 2, 3) for b in (10, 20)]
    assert [_text(model, r, "status") for r in range(6)] == ["completed"] * 2 + ["pending"] * 4
    assert _text(model, 0, "duration").endswith("ms")
    assert _text(model, 3, "started") == ""


def test_only_the_first_page_is_read_until_the_view_scrolls(qtbot, store):
    store.queue.enqueue(adder(), grid(list(range(100)), list(range(10))))
    panel = _panel(qtbot, store)
    assert panel.model.rowCount() == 200
    assert panel.model.canFetchMore()
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 400)
    assert _text(panel.model, 399, "values") == "a.value=39, b.value=9"


def test_status_and_batch_filters(qtbot, store):
    first = store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    second = store.queue.enqueue(adder(), grid([7], [1, 2, 3]))
    finish(store, 3)
    panel = _panel(qtbot, store)
    panel.set_filter(status="completed")
    panel.wait_idle()
    assert [panel.model.row_at(r).key for r in range(panel.model.rowCount())] == ["1:0", "1:1", "1:2"]
    panel.set_filter(status="pending")
    panel.wait_idle()
    assert panel.model.rowCount() == 4
    panel.set_filter(batch_id=second.batch_id)
    panel.wait_idle()
    assert panel.model.rowCount() == 3
    assert {panel.model.row_at(r).batch_id for r in range(3)} == {second.batch_id}
    panel.set_filter(status="completed", batch_id=first.batch_id)
    panel.wait_idle()
    assert panel.model.rowCount() == 3
    assert panel.batch_filter.currentData() == first.batch_id


def test_finished_sessions_update_their_rows_in_place(qtbot, store):
    store.queue.enqueue(adder(), grid(list(range(10)), list(range(10))))
    panel = _panel(qtbot, store)
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    finish(store, 5)
    finish(store, 1, status="failed")
    panel.refresh()
    panel.wait_idle()
    assert resets == []
    assert [_text(panel.model, r, "status") for r in range(7)] == ["completed"] * 5 + ["failed", "pending"]
    assert _text(panel.model, 5, "error") == "ValueError: boom"
    assert panel.model.rowCount() == 100


def test_a_status_filter_drops_rows_that_leave_it_and_keeps_the_rest(qtbot, store):
    store.queue.enqueue(adder(), grid(list(range(3)), list(range(100))))
    panel = _panel(qtbot, store)
    panel.set_filter(status="pending")
    panel.wait_idle()
    finish(store, 7)
    panel.refresh()
    panel.wait_idle()
    keys = [panel.model.row_at(r).key for r in range(panel.model.rowCount())]
    assert keys == [row.key for row in store.queue.list_items(status="pending", limit=len(keys))]
    assert keys[0] == "1:7"


def test_refresh_matches_the_store_after_mixed_changes(qtbot, store):
    store.queue.enqueue(adder(), grid(list(range(5)), list(range(60))))
    model = QueueTableModel(store.queue, page_size=50)
    model.fetchMore()
    finish(store, 20)
    store.queue.cancel_item("1:30")
    store.queue.cancel_item("1:31")
    store.queue.retry(item_ids=["1:30"])
    model.set_filter(status="pending")
    model.fetchMore()
    store.queue.cancel_item("1:40")
    store.queue.retry(item_ids=["1:31"])
    finish(store, 3)
    model.refresh()
    loaded = [model.row_at(r) for r in range(model.rowCount())]
    assert loaded == store.queue.list_items(status="pending", limit=len(loaded))


def test_new_items_appear_at_the_end_of_a_fully_loaded_list(qtbot, store):
    store.queue.enqueue(adder(), grid([1], [1, 2]))
    panel = _panel(qtbot, store)
    assert panel.model.rowCount() == 2
    store.queue.enqueue(adder(), grid([5], [1, 2, 3]))
    panel._queue_changed({})
    panel.refresh()
    panel.wait_idle()
    assert panel.model.rowCount() == 5
    assert _text(panel.model, 4, "values") == "a.value=5, b.value=3"


def test_cancel_selected_and_retry_change_the_stored_status(qtbot, store):
    store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    panel = _panel(qtbot, store)
    panel.select_rows([1, 2])
    panel.cancel_button.click()
    panel.wait_idle()
    assert [store.queue.get(k).status for k in ("1:0", "1:1", "1:2", "1:3")] == [
        "pending", "canceled", "canceled", "pending"]
    assert _text(panel.model, 1, "status") == "canceled"
    panel.select_rows([1])
    panel.retry_button.click()
    panel.wait_idle()
    assert store.queue.get("1:1").status == "pending"
    assert store.queue.get("1:2").status == "canceled"


def test_cancel_batch_and_cancel_all_pending(qtbot, store):
    first = store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    second = store.queue.enqueue(adder(), grid([3], [1, 2]))
    panel = _panel(qtbot, store)
    panel.select_rows([0])
    panel.cancel_batch_action.trigger()
    panel.wait_idle()
    assert store.queue.counts(first.batch_id)["canceled"] == 4
    assert store.queue.counts(second.batch_id)["pending"] == 2
    panel.cancel_pending_action.trigger()
    panel.wait_idle()
    assert store.queue.counts()["pending"] == 0
    assert {_text(panel.model, r, "status") for r in range(6)} == {"canceled"}


def test_retry_failed_of_the_shown_batch_and_clear_finished(qtbot, store):
    store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    finish(store, 2, status="failed")
    finish(store, 1)
    panel = _panel(qtbot, store)
    panel.retry_button.click()
    panel.wait_idle()
    assert store.queue.counts() == {"pending": 3, "in_progress": 0, "completed": 1, "failed": 0, "canceled": 0}
    panel.clear_button.click()
    panel.wait_idle()
    assert panel.model.rowCount() == 3
    assert store.queue.count_items() == 3


def test_pause_button_pauses_and_resumes_the_worker(qtbot, store):
    calls = []

    class Worker:
        def pause(self):
            calls.append("pause")

        def resume(self):
            calls.append("resume")

        def wake(self):
            calls.append("wake")

    panel = _panel(qtbot, store, worker=Worker())
    panel.pause_button.click()
    assert panel.pause_button.text() == "Resume"
    panel.pause_button.click()
    assert calls == ["pause", "resume"]
    assert panel.pause_button.text() == "Pause"


def test_a_batch_run_by_the_worker_shows_completed_rows_with_their_values(qtbot, store, worker):
    from nodeeditor.ui.bridge import EngineBridge

    bridge = EngineBridge(worker)
    panel = _panel(qtbot, store, bridge=bridge, worker=worker)
    store.queue.enqueue(adder(), grid([1, 2, 3], [10, 20]))
    worker.start()
    qtbot.waitUntil(lambda: [_text(panel.model, r, "status") for r in range(panel.model.rowCount())]
                    == ["completed"] * 6, timeout=10_000)
    assert [_text(panel.model, r, "values") for r in range(6)] == [
        f"a.value={a}, b.value={b}" for a in (1, 2, 3) for b in (10, 20)]
    assert [panel.model.row_at(r).summary["outputs"]["s.value"] for r in range(6)] == [
        str(a + b) for a in (1, 2, 3) for b in (10, 20)]
    bridge.detach()


def test_pause_holds_the_real_worker_until_resume(qtbot, store, worker):
    panel = _panel(qtbot, store, worker=worker)
    panel.pause_button.click()
    store.queue.enqueue(adder(), grid([1], [1, 2]))
    worker.start()
    # Each turn of the worker's loop looks at pause just before it would claim: once it has
    # said "paused", it has passed the point where an unpaused worker takes a session.
    qtbot.waitUntil(lambda: worker.state == "paused", timeout=10_000)
    assert store.queue.counts()["pending"] == 2
    panel.pause_button.click()
    worker.wake()
    qtbot.waitUntil(lambda: store.queue.counts()["completed"] == 2, timeout=10_000)


def test_choosing_a_status_in_the_filter_box_filters_the_table(qtbot, store):
    store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    finish(store, 1, status="failed")
    panel = _panel(qtbot, store)
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("failed"))
    panel.wait_idle()
    assert panel.model.rowCount() == 1
    assert _text(panel.model, 0, "error") == "ValueError: boom"
    assert panel.summary.text().startswith("1 of 1 loaded")


def test_shutdown_ends_the_reader_thread(qtbot, store):
    import threading

    panel = _panel(qtbot, store)
    threads = lambda: [t for t in threading.enumerate() if t.name == "queue-panel-reader" and t.is_alive()]  # noqa: E731
    before = len(threads())
    panel.shutdown()
    assert len(threads()) == before - 1


def test_the_summary_uses_the_counts_the_worker_reports(qtbot, store):
    from nodeeditor.engine.events import QueueChanged
    from nodeeditor.ui.bridge import EngineBridge

    bridge = EngineBridge()
    store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    panel = _panel(qtbot, store, bridge=bridge)
    bridge.push(QueueChanged(counts={"pending": 1, "completed": 3}))
    bridge.flush()
    panel.refresh()
    panel.wait_idle()
    assert panel.summary.text() == "4 of 4 loaded · 1 pending, 3 completed"


def test_cells_cannot_be_edited(qtbot, store):
    from PySide6.QtWidgets import QAbstractItemView

    store.queue.enqueue(adder(), grid([1], [1]))
    panel = _panel(qtbot, store)
    assert panel.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers


def test_rows_queued_from_the_window_appear_before_the_worker_reports(app, qtbot):
    window, controller, store = app
    panel = controller.queue_dock.panel
    controller.queue_dock.show()
    controller.queue_dock.raise_()
    panel.pause_button.click()
    window.document.load(adder())
    controller.enqueue(grid([1, 2, 3], [1, 2]))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=2000)  # before the idle re-read (3 s)
    qtbot.waitUntil(lambda: panel.summary.text().startswith("6 of 6 loaded"), timeout=2000)
    controller.enqueue(grid(list(range(10)), [1, 2, 3, 4]))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 46, timeout=2000)
    qtbot.waitUntil(lambda: panel.summary.text().startswith("46 of 46 loaded"), timeout=2000)
    panel.pause_button.click()


def test_the_summary_counts_the_rows_the_table_holds(qtbot, store):
    store.queue.enqueue(adder(), grid([1, 2], [1, 2]))
    panel = _panel(qtbot, store)
    panel._show_counts({"pending": 7})
    assert panel.summary.text() == "4 of 7 loaded · 7 pending"
    store.queue.enqueue(adder(), grid([5], [1, 2, 3]))
    panel.items_added()
    panel.refresh()
    panel.wait_idle()
    assert panel.summary.text().startswith("7 of 7 loaded")
