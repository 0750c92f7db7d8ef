"""A big graph costs what is on screen and what moves: counted calls into items, not clocks."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsRectItem

from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.ui import theme
from nodeeditor.ui.canvas.commands import MoveCommand
from nodeeditor.ui.canvas.link_item import LinkItem, bezier
from nodeeditor.ui.canvas.node_item import NodeItem

from ..canvas_driver import edge

PER_COLUMN = 100


def layered(nodes: int) -> Workflow:
    """Columns of `add` nodes; each input takes a link from the row beside it in the column before."""
    node_list, edges = [], []
    for i in range(nodes):
        column, row = divmod(i, PER_COLUMN)
        node_list.append({"id": f"n{i}", "type": "add", "position": [column * 280.0, row * 140.0]})
        if column:
            for field, shift in (("a", -1), ("b", 1)):
                source = (column - 1) * PER_COLUMN + min(PER_COLUMN - 1, max(0, row + shift))
                edges.append({"source": {"node": f"n{source}", "field": "value"},
                              "destination": {"node": f"n{i}", "field": field}})
    return parse_workflow({"version": 1, "name": "big", "nodes": node_list, "edges": edges})


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Counts every Python call Qt makes into item geometry and painting.

    The wrappers are installed before any item exists, so Qt sees them as overrides and asks them
    exactly when it would ask a Python item for its bounding rect or its picture."""
    counted: Counter = Counter()

    def wrap(cls: type, name: str, original) -> None:
        def counting(self, *args):
            counted[name] += 1
            return original(self, *args)
        monkeypatch.setattr(cls, name, counting)

    wrap(NodeItem, "boundingRect", QGraphicsRectItem.boundingRect)
    wrap(LinkItem, "boundingRect", QGraphicsRectItem.boundingRect)
    wrap(NodeItem, "paint", NodeItem.paint)
    wrap(LinkItem, "paint", LinkItem.paint)
    return counted


def test_a_pan_frame_asks_only_the_items_on_screen(calls, canvas, qtbot):
    canvas.document.load(layered(10_000))
    view, viewport = canvas.view, canvas.view.viewport()
    assert len(canvas.scene.items()) > 29_000
    view.set_zoom(1.0 / view.zoom())
    view.centerOn(QPointF(3000, 3000))
    qtbot.wait(10)  # let the scene index its items, as the event loop would before the first frame
    viewport.repaint()
    per_frame: list[int] = []
    on_screen: list[int] = []
    for _ in range(5):
        calls.clear()
        view.pan_by(37, 23)
        viewport.repaint()
        per_frame.append(sum(calls.values()))
        on_screen.append(len(canvas.scene.items(view.mapToScene(viewport.rect()).boundingRect())))
    assert 0 < min(on_screen) and max(on_screen) < 300  # of 30,000 items
    assert all(count <= 4 * seen for count, seen in zip(per_frame, on_screen)), (per_frame, on_screen)


def test_dragging_a_node_updates_only_its_own_links(canvas, drive, monkeypatch):
    canvas.document.load(layered(300))
    updated: list[LinkItem] = []
    original = LinkItem.update_path
    monkeypatch.setattr(LinkItem, "update_path", lambda self: (updated.append(self), original(self))[1])
    before = {edge: link.path() for edge, link in canvas.scene.link_items.items()}
    node = canvas.scene.node_items["n150"]
    canvas.view.centerOn(node.pos())
    drive.drag(drive.at(node.pos() + QPointF(60, 10)), drive.at(node.pos() + QPointF(160, 70)))
    own = set(node.links)
    assert len(own) == 4 and set(updated) == own
    changed = {edge for edge, link in canvas.scene.link_items.items() if link.path() != before[edge]}
    assert changed == {link.edge for link in own}
    assert canvas.document.node("n150").position == (node.pos().x(), node.pos().y())


def test_dragging_a_selection_updates_the_links_of_the_selected_nodes_once_per_step(canvas, drive, monkeypatch):
    canvas.document.load(layered(300))
    moved = [canvas.scene.node_items[f"n{i}"] for i in (150, 151, 250)]
    for item in moved:
        item.setSelected(True)
    updated: Counter = Counter()
    original = LinkItem.update_path
    monkeypatch.setattr(LinkItem, "update_path", lambda self: (updated.update([self]), original(self))[1])
    canvas.view.centerOn(moved[0].pos())
    steps = 6
    drive.drag(drive.at(moved[0].pos() + QPointF(60, 10)), drive.at(moved[0].pos() + QPointF(160, 70)), steps=steps)
    own = {link for item in moved for link in item.links}
    assert set(updated) == own
    assert max(updated.values()) <= steps  # a link between two moved nodes is not updated twice a step
    assert canvas.document.undo_stack.count() == 1
    assert all(canvas.scene.node_items[f"n{i}"].isSelected() for i in (150, 151, 250))


def _link_pixels_near(canvas, point: QPointF, color) -> bool:
    image = canvas.view.viewport().grab().toImage()
    at = canvas.view.mapFromScene(point)
    return any(image.pixelColor(at.x() + dx, at.y() + dy).rgb() == color.rgb()
               for dx in range(-2, 3) for dy in range(-2, 3))


def test_far_out_links_are_drawn_as_lines_and_follow_a_moved_node(canvas, drive):
    drive.add("i", "integer", 0, 0)
    drive.add("s", "add", 1600, 900)
    canvas.editor.connect_edge(edge("i", "value", "s", "a"))
    link = canvas.scene.link_items[edge("i", "value", "s", "a")]
    canvas.view.fit_all()
    canvas.view.set_zoom(0.2 / canvas.view.zoom())
    canvas.view.centerOn(link.line().center())
    middle = link.line().center()
    assert _link_pixels_near(canvas, middle, link.color)
    canvas.document.undo_stack.push(MoveCommand(canvas.document, {"s": ((1600.0, 900.0), (1600.0, -900.0))}))
    assert not _link_pixels_near(canvas, middle, link.color), "the old line is gone"
    assert _link_pixels_near(canvas, link.line().center(), link.color)


def test_a_rubber_band_selection_drags_as_a_group_bending_only_the_links_that_leave_it(canvas, drive, monkeypatch):
    canvas.document.load(layered(1_000))
    scene, view = canvas.scene, canvas.view
    view.set_zoom(0.5 / view.zoom())
    view.centerOn(QPointF(4 * 280.0, 20 * 140.0))
    # a person drags a rubber band from the gap between two columns over three columns and ten rows
    drive.drag(drive.at(QPointF(2 * 280.0 + 240, 15 * 140.0 - 30)), drive.at(QPointF(5 * 280.0 + 240, 25 * 140.0 - 30)))
    group = {item for item in scene.node_items.values() if item.isSelected()}
    assert len(group) == 30
    links = {link for item in group for link in item.links}
    inside = {link for link in links if link.source in group and link.destination in group}
    leaving = links - inside
    assert inside and leaving
    before = {edge: link.path() for edge, link in scene.link_items.items()}
    places = {item.node_id: item.pos() for item in scene.node_items.values()}
    bent: Counter = Counter()
    original = LinkItem.update_path
    monkeypatch.setattr(LinkItem, "update_path", lambda self: (bent.update([self]), original(self))[1])

    grip = next(iter(group)).pos() + QPointF(60, 10)
    steps = 5
    drive.drag(drive.at(grip), drive.at(grip + QPointF(100, 60)), steps=steps)

    delta = QPointF(100, 60)
    for node_id, place in places.items():
        item = scene.node_items[node_id]
        assert item.pos() == (place + delta if item in group else place), node_id
        assert canvas.document.node(node_id).position == (item.pos().x(), item.pos().y())
    assert all(bent[link] == steps for link in leaving)  # bent once a step
    assert all(bent[link] <= 1 for link in inside)  # carried whole, its curve made once when dropped
    assert set(bent) <= links  # links away from the group are never asked
    for edge, link in scene.link_items.items():
        assert link.pos() == QPointF(0, 0)
        source, destination = link.ends()
        assert link.path() == bezier(source, destination)
        if link in inside:
            assert link.path() == before[edge].translated(delta)
        elif link not in leaving:
            assert link.path() == before[edge]
    assert canvas.document.undo_stack.count() == 1
    canvas.document.undo_stack.undo()
    assert all(scene.node_items[node_id].pos() == place for node_id, place in places.items())
    assert all(link.path() == before[edge] for edge, link in scene.link_items.items())


def _pixel(canvas, point: QPointF):
    at = canvas.view.mapFromScene(point)
    return canvas.view.viewport().grab().toImage().pixelColor(at.x(), at.y()).rgb()


def test_far_out_the_scene_draws_the_node_boxes_and_they_follow_selection_and_moves(calls, canvas, drive, qtbot):
    canvas.document.load(layered(300))
    view, scene = canvas.view, canvas.scene
    node = scene.node_items["n150"]
    view.set_zoom(0.3 / view.zoom())
    view.centerOn(node.pos())
    qtbot.wait(10)
    header = QPointF(100, 8)
    edge_middle = QPointF(0, node.body_rect().height() / 2)
    math = theme.category_color("math").rgb()
    calls.clear()
    assert _pixel(canvas, node.pos() + header) == math
    assert calls["paint"] == 0, "far out no node or link paints itself"
    assert _pixel(canvas, node.pos() + edge_middle) != theme.NODE_SELECTED.rgb()

    drive.click(drive.at(node.pos() + QPointF(100, 40)))
    assert scene.selected_node_ids() == ["n150"]
    assert _pixel(canvas, node.pos() + edge_middle) == theme.NODE_SELECTED.rgb()

    old = node.pos()
    canvas.document.undo_stack.push(MoveCommand(canvas.document, {"n150": ((old.x(), old.y()), (old.x() + 1400, old.y()))}))
    view.centerOn(old + QPointF(700, 0))
    assert _pixel(canvas, old + header) != math
    assert _pixel(canvas, node.pos() + header) == math
    assert calls["paint"] == 0


def test_a_link_drag_and_its_drop_share_the_graph_built_once_per_edit(canvas, drive, monkeypatch):
    import nodeeditor.ui.canvas.model as model

    canvas.document.load(layered(2_000))
    built: list[object] = []
    original = model.Graph
    monkeypatch.setattr(model, "Graph", lambda workflow: built.append(workflow) or original(workflow))
    scene, view = canvas.scene, canvas.view
    canvas.document.graph()
    assert built == [], "validation after the load built it already"
    # a free input, reached by unlinking it first: n1250.a takes a link from the column before
    taken = canvas.document.edges_into("n1250", "a")
    canvas.editor.disconnect(taken)
    source = scene.node_items["n1150"]
    view.centerOn(source.pos())
    drive.drag(drive.socket("n1150", "value", True), drive.socket("n1250", "a", False))
    assert edge("n1150", "value", "n1250", "a") in canvas.document.workflow.edges
    assert len(built) == 1, "one graph after the unlink serves the drag's checker and the drop's check"
    assert canvas.document.graph().links_into("n1250", "a") == [edge("n1150", "value", "n1250", "a")]
    assert len(built) == 2, "the connection changed the graph: it is built again when next asked"
