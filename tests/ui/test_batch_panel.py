"""The batch dock driven like a person would: add axes, type items, zip and multiply, enqueue."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from nodeeditor.core.batch import Batch
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import loads_workflow
from nodeeditor.ui.panels import axis_items as ai
from nodeeditor.ui.panels.batch_panel import BatchPanel
from workflow_builder import build


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def workflow():
    return build({
        "n": ("noise_image", {"width": 64, "height": 64, "seed": 3}),
        "t": ("text_to_conditioning", {"text": "a cat"}),
        "b": ("blur_image", {"radius": 2.0}),
        "l": ("load_image", {"path": "/tmp/in.png"}),
    }, ["n.image -> b.image"])


@pytest.fixture
def panel(qtbot, registry, workflow):
    widget = BatchPanel(registry)
    qtbot.addWidget(widget)
    widget.set_workflow(workflow)
    return widget


def type_items(axis, *lines: str) -> None:
    axis.use_editor(ai.LIST).text.setPlainText("\n".join(lines))


def test_typing_items_into_an_axis_updates_the_count(panel):
    axis = panel.add_axis("t", "text")
    assert panel.count() == 1
    type_items(axis, "a cat", "a dog", "", "a bird")
    assert axis.values == ["a cat", "a dog", "a bird"]
    assert panel.count() == 3
    assert panel.count_label.text().startswith("3 sessions")
    assert panel.enqueue_button.isEnabled()


def test_a_new_axis_starts_from_the_value_on_the_node(panel):
    assert panel.add_axis("t", "text").values == ["a cat"]
    assert panel.add_axis("b", "radius").values == [2.0]


def test_a_three_by_two_product_gives_six_sessions(panel):
    type_items(panel.add_axis("t", "text"), "a", "b", "c")
    seeds = panel.add_axis("n", "seed")
    seeds.editor.count.setValue(2)
    batch = panel.batch()
    assert len(batch.data) == 2
    assert batch.count() == 6 == panel.count()
    assert "6 sessions = 3 × 2 × 1 run" in panel.count_label.text()
    assert [batch.values_at(i)[("t", "text")] for i in range(6)] == ["a", "a", "b", "b", "c", "c"]


def test_runs_multiply_the_count(panel):
    type_items(panel.add_axis("t", "text"), "a", "b", "c")
    panel.runs.setValue(4)
    assert panel.count() == 12


def test_zipping_unequal_lengths_shows_the_reason_and_disables_enqueue(panel):
    text = panel.add_axis("t", "text")
    type_items(text, "a", "b", "c")
    radius = panel.add_axis("b", "radius")
    type_items(radius, "1.0", "2.0")
    assert panel.enqueue_button.isEnabled()
    panel.move_axis(radius, 0)
    assert len(panel.groups) == 1
    assert any("differ in length" in issue for issue in panel.issues())
    assert "t.text has 3, b.radius has 2" in panel.issues_label.text()
    assert not panel.issues_label.isHidden()
    assert not panel.enqueue_button.isEnabled()
    type_items(radius, "1.0", "2.0", "3.0")
    assert panel.issues() == []
    assert panel.enqueue_button.isEnabled()
    assert panel.count() == 3


def test_moving_an_axis_to_its_own_group_multiplies_again(panel):
    text = panel.add_axis("t", "text")
    type_items(text, "a", "b")
    radius = panel.add_axis("b", "radius")
    type_items(radius, "1", "2")
    panel.move_axis(radius, 0)
    assert panel.count() == 2
    panel.move_axis(radius, -1)
    assert len(panel.groups) == 2
    assert panel.count() == 4


def test_a_bad_typed_item_names_its_line_and_blocks_enqueue(panel):
    axis = panel.add_axis("n", "width")
    type_items(axis, "64", "wide")
    assert axis.error.startswith("line 2: 'wide' is not valid")
    assert any("Noise Image (n) › Width: line 2" in issue for issue in panel.issues())
    assert not panel.enqueue_button.isEnabled()


def set_range(axis, start: float, stop: float, step: float) -> None:
    editor = axis.use_editor(ai.RANGE)
    editor.start.setValue(start)
    editor.stop.setValue(stop)
    editor.step.setValue(step)


def test_the_range_editor_gives_start_to_stop_by_step(panel):
    width = panel.add_axis("n", "width")
    set_range(width, 16, 64, 16)
    assert width.values == [16, 32, 48]
    radius = panel.add_axis("b", "radius")
    set_range(radius, 1.0, 2.5, 0.5)
    assert radius.values == [1.0, 1.5, 2.0]
    assert panel.count() == 9


def test_a_range_with_step_zero_is_refused(panel):
    axis = panel.add_axis("n", "width")
    axis.use_editor(ai.RANGE).step.setValue(0)
    assert axis.error == "step must not be 0"
    assert not panel.enqueue_button.isEnabled()


def test_the_seeds_editor_makes_count_repeatable_seeds(panel):
    axis = panel.add_axis("n", "seed")
    assert axis.editor.kind == ai.SEEDS
    axis.editor.count.setValue(5)
    axis.editor.base.setValue(42)
    seeds = list(axis.values)
    assert len(seeds) == 5 == panel.count()
    assert all(0 <= seed <= 2**32 - 1 for seed in seeds)
    axis.editor.base.setValue(43)
    assert axis.values != seeds
    axis.editor.base.setValue(42)
    assert axis.values == seeds


def test_images_from_a_folder_become_load_image_paths(panel, tmp_path):
    from PIL import Image

    for name in ("b.png", "a.jpg"):
        Image.new("RGB", (4, 4)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    axis = panel.add_axis("l", "path")
    assert axis.editor.kind == ai.FOLDER_IMAGES
    axis.editor.set_path(str(tmp_path))
    assert axis.values == [str(tmp_path / "a.jpg"), str(tmp_path / "b.png")]
    assert panel.count() == 2


def test_lines_of_a_text_file_become_items(panel, tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a cat\n\na dog\n", encoding="utf-8")
    axis = panel.add_axis("t", "text")
    axis.use_editor(ai.FILE_LINES).set_path(str(prompts))
    assert axis.values == ["a cat", "a dog"]
    axis.editor.set_path(str(tmp_path / "missing.txt"))
    assert "cannot read" in axis.error


def test_choices_are_ticked(panel):
    axis = panel.add_axis("b", "kind")
    assert axis.editor.kind == ai.CHOICES
    assert axis.values == ["gaussian"]
    axis.editor.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert axis.values == ["gaussian", "box"]


def test_enqueue_emits_the_batch_with_priority_and_front(qtbot, panel):
    type_items(panel.add_axis("t", "text"), "a", "b", "c")
    panel.add_axis("n", "seed").editor.count.setValue(2)
    panel.priority.setValue(7)
    panel.front.setChecked(True)
    with qtbot.waitSignal(panel.enqueueRequested, timeout=1000) as signal:
        qtbot.mouseClick(panel.enqueue_button, Qt.MouseButton.LeftButton)
    batch, priority, front = signal.args
    assert isinstance(batch, Batch)
    assert batch == panel.batch()
    assert batch.count() == 6
    assert batch.data[0][0].items == ["a", "b", "c"]
    assert (priority, front) == (7, True)


def test_nothing_is_enqueued_while_the_batch_is_invalid(qtbot, panel):
    type_items(panel.add_axis("n", "width"), "oops")
    with qtbot.assertNotEmitted(panel.enqueueRequested):
        panel.enqueue()


def test_without_a_workflow_enqueue_is_disabled(qtbot, registry):
    empty = BatchPanel(registry)
    qtbot.addWidget(empty)
    assert "no workflow is open" in empty.issues()
    assert not empty.enqueue_button.isEnabled()
    with pytest.raises(LocatedError, match="open a workflow"):
        empty.add_axis("n", "seed")


def test_an_unknown_field_is_refused_with_node_and_field(panel):
    with pytest.raises(LocatedError) as raised:
        panel.add_axis("n", "nonsense")
    assert raised.value.node == "n" and raised.value.field == "nonsense"


def test_a_node_deleted_from_the_workflow_is_reported(panel, workflow):
    type_items(panel.add_axis("t", "text"), "a", "b")
    panel.set_workflow(build({"n": ("noise_image", {})}))
    assert any("not in the workflow" in issue for issue in panel.issues())
    assert not panel.enqueue_button.isEnabled()


def test_add_axis_offers_only_unlinked_direct_inputs(panel):
    offered = {(node, field.name) for node, field in panel.batchable_fields()}
    assert ("n", "seed") in offered
    assert ("b", "radius") in offered
    assert ("b", "image") not in offered


def test_adding_the_same_field_twice_keeps_one_axis(panel):
    first = panel.add_axis("t", "text")
    assert panel.add_axis("t", "text") is first
    assert len(panel.axes()) == 1


def test_removing_the_last_axis_of_a_group_drops_the_group(panel):
    axis = panel.add_axis("t", "text")
    panel.add_axis("b", "radius")
    panel.remove_axis(axis)
    assert len(panel.groups) == 1
    assert [a.key for a in panel.axes()] == ["b.radius"]


def test_changed_is_emitted_on_every_edit(qtbot, panel):
    axis = panel.add_axis("t", "text")
    with qtbot.waitSignal(panel.changed, timeout=1000):
        type_items(axis, "x", "y")


def test_the_batch_saved_in_workflow_meta_round_trips(qtbot, registry, panel, workflow):
    type_items(panel.add_axis("t", "text"), "a cat", '"quoted"', "  ")
    seeds = panel.add_axis("n", "seed")
    seeds.editor.count.setValue(3)
    seeds.editor.base.setValue(99)
    width = panel.add_axis("n", "width")
    set_range(width, 8, 32, 8)
    panel.move_axis(width, 1)
    kind = panel.add_axis("b", "kind")
    kind.editor.list.item(1).setCheckState(Qt.CheckState.Checked)
    panel.runs.setValue(2)
    saved = panel.batch()
    panel.store_in(workflow)

    reopened = loads_workflow(workflow.to_json())
    assert reopened.meta["batch"] == json.loads(saved.model_dump_json())
    other = BatchPanel(registry)
    qtbot.addWidget(other)
    other.restore_from(reopened)
    assert other.batch() == saved
    assert other.axis("n", "seed").editor.kind == ai.SEEDS
    assert other.axis("n", "seed").editor.base.value() == 99
    assert other.axis("n", "width").editor.kind == ai.RANGE
    assert other.axis("t", "text").values == ["a cat", "quoted"]
    assert other.axis("b", "kind").values == ["gaussian", "box"]
    assert other.runs.value() == 2


def test_a_batch_without_editor_settings_opens_as_lists_or_choices(qtbot, panel):
    batch = Batch.model_validate({"runs": 1, "data": [
        [{"node": "n", "field": "seed", "items": [5, 6]}, {"node": "b", "field": "kind", "items": ["box"]}],
    ]})
    panel.set_batch(batch)
    assert panel.axis("n", "seed").editor.kind == ai.LIST
    assert panel.axis("b", "kind").editor.kind == ai.CHOICES
    assert panel.batch() == batch
    assert any("differ in length" in issue for issue in panel.issues())


def test_a_large_batch_is_checked_once_typing_pauses(qtbot, panel):
    from nodeeditor.ui.panels.batch_panel import IMMEDIATE_CHECK_ITEMS

    seeds = panel.add_axis("n", "seed")
    seeds.editor.count.setValue(IMMEDIATE_CHECK_ITEMS + 1)
    assert panel.count() == IMMEDIATE_CHECK_ITEMS + 1
    assert not panel.enqueue_button.isEnabled()
    qtbot.waitUntil(panel.enqueue_button.isEnabled, timeout=3000)
    assert panel.issues() == []


@pytest.mark.parametrize("kind", [ai.LIST, ai.SEEDS, ai.RANGE, ai.FILE_LINES])
def test_a_long_axis_title_is_cut_and_its_buttons_stay_in_view(qtbot, panel, workflow, kind):
    workflow.node("n").label = "A noise image whose label goes on and on far past the dock's edge"
    panel.set_workflow(workflow)
    axis = panel.add_axis("n", "seed")
    axis.use_editor(kind)
    panel.resize(380, 600)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(20)
    assert not panel.scroll.horizontalScrollBar().isVisible()
    assert axis.title.is_elided() and axis.title.shown_text().endswith("…")
    assert "goes on and on" in axis.title.toolTip()
    viewport = panel.scroll.viewport()
    for button in (axis.move_button, axis.picker):
        right = button.mapTo(viewport, button.rect().topRight()).x()
        assert 0 < right <= viewport.width()
