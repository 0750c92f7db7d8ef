"""A link: a bezier curve from an output socket to an input socket, coloured by the output's kind.

It is a QGraphicsRectItem whose rect is the curve's control box padded by half the hit band: Qt
holds that rect on the C++ side, so drawing, panning and indexing never call back into Python for
its geometry (at 20,000 links a Python `boundingRect` asked per frame cost more than painting what
is on screen), and, unlike a QGraphicsPathItem with a pen, no outline is stroked to find the box.
A link keeps only its two ends; the curve is rebuilt from them when it is drawn close up or hit
(a few microseconds), the exact 10-pixel hit band is stroked only for a click.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from nodeeditor.core.workflow import Edge

from .. import theme
from .node_item import NodeItem

HIT_WIDTH = 10.0
_PAD = HIT_WIDTH / 2 + 1
_PENS: dict[int, tuple[QPen, QPen]] = {}
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
"""Looked up once: an enum member costs a Python descriptor call, 20,000 links made 40,000 of them."""


def pens(color: QColor) -> tuple[QPen, QPen]:
    """(curve pen, hairline pen) for a colour, shared by every link of that colour."""
    key = color.rgba()
    if key not in _PENS:
        _PENS[key] = (QPen(color, theme.LINK_WIDTH), QPen(color, 0))
    return _PENS[key]


def band(p1: QPointF, p2: QPointF, half: float = HIT_WIDTH / 2) -> QPainterPath:
    """The curve shifted up and down by `half`, closed: a cheap shape for rubber bands and cuts
    (stroking 4,000 curves for one rubber band took most of a second)."""
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(QPointF(p1.x(), p1.y() - half))
    path.cubicTo(QPointF(p1.x() + dx, p1.y() - half), QPointF(p2.x() - dx, p2.y() - half), QPointF(p2.x(), p2.y() - half))
    path.lineTo(QPointF(p2.x(), p2.y() + half))
    path.cubicTo(QPointF(p2.x() - dx, p2.y() + half), QPointF(p1.x() + dx, p1.y() + half), QPointF(p1.x(), p1.y() + half))
    path.closeSubpath()
    return path


def bezier(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The curve every link (and the link being dragged) follows: horizontal tangents at both ends."""
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


class LinkItem(QGraphicsRectItem):
    """Its curve and rect are set only when an end moves.

    The rect and curve are in scene coordinates while the item sits at (0, 0); a group drag that
    moves both ends carries it instead (`carry`), and `settle` puts it back when the drag ends."""

    __slots__ = ("edge", "source", "destination", "color", "_out", "_in", "_line")
    """20,000 links: slots hold what every link has (an attribute dict costs ~200 bytes more each);
    anything else set on one still lands in the dict every Qt wrapper keeps."""

    _carried = False
    """A group drag carries the link whole (moved by setPos, its curve unchanged)."""

    def __init__(self, edge: Edge, source: NodeItem, destination: NodeItem, color: QColor) -> None:
        super().__init__()
        self.edge = edge
        self.source = source
        self.destination = destination
        self.color = color
        self._out = source.socket_offset(edge.source.field, True)
        self._in = destination.socket_offset(edge.destination.field, False)
        """Where the sockets sit on their nodes: fixed for a node's life, so a move costs two additions."""
        self._line: QLineF | None = None
        self.setPen(_NO_PEN)
        self.setZValue(-1)
        self.setFlag(_SELECTABLE)
        self.update_path()

    def refresh_ends(self) -> None:
        """A node changed where its sockets sit (collapsed or expanded): read them again."""
        self._out = self.source.socket_offset(self.edge.source.field, True)
        self._in = self.destination.socket_offset(self.edge.destination.field, False)
        self.update_path()

    def ends(self) -> tuple[QPointF, QPointF]:
        return self.source.pos() + self._out, self.destination.pos() + self._in

    def update_path(self) -> None:
        """Follow the ends; a no-op (no geometry change, no repaint) when neither moved.
        Plain float arithmetic: a group drag bends hundreds of links a step."""
        if self._carried:
            self._carried = False
            self.setPos(0.0, 0.0)
        line = QLineF(self.source.pos() + self._out, self.destination.pos() + self._in)
        if line == self._line:
            return
        self._line = line
        x1, y1, x2, y2 = line.x1(), line.y1(), line.x2(), line.y2()
        dx = max(40.0, abs(x2 - x1) * 0.5)  # the control points bezier() uses
        left, right = min(x1, x2 - dx) - _PAD, max(x1 + dx, x2) + _PAD
        top, bottom = min(y1, y2) - _PAD, max(y1, y2) + _PAD
        rect = QRectF(left, top, right - left, bottom - top)
        scene = self.scene()
        if scene is None:
            self.setRect(rect)
        elif scene.far:
            before = self.rect()
            self.setRect(rect)
            scene.overview_changed(before.united(rect))
        else:
            self.setRect(rect)
            scene.overview_changed(None)

    def carry(self) -> None:
        """Both ends move together from now on (a group drag): whoever drags then moves the whole
        link with setPos, keeping its geometry and cached picture; nothing is recomputed."""
        self._carried = True

    def settle(self) -> None:
        """End a carry: back at (0, 0), with the curve between the ends where they now are."""
        if self._carried:
            self._carried = False
            self.setPos(0.0, 0.0)
            self.update_path()

    def line(self) -> QLineF:
        """Socket to socket, in scene coordinates: what the overview draws far out."""
        return self._line.translated(self.pos()) if self._carried else self._line

    def path(self) -> QPainterPath:
        return bezier(self._line.p1(), self._line.p2())

    def shape(self) -> QPainterPath:
        return band(self._line.p1(), self._line.p2())

    def contains(self, point: QPointF) -> bool:
        """A click hits within 5 pixels of the curve."""
        stroker = QPainterPathStroker()
        stroker.setWidth(HIT_WIDTH)
        return stroker.createStroke(self.path()).contains(point)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if painter.worldTransform().m11() < theme.LOD_DETAIL:
            return  # far out the scene draws every link as a hairline in one call (CanvasScene.drawBackground)
        selected = self.isSelected()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.LINK_SELECTED, theme.LINK_WIDTH + 1) if selected else pens(self.color)[0])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
