"""New, Open and New from Template start from the document's own batch; opening does not mark it modified;
an empty canvas says how to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nodeeditor.core.workflow import load_workflow
from nodeeditor.ui.canvas.commands import EditValueCommand
from nodeeditor.ui.panels import axis_items as ai
from workflow_builder import build

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


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


def test_an_empty_canvas_says_how_to_start_and_the_hint_leaves_with_the_first_node(window, drive):
    hint = window.canvas_hint
    assert hint.isVisible()
    assert "Tab" in hint.text() and "double-click" in hint.text() and "New from Template" in hint.text()
    assert window.canvas.viewport().rect().contains(hint.geometry())
    drive.add("a", "integer", 0, 0)
    assert not hint.isVisible()
    window.document.undo_stack.undo()
    assert hint.isVisible()


def test_new_from_template_opens_the_graph_and_its_batch_ready_to_enqueue(app, qtbot):
    window, controller, store = app
    menu = window.template_menu
    action = next(a for a in menu.actions() if "seed" in a.text().lower())
    assert action.toolTip()
    action.trigger()
    assert {n.id for n in window.document.workflow.nodes} >= {"prompt", "noise", "caption", "save"}
    assert window.document.path is None and not window.document.modified
    assert not window.canvas_hint.isVisible()
    panel = controller.batch_panel
    assert panel.count() == 12 and panel.enqueue_button.isEnabled()
    with qtbot.waitSignal(panel.enqueueRequested, timeout=2000) as asked:
        panel.enqueue_button.click()
    assert asked.args[0].count() == 12
