"""Running graphs and batches from the main window: badges, docks, cancel, retry, gallery, restore."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMenu

import worker_nodes  # noqa: F401  (registers the sleep/fail test nodes)
from nodeeditor.core.batch import Batch
from workflow_builder import build

from .conftest import adder, badge, grid


def test_ctrl_enter_runs_the_graph_and_every_node_shows_done(app, qtbot):
    window, controller, store = app
    window.document.load(adder())
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: all(badge(window, n) == "done" for n in ("a", "b", "s")), timeout=10000)
    assert store.queue.counts()["completed"] == 1
    assert controller.board.nodes["s"].outputs == {"value": "3"}


def test_an_invalid_graph_is_shown_on_its_nodes_and_nothing_is_queued(app, qtbot):
    window, controller, store = app
    window.document.load(build({"d": ("invert_image", {})}))
    assert controller.invoke() is None
    assert window.node_item("d").issues
    assert sum(store.queue.counts().values()) == 0
    assert "Not queued" in window.statusBar().currentMessage()


def test_a_3x2_batch_from_the_panel_gives_six_completed_rows_with_their_values(app, qtbot):
    window, controller, store = app
    window.document.load(adder())
    controller.batch_panel.set_batch(grid([1, 2, 3], [10, 20]))
    qtbot.waitUntil(lambda: controller.batch_panel.enqueue_button.isEnabled())
    assert controller.batch_panel.count() == 6
    qtbot.mouseClick(controller.batch_panel.enqueue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: store.queue.counts()["completed"] == 6, timeout=15000)
    panel = controller.queue_dock.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6
                    and all(panel.model.row_at(r).status == "completed" for r in range(6)), timeout=10000)
    values = sorted((panel.model.row_at(r).field_values["a.value"], panel.model.row_at(r).field_values["b.value"])
                    for r in range(6))
    assert values == [(1, 10), (1, 20), (2, 10), (2, 20), (3, 10), (3, 20)]
    assert controller.board.nodes["s"].calls == 6


def test_the_batch_is_saved_with_the_workflow(app, qtbot, tmp_path):
    window, controller, store = app
    window.document.load(adder())
    controller.batch_panel.set_batch(grid([1, 2], [5]))
    controller.batch_panel.changed.emit()
    path = tmp_path / "flow.json"
    assert window.save_to(path)
    window.document.load(adder())
    assert controller.batch_panel.count() == 1
    assert window.open_path(path, ask=False)
    assert controller.batch_panel.count() == 2


def test_cancel_stops_a_running_long_node(app, qtbot):
    window, controller, store = app
    window.document.load(build({"n": ("testq_sleep", {"seconds": 30.0})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "n") == "running", timeout=10000)
    controller.cancel_action.trigger()
    qtbot.waitUntil(lambda: store.queue.counts()["canceled"] == 1, timeout=10000)
    qtbot.waitUntil(lambda: badge(window, "n") is None, timeout=5000)  # not running, and nothing left to run


def test_a_node_that_ignores_cancel_is_stopped_and_its_badge_no_longer_says_running(app, qtbot):
    window, controller, store = app
    window.document.load(build({"h": ("testq_hostile", {"value": 1, "bad": 1, "how": "hang"})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "h") == "running", timeout=10000)
    controller.cancel_action.trigger()
    qtbot.waitUntil(lambda: store.queue.counts()["canceled"] == 1, timeout=10000)
    qtbot.waitUntil(lambda: badge(window, "h") is None, timeout=5000)
    assert "its process was killed" in store.queue.list_items()[0].error


def test_a_session_handed_back_by_a_stopping_worker_no_longer_shows_running(app, qtbot):
    window, controller, store = app
    window.document.load(build({"n": ("testq_sleep", {"seconds": 30.0})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "n") == "running", timeout=10000)
    controller.worker.stop(wait=False)
    qtbot.waitUntil(lambda: badge(window, "n") == "queued", timeout=10000)
    assert store.queue.counts()["pending"] == 1


def test_a_failed_session_shows_its_error_and_traceback_and_can_be_retried(app, qtbot):
    window, controller, store = app
    window.document.load(build({"n": ("testq_fail", {"value": 3, "bad": 3})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "n") == "failed", timeout=10000)
    assert "value 3 is bad" in window.node_item("n").toolTip()
    window.node_item("n").setSelected(True)
    assert "Traceback" in controller.inspector.plain_text()
    assert "RuntimeError: value 3 is bad" in controller.inspector.plain_text()
    completed = []
    controller.bridge.sessionCompleted.connect(completed.append)
    panel = controller.queue_dock.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.model.row_at(0).status == "failed")
    qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(completed) == 1, timeout=10000)
    assert completed[0].status == "failed"
    assert store.queue.counts()["failed"] == 1


def test_nodes_a_failed_run_never_reached_lose_their_queued_badge(app, qtbot):
    window, controller, store = app
    window.document.load(build({"n": ("testq_fail", {"value": 3, "bad": 3}), "s": ("add", {"b": 1})},
                               ["n.value -> s.a"]))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "n") == "failed", timeout=10000)
    qtbot.waitUntil(lambda: badge(window, "s") is None, timeout=5000)
    assert controller.board.nodes["s"].status == "not run"  # shown queued while the session ran
    assert store.queue.counts()["failed"] == 1


def test_a_batch_canceled_from_the_queue_before_it_ran_leaves_no_queued_badge(app, qtbot):
    window, controller, store = app
    panel = controller.queue_dock.panel
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # the worker claims nothing more
    qtbot.waitUntil(lambda: controller.worker.state == "paused", timeout=10000)
    window.document.load(adder())
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "s") == "queued", timeout=10000)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    panel.select_rows([0])
    panel.cancel_batch()
    qtbot.waitUntil(lambda: store.queue.counts()["canceled"] == 1, timeout=10000)
    qtbot.waitUntil(lambda: all(badge(window, n) is None for n in ("a", "b", "s")), timeout=5000)


def test_a_node_waits_queued_until_the_last_session_of_its_batch_ends(app, qtbot):
    window, controller, store = app
    window.document.load(build({"n": ("testq_fail", {"value": 0, "bad": 1}), "s": ("add", {"b": 1})},
                               ["n.value -> s.a"]))
    batch = Batch.model_validate({"data": [[{"node": "n", "field": "value", "items": [1, 2]}]]})
    ended = []
    controller.bridge.sessionCompleted.connect(ended.append)
    controller.enqueue(batch, 0, False)
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=10000)
    assert sorted(e.status for e in ended) == ["completed", "failed"]
    assert badge(window, "s") == "done"  # the second session ran it


def test_stats_dock_rows_equal_the_stored_figures(app, qtbot):
    window, controller, store = app
    window.document.load(adder())
    controller.invoke()
    qtbot.waitUntil(lambda: store.queue.counts()["completed"] == 1, timeout=10000)
    stats = controller.stats_dock.panel
    stored = {(t.node_type, t.calls) for t in store.stats.by_node_type(batch_id=controller.current_batch)}
    stats.reload()
    qtbot.waitUntil(lambda: {(r.node_type, r.calls) for r in stats.model.rows()} == stored, timeout=5000)
    assert stored == {("integer", 2), ("add", 1)}


def test_heat_overlay_colours_nodes_by_their_share_of_time(app, qtbot):
    window, controller, store = app
    window.document.load(adder())
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "s") == "done", timeout=10000)
    controller.heat_actions["time"].trigger()
    shares = [window.node_item(n).heat[1] for n in ("a", "b", "s")]
    assert abs(sum(shares) - 1.0) < 1e-6
    controller.heat_actions[None].trigger()
    assert window.node_item("s").heat is None


def test_use_as_batch_axis_from_a_node_menu_adds_the_axis(app):
    window, controller, _store = app
    window.document.load(adder())
    menu = QMenu()
    for hook in window.canvas.node_menu_hooks:
        hook(menu, "a", "value")
    [action] = [a for a in menu.actions() if "Batch Axis" in a.text()]
    action.trigger()
    assert controller.batch_panel.axis("a", "value") is not None


def test_gallery_shows_the_saved_image_and_dropping_it_restores_graph_and_values(app, qtbot):
    window, controller, store = app
    workflow = build({"img": ("blank_image", {"width": 16, "height": 8}),
                      "save": ("save_image", {})}, ["img.image -> save.image"])
    window.document.load(workflow)
    controller.batch_panel.set_batch(Batch.model_validate(
        {"runs": 1, "data": [[{"node": "img", "field": "width", "items": [24]}]]}))
    qtbot.waitUntil(lambda: controller.batch_panel.enqueue_button.isEnabled())
    controller.batch_panel.enqueue()
    gallery = controller.gallery
    qtbot.waitUntil(lambda: gallery.model.rowCount() == 1, timeout=15000)
    qtbot.waitUntil(lambda: window.node_item("save").thumbnail is not None, timeout=10000)
    png = gallery.path_at(gallery.model.index(0, 0))
    window.document.load(adder())
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(png))])
    viewport = window.canvas.viewport()
    QApplication.sendEvent(viewport, QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, data,
                                                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, data,
                                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    assert sorted(window.scene.node_items) == ["img", "save"]
    assert window.document.node("img").inputs["width"] == 24
    assert Path(png).exists()


def test_run_to_here_runs_the_node_and_what_it_needs_only(app, qtbot):
    window, controller, store = app
    workflow = build({"a": ("integer", {"value": 2}), "b": ("integer", {"value": 3}), "s": "add", "t": "multiply"},
                     ["a.value -> s.a", "b.value -> s.b", "s.value -> t.a", "a.value -> t.b"])
    window.document.load(workflow)
    menu = QMenu()
    controller._node_menu(menu, "s", None)
    action = next(a for a in menu.actions() if a.text() == "Run to Here")
    action.trigger()
    qtbot.waitUntil(lambda: all(badge(window, n) in ("done", "cached") for n in ("a", "b", "s")), timeout=20000)
    assert badge(window, "t") is None
    assert controller.board.nodes["s"].outputs == {"value": "5"} and "t" not in controller.board.nodes


_menus: list[QMenu] = []


def seed_menu(controller, node_id: str) -> dict[str, object]:
    menu = QMenu()
    _menus[:] = [menu]  # alive while the test uses its actions
    controller._node_menu(menu, node_id, "seed")
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None and "Seed" in a.text())
    return {a.text(): a for a in sub.actions()}


def test_a_seed_set_to_increment_moves_after_each_invoke_and_is_saved(app, qtbot, tmp_path):
    window, controller, store = app
    window.document.load(build({"n": ("noise_image", {"width": 8, "height": 8, "seed": 41})}))
    choices = seed_menu(controller, "n")
    assert list(choices) == ["Fixed", "Increment", "Randomize"] and choices["Fixed"].isChecked()
    choices["Increment"].trigger()
    assert window.document.workflow.meta["seed_control"] == {"n.seed": "increment"}
    assert controller.invoke() is not None
    assert window.document.node("n").inputs["seed"] == 42
    qtbot.waitUntil(lambda: badge(window, "n") in ("done", "cached"), timeout=20000)
    window.save_to(tmp_path / "seeded.json")
    window.open_path(tmp_path / "seeded.json")
    assert seed_menu(controller, "n")["Increment"].isChecked()


def test_a_randomized_seed_changes_and_undo_brings_it_back(app, qtbot):
    window, controller, _store = app
    window.document.load(build({"n": ("noise_image", {"width": 8, "height": 8, "seed": 5})}))
    seed_menu(controller, "n")["Randomize"].trigger()
    controller.invoke()
    assert window.document.node("n").inputs["seed"] != 5
    window.document.undo_stack.undo()
    assert window.document.node("n").inputs["seed"] == 5
    seed_menu(controller, "n")["Fixed"].trigger()
    controller.invoke()
    assert window.document.node("n").inputs["seed"] == 5


def test_a_session_the_worker_runs_before_the_enqueue_call_returns_still_shows_on_the_nodes(app, qtbot, monkeypatch):
    """The worker may claim and finish the new batch while the window still waits for its id."""
    window, controller, store = app
    real_enqueue = store.queue.enqueue
    ran_first = []

    def enqueue_then_wait_for_the_worker(*args, **kwargs):
        result = real_enqueue(*args, **kwargs)
        controller.worker.wake()
        for _ in range(400):
            if store.queue.counts()["completed"] == 1:
                break
            time.sleep(0.025)
        ran_first.append(store.queue.counts()["completed"] == 1)
        time.sleep(0.2)  # the bridge delivers the session's events meanwhile
        return result

    monkeypatch.setattr(store.queue, "enqueue", enqueue_then_wait_for_the_worker)
    window.document.load(adder())
    controller.invoke()
    qtbot.waitUntil(lambda: bool(ran_first), timeout=15000)
    assert ran_first == [True]
    qtbot.waitUntil(lambda: all(badge(window, n) == "done" for n in ("a", "b", "s")), timeout=5000)
    assert controller.board.nodes["s"].outputs == {"value": "3"}
