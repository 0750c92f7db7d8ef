"""The scene: observes the Document, keeps one item per node, link and frame, and routes gestures.

It never edits the workflow itself: every change is a command pushed on the document's undo stack.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen, QPixmapCache, QTransform, QUndoCommand
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsProxyWidget, QGraphicsScene,
                               QGraphicsSceneMouseEvent, QMessageBox, QWidget)

from nodeeditor.core.graph import Graph, GraphIssue, infer_types, link_error, validate_graph
from nodeeditor.core.ports import node_spec
from nodeeditor.core.node import NodeSpec
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Kind, SocketType
from nodeeditor.core.workflow import Edge, Endpoint, Frame, NodeData

from .. import theme
from . import editors
from .commands import (AddItemsCommand, BypassCommand, CompositeCommand, ConnectCommand, DisconnectCommand,
                       EditValueCommand, MoveCommand, RemoveItemsCommand)
from .frame_item import FrameItem
from .interactions import CutLinksInteraction, Interaction, MoveInteraction, NewLinkInteraction
from .link_item import LinkItem
from .link_rules import Checker, PendingLink, iterate_fixes, make_checker
from .model import Document, gc_paused
from .node_item import NO_FLOWS, REROUTE, NodeItem, Row

ITERATE = "iterate"
PIXMAP_CACHE_KB = 256 * 1024
"""Item caches live in QPixmapCache; Qt's 10 MB default holds ~50 nodes at 100 % zoom and thrashes."""


class CanvasScene(QGraphicsScene):
    status = Signal(str)
    """Text for the status bar (a refused link's reason, what a drop would connect)."""

    def __init__(self, document: Document, registry: Registry, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.node_items: dict[str, NodeItem] = {}
        self.link_items: dict[Edge, LinkItem] = {}
        self.frame_items: dict[str, FrameItem] = {}
        self.interaction: Interaction | None = None
        self.snap_to_grid = False
        self._cache_mode = QGraphicsItem.CacheMode.NoCache
        self.palette_opener: Callable[[QPointF, PendingLink | None], None] | None = None
        self.ask_insert_iterate: Callable[[str], bool] = self._ask_insert_iterate
        self._editor: QGraphicsProxyWidget | None = None
        self._edit_sessions = itertools.count(1)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(150)
        self._validate_timer.timeout.connect(self.validate)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        d = document
        d.reset.connect(self.rebuild)
        d.nodes_added.connect(self._nodes_added)
        d.nodes_removed.connect(self._nodes_removed)
        d.node_changed.connect(lambda nid: self.node_items[nid].refresh(d.node(nid)))
        d.node_moved.connect(self._node_moved)
        d.edges_added.connect(self._edges_added)
        d.edges_removed.connect(self._edges_removed)
        d.frame_added.connect(self._frame_added)
        d.frame_removed.connect(lambda fid: self.removeItem(self.frame_items.pop(fid)))
        d.frame_changed.connect(lambda fid: self.frame_items[fid].refresh(d.frame(fid)))
        d.changed.connect(self._validate_timer.start)
        self.rebuild()

    # -- building items ---------------------------------------------------------------------
    def rebuild(self) -> None:
        """Replace every item from the document; items are made first and added in one pass."""
        self.cancel_interaction()
        self.close_editor()
        self.clear()
        self.node_items.clear()
        self.link_items.clear()
        self.frame_items.clear()
        workflow = self.document.workflow
        linked_in: dict[str, set[str]] = defaultdict(set)
        linked_out: dict[str, set[str]] = defaultdict(set)
        for edge in workflow.edges:
            linked_in[edge.destination.node].add(edge.destination.field)
            linked_out[edge.source.node].add(edge.source.field)
        items: list[QGraphicsItem] = []
        with gc_paused():
            for frame in workflow.frames:
                self.frame_items[frame.id] = FrameItem(frame)
                items.append(self.frame_items[frame.id])
            for node in workflow.nodes:
                item = NodeItem(node, node_spec(workflow, node, self.registry), linked_in[node.id], linked_out[node.id])
                self.node_items[node.id] = item
                items.append(item)
            items += [self._make_link(edge) for edge in workflow.edges]
            self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
            self._add_items(items)
            self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.validate()

    def _make_link(self, edge: Edge) -> LinkItem:
        src, dst = self.node_items[edge.source.node], self.node_items[edge.destination.node]
        row = src.row(edge.source.field, True)
        color = theme.kind_color(row.type.kind if row else Kind.ANY)
        if src.compact:  # a reroute shows the colour of what flows into it
            color = next((link.color for link in src.links if link.destination is src), color)
        link = LinkItem(edge, src, dst, color)
        src.links.append(link)
        dst.links.append(link)
        self.link_items[edge] = link
        return link

    def _nodes_added(self, node_ids: list[str]) -> None:
        items = []
        for node_id in node_ids:
            node = self.document.node(node_id)
            item = self.node_items[node_id] = NodeItem(node, node_spec(self.document.workflow, node, self.registry))
            items.append(item)
        self._add_items(items)

    def _nodes_removed(self, node_ids: list[str]) -> None:
        if self._editor is not None:
            self.close_editor()
        self._remove_items([self.node_items.pop(node_id) for node_id in node_ids])

    def _node_moved(self, node_id: str) -> None:
        x, y = self.document.node(node_id).position
        item = self.node_items[node_id]
        if (item.pos().x(), item.pos().y()) != (x, y):
            item.move_to(x, y)

    def _edges_added(self, edges: list[Edge]) -> None:
        self._add_items([self._make_link(edge) for edge in edges])
        for node_id in dict.fromkeys(edge.destination.node for edge in edges):
            self._update_connected(node_id)

    def _edges_removed(self, edges: list[Edge]) -> None:
        links = [self.link_items.pop(edge) for edge in edges]
        for link in links:
            for end in (link.source, link.destination):
                if link in end.links:
                    end.links.remove(link)
        self._remove_items(links)
        for node_id in dict.fromkeys(edge.destination.node for edge in edges):
            if node_id in self.node_items:
                self._update_connected(node_id)

    def _add_items(self, items: list[QGraphicsItem]) -> None:
        cached = self._cache_mode != QGraphicsItem.CacheMode.NoCache
        for item in items:
            if cached:
                item.setCacheMode(self._cache_mode)
            self.addItem(item)

    def _remove_items(self, items: list[QGraphicsItem]) -> None:
        """Remove items newest first, so Qt takes each from the end of its item list (removing
        from the middle renumbers the rest: 30,000 removals took ~1 s). Selected items are
        deselected together first, so the selection changes once, not once per item."""
        if len(items) > 1 and any(item.isSelected() for item in items):
            self.clearSelection()
        for item in reversed(items):
            self.removeItem(item)

    def _frame_added(self, frame_id: str) -> None:
        item = FrameItem(self.document.frame(frame_id))
        self.frame_items[frame_id] = item
        self.addItem(item)

    def _update_connected(self, node_id: str) -> None:
        item = self.node_items[node_id]
        item.set_connected({link.edge.destination.field for link in item.links
                            if link.edge.destination.node == node_id})

    def set_zoom(self, zoom: float) -> None:
        """Cache item pixmaps only where painting is dear: in detail, at or above LOD_DETAIL.

        Far out, items paint as boxes and lines, cheaper than making a pixmap per item after
        every zoom step (2,000 nodes: ~60 ms a frame without caches, ~130 ms to rebuild them).
        """
        mode = (QGraphicsItem.CacheMode.DeviceCoordinateCache if zoom >= theme.LOD_DETAIL
                else QGraphicsItem.CacheMode.NoCache)
        if mode == self._cache_mode:
            return
        self._cache_mode = mode
        for item in [*self.node_items.values(), *self.link_items.values()]:
            item.setCacheMode(mode)

    def validate(self) -> list[GraphIssue]:
        """Show the core's validation issues on the nodes they name; returns them all."""
        by_node: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
        issues = validate_graph(self.document.workflow, self.registry)
        for issue in issues:
            if issue.node is not None and "/" in issue.node:  # inside a subgraph: on the subgraph node
                by_node[issue.node.split("/", 1)[0]][None].append(str(issue))
            elif issue.node is not None:
                by_node[issue.node][issue.field].append(issue.message)
        flows: dict[str, dict[str, SocketType]] = defaultdict(dict)
        for (node_id, field), socket in infer_types(self.registry, Graph(self.document.workflow)).items():
            flows[node_id][field] = socket
        for node_id, item in self.node_items.items():
            item.set_issues(dict(by_node.get(node_id, {})))
            item.flows = flows.get(node_id, NO_FLOWS)
        return issues

    # -- queries ----------------------------------------------------------------------------
    def view_transform(self) -> QTransform:
        views = self.views()
        return views[0].transform() if views else QTransform()

    def node_item_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos, Qt.ItemSelectionMode.IntersectsItemShape,
                               Qt.SortOrder.DescendingOrder, self.view_transform()):
            if isinstance(item, NodeItem):
                return item
        return None

    def socket_at(self, pos: QPointF, want_output: bool | None = None) -> tuple[NodeItem, Row] | None:
        area = QRectF(pos.x() - 12, pos.y() - 12, 24, 24)
        for item in self.items(area):
            if isinstance(item, NodeItem):
                row = item.socket_at(pos, want_output=want_output)
                if row is not None:
                    return item, row
        return None

    def select_all(self) -> None:
        """Select every node and frame, announcing the selection once (listeners that read it
        would otherwise run once per node: 10,000 nodes, 10,000 reads of a growing selection)."""
        self.blockSignals(True)
        try:
            for item in [*self.node_items.values(), *self.frame_items.values()]:
                item.setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, LinkItem)]

    def selected_frame_ids(self) -> list[str]:
        return [i.frame_id for i in self.selectedItems() if isinstance(i, FrameItem)]

    # -- link rules -------------------------------------------------------------------------
    def link_checker(self, node_id: str, row: Row) -> Checker:
        """Reason-or-None for every socket while one link drag lasts."""
        return make_checker(self.document.workflow, self.registry, node_id, row)

    def highlight_targets(self, checker: Checker | None) -> None:
        for item in self.node_items.values():
            if checker is None:
                item.set_highlight(None)
            else:
                item.set_highlight({(r.field, r.output): checker(item.node_id, r) is None
                                    for r in item.rows if r.has_socket})

    def _ask_insert_iterate(self, reason: str) -> bool:
        views = self.views()
        answer = QMessageBox.question(views[0] if views else None, "Insert Iterate?",
                                      f"{reason}.\n\nInsert an Iterate node between them?")
        return answer == QMessageBox.StandardButton.Yes

    # -- edits (each pushes one command) ----------------------------------------------------
    def push(self, command: QUndoCommand) -> None:
        self.document.undo_stack.push(command)

    def show_status(self, text: str) -> None:
        self.status.emit(text)

    def add_node(self, spec: NodeSpec, pos: QPointF) -> str:
        node_id = self.document.new_id(spec.type)
        self.push(AddItemsCommand(self.document, [self._new_node(spec, node_id, pos)], text=f"Add {spec.title}"))
        return node_id

    def _new_node(self, spec: NodeSpec, node_id: str, pos: QPointF) -> NodeData:
        x, y = pos.x(), pos.y()
        if self.snap_to_grid:
            x, y = round(x / theme.GRID) * theme.GRID, round(y / theme.GRID) * theme.GRID
        return NodeData(id=node_id, type=spec.type, position=(x, y), version=spec.version)

    def connect_edge(self, edge: Edge, detached: Edge | None = None) -> bool:
        """Connect, replacing what occupies a single input; refuse with the reason otherwise."""
        if edge in self.link_items:
            return False
        reason = link_error(self.registry, self.document.workflow, edge)
        if reason:
            out = self.node_items[edge.source.node].row(edge.source.field, True)
            inp = self.node_items[edge.destination.node].row(edge.destination.field, False)
            if out and inp and iterate_fixes(out.type, inp.type) and self.registry.get(ITERATE):
                if self.ask_insert_iterate(reason):
                    self.insert_iterate(edge, detached)
                    return True
            self.show_status(f"Cannot connect: {reason}")
            return False
        replaces = self._occupants(edge)
        if detached is not None and detached not in replaces:
            replaces.append(detached)
        self.push(ConnectCommand(self.document, edge, replaces))
        return True

    def _occupants(self, edge: Edge) -> list[Edge]:
        row = self.node_items[edge.destination.node].row(edge.destination.field, False)
        if row is not None and row.spec is not None and row.spec.multi:
            return []
        return self.document.edges_into(edge.destination.node, edge.destination.field)

    def insert_iterate(self, edge: Edge, detached: Edge | None = None) -> str:
        """Source collection -> new Iterate -> destination, as one undo step."""
        src, dst = self.node_items[edge.source.node], self.node_items[edge.destination.node]
        middle = (src.pos() + dst.pos()) / 2
        node_id = self.document.new_id(ITERATE)
        first = Edge(source=edge.source, destination=Endpoint(node=node_id, field="collection"))
        second = Edge(source=Endpoint(node=node_id, field="item"), destination=edge.destination)
        replaces = self._occupants(edge) + ([detached] if detached is not None else [])
        self.push(CompositeCommand("Insert Iterate", [
            AddItemsCommand(self.document, [self._new_node(self.registry.get(ITERATE), node_id, middle)], [first]),
            ConnectCommand(self.document, second, list(dict.fromkeys(replaces))),
        ]))
        return node_id

    def insert_reroute(self, edge: Edge, pos: QPointF) -> str:
        """Split a link with a reroute dot at `pos`, as one undo step."""
        node_id = self.document.new_id(REROUTE)
        node = NodeData(id=node_id, type=REROUTE, position=(pos.x(), pos.y()))
        here = Endpoint(node=node_id, field="value")
        self.push(CompositeCommand("Add reroute", [
            DisconnectCommand(self.document, [edge]),
            AddItemsCommand(self.document, [node], [Edge(source=edge.source, destination=here),
                                                    Edge(source=here, destination=edge.destination)]),
        ]))
        return node_id

    def disconnect(self, edges: list[Edge], text: str = "Disconnect") -> None:
        self.push(DisconnectCommand(self.document, edges, text))

    def request_palette_for_link(self, pos: QPointF, node_id: str, row: Row) -> None:
        if self.palette_opener is not None:
            self.palette_opener(pos, PendingLink(node_id, row))

    def add_node_for(self, spec: NodeSpec, pos: QPointF, pending: PendingLink | None) -> str:
        """Add a node from the palette; with a pending link, connect it in the same undo step."""
        if pending is None:
            return self.add_node(spec, pos)
        field = pending.fits(spec)
        node_id = self.document.new_id(spec.type)
        steps: list[QUndoCommand] = [AddItemsCommand(self.document, [self._new_node(spec, node_id, pos)])]
        if field is not None:
            here = Endpoint(node=node_id, field=field)
            there = Endpoint(node=pending.node_id, field=pending.row.field)
            edge = Edge(source=there, destination=here) if pending.row.output else Edge(source=here, destination=there)
            replaces = [] if pending.row.output else self._occupants(edge)
            steps.append(ConnectCommand(self.document, edge, replaces))
        self.push(CompositeCommand(f"Add {spec.title}", steps))
        return node_id

    def delete_selected(self) -> None:
        nodes, edges, frames = self.selected_node_ids(), self.selected_edges(), self.selected_frame_ids()
        if nodes or edges or frames:
            self.push(RemoveItemsCommand(self.document, nodes, edges, frames))

    def toggle_bypass(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            self.push(BypassCommand(self.document, ids, not all(self.document.node(i).bypassed for i in ids)))

    def frame_selection(self, title: str = "Frame") -> str | None:
        items = [self.node_items[i] for i in self.selected_node_ids()]
        if not items:
            return None
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-20, -40, 20, 20)
        frame = Frame(id=self.document.new_id("frame"), title=title,
                      rect=(rect.x(), rect.y(), rect.width(), rect.height()))
        self.push(AddItemsCommand(self.document, [], frames=[frame], text="Add frame"))
        return frame.id

    def commit_moves(self, items: list[QGraphicsItem], start: dict[int, QPointF]) -> None:
        nodes: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        frames: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {}
        for item in items:
            if self.snap_to_grid:
                x, y = round(item.pos().x() / theme.GRID) * theme.GRID, round(item.pos().y() / theme.GRID) * theme.GRID
                item.move_to(x, y) if isinstance(item, NodeItem) else item.setPos(x, y)
            old, new = start[id(item)], item.pos()
            if old == new:
                continue
            if isinstance(item, NodeItem) and item.node_id in self.node_items:
                nodes[item.node_id] = ((old.x(), old.y()), (new.x(), new.y()))
            elif isinstance(item, FrameItem):
                _x, _y, w, h = item.frame.rect
                frames[item.frame_id] = ((old.x(), old.y(), w, h), (new.x(), new.y(), w, h))
        if nodes or frames:
            self.push(MoveCommand(self.document, nodes, frames))

    # -- inline editing ---------------------------------------------------------------------
    def start_edit(self, item: NodeItem, row: Row) -> None:
        """Bool toggles on click, colour and file open a dialog, the rest get a widget over the row."""
        self.close_editor()
        node = self.document.node(item.node_id)
        value = node.inputs.get(row.field, row.spec.default)
        session = next(self._edit_sessions)

        def commit(new: Any) -> None:
            if item.node_id in self.node_items:
                self.push(EditValueCommand(self.document, item.node_id, row.field, new, session))

        parent = self.views()[0] if self.views() else None
        if row.editor == "bool":
            commit(not value)
            return
        if row.editor == "color":
            chosen = editors.pick_color(value, parent)
            if chosen is not None:
                commit(chosen)
            return
        if row.editor == "file":
            path = editors.pick_file(row.spec, value, parent)
            if path is not None:
                commit(path)
            return
        widget = editors.open_editor(row.editor, row.spec, value, commit,
                                     lambda: QTimer.singleShot(0, self.close_editor))
        if widget is None:
            return
        self._show_editor(item, row, widget)

    def _show_editor(self, item: NodeItem, row: Row, widget: QWidget) -> None:
        rect = item.value_rect(row)
        height = rect.height() * (4 if row.editor == "multiline" else 1) + 4
        widget.setFixedSize(int(rect.width()), int(height))
        self._editor = self.addWidget(widget)
        self._editor.setZValue(20)
        self._editor.setPos(item.mapToScene(rect.topLeft()) - QPointF(0, 2))
        widget.setFocus(Qt.FocusReason.MouseFocusReason)

    def close_editor(self) -> None:
        if self._editor is not None:
            proxy, self._editor = self._editor, None
            self.removeItem(proxy)
            proxy.deleteLater()

    @property
    def editor(self) -> QGraphicsProxyWidget | None:
        return self._editor

    # -- events -----------------------------------------------------------------------------
    def cancel_interaction(self) -> None:
        if self.interaction is not None:
            self.interaction.cancel()
            self.interaction = None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._editor is not None and self._editor.contains(self._editor.mapFromScene(event.scenePos())):
            super().mousePressEvent(event)
            return
        self.close_editor()
        if self.interaction is not None:
            return
        pos = event.scenePos()
        mods = event.modifiers()
        if event.button() == Qt.MouseButton.RightButton and mods & Qt.KeyboardModifier.ControlModifier:
            self.interaction = CutLinksInteraction(self, pos)
            event.accept()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        hit = self.socket_at(pos)
        if hit is not None:
            self.interaction = NewLinkInteraction(self, hit[0], hit[1], pos)
            event.accept()
            return
        node = self.node_item_at(pos)
        if node is not None:
            row = node.editable_row_at(pos)
            if row is not None:
                self.start_edit(node, row)
                event.accept()
                return
        if mods & Qt.KeyboardModifier.ShiftModifier:
            target = self.itemAt(pos, self.view_transform())
            if target is not None and target.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
                target.setSelected(True)
                event.accept()
                return
        super().mousePressEvent(event)
        grabbed = self.mouseGrabberItem()
        if isinstance(grabbed, (NodeItem, FrameItem)):
            self.interaction = MoveInteraction(self, self._moving_items(), pos)

    def _moving_items(self) -> list[QGraphicsItem]:
        """The selected nodes and frames, and the nodes inside those frames (found by the index)."""
        moving: list[QGraphicsItem] = [i for i in self.selectedItems() if isinstance(i, (NodeItem, FrameItem))]
        for frame in [i for i in moving if isinstance(i, FrameItem)]:
            moving += [n for n in self.items(frame.sceneBoundingRect(), Qt.ItemSelectionMode.ContainsItemBoundingRect)
                       if isinstance(n, NodeItem)]
        return list(dict.fromkeys(moving))

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.interaction is not None:
            self.interaction.move(event)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        interaction, self.interaction = self.interaction, None
        if interaction is None or isinstance(interaction, MoveInteraction):
            super().mouseReleaseEvent(event)
        if interaction is not None:
            interaction.release(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.scenePos(), self.view_transform())
            if item is None and self.palette_opener is not None:
                self.palette_opener(event.scenePos(), None)
                event.accept()
                return
            if isinstance(item, LinkItem) and self.registry.get(REROUTE):
                self.insert_reroute(item.edge, event.scenePos())
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """Dark background with a dotted grid, sparser as the view zooms out.

        Each grid row is one dashed line whose dash is one pixel and whose gap is the grid step,
        so a frame costs a few dozen line draws instead of thousands of points.
        """
        painter.fillRect(rect, theme.BACKGROUND)
        scale = painter.worldTransform().m11()
        step = theme.GRID
        while step * scale < 12:
            step *= 4
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        pen = QPen(theme.GRID_DOT, 1.5)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        gap = step * scale / pen.widthF()
        pen.setDashPattern([1.0, gap - 1.0])
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        y = top
        while y <= rect.bottom() + step:
            painter.drawLine(QPointF(left, y), QPointF(rect.right() + step, y))
            y += step
