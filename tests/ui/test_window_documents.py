"""New and Open start from the document's own batch; opening a file does not mark it modified."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nodeeditor.core.workflow import load_workflow
from nodeeditor.ui.canvas.commands import EditValueCommand
from nodeeditor.ui.panels import axis_items as ai
from workflow_builder import build


def seeded():
    return build({"n": ("noise_image", {"width": 8, "height": 8}), "s": "save_image"}, ["n.image -> s.image"],
                 name="seeded")


def edit_a_value(window) -> None:
    """An unsaved edit on the undo stack: discarding it is where a stale batch used to leak."""
    window.document.undo_stack.push(EditValueCommand(window.document, "n", "width", 16, 1))


def test_new_after_a_batch_starts_clean_with_no_axes(app, qtbot, tmp_path):
    window, controller, _store = app
    window.document.load(seeded())
    axis = controller.batch_panel.add_axis("n", "seed")
    axis.use_editor(ai.SEEDS)
    assert window.save_to(tmp_path / "seeded.json")
    edit_a_value(window)
    window.new_document()
    panel = controller.batch_panel
    assert panel.axes() == [] and not panel.issues_label.isVisible()
    assert not panel.issues()
    assert panel.enqueue_button.isEnabled()
    assert not window.document.modified and not window.isWindowModified()


def test_opening_a_saved_batch_keeps_its_editors_and_is_not_modified(app, qtbot, tmp_path):
    window, controller, _store = app
    window.document.load(seeded())
    axis = controller.batch_panel.add_axis("n", "seed")
    seeds = axis.use_editor(ai.SEEDS)
    seeds.count.setValue(3)
    seeds.base.setValue(42)
    path = tmp_path / "seeded.json"
    assert window.save_to(path)
    saved = load_workflow(path).meta
    edit_a_value(window)
    window.new_document()
    window.document.load(seeded())
    edit_a_value(window)
    assert window.open_path(path)
    qtbot.wait(50)
    reopened = controller.batch_panel.axis("n", "seed")
    assert reopened is not None and reopened.editor.kind == ai.SEEDS
    assert reopened.editor.base.value() == 42 and len(reopened.values) == 3
    assert not window.document.modified and not window.isWindowModified()
    assert window.document.workflow.meta == saved


def test_adding_an_axis_is_undone_by_ctrl_z_and_redone(app, qtbot):
    window, controller, _store = app
    window.document.load(seeded())
    edit_a_value(window)
    controller.use_as_axis("n", "seed")
    assert [a.key for a in controller.batch_panel.axes()] == ["n.seed"]
    assert "batch" in window.document.workflow.meta
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert controller.batch_panel.axes() == []
    assert "batch" not in window.document.workflow.meta
    assert window.document.node("n").inputs["width"] == 16, "the earlier edit stays"
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [a.key for a in controller.batch_panel.axes()] == ["n.seed"]
    assert window.document.workflow.meta["batch"]["data"][0][0]["field"] == "seed"


def test_undoing_every_batch_edit_leaves_a_saved_file_unmodified(app, qtbot, tmp_path):
    window, controller, _store = app
    window.document.load(seeded())
    assert window.save_to(tmp_path / "seeded.json")
    controller.use_as_axis("n", "seed")
    assert window.document.modified
    window.document.undo_stack.undo()
    assert not window.document.modified
