"""Where a node picked from the palette lands: centred on the point it was asked for, and moved
inside the visible part of the canvas when that point is near an edge, so it is never half hidden."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF

from nodeeditor.core.node import NodeSpec
from nodeeditor.core.workflow import NodeData

from .. import theme
from .node_rows import REROUTE, rows_for

MARGIN = 16.0


def node_size(spec: NodeSpec) -> QSizeF:
    """The size a new node of `spec` is drawn at (no thumbnail yet)."""
    if spec.type == REROUTE:
        return QSizeF(0.0, 0.0)
    rows = rows_for(spec, NodeData.model_construct(id="new", type=spec.type, inputs={}), set(), set())
    return QSizeF(theme.NODE_WIDTH, theme.HEADER_H + theme.PAD + len(rows) * theme.ROW_H)


def place(spec: NodeSpec, point: QPointF, visible: QRectF | None) -> QPointF:
    """Top-left corner for a node of `spec` centred on `point`, kept inside `visible` (scene rect)."""
    size = node_size(spec)
    x, y = point.x() - size.width() / 2, point.y() - size.height() / 2
    if visible is not None and not visible.isEmpty():
        x = max(visible.left() + MARGIN, min(x, visible.right() - MARGIN - size.width()))
        y = max(visible.top() + MARGIN, min(y, visible.bottom() - MARGIN - size.height()))
    return QPointF(x, y)
