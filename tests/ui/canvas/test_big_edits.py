"""Select all, delete and undo on a big graph, with the window's keys: everything comes back, linked
to the right nodes, and the restored canvas works like the one that was deleted."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from nodeeditor.ui.canvas.commands import DisconnectCommand
from nodeeditor.ui.canvas.link_item import bezier

from ..canvas_driver import drive, edge, registry, window  # noqa: F401 (fixtures)
from .test_big_graphs import layered


def assert_scene_shows_document(window) -> None:
    scene, workflow = window.scene, window.document.workflow
    assert list(scene.node_items) == [node.id for node in workflow.nodes]
    assert set(scene.link_items) == set(workflow.edges)
    assert len(scene.items()) == len(workflow.nodes) + len(workflow.edges)
    for node in workflow.nodes:
        item = scene.node_items[node.id]
        assert item.node is node and (item.pos().x(), item.pos().y()) == node.position
    for found, link in scene.link_items.items():
        assert link.source is scene.node_items[found.source.node]
        assert link.destination is scene.node_items[found.destination.node]
        assert link in link.source.links and link in link.destination.links
        assert link.path() == bezier(*link.ends())


def test_select_all_delete_and_undo_bring_back_every_node_and_link(window, drive, qtbot):
    window.document.load(layered(3_000))
    nodes, edges = list(window.document.workflow.nodes), list(window.document.workflow.edges)
    canvas = window.canvas
    canvas.fit_all()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(window.scene.selected_node_ids()) == 3_000
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Delete)
    assert window.document.workflow.nodes == [] and window.document.workflow.edges == []
    assert window.scene.items() == []

    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.workflow.nodes == nodes and window.document.workflow.edges == edges
    assert_scene_shows_document(window)
    assert window.scene.selectedItems() == []
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.scene.items() == []
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert_scene_shows_document(window)

    # the canvas that came back works: a dragged node brings its own links along
    canvas.set_zoom(1.0 / canvas.zoom())
    node = window.scene.node_items["n1550"]
    canvas.centerOn(node.pos())
    drive.drag(drive.at(node.pos() + QPointF(60, 10)), drive.at(node.pos() + QPointF(160, 70)))
    assert window.document.node("n1550").position == (node.pos().x(), node.pos().y())
    assert node.links and all(link.path() == bezier(*link.ends()) for link in node.links)
    assert_scene_shows_document(window)


def test_a_link_put_back_by_undo_meets_a_node_that_changed_shape_meanwhile(window, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    window.editor.connect_edge(edge("i", "value", "s", "a"))
    doc = window.document
    doc.undo_stack.push(DisconnectCommand(doc, [edge("i", "value", "s", "a")]))
    window.scene.node_items["s"].set_collapsed(True)  # a view state, not an edit: no undo step
    doc.undo_stack.undo()
    link = window.scene.link_items[edge("i", "value", "s", "a")]
    assert link.ends()[1] == window.scene.node_items["s"].socket_pos("a", False)
    assert link.path() == bezier(*link.ends())
