"""Editing on the canvas with mouse and keyboard; every edit undoes and redoes as one step."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QSpinBox

from nodeeditor.ui.canvas.commands import RenameCommand

from ..canvas_driver import assert_undo_redo, edge, state


def test_typing_in_the_palette_adds_the_node_under_the_cursor(canvas, qtbot):
    qtbot.keyClick(canvas.view, Qt.Key.Key_Tab)
    palette = canvas.view.palette
    assert palette.isVisible()
    qtbot.keyClicks(palette.search, "add")
    assert palette.visible_titles()[0] == "Add"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert [n.type for n in canvas.document.workflow.nodes] == ["add"]
    assert "add_1" in canvas.scene.node_items
    assert canvas.view.palette is None or not canvas.view.palette.isVisible()


def test_the_empty_palette_lists_categories_and_arrows_skip_headers(canvas, qtbot):
    palette = canvas.view.open_palette(canvas.view.mapToScene(QPoint(100, 100)))
    headers = [palette.list.item(i).text() for i in range(palette.list.count())
               if palette.list.item(i).data(Qt.ItemDataRole.UserRole) is None]
    assert "MATH" in headers and "PRIMITIVES" in headers
    first = palette.list.currentItem().data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    second = palette.list.currentItem().data(Qt.ItemDataRole.UserRole)
    assert first is not None and second is not None and first is not second
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    assert canvas.document.workflow.nodes == []


def test_double_click_on_empty_canvas_opens_the_palette(canvas, qtbot):
    qtbot.mouseDClick(canvas.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    assert canvas.view.palette is not None and canvas.view.palette.isVisible()


def test_dragging_several_selected_nodes_is_one_move_step(canvas, drive):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 0, 200)
    before = state(canvas)
    for item in canvas.scene.node_items.values():
        item.setSelected(True)
    grab = drive.at(canvas.scene.node_items["a"].pos()) + QPoint(60, 10)
    drive.drag(grab, grab + QPoint(100, 50))
    zoom = canvas.view.zoom()
    ax, ay = canvas.document.node("a").position
    bx, by = canvas.document.node("b").position
    assert (round(ax * zoom), round(ay * zoom)) == (100, 50)
    assert (bx - ax, by - ay) == (0, 200)
    assert canvas.document.undo_stack.count() == 3  # two adds and one move
    assert_undo_redo(canvas, before)


def test_a_node_dragged_onto_another_is_drawn_over_it(canvas, drive):
    drive.add("under", "integer", 0, 0)
    drive.add("over", "integer", 0, 300)  # added last: drawn over the first wherever they overlap
    first = canvas.scene.node_items["under"]
    grab = drive.at(first.pos()) + QPoint(60, 10)
    drive.drag(grab, drive.at(canvas.scene.node_items["over"].pos()) + QPoint(80, 20))
    overlap = first.sceneBoundingRect().intersected(canvas.scene.node_items["over"].sceneBoundingRect())
    assert not overlap.isEmpty()
    assert canvas.scene.itemAt(overlap.center(), canvas.view.transform()) is first
    drive.click(drive.at(canvas.scene.node_items["over"].pos() + QPointF(2, 5)))  # its header, left of the other
    assert canvas.scene.itemAt(overlap.center(), canvas.view.transform()) is canvas.scene.node_items["over"]


def test_the_graph_in_the_middle_stays_there_when_the_canvas_is_resized(canvas, drive, qtbot):
    """A window laid out after a file opened (docks restored), or resized by hand, keeps the graph
    where the person saw it framed."""
    drive.add("a", "integer", 0, 0)
    canvas.view.fit_all()
    middle = canvas.view.mapToScene(canvas.view.viewport().rect().center())
    canvas.view.resize(700, 500)
    qtbot.waitUntil(lambda: canvas.view.viewport().width() < 700)
    moved = canvas.view.mapToScene(canvas.view.viewport().rect().center()) - middle
    assert abs(moved.x()) <= 1 and abs(moved.y()) <= 1


def test_snap_to_grid_rounds_a_moved_node(canvas, drive):
    drive.add("a", "integer", 0, 0)
    canvas.editor.snap_to_grid = True
    grab = drive.at(canvas.scene.node_items["a"].pos()) + QPoint(60, 10)
    drive.drag(grab, grab + QPoint(33, 47))
    x, y = canvas.document.node("a").position
    assert x % 20 == 0 and y % 20 == 0 and (x, y) != (0, 0)


def test_typing_in_a_spin_box_merges_into_one_value_edit(canvas, drive, qtbot):
    drive.add("s", "add", 0, 0)
    item = canvas.scene.node_items["s"]
    before = state(canvas)
    drive.click(drive.at(item.value_rect(item.row("b", False)).center() + item.pos()))
    editor = canvas.editor.inline_editor
    assert editor is not None and isinstance(editor.widget(), QSpinBox)
    spin = editor.widget()
    spin.selectAll()
    qtbot.keyClicks(spin, "125")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: canvas.editor.inline_editor is None)
    assert canvas.document.node("s").inputs["b"] == 125
    assert canvas.document.undo_stack.count() == 2  # the add and one merged edit
    assert_undo_redo(canvas, before)


def test_spin_box_keeps_the_field_bounds(canvas, drive):
    drive.add("n", "noise_image", 0, 0)
    item = canvas.scene.node_items["n"]
    canvas.editor.start_edit(item, item.row("width", False))
    spin = canvas.editor.inline_editor.widget()
    width = canvas.registry.get("noise_image").inputs["width"]
    assert spin.minimum() == width.constraints.get("ge", width.constraints.get("gt", 0) + 1)


def test_a_click_toggles_a_boolean_input(canvas, drive):
    drive.add("b", "boolean", 0, 0)
    item = canvas.scene.node_items["b"]
    before = state(canvas)
    drive.click(drive.at(item.value_rect(item.row("value", False)).center() + item.pos()))
    assert canvas.document.node("b").inputs["value"] is True
    assert canvas.editor.inline_editor is None
    assert_undo_redo(canvas, before)


def test_a_connected_input_hides_its_value_editor(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    item = canvas.scene.node_items["s"]
    spot = item.value_rect(item.row("a", False)).center() + item.pos()
    assert item.editable_row_at(spot) is not None
    canvas.editor.connect_edge(edge("i", "value", "s", "a"))
    assert item.editable_row_at(spot) is None


def test_connect_and_disconnect_undo_and_redo(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    before = state(canvas)
    drive.drag(drive.socket("i", "value", True), drive.socket("s", "b", False))
    assert_undo_redo(canvas, before)
    connected = state(canvas)
    canvas.editor.disconnect([edge("i", "value", "s", "b")])
    assert_undo_redo(canvas, connected)


def test_rename_bypass_and_frame_undo_and_redo(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    before = state(canvas)
    canvas.editor.push(RenameCommand(canvas.document, "s", "Sum"))
    assert canvas.scene.node_items["s"].title() == "Sum"
    assert_undo_redo(canvas, before)
    renamed = state(canvas)
    canvas.scene.node_items["s"].setSelected(True)
    canvas.editor.toggle_bypass()
    assert canvas.document.node("s").bypassed
    assert_undo_redo(canvas, renamed)
    bypassed = state(canvas)
    canvas.scene.node_items["i"].setSelected(True)
    frame_id = canvas.editor.frame_selection("Inputs")
    x, y, w, h = canvas.document.frame(frame_id).rect
    assert w > 520 and h > 96
    assert_undo_redo(canvas, bypassed)


def test_dragging_a_frame_carries_the_nodes_inside(canvas, drive):
    drive.add("i", "integer", 0, 0)
    canvas.scene.node_items["i"].setSelected(True)
    frame_id = canvas.editor.frame_selection("Box")
    canvas.scene.clearSelection()
    before = state(canvas)
    x, y, _w, _h = canvas.document.frame(frame_id).rect
    grab = drive.at(canvas.scene.frame_items[frame_id].pos()) + QPoint(8, 8)
    drive.drag(grab, grab + QPoint(60, 40))
    fx, fy, _, _ = canvas.document.frame(frame_id).rect
    nx, ny = canvas.document.node("i").position
    assert (round(nx - fx), round(ny - fy)) == (round(0 - x), round(0 - y))
    assert (fx, fy) != (x, y)
    assert_undo_redo(canvas, before)


def test_validation_errors_show_on_the_node(canvas, drive, qtbot):
    drive.add("s", "divide", 0, 0, b="not a number")
    canvas.scene.validate()
    item = canvas.scene.node_items["s"]
    assert "b" in item.issues
    assert "invalid value" in item.toolTip()


def test_letters_typed_in_the_palette_are_not_taken_as_shortcuts(canvas, drive, qtbot):
    drive.add("a", "integer", 3000, 3000)
    canvas.view.centerOn(0, 0)
    before = canvas.view.mapToScene(QPoint(0, 0))
    qtbot.keyClick(canvas.view, Qt.Key.Key_Tab)
    qtbot.keyClicks(canvas.view.palette.search, "float")
    assert canvas.view.palette.visible_titles()[0].startswith("Float")
    assert canvas.view.mapToScene(QPoint(0, 0)) == before  # "f" did not frame the selection


def test_a_frame_is_recoloured_through_the_colour_picker(canvas, drive, monkeypatch):
    from nodeeditor.ui.canvas import editors

    drive.add("i", "integer", 0, 0)
    canvas.scene.node_items["i"].setSelected(True)
    frame_id = canvas.editor.frame_selection("Box")
    before = state(canvas)
    monkeypatch.setattr(editors, "pick_color", lambda value, parent: {"r": 255, "g": 0, "b": 0, "a": 255})
    canvas.view.recolor_frame(canvas.scene.frame_items[frame_id])
    assert canvas.document.frame(frame_id).color == "#ff0000"
    assert_undo_redo(canvas, before)
