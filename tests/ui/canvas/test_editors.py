"""Inline editors per field kind, and selection gestures."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QPlainTextEdit

from nodeeditor.core.node import Widget
from nodeeditor.ui.canvas import editors



def click_value(canvas, drive, node_id: str, field: str) -> None:
    item = canvas.scene.node_items[node_id]
    drive.click(drive.at(item.value_rect(item.row(field, False)).center() + item.pos()))


def test_a_choice_input_edits_with_a_combo_box(canvas, drive):
    drive.add("b", "blur_image", 0, 0)
    click_value(canvas, drive, "b", "kind")
    combo = canvas.editor.inline_editor.widget()
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["gaussian", "box"]
    combo.activated.emit(1)
    assert canvas.document.node("b").inputs["kind"] == "box"


def test_a_multiline_input_edits_with_a_text_box(canvas, drive, qtbot):
    drive.add("t", "text_to_conditioning", 0, 0)
    click_value(canvas, drive, "t", "text")
    text = canvas.editor.inline_editor.widget()
    assert isinstance(text, QPlainTextEdit)
    qtbot.keyClicks(text, "two")
    qtbot.keyClick(text, Qt.Key.Key_Return)
    qtbot.keyClicks(text, "lines")
    assert canvas.document.node("t").inputs["text"] == "two\nlines"
    assert canvas.document.undo_stack.count() == 2


def test_a_colour_input_opens_the_colour_picker(canvas, drive, monkeypatch):
    drive.add("c", "color", 0, 0)
    monkeypatch.setattr(editors, "pick_color", lambda value, parent: {"r": 10, "g": 20, "b": 30, "a": 255})
    click_value(canvas, drive, "c", "value")
    assert canvas.document.node("c").inputs["value"] == {"r": 10, "g": 20, "b": 30, "a": 255}


def test_an_image_path_input_opens_the_file_picker(canvas, drive, monkeypatch):
    drive.add("l", "load_image", 0, 0)
    asked = []
    monkeypatch.setattr(editors, "pick_file", lambda inp, value, parent: asked.append(inp) or "/tmp/cat.png")
    click_value(canvas, drive, "l", "path")
    assert asked[0].widget is Widget.FILE and "*.png" in asked[0].file_filter
    assert canvas.document.node("l").inputs["path"] == "/tmp/cat.png"


def test_rubber_band_selects_the_nodes_it_covers(canvas, drive):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 0, 150)
    drive.add("far", "integer", 900, 0)
    canvas.view.centerOn(450, 100)
    start = drive.at(canvas.scene.node_items["a"].pos()) + QPoint(-30, -30)
    end = drive.at(canvas.scene.node_items["b"].sceneBoundingRect().bottomRight()) + QPoint(30, 30)
    drive.drag(start, end)
    assert sorted(canvas.scene.selected_node_ids()) == ["a", "b"]


def test_shift_and_ctrl_clicks_grow_and_toggle_the_selection(canvas, drive):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 300, 0)
    head = {n: drive.at(canvas.scene.node_items[n].pos()) + QPoint(60, 10) for n in ("a", "b")}
    drive.click(head["a"])
    drive.click(head["b"], modifiers=Qt.KeyboardModifier.ShiftModifier)
    assert sorted(canvas.scene.selected_node_ids()) == ["a", "b"]
    drive.click(head["a"], modifiers=Qt.KeyboardModifier.ControlModifier)
    assert canvas.scene.selected_node_ids() == ["b"]
