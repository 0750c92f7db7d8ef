"""Mouse gestures on the canvas, one class each; the canvas editor starts one on a press and hands
it the mouse events while it runs. `move` and `release` say whether they took the event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsPathItem, QGraphicsSceneMouseEvent, QToolTip

from nodeeditor.core.workflow import Edge, Endpoint

from .. import theme
from .link_item import LinkItem, bezier
from .node_item import NodeItem
from .node_rows import Row

if TYPE_CHECKING:
    from .editor import CanvasEditor


class Interaction:
    """A gesture in progress: it gets move and release, and removes its own temporary items."""

    def __init__(self, editor: "CanvasEditor") -> None:
        self.editor = editor
        self.scene = editor.scene

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        return True

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        return True

    def cancel(self) -> None:
        pass


class NewLinkInteraction(Interaction):
    """Drag from a socket: compatible sockets light up, incompatible ones dim, the drop connects.

    Starting on a connected single input picks that link up: dropped on another input it moves
    there, dropped anywhere else it is removed.
    """

    def __init__(self, editor: "CanvasEditor", item: NodeItem, row: Row, pos: QPointF) -> None:
        super().__init__(editor)
        scene = self.scene
        self.detached: Edge | None = None
        if not row.output:
            existing = scene.document.edges_into(item.node_id, row.field)
            if existing and not (row.spec and row.spec.multi):
                self.detached = existing[-1]
                src = existing[-1].source
                item, row = scene.node_items[src.node], scene.node_items[src.node].row(src.field, True)
                scene.link_items[self.detached].setVisible(False)
                scene.overview_changed()
        self.item, self.row = item, row
        self.anchor = item.socket_pos(row.field, row.output)
        self.path = QGraphicsPathItem()
        self.path.setPen(QPen(theme.kind_color(row.type.kind), theme.LINK_WIDTH, Qt.PenStyle.DashLine))
        self.path.setZValue(10)
        scene.addItem(self.path)
        self.checker = scene.link_checker(item.node_id, row)
        scene.highlight_targets(self.checker)
        self.move_to(pos)

    def _edge_to(self, target: NodeItem, row: Row) -> Edge:
        if self.row.output:
            return Edge(source=Endpoint(node=self.item.node_id, field=self.row.field),
                        destination=Endpoint(node=target.node_id, field=row.field))
        return Edge(source=Endpoint(node=target.node_id, field=row.field),
                    destination=Endpoint(node=self.item.node_id, field=self.row.field))

    def move_to(self, pos: QPointF) -> None:
        self.path.setPath(bezier(self.anchor, pos) if self.row.output else bezier(pos, self.anchor))
        hit = self.scene.socket_at(pos, not self.row.output)
        if hit is None or hit[0] is self.item:
            self.editor.show_status("")
            return
        reason = self.checker(hit[0].node_id, hit[1])
        self.editor.show_status(reason or f"Connect to {hit[0].title()}: {hit[1].title}")
        if reason:
            view = self.scene.views()[0] if self.scene.views() else None
            if view is not None:
                QToolTip.showText(view.mapToGlobal(view.mapFromScene(pos)), reason, view)

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        self.move_to(event.scenePos())
        return True

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        pos = event.scenePos()
        self.cancel()
        hit = self.scene.socket_at(pos, not self.row.output)
        if hit is None:
            if any(hook(pos, self.item.node_id, self.row) for hook in self.editor.link_drop_hooks):
                return True
            if self.detached is not None:
                self.editor.disconnect([self.detached])
            elif self.scene.itemAt(pos, self.scene.view_transform()) is None:
                self.editor.request_palette_for_link(pos, self.item.node_id, self.row)
            return True
        target, row = hit
        if target is self.item and row is self.row:
            return True
        edge = self._edge_to(target, row)
        if edge != self.detached:
            self.editor.connect_edge(edge, detached=self.detached)
        return True

    def cancel(self) -> None:
        self.scene.removeItem(self.path)
        self.scene.highlight_targets(None)
        self.editor.show_status("")
        if self.detached is not None and self.detached in self.scene.link_items:
            self.scene.link_items[self.detached].setVisible(True)
            self.scene.overview_changed()


class CutLinksInteraction(Interaction):
    """Ctrl + right-drag draws a line; every link it crosses is removed in one step."""

    def __init__(self, editor: "CanvasEditor", pos: QPointF) -> None:
        super().__init__(editor)
        self.start = pos
        self.line = QGraphicsLineItem(QLineF(pos, pos))
        self.line.setPen(QPen(theme.CUT_LINE, 0, Qt.PenStyle.DashLine))
        self.line.setZValue(10)
        self.scene.addItem(self.line)

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        self.line.setLine(QLineF(self.start, event.scenePos()))
        return True

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        cut = QPainterPath(self.start)
        cut.lineTo(event.scenePos())
        self.cancel()
        crossed = [item.edge for item in self.scene.items(cut)
                   if isinstance(item, LinkItem) and item.path().intersects(cut)]
        if crossed:
            self.editor.disconnect(crossed, "Cut links")
        return True

    def cancel(self) -> None:
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)


class MoveInteraction(Interaction):
    """Left-drag of nodes and frames (and the nodes inside the frames) as one group; the release
    records one MoveCommand.

    Each mouse move sets the moving items' positions; a link between two moving nodes keeps its
    shape and is only carried along (its cached picture too), and only the links that cross from
    the group to a node standing still are bent, once a step. Dragging 500 selected nodes whose
    links mostly join each other so costs what crosses the group's edge, not every link it holds.
    """

    def __init__(self, editor: "CanvasEditor", items: list[QGraphicsItem], pos: QPointF) -> None:
        super().__init__(editor)
        self.items = items
        self.press = pos
        self.start = {id(item): item.pos() for item in items}
        self._moves = [(item, item.pos()) for item in items]
        nodes = {item for item in items if isinstance(item, NodeItem)}
        links = dict.fromkeys(link for item in nodes for link in item.links)
        self.carried = [link for link in links if link.source in nodes and link.destination in nodes]
        """Links inside the group: moved whole, their curves unchanged."""
        for link in self.carried:
            link.carry()
        self.bent = [link for link in links if link.source not in nodes or link.destination not in nodes]
        """Links from the group to nodes standing still: their curves follow each step."""

    @property
    def links(self) -> list[LinkItem]:
        """Every link that moves or bends with the group."""
        return self.carried + self.bent

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        delta = event.scenePos() - self.press
        for item, start in self._moves:
            item.setPos(start + delta)
        for link in self.carried:
            link.setPos(delta)
        for link in self.bent:
            link.update_path()
        if self.carried:
            self.scene.overview_changed()
        self.scene.nodes_changed()
        return True

    def _settle(self) -> None:
        """Carried links take their curves at the new places (once, not per step)."""
        for link in self.carried:
            link.settle()
        self.carried = []

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Records the move, then leaves the release to Qt, which lets the pressed item go."""
        self._settle()
        self.editor.commit_moves(self.items, self.start)
        return False

    def cancel(self) -> None:
        self._settle()
