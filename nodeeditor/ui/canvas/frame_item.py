"""A frame: a titled, coloured box behind nodes; dragging it carries the nodes inside along
(MoveInteraction moves them together)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from nodeeditor.core.workflow import Frame

from .. import theme

TITLE_H = 26


class FrameItem(QGraphicsItem):
    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame_id = frame.id
        self.frame = frame
        self.setZValue(-2)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)  # MoveInteraction moves it
        self.refresh(frame)

    def refresh(self, frame: Frame) -> None:
        self.prepareGeometryChange()
        self.frame = frame
        x, y, w, h = frame.rect
        self.setPos(x, y)
        self._rect = QRectF(0, 0, w, h)
        self.update()

    def rect_tuple(self) -> tuple[float, float, float, float]:
        return (self.pos().x(), self.pos().y(), self._rect.width(), self._rect.height())

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        color = QColor(self.frame.color)
        fill = QColor(color)
        fill.setAlpha(90)
        painter.setBrush(fill)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(theme.NODE_SELECTED if selected else color.lighter(140), 2 if selected else 1))
        painter.drawRoundedRect(self._rect, 6, 6)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < theme.LOD_DETAIL / 2:
            return
        painter.setPen(theme.TEXT)
        painter.setFont(theme.font(12, True))
        painter.drawText(self._rect.adjusted(10, 0, -10, 0).intersected(QRectF(10, 0, self._rect.width() - 20, TITLE_H)),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.frame.title)
