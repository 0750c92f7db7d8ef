"""Menu actions and their shortcuts, worked through the real window with the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def test_ctrl_g_frames_the_selected_nodes(window, drive, qtbot):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 300, 0)
    for item in window.scene.node_items.values():
        item.setSelected(True)
    qtbot.keyClick(window.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    frames = window.document.workflow.frames
    assert len(frames) == 1 and frames[0].title == "Frame"
    frame_rect = window.scene.frame_items[frames[0].id].sceneBoundingRect()
    for item in window.scene.node_items.values():
        assert frame_rect.contains(item.sceneBoundingRect())
