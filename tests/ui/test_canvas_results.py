"""Results on the canvas: Show Value paints what it received, Preview Image a large picture, and
every node lists its last outputs when the pointer rests on it."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from nodeeditor.ui import theme
from nodeeditor.ui.canvas.value_display import shown_from_summary
from workflow_builder import build


def results_graph():
    workflow = build({
        "n": ("integer", {"value": 4}), "show_n": "show_value",
        "r": ("range", {"start": 0, "stop": 5, "step": 1}), "show_r": "show_value",
        "c": ("color", {"value": {"r": 255, "g": 128, "b": 0, "a": 255}}), "show_c": "show_value",
        "t": ("string", {"value": "a cat on a mat"}), "show_t": "show_value",
        "img": ("noise_image", {"width": 32, "height": 32}), "preview": "preview_image",
    }, ["n.value -> show_n.value", "r.collection -> show_r.value", "c.value -> show_c.value",
        "t.value -> show_t.value", "img.image -> preview.image"])
    for row, node in enumerate(workflow.nodes):
        node.position = (300.0 * (row % 2), 260.0 * (row // 2))
    return workflow


def test_show_value_and_preview_image_show_the_run_on_the_canvas(app, qtbot):
    window, controller, _store = app
    window.document.load(results_graph())
    before = window.node_item("show_n").body_rect().height()
    controller.invoke()
    item = window.node_item
    qtbot.waitUntil(lambda: all(item(n).shown is not None for n in ("show_n", "show_r", "show_c", "show_t"))
                    and item("preview").thumbnail is not None, timeout=10000)
    assert item("show_n").shown.text == "4"
    assert item("show_n").body_rect().height() > before, "the value has room in the body"
    assert item("show_r").shown.heading == "5 items" and item("show_r").shown.text == "0, 1, 2, 3, 4"
    assert item("show_c").shown.color == QColor(255, 128, 0) and item("show_c").shown.text == "#ff8000"
    assert item("show_t").shown.text == "a cat on a mat"
    preview = item("preview")
    assert preview.thumbnail.height() > theme.THUMB_H
    assert preview.body_rect().height() > preview.thumbnail.height()
    assert window.document.workflow == window.document.workflow  # nothing edited by showing


def test_every_node_lists_its_last_outputs_on_hover(app, qtbot):
    window, controller, _store = app
    window.document.load(results_graph())
    controller.invoke()
    item = window.node_item("r")
    qtbot.waitUntil(lambda: bool(item.outputs), timeout=10000)
    view = window.canvas
    view.centerOn(item)
    QTest.mouseMove(view.viewport(), view.mapFromScene(item.mapToScene(item.body_rect().center().x(), theme.HEADER_H / 2)))
    qtbot.waitUntil(lambda: "Last run:" in item.toolTip(), timeout=2000)
    assert "collection = [0, 1, 2, 3, 4]" in item.toolTip()
    row = item.row("collection", True)
    QTest.mouseMove(view.viewport(), view.mapFromScene(item.mapToScene(theme.NODE_WIDTH - 30, row.y)))
    qtbot.waitUntil(lambda: "last run: [0, 1, 2, 3, 4]" in item.toolTip(), timeout=2000)


def test_summaries_read_as_a_person_expects():
    assert shown_from_summary("'two\\nlines'").text == "two\nlines"
    assert shown_from_summary("[12 items]").heading == "12 items"
    assert shown_from_summary("0.30000000000000004").text == "0.3"
    assert shown_from_summary("'" + "x" * 78 + "…").text.startswith("xxx")
    assert shown_from_summary("image_name=img_1.png").text == "image_name=img_1.png"
    assert shown_from_summary("r=0, g=0, b=0, a=128").color.alpha() == 128
    assert shown_from_summary("' '").heading == "(blank text)"
