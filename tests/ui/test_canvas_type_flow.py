"""The canvas uses the types that flow through Iterate, Collect and Reroute: sockets light or dim
while a link is dragged, drops are refused with the reason, and socket tooltips name the type."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from nodeeditor.core.workflow import Edge, Endpoint

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def edge(src: str, sf: str, dst: str, df: str) -> Edge:
    return Edge(source=Endpoint(node=src, field=sf), destination=Endpoint(node=dst, field=df))


def highlight_while_dragging(window, drive, start: QPoint, node_id: str) -> dict:
    """Press on `start`, move a little, read `node_id`'s socket highlight, let go where it began."""
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(40, 30))
    seen = dict(window.scene.node_items[node_id].highlight)
    QTest.mouseMove(viewport, start)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(40, 30))
    return seen


def collection_into_iterate(window, drive, kind: str) -> None:
    drive.add("c", f"{kind}_collection", 0, 0)
    drive.add("it", "iterate", 320, 0)
    drive.add("s", "add", 640, 0)
    drive.drag(drive.socket("c", "collection", True), drive.socket("it", "collection", False))
    assert window.document.workflow.edges == [edge("c", "collection", "it", "collection")]


def test_an_iterated_string_dims_an_integer_input_and_an_integer_lights_it(window, drive):
    collection_into_iterate(window, drive, "string")
    assert highlight_while_dragging(window, drive, drive.socket("it", "item", True), "s")[("a", False)] is False
    window.document.undo_stack.undo()
    drive.add("n", "integer_collection", 0, 200)
    drive.drag(drive.socket("n", "collection", True), drive.socket("it", "collection", False))
    assert highlight_while_dragging(window, drive, drive.socket("it", "item", True), "s")[("a", False)] is True


def test_dropping_an_iterated_string_on_an_integer_input_is_refused_with_the_reason(window, drive):
    collection_into_iterate(window, drive, "string")
    drive.drag(drive.socket("it", "item", True), drive.socket("s", "a", False))
    assert window.document.workflow.edges == [edge("c", "collection", "it", "collection")]
    assert "string cannot connect to integer" in window.statusBar().currentMessage()


def test_a_collection_that_would_break_the_iterates_links_dims_its_input(window, drive):
    drive.add("n", "integer_collection", 0, 0)
    drive.add("t", "string_collection", 0, 200)
    drive.add("it", "iterate", 320, 0)
    drive.add("s", "add", 640, 0)
    drive.drag(drive.socket("it", "item", True), drive.socket("s", "a", False))
    assert highlight_while_dragging(window, drive, drive.socket("t", "collection", True), "it")[
        ("collection", False)] is False
    assert highlight_while_dragging(window, drive, drive.socket("n", "collection", True), "it")[
        ("collection", False)] is True
    drive.drag(drive.socket("t", "collection", True), drive.socket("it", "collection", False))
    assert edge("t", "collection", "it", "collection") not in window.document.workflow.edges
    assert "it.item would then give string" in window.statusBar().currentMessage()


def test_a_second_type_dragged_to_collect_dims_its_input(window, drive):
    drive.add("x", "integer", 0, 0)
    drive.add("y", "string", 0, 200)
    drive.add("c", "collect", 320, 0)
    drive.drag(drive.socket("x", "value", True), drive.socket("c", "item", False))
    assert highlight_while_dragging(window, drive, drive.socket("y", "value", True), "c")[("item", False)] is False


def test_the_socket_tooltip_shows_the_type_that_flows(window, drive, qtbot):
    collection_into_iterate(window, drive, "string")
    item = window.scene.node_items["it"]
    qtbot.waitUntil(lambda: bool(item.flows))  # the canvas validates a moment after an edit
    QTest.mouseMove(window.canvas.viewport(), drive.socket("it", "item", True) + QPoint(-8, 0))
    assert item.toolTip().splitlines()[0] == "Item: string (from what is linked in)"
    drive.add("r", "reroute", 320, 300)
    drive.drag(drive.socket("c", "collection", True), drive.socket("r", "value", False))
    qtbot.waitUntil(lambda: bool(window.scene.node_items["r"].flows))
    assert window.scene.node_items["r"].flows == {"value": window.registry.get("string_collection")
                                                  .outputs["collection"].type}
