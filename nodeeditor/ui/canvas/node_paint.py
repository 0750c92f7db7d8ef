"""Painting of a node's parts that depend only on what is passed in: sockets, heat, run badges."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from nodeeditor.core.types import Cardinality, SocketType

from .. import theme


def paint_socket(painter: QPainter, center: QPointF, socket: SocketType, lit: bool) -> None:
    """A circle takes one value, a square a list, a hollow square with a dot either."""
    color = theme.kind_color(socket.kind)
    r = theme.SOCKET_R
    painter.setPen(QPen(QColor("#ffffff") if lit else theme.NODE_OUTLINE, 2 if lit else 1))
    if socket.cardinality is Cardinality.COLLECTION:
        painter.setBrush(color)
        painter.drawRect(QRectF(center.x() - r, center.y() - r, 2 * r, 2 * r))
    elif socket.cardinality is Cardinality.POLYMORPHIC:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, 2))
        painter.drawRect(QRectF(center.x() - r, center.y() - r, 2 * r, 2 * r))
        painter.setBrush(color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(center, r * 0.5, r * 0.5)
    else:
        painter.setBrush(color)
        painter.drawEllipse(center, r, r)


def paint_heat(painter: QPainter, body: QRectF, color: QColor, share: float) -> None:
    """The heat overlay on the header only, so the rows keep their contrast."""
    bar = QColor(color)
    bar.setAlpha(255)
    painter.fillRect(QRectF(0, theme.HEADER_H, body.width() * max(0.0, min(1.0, share)), 3), bar)
    painter.setFont(theme.font(8, True))
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(0, 0, body.width() - theme.PAD, theme.HEADER_H),
                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{share:.0%}")


def paint_badge(painter: QPainter, state: str, text: str, progress: float | None) -> None:
    """A run badge above the header's right end, with a progress bar under the header."""
    color = theme.BADGE_COLORS.get(state, theme.TEXT_DIM)
    painter.setFont(theme.font(8, True))
    label = text or state
    width = painter.fontMetrics().horizontalAdvance(label) + 12
    rect = QRectF(theme.NODE_WIDTH - width, -18, width, 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(rect, 8, 8)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
    if progress is not None:
        bar = QRectF(0, theme.HEADER_H - 3, theme.NODE_WIDTH * max(0.0, min(1.0, progress)), 3)
        painter.fillRect(bar, QBrush(color.lighter(130)))
