"""A bare PySide6 node canvas, the yardstick for benchmarks/canvas.py: what a plain QGraphicsScene costs.

One Python item per node (header, title, one socket and label per row, a plain box below 40 %
zoom), one QGraphicsPathItem per link (a bezier, Qt holds its geometry), the scene's default BSP
index, no undo, no validation, no document. Nothing from nodeeditor is imported: it reads the
workflow's plain fields only, so it shows what the same picture costs without the editor.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView

WIDTH, HEADER, ROW, LOD = 200.0, 24.0, 22.0, 0.4
BODY, HEAD, TEXT, LINK, BACK = (QColor("#2b2d31"), QColor("#3d6b99"), QColor("#e6e6e6"),
                                QColor("#8fbf6f"), QColor("#1d1e21"))


class RawNode(QGraphicsItem):
    """A node drawn in one paint call: box far out, header, title and socket rows close in."""

    def __init__(self, title: str, inputs: list[str], outputs: list[str], x: float, y: float) -> None:
        super().__init__()
        self.title = title
        self.rows = [(name, True) for name in outputs] + [(name, False) for name in inputs]
        self.height = HEADER + 8 + len(self.rows) * ROW
        self.bounds = QRectF(-6, -2, WIDTH + 12, self.height + 4)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setPos(x, y)

    def socket(self, name: str, output: bool) -> QPointF:
        index = self.rows.index((name, output)) if (name, output) in self.rows else 0
        return self.pos() + QPointF(WIDTH if output else 0.0, HEADER + 4 + index * ROW + ROW / 2)

    def boundingRect(self) -> QRectF:
        return self.bounds

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        body = QRectF(0, 0, WIDTH, self.height)
        if painter.worldTransform().m11() < LOD:
            painter.fillRect(body, BODY)
            painter.fillRect(QRectF(0, 0, WIDTH, HEADER), HEAD)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BODY)
        painter.drawRoundedRect(body, 6, 6)
        painter.fillRect(QRectF(0, 0, WIDTH, HEADER), HEAD)
        painter.setPen(TEXT)
        painter.setFont(QFont("Sans", 9))
        painter.drawText(QRectF(8, 0, WIDTH - 16, HEADER), Qt.AlignmentFlag.AlignVCenter, self.title)
        for index, (name, output) in enumerate(self.rows):
            y = HEADER + 4 + index * ROW
            align = Qt.AlignmentFlag.AlignRight if output else Qt.AlignmentFlag.AlignLeft
            painter.setPen(TEXT)
            painter.drawText(QRectF(12, y, WIDTH - 24, ROW), align | Qt.AlignmentFlag.AlignVCenter, name)
            painter.setBrush(LINK)
            painter.drawEllipse(QPointF(WIDTH if output else 0.0, y + ROW / 2), 5, 5)


def bezier(p1: QPointF, p2: QPointF) -> QPainterPath:
    dx = max(40.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


def build(workflow: Any, fields: dict[str, tuple[list[str], list[str]]]) -> QGraphicsScene:
    """Items for every node and edge of `workflow`; `fields` maps a node type to (inputs, outputs)."""
    scene = QGraphicsScene()
    scene.setBackgroundBrush(BACK)
    nodes: dict[str, RawNode] = {}
    for node in workflow.nodes:
        inputs, outputs = fields.get(node.type, ([], []))
        item = RawNode(node.type, inputs, outputs, *node.position)
        nodes[node.id] = item
        scene.addItem(item)
    pen = QPen(LINK, 2.5)
    for edge in workflow.edges:
        src, dst = nodes[edge.source.node], nodes[edge.destination.node]
        link = QGraphicsPathItem(bezier(src.socket(edge.source.field, True), dst.socket(edge.destination.field, False)))
        link.setPen(pen)
        link.setZValue(-1)
        scene.addItem(link)
    return scene


def view_for(scene: QGraphicsScene | None) -> QGraphicsView:
    view = QGraphicsView(scene)
    view.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
    view.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
    return view
