"""A link: a bezier curve from an output socket to an input socket, coloured by the output's kind."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nodeeditor.core.workflow import Edge

from .. import theme
from .node_item import NodeItem


def bezier(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The curve every link (and the link being dragged) follows: horizontal tangents at both ends."""
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


class LinkItem(QGraphicsItem):
    """Its path is recomputed only when an end moves; the hit shape is built on first use."""

    def __init__(self, edge: Edge, source: NodeItem, destination: NodeItem, color: QColor) -> None:
        super().__init__()
        self.edge = edge
        self.source = source
        self.destination = destination
        self.color = color
        self._pen = QPen(color, theme.LINK_WIDTH)
        self._thin = QPen(color, 0)
        self._thin_selected = QPen(theme.LINK_SELECTED, 0)
        self._line = QLineF()
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self._bounds = QRectF()
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.update_path()

    def ends(self) -> tuple[QPointF, QPointF]:
        return (self.source.socket_pos(self.edge.source.field, True),
                self.destination.socket_pos(self.edge.destination.field, False))

    def update_path(self) -> None:
        p1, p2 = self.ends()
        self.prepareGeometryChange()
        self._path = bezier(p1, p2)
        self._line = QLineF(p1, p2)
        self._shape = None
        pad = theme.LINK_WIDTH + 4
        self._bounds = self._path.controlPointRect().adjusted(-pad, -pad, pad, pad)

    def path(self) -> QPainterPath:
        return self._path

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        selected = self.isSelected()
        if painter.worldTransform().m11() < theme.LOD_DETAIL:  # far out: a straight hairline
            painter.setPen(self._thin_selected if selected else self._thin)
            painter.drawLine(self._line)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.LINK_SELECTED, theme.LINK_WIDTH + 1) if selected else self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
