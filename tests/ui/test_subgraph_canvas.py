"""Subgraphs on the canvas: convert a selection, go in and out, unpack; each edit one undo step."""

from __future__ import annotations

from unittest.mock import patch

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMenu

from nodeeditor.core.library import save_to_library
from nodeeditor.core.workflow import Edge, Endpoint, parse_workflow
from nodeeditor.engine.runner import run_workflow
from nodeeditor.ui.canvas.commands import EditValueCommand

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def edge(src: str, sf: str, dst: str, df: str) -> Edge:
    return Edge(source=Endpoint(node=src, field=sf), destination=Endpoint(node=dst, field=df))


def state(window) -> str:
    return window.document.snapshot().to_json()


def outputs(window, registry):
    result = run_workflow(window.document.snapshot(), registry, artifacts=None)
    assert result.status == "completed", result.error
    return result.leaf_outputs()


def chain(window, drive):
    """n (5) -> a1 (+1) -> a2 (+3) -> m (*2), and n -> a2.b as well: two links cross into a1/a2."""
    drive.add("n", "integer", 0, 0, value=5)
    drive.add("a1", "add", 300, 0, b=1)
    drive.add("a2", "add", 600, 0)
    drive.add("m", "multiply", 900, 0, b=2)
    for link in (edge("n", "value", "a1", "a"), edge("a1", "value", "a2", "a"), edge("n", "value", "a2", "b"),
                 edge("a2", "value", "m", "a")):
        window.editor.connect_edge(link)


def select(window, drive, *node_ids):
    """Click the first node's header, Ctrl+click the others."""
    for index, node_id in enumerate(node_ids):
        modifiers = Qt.KeyboardModifier.ControlModifier if index else Qt.KeyboardModifier.NoModifier
        drive.click(drive.at(window.scene.node_items[node_id].pos()) + QPoint(40, 8), modifiers=modifiers)
    assert sorted(window.scene.selected_node_ids()) == sorted(node_ids)


def convert(window, drive, qtbot, *node_ids) -> str:
    select(window, drive, *node_ids)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_G,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    group = next(n for n in window.document.workflow.nodes if n.type == "subgraph")
    return group.id


def test_converting_a_selection_with_crossing_links_keeps_the_outputs(window, drive, qtbot, registry):
    chain(window, drive)
    expected = outputs(window, registry)
    before = state(window)
    group = convert(window, drive, qtbot, "a1", "a2")
    doc = window.document
    assert sorted(n.id for n in doc.workflow.nodes) == sorted(["n", "m", group])
    definition = doc.root.subgraphs[doc.node(group).subgraph]
    assert [p.name for p in definition.inputs] == ["a", "b"] and [p.name for p in definition.outputs] == ["value"]
    item = window.scene.node_items[group]
    assert {r.field for r in item.rows} == {"a", "b", "value"}
    assert outputs(window, registry) == expected == {"m": {"value": (5 + 1 + 5) * 2}}
    after = state(window)
    doc.undo_stack.undo()
    assert state(window) == before
    doc.undo_stack.redo()
    assert state(window) == after


def test_unpacking_puts_the_nodes_and_links_back_in_one_step(window, drive, qtbot, registry):
    chain(window, drive)
    expected = outputs(window, registry)
    group = convert(window, drive, qtbot, "a1", "a2")
    converted = state(window)
    select(window, drive, group)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_G,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    doc = window.document
    assert sorted(n.id for n in doc.workflow.nodes) == ["a1", "a2", "m", "n"]
    assert doc.root.subgraphs == {}
    assert outputs(window, registry) == expected
    doc.undo_stack.undo()
    assert state(window) == converted
    doc.undo_stack.redo()
    assert sorted(n.id for n in doc.workflow.nodes) == ["a1", "a2", "m", "n"]


def test_tab_enters_a_subgraph_and_esc_or_the_breadcrumb_leaves(window, drive, qtbot, registry):
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    select(window, drive, group)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Tab)
    doc = window.document
    assert doc.level == [group]
    assert sorted(window.scene.node_items) == ["a1", "a2"]
    bar = window.subgraphs.breadcrumb
    assert bar.isVisible() and window.subgraphs.path_text() == "Workflow › Subgraph 1"
    assert window.scene.node_items["a1"].issues == {}  # its input comes through a port
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Escape)
    assert doc.level == [] and group in window.scene.node_items and not bar.isVisible()
    window.subgraphs.enter(group)
    bar.actions()[0].trigger()  # "Workflow"
    assert doc.level == []


def test_an_edit_inside_changes_the_definition_and_undo_goes_back_inside(window, drive, qtbot, registry):
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    window.subgraphs.enter(group)
    window.editor.push(EditValueCommand(window.document, "a1", "b", 100))
    window.subgraphs.leave()
    assert outputs(window, registry) == {"m": {"value": (5 + 100 + 5) * 2}}
    window.document.undo_stack.undo()  # leaving
    assert window.document.level == [group]
    window.document.undo_stack.undo()  # the edit, inside
    assert window.document.node("a1").inputs["b"] == 1


def test_a_library_subgraph_is_saved_inserted_from_the_palette_and_updated(window, drive, qtbot, registry):
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    library = window.subgraphs.library
    library.save(group, "Add twice")
    assert (window.home / "subgraphs" / "Add twice.json").exists()
    window.document.load(parse_workflow({"version": 2, "nodes": []}))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)
    palette = window.canvas.palette
    qtbot.keyClicks(palette.search, "add twice")
    assert palette.visible_titles()[0] == "Add twice"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    doc = window.document
    inserted = next(n for n in doc.workflow.nodes if n.type == "subgraph")
    definition = doc.root.subgraphs[inserted.subgraph]
    assert definition.name == "Add twice" and {p.name for p in definition.inputs} == {"a", "b"}
    assert window.scene.node_items[inserted.id].title() == "Add twice"
    doc.undo_stack.undo()
    assert doc.workflow.nodes == [] and doc.root.subgraphs == {}
    doc.undo_stack.redo()
    # a newer copy in the library: the node offers the update, which replaces the definition
    newer = doc.snapshot()
    newer.subgraphs[inserted.subgraph].nodes[0].inputs["b"] = 50
    save_to_library(window.home, newer, inserted.subgraph, "Add twice")
    menu = QMenu()
    library._node_menu(menu, inserted.id, None)
    update = next(a for a in menu.actions() if a.text() == "Update to library version")
    update.trigger()
    assert doc.root.subgraphs[inserted.subgraph].nodes[0].inputs["b"] == 50
    doc.undo_stack.undo()
    assert doc.root.subgraphs[inserted.subgraph].nodes[0].inputs["b"] == 1


def pick(window, node_id: str, field: str | None, text: str) -> None:
    """Choose `text` from the node's context menu (or one of its submenus)."""
    menu = QMenu()
    for hook in window.canvas.node_menu_hooks:
        hook(menu, node_id, field)
    actions = [a for a in menu.actions()] + [a for m in menu.findChildren(QMenu) for a in m.actions()]
    next(a for a in actions if a.text() == text).trigger()


def test_ports_are_added_removed_inside_and_renamed_outside_with_their_links(window, drive, qtbot, registry):
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    doc = window.document
    before = state(window)
    with patch.object(QInputDialog, "getText", return_value=("start", True)):
        pick(window, group, None, "input a…")
    assert edge("n", "value", group, "start") in doc.workflow.edges
    assert outputs(window, registry) == {"m": {"value": (5 + 1 + 5) * 2}}
    window.subgraphs.enter(group)
    pick(window, "a1", None, "Expose output “value”")
    pick(window, "a2", "b", "Remove Subgraph Input “b”")
    assert [p.name for p in doc.definition().outputs] == ["value", "value_2"]
    assert [p.name for p in doc.definition().inputs] == ["start"]
    window.subgraphs.leave()
    assert edge("n", "value", group, "b") not in doc.workflow.edges
    assert {r.field for r in window.scene.node_items[group].rows} == {"start", "value", "value_2"}
    for _ in range(5):
        doc.undo_stack.undo()
    assert state(window) == before and doc.level == []


def test_a_double_click_on_the_header_opens_the_subgraph(window, drive, qtbot, registry):
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    header = drive.at(window.scene.node_items[group].pos()) + QPoint(40, 8)
    QTest.mouseDClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, header)
    assert window.document.level == [group]
    assert window.subgraphs.path_text() == "Workflow › Subgraph 1"
