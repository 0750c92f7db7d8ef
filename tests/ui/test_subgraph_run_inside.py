"""A run watched from inside a subgraph: its inner nodes show their own badges, the nodes of other
levels paint nothing here, and back outside the subgraph node shows the total."""

from __future__ import annotations

from PySide6.QtCore import Qt

import worker_nodes  # noqa: F401  (registers the sleep test node)
from nodeeditor.core.workflow import parse_workflow

from .conftest import badge

WORKFLOW = {"version": 2, "name": "inside", "nodes": [
    {"id": "a", "type": "integer", "inputs": {"value": 2}, "position": [0, 0]},
    {"id": "g1", "type": "subgraph", "subgraph": "two", "position": [300, 0]}],
    "edges": [{"source": {"node": "a", "field": "value"}, "destination": {"node": "g1", "field": "x"}}],
    "subgraphs": {"two": {"name": "Add then wait", "nodes": [
        {"id": "a", "type": "add", "inputs": {"b": 1}, "position": [0, 0]},
        {"id": "wait", "type": "testq_sleep", "inputs": {"seconds": 0.6}, "position": [300, 0]}],
        "edges": [{"source": {"node": "a", "field": "value"}, "destination": {"node": "wait", "field": "value"}}],
        "inputs": [{"name": "x", "targets": [{"node": "a", "field": "a"}]}],
        "outputs": [{"name": "value", "source": {"node": "wait", "field": "value"}}]}}}


def enter(window, qtbot, node_id: str) -> None:
    window.scene.node_items[node_id].setSelected(True)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)
    assert window.document.level == [node_id]


def test_inner_nodes_show_their_badges_when_the_run_is_watched_from_inside(app, qtbot):
    window, controller, store = app
    window.document.load(parse_workflow(WORKFLOW))
    enter(window, qtbot, "g1")
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: badge(window, "wait") == "running", timeout=10000)
    assert badge(window, "a") == "done"  # the inner add, not the top-level integer of the same id
    assert controller.board.nodes["a"].status == "done" and controller.board.nodes["g1/a"].status == "done"
    assert controller.board.nodes["g1"].status == "running"
    qtbot.waitUntil(lambda: badge(window, "wait") == "done", timeout=10000)
    assert controller.board.nodes["g1/wait"].total_s >= 0.5
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert window.document.level == []
    assert badge(window, "g1") == "done" and badge(window, "a") == "done"
    group = controller.board.nodes["g1"]
    assert group.total_s == controller.board.nodes["g1/a"].total_s + controller.board.nodes["g1/wait"].total_s
    assert store.queue.counts()["completed"] == 1


def test_the_heat_overlay_inside_shares_the_subgraph_time_among_its_nodes(app, qtbot):
    window, controller, store = app
    window.document.load(parse_workflow(WORKFLOW))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "g1") == "done", timeout=10000)
    controller.set_heat("time")
    assert window.node_item("g1").heat[1] > 0.9
    enter(window, qtbot, "g1")
    assert 0.9 < window.node_item("wait").heat[1] <= 1.0
    inside = controller.board.heat("time", "g1/")
    assert set(inside) <= {"a", "wait"} and abs(sum(inside.values()) - 1) < 1e-9


def test_cancel_from_inside_stops_the_inner_node_and_no_badge_stays_running(app, qtbot):
    window, controller, store = app
    data = {**WORKFLOW, "subgraphs": {"two": {**WORKFLOW["subgraphs"]["two"], "nodes": [
        WORKFLOW["subgraphs"]["two"]["nodes"][0],
        {"id": "wait", "type": "testq_sleep", "inputs": {"seconds": 30.0}, "position": [300, 0]}]}}}
    window.document.load(parse_workflow(data))
    enter(window, qtbot, "g1")
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "wait") == "running", timeout=10000)
    controller.cancel_action.trigger()
    qtbot.waitUntil(lambda: store.queue.counts()["canceled"] == 1, timeout=10000)
    qtbot.waitUntil(lambda: badge(window, "wait") is None, timeout=5000)  # canceled: nothing left to run
    assert badge(window, "a") == "done"
    assert controller.board.nodes["g1"].status != "running"
