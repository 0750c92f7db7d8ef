"""Editing on the canvas with mouse and keyboard; every edit undoes and redoes as one step."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QSpinBox

from nodeeditor.core.workflow import Edge, Endpoint
from nodeeditor.ui.canvas.commands import RenameCommand

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def edge(src: str, sf: str, dst: str, df: str) -> Edge:
    return Edge(source=Endpoint(node=src, field=sf), destination=Endpoint(node=dst, field=df))


def state(window) -> str:
    return window.document.snapshot().to_json()


def assert_undo_redo(window, before: str) -> None:
    """One undo returns to `before`, one redo to what the edit made."""
    after = state(window)
    assert after != before
    window.document.undo_stack.undo()
    assert state(window) == before
    window.document.undo_stack.redo()
    assert state(window) == after


def test_typing_in_the_palette_adds_the_node_under_the_cursor(window, qtbot):
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)
    palette = window.canvas.palette
    assert palette.isVisible()
    qtbot.keyClicks(palette.search, "add")
    assert palette.visible_titles()[0] == "Add"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert [n.type for n in window.document.workflow.nodes] == ["add"]
    assert "add_1" in window.scene.node_items
    assert window.canvas.palette is None or not window.canvas.palette.isVisible()


def test_the_empty_palette_lists_categories_and_arrows_skip_headers(window, qtbot):
    palette = window.canvas.open_palette(window.canvas.mapToScene(QPoint(100, 100)))
    headers = [palette.list.item(i).text() for i in range(palette.list.count())
               if palette.list.item(i).data(Qt.ItemDataRole.UserRole) is None]
    assert "MATH" in headers and "PRIMITIVES" in headers
    first = palette.list.currentItem().data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    second = palette.list.currentItem().data(Qt.ItemDataRole.UserRole)
    assert first is not None and second is not None and first is not second
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    assert window.document.workflow.nodes == []


def test_double_click_on_empty_canvas_opens_the_palette(window, qtbot):
    qtbot.mouseDClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    assert window.canvas.palette is not None and window.canvas.palette.isVisible()


def test_add_and_delete_undo_and_redo(window, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    window.scene.connect_edge(edge("i", "value", "s", "a"))
    before = state(window)
    drive.click(drive.at(window.scene.node_items["i"].pos()) + QPoint(40, 10))
    assert window.scene.selected_node_ids() == ["i"]
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Delete)
    assert [n.id for n in window.document.workflow.nodes] == ["s"]
    assert window.document.workflow.edges == []
    assert_undo_redo(window, before)


def test_dragging_several_selected_nodes_is_one_move_step(window, drive):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 0, 200)
    before = state(window)
    for item in window.scene.node_items.values():
        item.setSelected(True)
    grab = drive.at(window.scene.node_items["a"].pos()) + QPoint(60, 10)
    drive.drag(grab, grab + QPoint(100, 50))
    zoom = window.canvas.zoom()
    ax, ay = window.document.node("a").position
    bx, by = window.document.node("b").position
    assert (round(ax * zoom), round(ay * zoom)) == (100, 50)
    assert (bx - ax, by - ay) == (0, 200)
    assert window.document.undo_stack.count() == 3  # two adds and one move
    assert_undo_redo(window, before)


def test_snap_to_grid_rounds_a_moved_node(window, drive):
    drive.add("a", "integer", 0, 0)
    window.scene.snap_to_grid = True
    grab = drive.at(window.scene.node_items["a"].pos()) + QPoint(60, 10)
    drive.drag(grab, grab + QPoint(33, 47))
    x, y = window.document.node("a").position
    assert x % 20 == 0 and y % 20 == 0 and (x, y) != (0, 0)


def test_typing_in_a_spin_box_merges_into_one_value_edit(window, drive, qtbot):
    drive.add("s", "add", 0, 0)
    item = window.scene.node_items["s"]
    before = state(window)
    drive.click(drive.at(item.value_rect(item.row("b", False)).center() + item.pos()))
    editor = window.scene.editor
    assert editor is not None and isinstance(editor.widget(), QSpinBox)
    spin = editor.widget()
    spin.selectAll()
    qtbot.keyClicks(spin, "125")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.scene.editor is None)
    assert window.document.node("s").inputs["b"] == 125
    assert window.document.undo_stack.count() == 2  # the add and one merged edit
    assert_undo_redo(window, before)


def test_spin_box_keeps_the_field_bounds(window, drive):
    drive.add("n", "noise_image", 0, 0)
    item = window.scene.node_items["n"]
    window.scene.start_edit(item, item.row("width", False))
    spin = window.scene.editor.widget()
    width = window.registry.get("noise_image").inputs["width"]
    assert spin.minimum() == width.constraints.get("ge", width.constraints.get("gt", 0) + 1)


def test_a_click_toggles_a_boolean_input(window, drive):
    drive.add("b", "boolean", 0, 0)
    item = window.scene.node_items["b"]
    before = state(window)
    drive.click(drive.at(item.value_rect(item.row("value", False)).center() + item.pos()))
    assert window.document.node("b").inputs["value"] is True
    assert window.scene.editor is None
    assert_undo_redo(window, before)


def test_a_connected_input_hides_its_value_editor(window, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    item = window.scene.node_items["s"]
    spot = item.value_rect(item.row("a", False)).center() + item.pos()
    assert item.editable_row_at(spot) is not None
    window.scene.connect_edge(edge("i", "value", "s", "a"))
    assert item.editable_row_at(spot) is None


def test_connect_and_disconnect_undo_and_redo(window, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    before = state(window)
    drive.drag(drive.socket("i", "value", True), drive.socket("s", "b", False))
    assert_undo_redo(window, before)
    connected = state(window)
    window.scene.disconnect([edge("i", "value", "s", "b")])
    assert_undo_redo(window, connected)


def test_rename_bypass_and_frame_undo_and_redo(window, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    before = state(window)
    window.scene.push(RenameCommand(window.document, "s", "Sum"))
    assert window.scene.node_items["s"].title() == "Sum"
    assert_undo_redo(window, before)
    renamed = state(window)
    window.scene.node_items["s"].setSelected(True)
    window.scene.toggle_bypass()
    assert window.document.node("s").bypassed
    assert_undo_redo(window, renamed)
    bypassed = state(window)
    window.scene.node_items["i"].setSelected(True)
    frame_id = window.scene.frame_selection("Inputs")
    x, y, w, h = window.document.frame(frame_id).rect
    assert w > 520 and h > 96
    assert_undo_redo(window, bypassed)


def test_dragging_a_frame_carries_the_nodes_inside(window, drive):
    drive.add("i", "integer", 0, 0)
    window.scene.node_items["i"].setSelected(True)
    frame_id = window.scene.frame_selection("Box")
    window.scene.clearSelection()
    before = state(window)
    x, y, _w, _h = window.document.frame(frame_id).rect
    grab = drive.at(window.scene.frame_items[frame_id].pos()) + QPoint(8, 8)
    drive.drag(grab, grab + QPoint(60, 40))
    fx, fy, _, _ = window.document.frame(frame_id).rect
    nx, ny = window.document.node("i").position
    assert (round(nx - fx), round(ny - fy)) == (round(0 - x), round(0 - y))
    assert (fx, fy) != (x, y)
    assert_undo_redo(window, before)


def test_copy_paste_keeps_links_between_the_pasted_nodes(window, drive, qtbot):
    drive.add("i", "integer", 0, 0, value=5)
    drive.add("s", "add", 320, 0)
    drive.add("t", "add", 640, 0)
    window.scene.connect_edge(edge("i", "value", "s", "a"))
    window.scene.connect_edge(edge("s", "value", "t", "a"))
    window.scene.node_items["i"].setSelected(True)
    window.scene.node_items["s"].setSelected(True)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "nodeeditor-clipboard" in QApplication.clipboard().text()
    before = state(window)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    nodes = {n.id: n for n in window.document.workflow.nodes}
    assert len(nodes) == 5
    pasted = sorted(set(nodes) - {"i", "s", "t"})
    new_int = next(n for n in pasted if nodes[n].type == "integer")
    new_add = next(n for n in pasted if nodes[n].type == "add")
    assert nodes[new_int].inputs == {"value": 5}
    assert edge(new_int, "value", new_add, "a") in window.document.workflow.edges
    assert len(window.document.workflow.edges) == 3  # the link to t is not copied
    assert sorted(window.scene.selected_node_ids()) == pasted
    assert_undo_redo(window, before)


def test_duplicate_copies_the_selection_in_one_step(window, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    window.scene.node_items["i"].setSelected(True)
    before = state(window)
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [n.type for n in window.document.workflow.nodes] == ["integer", "integer"]
    assert_undo_redo(window, before)


def test_validation_errors_show_on_the_node(window, drive, qtbot):
    drive.add("s", "divide", 0, 0, b="not a number")
    window.scene.validate()
    item = window.scene.node_items["s"]
    assert "b" in item.issues
    assert "invalid value" in item.toolTip()


def test_letters_typed_in_the_palette_are_not_taken_as_shortcuts(window, drive, qtbot):
    drive.add("a", "integer", 3000, 3000)
    window.canvas.centerOn(0, 0)
    before = window.canvas.mapToScene(QPoint(0, 0))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)
    qtbot.keyClicks(window.canvas.palette.search, "float")
    assert window.canvas.palette.visible_titles()[0].startswith("Float")
    assert window.canvas.mapToScene(QPoint(0, 0)) == before  # "f" did not frame the selection


def test_f_frames_the_selection_and_home_fits_everything(window, drive, qtbot):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 4000, 2500)
    window.scene.node_items["b"].setSelected(True)
    qtbot.keyClick(window.canvas, Qt.Key.Key_F)
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.node_items["b"].sceneBoundingRect())
    assert not visible.contains(window.scene.node_items["a"].sceneBoundingRect())
    qtbot.keyClick(window.canvas, Qt.Key.Key_Home)
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.node_items["a"].sceneBoundingRect())


def test_a_frame_is_recoloured_through_the_colour_picker(window, drive, monkeypatch):
    from nodeeditor.ui.canvas import editors

    drive.add("i", "integer", 0, 0)
    window.scene.node_items["i"].setSelected(True)
    frame_id = window.scene.frame_selection("Box")
    before = state(window)
    monkeypatch.setattr(editors, "pick_color", lambda value, parent: {"r": 255, "g": 0, "b": 0, "a": 255})
    window.canvas.recolor_frame(window.scene.frame_items[frame_id])
    assert window.document.frame(frame_id).color == "#ff0000"
    assert_undo_redo(window, before)
