"""What the canvas shows about runs and batches survives edits and stays readable."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene
from PySide6.QtTest import QTest

from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import NodeData
from nodeeditor.ui import theme
from nodeeditor.ui.canvas.node_item import NodeItem
from workflow_builder import build


def noise_to_save():
    workflow = build({"n": ("noise_image", {"width": 32, "height": 32}), "s": "save_image"}, ["n.image -> s.image"])
    workflow.node("s").position = (320.0, 0.0)
    return workflow


def badge(item) -> str | None:
    return item.badge[0] if item.badge else None


def test_undo_of_a_delete_brings_the_node_back_with_its_badge_and_thumbnail(app, qtbot):
    window, controller, _store = app
    window.document.load(noise_to_save())
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window.node_item("s")) == "done" and window.node_item("s").thumbnail is not None,
                    timeout=10000)
    window.scene.clearSelection()
    window.node_item("s").setSelected(True)
    window.editor.delete_selected()
    assert window.node_item("s") is None
    window.document.undo_stack.undo()
    item = window.node_item("s")
    assert badge(item) == "done" and item.thumbnail is not None
    window.document.undo_stack.redo()
    window.document.undo_stack.undo()
    assert badge(window.node_item("s")) == "done" and window.node_item("s").thumbnail is not None


def test_an_input_used_as_an_axis_is_marked_and_a_click_opens_the_axis(app, qtbot):
    window, controller, _store = app
    window.document.load(noise_to_save())
    controller.inspector_dock.raise_()
    controller.use_as_axis("n", "width")
    axis = controller.batch_panel.axis("n", "width")
    axis.use_editor("list").text.setPlainText("16\n32\n48")
    item = window.node_item("n")
    assert item.axis_marks == {"width": "⟷ axis: 3 items"}
    controller.inspector_dock.raise_()
    qtbot.wait(20)
    assert controller.batch_dock.visibleRegion().isEmpty()
    row = item.row("width", False)
    where = window.canvas.mapFromScene(item.mapToScene(item.value_rect(row).center()))
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    qtbot.wait(20)
    assert window.editor.inline_editor is None, "the value is not edited: the batch overrides it"
    assert not controller.batch_dock.visibleRegion().isEmpty()
    controller.batch_panel.remove_axis(axis)
    assert window.node_item("n").axis_marks == {}


def paint(item: NodeItem) -> QImage:
    scene = QGraphicsScene()
    scene.addItem(item)
    image = QImage(260, 260, QImage.Format.Format_ARGB32)
    image.fill(QColor("#000000"))
    painter = QPainter(image)
    scene.render(painter, image.rect().toRectF(), item.sceneBoundingRect().adjusted(-20, -20, 20, 20))
    painter.end()
    scene.removeItem(item)
    return image


def test_the_heat_tint_leaves_the_rows_as_they_were(qapp):
    spec = default_registry().get("add")
    node = NodeData(id="a", type="add", position=(0, 0))
    plain = paint(NodeItem(node, spec))
    hot = NodeItem(node, spec)
    hot.set_heat(QColor(230, 60, 40, 180), 0.8)
    heated = paint(hot)
    rows = [(x, y) for x in range(0, 260, 3) for y in range(0, 260, 3)]
    changed = [(x, y) for x, y in rows if plain.pixelColor(x, y) != heated.pixelColor(x, y)]
    assert changed, "the heat shows"
    body_top = 20 + 20 + theme.HEADER_H + 4  # render margin, badge room, header, heat bar
    in_body = [(x, y) for x, y in changed if y > body_top * plain.height() / (hot.sceneBoundingRect().height() + 40)]
    assert not in_body, "rows (labels and values) keep their colours"
