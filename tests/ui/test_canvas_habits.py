"""Canvas habits from Blender and ComfyUI: Shift+A, M, H, the minimap; and the Help menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from nodeeditor.core.workflow import EDGE

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def select(window, *ids: str) -> None:
    window.scene.clearSelection()
    for node_id in ids:
        window.node_item(node_id).setSelected(True)


def test_shift_a_opens_the_node_search(window, qtbot):
    qtbot.keyClick(window.canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert window.canvas.palette is not None and window.canvas.palette.isVisible()


def test_m_bypasses_the_selection_and_again_enables_it(window, drive, qtbot):
    drive.add("a", "integer", 0, 0)
    select(window, "a")
    qtbot.keyClick(window.canvas, Qt.Key.Key_M)
    assert window.document.node("a").bypassed
    qtbot.keyClick(window.canvas, Qt.Key.Key_M)
    assert not window.document.node("a").bypassed


def test_typing_m_or_h_in_a_value_edits_the_text(window, drive, qtbot):
    drive.add("t", "string", 0, 0)
    drive.click(drive.value_field("t", "value"))
    editor = window.editor.inline_editor.widget()
    qtbot.keyClicks(editor, "hm")
    assert window.document.node("t").inputs["value"] == "hm"
    assert not window.document.node("t").bypassed and not window.node_item("t").collapsed


def test_h_collapses_to_the_header_and_back_with_undo(window, drive, qtbot):
    drive.add("a", "integer", 0, 0)
    drive.add("s", "add", 300, 0)
    window.editor.connect_edge(EDGE.validate_python(
        {"source": {"node": "a", "field": "value"}, "destination": {"node": "s", "field": "a"}}))
    item = window.node_item("s")
    full = item.body_rect().height()
    link = item.links[0]
    end_before = link.ends()[1]
    select(window, "s")
    qtbot.keyClick(window.canvas, Qt.Key.Key_H)
    assert item.collapsed and item.body_rect().height() < full
    assert window.document.workflow.meta["collapsed"] == ["s"]
    assert link.ends()[1].y() < end_before.y(), "the link now ends at the header"
    window.document.undo_stack.undo()
    assert not item.collapsed and item.body_rect().height() == full
    window.document.undo_stack.redo()
    assert item.collapsed


def test_collapsed_nodes_stay_collapsed_after_save_and_open(window, drive, qtbot, tmp_path):
    drive.add("a", "integer", 0, 0)
    select(window, "a")
    qtbot.keyClick(window.canvas, Qt.Key.Key_H)
    window.save_to(tmp_path / "c.json")
    window.new_document()
    window.open_path(tmp_path / "c.json")
    assert window.node_item("a").collapsed


def test_the_minimap_shows_the_graph_and_a_click_pans_the_view(window, drive, qtbot):
    for i in range(6):
        drive.add(f"n{i}", "integer", i * 900.0, (i % 2) * 700.0)
    window.minimap_action.trigger()
    minimap = window.minimap
    assert minimap.isVisible()
    viewport = window.canvas.viewport()
    corner = minimap.geometry()
    assert corner.right() > viewport.width() - 40 and corner.bottom() > viewport.height() - 40
    window.canvas.centerOn(0, 0)
    world = minimap.world()
    target = window.node_item("n5").sceneBoundingRect().center()
    where = minimap.to_map(world, window.node_item("n5").sceneBoundingRect()).center().toPoint()
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    centre = window.canvas.mapToScene(viewport.rect().center())
    assert abs(centre.x() - target.x()) < 80 and abs(centre.y() - target.y()) < 80
    image = minimap.grab().toImage()
    assert len({image.pixelColor(x, y).name() for x in range(0, image.width(), 3)
                for y in range(0, image.height(), 3)}) > 3, "boxes and the view frame are drawn"
    window.minimap_action.trigger()
    assert not minimap.isVisible()
    assert window.settings.value("canvas/minimap", type=bool) is False


def test_keyboard_shortcuts_are_read_from_the_actions(window):
    from nodeeditor.ui.help import shortcut_rows, shortcuts_html

    rows = {(text, keys) for _menu, text, keys in shortcut_rows(window)}
    assert ("Frame Selection", "Ctrl+G") in rows
    assert ("Bypass / Enable", "Ctrl+B, M") in rows
    assert ("Collapse / Expand", "H") in rows
    assert ("Add Node", "Shift+A") in rows
    window.help_menu.actions()[0].trigger()
    dialog = window.help_dialogs[0]
    assert "Ctrl+G" in dialog.browser.toPlainText() and "Shift+A" in shortcuts_html(window)
    dialog.close()


def test_node_reference_lists_every_node_with_its_inputs_and_outputs(window, registry):
    window.help_menu.actions()[1].trigger()
    text = window.help_dialogs[0].browser.toPlainText()
    for spec in registry:
        assert spec.title in text
    assert "Show Value" in text and "Any value to show" in text
    window.help_dialogs[0].close()
