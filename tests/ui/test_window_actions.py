"""Menu actions and their shortcuts, worked through the real window with the keyboard."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from .canvas_driver import assert_undo_redo, drive, edge, registry, state, window  # noqa: F401  (fixtures)


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


def test_a_node_from_the_palette_is_centred_on_the_point(window, qtbot):
    view = window.canvas
    middle = view.mapToScene(view.viewport().rect().center())
    palette = view.open_palette(middle)
    qtbot.keyClicks(palette.search, "add")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    rect = window.scene.node_items["add_1"].sceneBoundingRect()
    body = window.scene.node_items["add_1"].body_rect().translated(window.scene.node_items["add_1"].pos())
    assert abs(body.center().x() - middle.x()) < 1 and abs(body.center().y() - middle.y()) < 1
    assert view.visible_scene_rect().contains(rect)


def test_a_node_asked_for_at_the_edge_stays_in_view(window, qtbot):
    view = window.canvas
    corner = view.mapToScene(QPoint(view.viewport().width() - 3, view.viewport().height() - 3))
    palette = view.open_palette(corner)
    qtbot.keyClicks(palette.search, "noise image")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    item = next(iter(window.scene.node_items.values()))
    assert view.visible_scene_rect().contains(item.body_rect().translated(item.pos()))


def test_palette_headers_are_dark_on_light_and_matches_show_their_description(window, qtbot):
    from nodeeditor.ui.palette import SPEC_ROLE, description_line

    palette = window.canvas.open_palette(window.canvas.mapToScene(QPoint(50, 50)))
    header = next(palette.list.item(i) for i in range(palette.list.count())
                  if palette.list.item(i).data(SPEC_ROLE) is None)
    text, back = header.foreground().color(), header.background().color()
    assert back.lightness() - text.lightness() > 120
    image = palette.list.viewport().grab().toImage()
    row = palette.list.visualItemRect(header)
    assert image.pixelColor(row.right() - 4, row.center().y()) == back
    qtbot.keyClicks(palette.search, "blur")
    item = palette.list.currentItem()
    spec = item.data(SPEC_ROLE)
    assert description_line(spec) and spec.description.startswith(description_line(spec))
    shot = palette.list.viewport().grab().toImage()
    rect = palette.list.visualItemRect(item)
    title_end = rect.left() + palette.list.fontMetrics().horizontalAdvance(item.text()) + 30
    inked = {shot.pixelColor(x, y).name() for x in range(title_end, rect.right() - 10)
             for y in range(rect.top(), rect.bottom())}
    assert len(inked) > 2, "the description is painted beside the title"


def test_a_space_or_newline_separator_shows_its_glyph():
    from nodeeditor.ui.canvas.editors import display_value

    assert display_value("string", " ") == "␣"
    assert display_value("string", "\n") == "⏎"
    assert display_value("string", ", ") == ", "


def test_a_long_input_label_fits_before_its_value(window, drive):
    from PySide6.QtGui import QFontMetricsF

    from nodeeditor.ui import theme
    from nodeeditor.ui.canvas.node_rows import LABEL_X

    drive.add("l", "load_image", 0, 0)
    item = window.scene.node_items["l"]
    row = item.row("max_megapixels", False)
    width = QFontMetricsF(theme.font(8.5)).horizontalAdvance(row.title)
    assert LABEL_X + width + 4 <= item.value_rect(row).left()
    assert item.value_rect(row).width() >= 60
    short = item.row("path", False)
    assert item.value_rect(short).left() < item.value_rect(row).left()


def test_add_and_delete_undo_and_redo(window, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    window.editor.connect_edge(edge("i", "value", "s", "a"))
    before = state(window)
    drive.click(drive.at(window.scene.node_items["i"].pos()) + QPoint(40, 10))
    assert window.scene.selected_node_ids() == ["i"]
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Delete)
    assert [n.id for n in window.document.workflow.nodes] == ["s"]
    assert window.document.workflow.edges == []
    assert_undo_redo(window, before)


def test_copy_paste_keeps_links_between_the_pasted_nodes(window, drive, qtbot):
    drive.add("i", "integer", 0, 0, value=5)
    drive.add("s", "add", 320, 0)
    drive.add("t", "add", 640, 0)
    window.editor.connect_edge(edge("i", "value", "s", "a"))
    window.editor.connect_edge(edge("s", "value", "t", "a"))
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


def test_a_selected_link_is_deleted_with_the_delete_key(window, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 400, 0)
    window.editor.connect_edge(edge("i", "value", "s", "a"))
    link = window.scene.link_items[edge("i", "value", "s", "a")]
    middle = link.path().pointAtPercent(0.5)
    drive.click(drive.at(middle))
    assert link.isSelected()
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Delete)
    assert window.document.workflow.edges == []


def test_the_inspector_edits_the_selected_node_with_undo(app, qtbot):
    from PySide6.QtWidgets import QSpinBox

    from workflow_builder import build

    window, controller, _store = app
    window.document.load(build({"n": ("noise_image", {"width": 64}), "s": "save_image"}, ["n.image -> s.image"]))
    window.node_item("n").setSelected(True)
    form = controller.inspector.form
    width = form.fields["width"]
    assert isinstance(width, QSpinBox) and width.value() == 64
    assert "Noise Image" in controller.inspector.plain_text()
    assert window.node_item("n").spec.description.split(".")[0] in controller.inspector.plain_text()
    width.setFocus()
    width.selectAll()
    qtbot.keyClicks(width, "96")
    assert window.document.node("n").inputs["width"] == 96
    assert form.fields["width"] is width, "typing is not interrupted by a rebuild"
    window.document.undo_stack.undo()
    assert window.document.node("n").inputs["width"] == 64
    assert form.fields["width"].value() == 64
    window.scene.clearSelection()
    window.node_item("s").setSelected(True)
    assert "image" not in controller.inspector.form.fields or not controller.inspector.form.fields["image"].isEnabled()


def test_the_inspector_shows_the_last_run(app, qtbot):
    from nodeeditor.engine.events import NodeCompleted, NodeStarted
    from workflow_builder import build

    window, controller, _store = app
    window.document.load(build({"a": ("integer", {"value": 5})}))
    window.node_item("a").setSelected(True)
    controller.board.begin(["a"])
    controller.watched_sessions.add("s")
    controller.bridge.push(NodeStarted(session_id="s", node_id="a", instance_id="a", node_type="integer"))
    controller.bridge.push(NodeCompleted(session_id="s", node_id="a", instance_id="a", node_type="integer",
                                         duration_s=0.0004, outputs={"value": "5"}))
    controller.bridge.flush()
    text = controller.inspector.plain_text()
    assert "Last run" in text and "done" in text and "400 µs" in text and "5" in text


def test_a_seed_beyond_32_bits_can_be_typed_on_the_node(window, drive, qtbot):
    drive.add("n", "noise_image", 0, 0)
    drive.click(drive.value_field("n", "seed"))
    editor = window.editor.inline_editor.widget()
    editor.selectAll()
    qtbot.keyClicks(editor, "4000000000")
    assert window.document.node("n").inputs["seed"] == 4_000_000_000
