"""The scene: observes the Document and keeps one item per node, link and frame in step with it.

It never edits: edits and the choice of gesture belong to the canvas editor (editor.py), which
the scene hands every mouse event first. Item geometry lives on the C++ side and the scene keeps
Qt's BSP index, so a frame, a hover or a click asks Python only about the items it touches.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from typing import Any, Protocol

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter, QPen, QPixmapCache, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneMouseEvent

from nodeeditor.core.graph import GraphIssue
from nodeeditor.core.ports import node_spec
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Kind
from nodeeditor.core.workflow import Edge

from .. import theme
from .frame_item import FrameItem
from .link_item import LinkItem
from .link_rules import Checker, make_checker
from .model import Document, gc_paused
from .node_item import NodeItem
from .node_rows import Row
from .issues import show_issues
from .overview import Overview

NO_CACHE = QGraphicsItem.CacheMode.NoCache
NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
PIXMAP_CACHE_KB = 256 * 1024
"""Item caches live in QPixmapCache; Qt's 10 MB default holds ~50 nodes at 100 % zoom and thrashes."""


link_color = functools.lru_cache(maxsize=None)(theme.kind_color)
"""One colour object per kind, shared by every link of that kind (links only read it)."""


class MouseHandler(Protocol):
    """What the scene hands mouse events to; each method says whether it took the event."""

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool: ...
    def mouse_double_click(self, event: QGraphicsSceneMouseEvent) -> bool: ...


class CanvasScene(QGraphicsScene):
    def __init__(self, document: Document, registry: Registry, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.node_items: dict[str, NodeItem] = {}
        self.link_items: dict[Edge, LinkItem] = {}
        self.frame_items: dict[str, FrameItem] = {}
        self.handler: MouseHandler | None = None
        self._cache_mode = QGraphicsItem.CacheMode.NoCache
        self._far = False
        self._checker: Checker | None = None
        self._lit: dict[str, dict[tuple[str, bool], bool]] = {}
        self.overview = Overview(self)
        self._spare_nodes: dict[str, NodeItem] = {}
        self._spare_links: dict[Edge, LinkItem] = {}
        self._returned: set[NodeItem] = set()
        """Nodes the edit under way took from the spares: out of the scene meanwhile, so unmoved."""
        """The items the last removal took out: an undo that brings the same nodes and links back
        puts these back instead of making 30,000 items again (delete + undo of 10,000 nodes)."""
        self.selectionChanged.connect(self._selection_changed)  # a method: disconnected when the scene goes
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(150)
        self._validate_timer.timeout.connect(self.validate)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        d = document
        d.reset.connect(self.rebuild)
        d.level_changed.connect(self.rebuild)
        d.nodes_added.connect(self._nodes_added)
        d.nodes_removed.connect(self._nodes_removed)
        d.node_changed.connect(lambda nid: self.node_items[nid].refresh(d.node(nid)))
        d.node_moved.connect(self._node_moved)
        d.edges_added.connect(self._edges_added)
        d.edges_removed.connect(self._edges_removed)
        d.changed.connect(self._edit_done)
        d.frame_added.connect(self._frame_added)
        d.frame_removed.connect(lambda fid: self.removeItem(self.frame_items.pop(fid)))
        d.frame_changed.connect(lambda fid: self.frame_items[fid].refresh(d.frame(fid)))
        for signal in (d.nodes_added, d.nodes_removed, d.node_changed, d.edges_added, d.edges_removed):
            signal.connect(self._validate_timer.start)  # moves change no issue: not validated
        self.rebuild()

    # -- building items ---------------------------------------------------------------------
    def rebuild(self) -> None:
        """Replace every item from the document; items are made first and added in one pass."""
        self.clear()
        self.node_items.clear()
        self.link_items.clear()
        self.frame_items.clear()
        self._spare_nodes, self._spare_links, self._returned = {}, {}, set()
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

    def _make_link(self, edge: Edge, spare: dict[Edge, LinkItem] | None = None) -> LinkItem:
        src, dst = self.node_items[edge.source.node], self.node_items[edge.destination.node]
        link = spare.get(edge) if spare else None
        if link is not None and link.source is src and link.destination is dst:
            if not (src in self._returned and dst in self._returned):
                link.refresh_ends()  # an end stayed in the scene: it may have moved, or collapsed
            src.links.append(link)
            dst.links.append(link)
            self.link_items[edge] = link
            return link
        row = src.row(edge.source.field, True)
        color = link_color(row.type.kind if row else Kind.ANY)
        if src.compact:  # a reroute shows the colour of what flows into it
            color = next((link.color for link in src.links if link.destination is src), color)
        link = LinkItem(edge, src, dst, color)
        src.links.append(link)
        dst.links.append(link)
        self.link_items[edge] = link
        return link

    def _nodes_added(self, node_ids: list[str]) -> None:
        spare, self._spare_nodes = self._spare_nodes, {}
        items = []
        for node_id in node_ids:
            node = self.document.node(node_id)
            item = spare.get(node_id)
            if item is None or item.node is not node:  # the same node object only (undo), never a look-alike
                item = NodeItem(node, node_spec(self.document.workflow, node, self.registry))
            self.node_items[node_id] = item
            items.append(item)
        self._returned = {item for item in items if spare.get(item.node_id) is item}
        self._add_items(items, reused=bool(spare))

    def _edit_done(self) -> None:
        self._returned = set()

    def _nodes_removed(self, node_ids: list[str]) -> None:
        items = [self.node_items.pop(node_id) for node_id in node_ids]
        self._remove_items(items)
        self._spare_nodes = {item.node_id: item for item in items}

    def _node_moved(self, node_id: str) -> None:
        x, y = self.document.node(node_id).position
        item = self.node_items[node_id]
        if (item.pos().x(), item.pos().y()) != (x, y):
            item.move_to(x, y)

    def _edges_added(self, edges: list[Edge]) -> None:
        spare, self._spare_links = self._spare_links, {}
        self._add_items([self._make_link(edge, spare) for edge in edges], reused=bool(spare))
        for node_id in dict.fromkeys(edge.destination.node for edge in edges):
            self._update_connected(node_id)

    def _edges_removed(self, edges: list[Edge]) -> None:
        links = [self.link_items.pop(edge) for edge in edges]
        for link in links:
            for end in (link.source, link.destination):
                if link in end.links:
                    end.links.remove(link)
        self._remove_items(links)
        self._spare_links = {link.edge: link for link in links}
        for node_id in dict.fromkeys(edge.destination.node for edge in edges):
            if node_id in self.node_items:
                self._update_connected(node_id)

    def _add_items(self, items: list[QGraphicsItem], reused: bool = False) -> None:
        """Add items in the current cache mode and far-out look; `reused`: some were in the scene
        before and may carry an older mode, look or selection."""
        mode, far = self._cache_mode, self._far
        cached = mode != NO_CACHE
        no_contents = NO_CONTENTS
        nodes = links = False
        for item in items:
            if cached or reused:
                item.setCacheMode(mode)
            if reused:
                item.setSelected(False)
                item.setVisible(True)
            if isinstance(item, LinkItem):
                links = True
                if far or reused:
                    item.setFlag(no_contents, far)
            elif isinstance(item, NodeItem):
                nodes = True
                if (far or reused) and not item.compact:
                    item.setFlag(no_contents, far)
            self.addItem(item)
        if links:
            self.overview_changed()
        if nodes:
            self.nodes_changed()

    def _remove_items(self, items: list[QGraphicsItem]) -> None:
        """Remove items newest first, so Qt takes each from the end of its item list (removing
        from the middle renumbers the rest: 30,000 removals took ~1 s). Selected items are
        deselected together first, so the selection changes once, not once per item."""
        if len(items) > 1 and any(item.isSelected() for item in items):
            self.clearSelection()
        for item in reversed(items):
            self.removeItem(item)
        self.overview_changed()
        self.nodes_changed()

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
        self._far = mode == QGraphicsItem.CacheMode.NoCache
        no_contents = NO_CONTENTS
        for item in self.node_items.values():
            item.setCacheMode(mode)
            if not item.compact:
                item.setFlag(no_contents, self._far)
        for link in self.link_items.values():
            link.setCacheMode(mode)
            link.setFlag(no_contents, self._far)
        self.overview_changed()
        self.nodes_changed()

    # -- far out: the scene draws links and nodes itself (overview.py) -------------------------
    def _selection_changed(self) -> None:
        """Far out, only the selected lines and boxes are made again, and only then redrawn."""
        if self.overview.selection_changed(self._far):
            self.update()

    def overview_changed(self, rect: QRectF | None = None) -> None:
        """Links moved, came or went: far out, redraw them there (everywhere)."""
        self.overview.links_changed()
        if self._far:
            self.update(rect) if rect is not None else self.update()

    def nodes_changed(self, rect: QRectF | None = None) -> None:
        """Nodes moved, came or went, or changed their far-out look (heat, issues, height)."""
        self.overview.nodes_changed()
        if self._far:
            self.update(rect) if rect is not None else self.update()

    @property
    def far(self) -> bool:
        """Zoomed out past theme.LOD_DETAIL: links and nodes hand their drawing to the overview."""
        return self._far

    def validate(self) -> list[GraphIssue]:
        """Show the core's validation issues on the nodes they name (issues.py); returns them all."""
        return show_issues(self)

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
        return make_checker(self.document.workflow, self.registry, node_id, row, self.document.graph())

    def highlight_targets(self, checker: Checker | None) -> None:
        """Light the sockets `checker` accepts (None: none); nodes ask `highlight_of` when painted."""
        self._checker, self._lit = checker, {}
        for view in self.views():
            for item in self.items(view.mapToScene(view.viewport().rect()).boundingRect()):
                if isinstance(item, NodeItem):
                    item.update()  # their cached pictures are stale; off screen nothing is drawn

    def highlight_of(self, item: NodeItem) -> dict[tuple[str, bool], bool] | None:
        if self._checker is None:
            return None
        lit = self._lit.get(item.node_id)
        if lit is None:
            lit = self._lit[item.node_id] = {(r.field, r.output): self._checker(item.node_id, r) is None
                                             for r in item.rows if r.has_socket}
        return lit

    def default_press(self, event: QGraphicsSceneMouseEvent) -> None:
        """Qt's own press handling: select the item under the mouse and let it grab the mouse."""
        super().mousePressEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is not None and self.handler.mouse_press(event):
            return  # the handler accepted the event, or left Qt's answer (an empty spot starts a rubber band)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is not None and self.handler.mouse_move(event):
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is not None and self.handler.mouse_release(event):
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.handler is not None and self.handler.mouse_double_click(event):
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
        if scale < theme.LOD_DETAIL:
            self.overview.draw_links(painter)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """Far out, node boxes over the links and frames (the node items have no contents then)."""
        if self._far:
            self.overview.draw_nodes(painter)
