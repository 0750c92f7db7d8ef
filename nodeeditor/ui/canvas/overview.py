"""The canvas far out (below theme.LOD_DETAIL): every link a hairline and every node a box, drawn
by the scene in a few calls per colour instead of one Python paint call per item.

At 10,000 nodes and 20,000 links, item-by-item painting cost a Python call per item per frame,
more than a bare canvas's whole frame; `drawLines` and `drawRects` over cached lists do not.
The lists are made again only after what they show changed (links or nodes moved, came or went,
a node's heat or issues changed); the selection is kept apart, so selecting 10,000 nodes
remakes neither list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from .. import theme
from .link_item import LinkItem, pens
from .node_item import NodeItem

if TYPE_CHECKING:
    from .scene import CanvasScene

OUTLINE = 6.0
"""Width of a far-out node's outline (selected, or with issues), in scene units, as NodeItem paints it."""


class Boxes:
    """Far-out node boxes, grouped by colour: fills (body, header, heat) and outlines."""

    def __init__(self) -> None:
        self.fills: dict[int, tuple[QColor, list[QRectF]]] = {}
        self.tints: dict[int, tuple[QColor, list[QRectF]]] = {}
        """Heat, over the fills."""
        self.outlines: list[QRectF] = []
        self.body: dict[NodeItem, QRectF] = {}

    @staticmethod
    def add(groups: dict[int, tuple[QColor, list[QRectF]]], color: QColor, rect: QRectF) -> None:
        group = groups.get(color.rgba())
        if group is None:
            group = groups[color.rgba()] = (color, [])
        group[1].append(rect)


class Overview:
    """What the scene draws itself far out, kept until what it shows changes."""

    def __init__(self, scene: "CanvasScene") -> None:
        self.scene = scene
        self._lines: list[tuple[QPen, list[QLineF]]] | None = None
        self._picked: list[QLineF] | None = None
        """The selected links' lines, drawn over `_lines` in the selection colour."""
        self._boxes: Boxes | None = None
        self._chosen: list[QRectF] | None = None
        """The selected nodes' bodies, outlined over `_boxes`."""

    def links_changed(self) -> None:
        self._lines = self._picked = None

    def nodes_changed(self) -> None:
        self._boxes = self._chosen = None

    def selection_changed(self, far: bool) -> bool:
        """Forget (near) or remake (far) the selected lines and boxes; whether a redraw is due."""
        if not far or self._boxes is None:  # the boxes are made again when next drawn
            due = far
            self._picked = self._chosen = None
            return due
        picked, chosen = self._selection()
        due = bool(picked or chosen or self._picked or self._chosen)
        self._picked, self._chosen = picked, chosen
        return due

    def _selection(self) -> tuple[list[QLineF], list[QRectF]]:
        body = self.boxes().body
        picked, chosen = [], []
        for item in self.scene.selectedItems():
            if isinstance(item, LinkItem):
                if item.isVisible():
                    picked.append(item.line())
            elif isinstance(item, NodeItem):
                rect = body.get(item)
                if rect is not None:
                    chosen.append(rect)
        return picked, chosen

    def lines(self) -> list[tuple[QPen, list[QLineF]]]:
        if self._lines is None:
            groups: dict[int, tuple[QPen, list[QLineF]]] = {}
            for link in self.scene.link_items.values():
                if link.isVisible():
                    groups.setdefault(link.color.rgba(), (pens(link.color)[1], []))[1].append(link.line())
            self._lines = list(groups.values())
        if self._picked is None:
            self._picked, self._chosen = self._selection()
        return [*self._lines, (pens(theme.LINK_SELECTED)[1], self._picked)] if self._picked else self._lines

    def boxes(self) -> Boxes:
        if self._boxes is None:
            boxes = Boxes()
            width, header = float(theme.NODE_WIDTH), float(theme.HEADER_H)
            fills, tints, outlines, bodies = boxes.fills, boxes.tints, boxes.outlines, boxes.body
            body_color = theme.NODE_BODY
            fills[body_color.rgba()] = (body_color, [])
            all_bodies = fills[body_color.rgba()][1]
            heads: dict[str | None, list[QRectF]] = {}
            for item in self.scene.node_items.values():
                if item.compact or not item.isVisible():
                    continue  # reroute dots paint themselves
                pos = item.pos()
                x, y = pos.x(), pos.y()
                body = bodies[item] = QRectF(x, y, width, item.height)
                all_bodies.append(body)
                spec = item.spec
                category = spec.category if spec is not None else None
                head = heads.get(category)
                if head is None:
                    color = theme.category_color(category) if spec is not None else theme.NODE_MISSING
                    head = heads[category] = []
                    fills[-len(heads)] = (color, head)  # keyed apart from the body: a category may share its colour
                head.append(QRectF(x, y, width, header))
                if item.heat is not None:
                    Boxes.add(tints, item.heat[0], body)
                if item.issues or spec is None:
                    outlines.append(body)
            self._boxes = boxes
        return self._boxes

    def draw_links(self, painter: QPainter) -> None:
        for pen, lines in self.lines():
            painter.setPen(pen)
            painter.drawLines(lines)

    def draw_nodes(self, painter: QPainter) -> None:
        boxes = self.boxes()
        if self._chosen is None:
            self._picked, self._chosen = self._selection()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        for color, rects in [*boxes.fills.values(), *boxes.tints.values()]:
            painter.setBrush(color)
            painter.drawRects(rects)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for color, rects in ((theme.NODE_ERROR, boxes.outlines), (theme.NODE_SELECTED, self._chosen)):
            if rects:
                painter.setPen(QPen(color, OUTLINE))
                painter.drawRects(rects)
