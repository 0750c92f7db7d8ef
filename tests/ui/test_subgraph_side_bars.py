"""Inside a subgraph, the side bars list its ports; a person adds one by dragging a link from an
inner socket onto a bar (or with + and a pick), renames one by double-clicking it, removes one with
− or Delete. Each edit is one undo step and moves the links of the nodes that use the subgraph."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from nodeeditor.core.workflow import Endpoint

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)
from .test_subgraph_canvas import chain, convert, edge, outputs, state


def inside(window, drive, qtbot) -> str:
    """The chain with a1, a2 in a subgraph (ports a, b -> value), shown from inside."""
    chain(window, drive)
    group = convert(window, drive, qtbot, "a1", "a2")
    window.subgraphs.enter(group)
    return group


def bars(window):
    return window.subgraphs.bars


def in_viewport(bar, widget_pos: QPoint) -> QPoint:
    return bar.mapTo(bar.parentWidget(), widget_pos)


def row_pos(bar, name: str) -> QPoint:
    """Centre of a port's row, in the list's viewport."""
    item = next(bar.list.item(i) for i in range(bar.list.count()) if bar.list.item(i).data(Qt.ItemDataRole.UserRole) == name)
    return bar.list.visualItemRect(item).center()


def on_row(bar, name: str) -> QPoint:
    return bar.list.viewport().mapTo(bar.parentWidget(), row_pos(bar, name))


def below_rows(bar) -> QPoint:
    """A point on the bar that is no row: its title line."""
    return in_viewport(bar, bar.title.geometry().center())


def names(bar) -> list[str]:
    return bar.names()


def test_the_bars_show_only_inside_and_list_the_ports(window, drive, qtbot):
    chain(window, drive)
    assert not bars(window).inputs.isVisible() and not bars(window).outputs.isVisible()
    group = convert(window, drive, qtbot, "a1", "a2")
    window.subgraphs.enter(group)
    left, right = bars(window).inputs, bars(window).outputs
    assert left.isVisible() and right.isVisible()
    assert names(left) == ["a", "b"] and names(right) == ["value"]
    viewport = window.canvas.viewport().rect()
    assert left.geometry().left() < viewport.center().x() < right.geometry().left()
    assert "a1.a" in left.list.item(0).toolTip()
    window.subgraphs.leave()
    assert not left.isVisible() and not right.isVisible()


def test_dragging_an_inner_input_onto_the_inputs_bar_adds_a_port_in_one_step(window, drive, qtbot, registry):
    group = inside(window, drive, qtbot)
    doc = window.document
    before = state(window)
    drive.drag(drive.socket("a1", "b", False), below_rows(bars(window).inputs))
    assert names(bars(window).inputs) == ["a", "b", "b_2"]
    port = doc.definition().inputs[2]
    assert port.targets == [Endpoint(node="a1", field="b")]
    window.subgraphs.leave()
    assert "b_2" in {r.field for r in window.scene.node_items[group].rows}
    assert outputs(window, registry) == {"m": {"value": (5 + 1 + 5) * 2}}  # the inner value still counts
    doc.undo_stack.undo()
    doc.undo_stack.undo()  # the step back out, then the port
    assert state(window) == before and doc.level == [group]


def test_dragging_an_inner_output_onto_the_outputs_bar_adds_an_output_port(window, drive, qtbot):
    inside(window, drive, qtbot)
    drive.drag(drive.socket("a1", "value", True), below_rows(bars(window).outputs))
    assert names(bars(window).outputs) == ["value", "value_2"]
    assert window.document.definition().outputs[1].source == Endpoint(node="a1", field="value")


def test_a_link_dropped_on_an_input_row_feeds_one_more_field_from_that_port(window, drive, qtbot, registry):
    inside(window, drive, qtbot)
    drive.drag(drive.socket("a1", "b", False), on_row(bars(window).inputs, "a"))
    assert window.document.definition().inputs[0].targets == [Endpoint(node="a1", field="a"),
                                                               Endpoint(node="a1", field="b")]
    window.subgraphs.leave()
    assert outputs(window, registry) == {"m": {"value": (5 + 5 + 5) * 2}}


def test_a_socket_dropped_on_the_wrong_bar_changes_nothing_and_says_why(window, drive, qtbot):
    inside(window, drive, qtbot)
    before = state(window)
    drive.drag(drive.socket("a1", "b", False), below_rows(bars(window).outputs))
    assert state(window) == before
    assert "Drop an output socket on the Outputs bar" in window.statusBar().currentMessage()


def test_double_clicking_a_port_renames_it_and_the_outer_links_follow(window, drive, qtbot):
    group = inside(window, drive, qtbot)
    left = bars(window).inputs
    before = state(window)
    for click in (QTest.mouseClick, QTest.mouseDClick):  # a double-click: a click, then the second press
        click(left.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, row_pos(left, "a"))
    editor = left.list.findChild(QLineEdit)
    assert editor is not None and editor.text() == "a"
    editor.selectAll()
    QTest.keyClicks(editor, "start")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: names(left) == ["start", "b"])  # the view commits its editor's text queued
    window.subgraphs.leave()
    assert edge("n", "value", group, "start") in window.document.workflow.edges
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert state(window) == before


def test_a_rename_to_a_taken_name_is_refused_and_the_row_keeps_its_name(window, drive, qtbot):
    inside(window, drive, qtbot)
    left = bars(window).inputs
    before = state(window)
    left.list.item(0).setText("b")  # what the row's editor commits
    assert state(window) == before and names(left) == ["a", "b"] and left.list.item(0).text() == "a"
    assert "already called 'b'" in window.statusBar().currentMessage()


def test_minus_and_delete_remove_the_selected_port_with_its_outer_links(window, drive, qtbot):
    group = inside(window, drive, qtbot)
    left, right = bars(window).inputs, bars(window).outputs
    before = state(window)
    QTest.mouseClick(left.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     row_pos(left, "b"))
    QTest.mouseClick(left.remove_button, Qt.MouseButton.LeftButton)
    assert names(left) == ["a"]
    QTest.mouseClick(right.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     row_pos(right, "value"))
    QTest.keyClick(right.list, Qt.Key.Key_Delete)
    assert names(right) == []
    window.subgraphs.leave()
    edges = window.document.workflow.edges
    assert edge("n", "value", group, "b") not in edges and not any(e.source.node == group for e in edges)
    for _ in range(3):
        window.document.undo_stack.undo()
    assert state(window) == before


def test_plus_offers_the_inner_fields_not_yet_ports_and_adds_the_one_picked(window, drive, qtbot):
    inside(window, drive, qtbot)
    left = bars(window).inputs
    offered: list[str] = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        sub = next(a.menu() for a in menu.actions() if a.menu() and "(a1)" in a.text())
        offered.extend(a.text() for a in sub.actions())
        next(a for a in sub.actions() if a.text() == "B").trigger()
        menu.close()

    QTimer.singleShot(50, choose)
    QTest.mouseClick(left.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(left) == ["a", "b", "b_2"])
    assert offered == ["B"]  # a1.a is a port already
    assert window.document.definition().inputs[2].targets == [Endpoint(node="a1", field="b")]
