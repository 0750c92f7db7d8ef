"""Painting of a node's parts: sockets, heat, run badges, and its socket rows with their values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from nodeeditor.core.types import Cardinality, Kind, SocketType

from .. import theme
from .editors import color_of, display_value
from .node_rows import Row


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


def paint_row(item: Any, painter: QPainter, row: Row) -> None:
    """One socket row of a node item: its title, its value box (inputs) and its socket."""
    w = theme.NODE_WIDTH
    text_rect = QRectF(theme.PAD + 6, row.y - theme.ROW_H / 2, w - 2 * theme.PAD - 12, theme.ROW_H)
    faded = False
    highlight = item.highlight
    if highlight is not None and row.has_socket:
        faded = not highlight.get((row.field, row.output), False)
    painter.setOpacity(0.3 if faded else (0.55 if item.node.bypassed else 1.0))
    has_issue = not row.output and row.field in item.issues
    painter.setPen(theme.NODE_ERROR if has_issue else theme.TEXT)
    if row.output:
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, row.title)
    else:
        valued = row.editor is not None and row.field not in item.connected
        room = item.value_rect(row).left() - text_rect.left() - 4 if valued else text_rect.width()
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         painter.fontMetrics().elidedText(row.title, Qt.TextElideMode.ElideRight, int(room)))
        if valued:
            _paint_value(item, painter, row)
    if row.has_socket:
        paint_socket(painter, QPointF(w if row.output else 0.0, row.y), row.type,
                     highlight is not None and not faded)


def _paint_axis_mark(item: Any, painter: QPainter, row: Row) -> None:
    rect = item.value_rect(row)
    painter.setBrush(theme.AXIS_MARK)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setPen(QColor("#ffffff"))
    inner = rect.adjusted(6, 0, -6, 0)
    painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                     painter.fontMetrics().elidedText(item.axis_marks[row.field], Qt.TextElideMode.ElideRight,
                                                      int(inner.width())))


def _paint_value(item: Any, painter: QPainter, row: Row) -> None:
    if row.field in item.axis_marks:
        _paint_axis_mark(item, painter, row)
        return
    rect = item.value_rect(row)
    value = item.node.inputs.get(row.field, row.spec.default if row.spec else None)
    painter.setBrush(theme.FIELD_BG)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 3, 3)
    if row.editor == "bool":
        box = QRectF(rect.right() - rect.height(), rect.top(), rect.height(), rect.height()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(theme.TEXT_DIM, 1))
        painter.setBrush(theme.kind_color(Kind.BOOLEAN) if value else Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 2, 2)
        return
    if row.editor == "color":
        painter.setBrush(color_of(value))
        painter.setPen(QPen(theme.TEXT_DIM, 1))
        painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 2, 2)
        return
    painter.setPen(theme.TEXT if row.field in item.node.inputs else theme.TEXT_DIM)
    text = display_value(row.editor, value) + (" ▾" if row.editor == "choice" else "")
    inner = rect.adjusted(4, 0, -4, 0)
    painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                     painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(inner.width())))
