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


def test_a_long_status_message_is_cut_before_the_counts_and_readable_whole(app, qtbot):
    window, controller, _store = app
    window.resize(1200, 800)
    long = "Not queued: " + "the node named something long has a problem with its input; " * 6
    window.statusBar().showMessage(long, 10000)
    qtbot.wait(20)
    label = window.statusBar().message
    assert window.statusBar().currentMessage() == long
    assert label.toolTip() == long and label.shown_text().endswith("…")
    right_edge = label.mapTo(window, label.rect().topRight()).x()
    counts = controller.status.counts_label
    assert right_edge < counts.mapTo(window, counts.rect().topLeft()).x()
    assert window.statusBar().history[0] == long
