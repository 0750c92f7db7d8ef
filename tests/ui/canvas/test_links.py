"""Links made and refused with the mouse on the real view."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from ..canvas_driver import edge



def test_dragging_from_an_output_to_an_input_connects_them(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    drive.drag(drive.socket("i", "value", True), drive.socket("s", "a", False))
    assert canvas.document.workflow.edges == [edge("i", "value", "s", "a")]
    assert edge("i", "value", "s", "a") in canvas.scene.link_items
    assert "a" in canvas.scene.node_items["s"].connected


def test_an_incompatible_drop_is_refused_with_its_reason(canvas, drive):
    drive.add("t", "string", 0, 0)
    drive.add("s", "add", 320, 0)
    drive.drag(drive.socket("t", "value", True), drive.socket("s", "a", False))
    assert canvas.document.workflow.edges == []
    assert "string cannot connect to integer" in canvas.status()


def test_while_dragging_compatible_sockets_light_and_others_dim(canvas, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    drive.add("t", "string_join", 320, 0) if canvas.registry.get("string_join") else drive.add("t", "string", 320, 0)
    drive.add("s", "add", 320, 200)
    viewport = canvas.view.viewport()
    from PySide6.QtTest import QTest
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, drive.socket("i", "value", True))
    QTest.mouseMove(viewport, drive.socket("s", "a", False) + QPoint(-60, 0))
    target = canvas.scene.node_items["s"].highlight
    assert target[("a", False)] is True
    assert target[("value", True)] is False
    QTest.mouseMove(viewport, drive.socket("s", "a", False))
    assert "Connect to Add" in canvas.status()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, drive.socket("s", "a", False))
    assert canvas.scene.node_items["s"].highlight is None


def test_a_drop_on_an_occupied_single_input_replaces_the_link(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("j", "integer", 0, 200)
    drive.add("s", "add", 320, 0)
    drive.drag(drive.socket("i", "value", True), drive.socket("s", "a", False))
    drive.drag(drive.socket("j", "value", True), drive.socket("s", "a", False))
    assert canvas.document.workflow.edges == [edge("j", "value", "s", "a")]
    canvas.document.undo_stack.undo()
    assert canvas.document.workflow.edges == [edge("i", "value", "s", "a")]


def test_dragging_a_connected_input_away_disconnects_it(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 320, 0)
    canvas.editor.connect_edge(edge("i", "value", "s", "a"))
    drive.drag(drive.socket("s", "a", False), drive.socket("s", "a", False) + QPoint(0, 60))
    assert canvas.document.workflow.edges == []


def test_a_link_that_would_close_a_cycle_is_refused(canvas, drive):
    drive.add("a", "add", 0, 0)
    drive.add("b", "add", 320, 0)
    canvas.editor.connect_edge(edge("a", "value", "b", "a"))
    drive.drag(drive.socket("b", "value", True), drive.socket("a", "a", False))
    assert len(canvas.document.workflow.edges) == 1
    assert "cycle" in canvas.status()


def test_a_collection_on_a_single_input_inserts_an_iterate_node_in_one_step(canvas, drive):
    drive.add("r", "range", 0, 0, stop=3)
    drive.add("s", "add", 500, 0)
    asked = []
    canvas.editor.ask_insert_iterate = lambda reason: asked.append(reason) or True
    drive.drag(drive.socket("r", "collection", True), drive.socket("s", "a", False))
    assert "Iterate" in asked[0]
    types = {n.id: n.type for n in canvas.document.workflow.nodes}
    iterate_id = next(nid for nid, t in types.items() if t == "iterate")
    assert set(canvas.document.workflow.edges) == {edge("r", "collection", iterate_id, "collection"),
                                                   edge(iterate_id, "item", "s", "a")}
    canvas.document.undo_stack.undo()
    assert canvas.document.workflow.edges == []
    assert [n.id for n in canvas.document.workflow.nodes] == ["r", "s"]


def test_dropping_a_link_on_empty_canvas_offers_fitting_nodes_and_connects_the_choice(canvas, drive, qtbot):
    drive.add("t", "string", 0, 0)
    start = drive.socket("t", "value", True)
    drive.drag(start, start + QPoint(250, 120))
    palette = canvas.view.palette
    assert palette is not None and palette.isVisible()
    titles = palette.visible_titles()
    assert titles and "Add" not in titles  # integer inputs cannot take a string
    qtbot.keyClicks(palette.search, "text to cond")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    new = [n for n in canvas.document.workflow.nodes if n.type == "text_to_conditioning"]
    assert len(new) == 1
    assert canvas.document.workflow.edges == [edge("t", "value", new[0].id, "text")]
    canvas.document.undo_stack.undo()
    assert [n.id for n in canvas.document.workflow.nodes] == ["t"]


def test_ctrl_right_drag_cuts_the_links_it_crosses(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("j", "integer", 0, 150)
    drive.add("s", "add", 400, 0)
    canvas.editor.connect_edge(edge("i", "value", "s", "a"))
    canvas.editor.connect_edge(edge("j", "value", "s", "b"))
    top = drive.at(canvas.scene.node_items["s"].pos()) + QPoint(-100, -40)
    drive.drag(top, top + QPoint(0, 400), Qt.MouseButton.RightButton, Qt.KeyboardModifier.ControlModifier)
    assert canvas.document.workflow.edges == []
    canvas.document.undo_stack.undo()
    assert len(canvas.document.workflow.edges) == 2


def test_double_clicking_a_link_splits_it_with_a_reroute_dot(canvas, drive, qtbot):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 500, 0)
    canvas.editor.connect_edge(edge("i", "value", "s", "a"))
    before = canvas.document.snapshot()
    link = canvas.scene.link_items[edge("i", "value", "s", "a")]
    qtbot.mouseDClick(canvas.view.viewport(), Qt.MouseButton.LeftButton, pos=drive.at(link.path().pointAtPercent(0.5)))
    reroute = next(n.id for n in canvas.document.workflow.nodes if n.type == "reroute")
    assert set(canvas.document.workflow.edges) == {edge("i", "value", reroute, "value"),
                                                   edge(reroute, "value", "s", "a")}
    assert canvas.scene.node_items[reroute].compact
    canvas.document.undo_stack.undo()
    assert canvas.document.snapshot() == before


def test_a_link_dragged_from_a_reroute_rim_connects_onwards(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("r", "reroute", 300, 200)
    drive.add("s", "add", 500, 0)
    canvas.editor.connect_edge(edge("i", "value", "r", "value"))
    rim = drive.at(canvas.scene.node_items["r"].pos()) + QPoint(5, 0)
    drive.drag(rim, drive.socket("s", "b", False))
    assert edge("r", "value", "s", "b") in canvas.document.workflow.edges
    middle = drive.at(canvas.scene.node_items["r"].pos())
    drive.drag(middle, middle + QPoint(0, 80))
    assert canvas.document.node("r").position[1] > 200
