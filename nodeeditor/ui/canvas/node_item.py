"""One QGraphicsItem per node: header, rows, painted sockets and values, badges. No child items.

Below theme.LOD_DETAIL zoom the scene draws nodes as boxes itself (overview.py); a node in a bare
scene paints its own box there. That is what keeps fit-all fast.
Its bounding rect is a QGraphicsRectItem's rect, held by Qt: indexing, panning and selecting never
ask Python for it, and Python runs only to paint a node on screen or to test a hit on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, AbstractSet

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from nodeeditor.core.node import NodeSpec
from nodeeditor.core.types import Kind, SocketType
from nodeeditor.core.workflow import NodeData

from .. import theme
from . import value_display
from .node_paint import paint_badge, paint_heat, paint_row
from .node_rows import REROUTE, VALUE_LEFT, Row, shared_rows

if TYPE_CHECKING:
    from .link_item import LinkItem


DOT_R = 7.0
NO_ISSUES: dict[str | None, list[str]] = {}
"""Shared by every node without issues (set_issues replaces the dict, never changes it)."""
_SHAPES: dict[tuple[bool, float], QPainterPath] = {}
_OFFSETS: dict[tuple[float, float], QPointF] = {}
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
NO_NAMES: frozenset[str] = frozenset()
NO_TEXTS: dict[str, str] = {}
"""Shared empty defaults; replaced, never changed."""
NO_FLOWS: dict[str, SocketType] = {}
"""Shared by every node without inferred outputs (most of them); replaced, never changed."""


class NodeItem(QGraphicsRectItem):
    """Draws a node; the scene and interactions ask it where its sockets and value fields are.

    Moving it does not move its links: whoever moves nodes (a drag, an undo) updates the links of
    what moved once, so a frame does no Python work for nodes that stand still.

    What most nodes never get (a badge, heat, a thumbnail...) starts as a class-wide default that
    a setter replaces, never changes: 10,000 nodes do not each hold empty dicts and Nones."""

    __slots__ = ("node_id", "spec", "node", "compact", "rows", "_by_key", "_value_left", "connected", "links",
                 "issues", "flows", "_height")
    """What every node holds (see LinkItem's slots); the rare ones below are class defaults."""

    badge: tuple[str, str, float | None] | None = None
    heat: tuple[QColor, float] | None = None
    thumbnail: QImage | None = None
    outputs: dict[str, str] = NO_TEXTS
    """Each output's value in the last run, as a short text (shown on hover)."""
    shown: value_display.Shown | None = None
    """A Show Value node's last value, painted under the rows."""
    collapsed = False
    """Drawn as its header only; every socket sits at the header's middle."""
    axis_marks: dict[str, str] = NO_TEXTS
    """Inputs that are batch axes -> what their marker says instead of the value."""

    def __init__(self, node: NodeData, spec: NodeSpec | None, linked_in: set[str] = frozenset(),
                 linked_out: set[str] = frozenset()) -> None:
        super().__init__()
        self.node_id = node.id
        self.spec = spec
        self.node = node
        self.compact = spec is not None and spec.type == REROUTE
        self.rows, self._by_key, self._value_left = shared_rows(spec, node, set(linked_in), set(linked_out))
        self.connected: AbstractSet[str] = frozenset(linked_in) if linked_in else NO_NAMES
        self.links: list[LinkItem] = []
        self.issues: dict[str | None, list[str]] = NO_ISSUES
        self.flows: dict[str, SocketType] = NO_FLOWS
        """Output types inferred from what is linked in (Iterate, Collect, Reroute), by field."""
        self._height = 0.0
        self.setPen(_NO_PEN)  # the rect is exactly the bounding rect
        self._layout()
        self.setFlags(_SELECTABLE)  # interactions move nodes
        self.setAcceptHoverEvents(True)
        self.setPos(*node.position)

    # -- geometry ---------------------------------------------------------------------------
    def _layout(self) -> None:
        if self.compact:
            self._height = 0.0
            self.setRect(QRectF(-DOT_R - 3, -DOT_R - 3, 2 * DOT_R + 6, 2 * DOT_R + 6))
            return
        if self.collapsed:
            self._set_height(theme.HEADER_H)
            return
        self._height = theme.HEADER_H + theme.PAD + len(self.rows) * theme.ROW_H
        if self.thumbnail is not None:
            self._height += max(theme.THUMB_H, self.thumbnail.height()) + theme.PAD
        if self.shown is not None:
            self._height += value_display.height_of(self.shown, theme.NODE_WIDTH)
        self._set_height(self._height)

    def _set_height(self, height: float) -> None:
        self._height = height
        m = theme.SOCKET_R + 3
        bounds = QRectF(-m, -20, theme.NODE_WIDTH + 2 * m, self._height + 20 + m)  # badge above
        if bounds != self.rect():
            before = self.sceneBoundingRect()
            self.setRect(bounds)
            self._look_changed(before)

    def move_to(self, x: float, y: float) -> None:
        """Put the node at (x, y) and bring its links along."""
        before = self.sceneBoundingRect()
        self.setPos(x, y)
        for link in self.links:
            link.update_path()
        self._look_changed(before)

    def _look_changed(self, before: QRectF | None = None) -> None:
        """Far out the scene draws this node's box (overview.py): tell it, naming the area to redraw."""
        scene = self.scene()
        changed = getattr(scene, "nodes_changed", None)  # a bare QGraphicsScene draws no boxes
        if changed is not None:
            rect = self.sceneBoundingRect() if scene.far else None
            changed(rect.united(before) if rect is not None and before is not None else rect)

    @property
    def height(self) -> float:
        """The body's height (0 for a reroute dot)."""
        return self._height

    def body_rect(self) -> QRectF:
        if self.compact:
            return QRectF(-DOT_R, -DOT_R, 2 * DOT_R, 2 * DOT_R)
        return QRectF(0, 0, theme.NODE_WIDTH, self._height)

    def shape(self) -> QPainterPath:
        """What a click or a rubber band hits: the body and its sockets (one path per size)."""
        key = (self.compact, self._height)
        path = _SHAPES.get(key)
        if path is None:
            path = _SHAPES[key] = QPainterPath()
            if self.compact:
                path.addEllipse(self.body_rect().adjusted(-2, -2, 2, 2))
            else:
                path.addRect(self.body_rect().adjusted(-theme.SOCKET_R, 0, theme.SOCKET_R, 0))
        return path

    def row(self, field: str, output: bool) -> Row | None:
        return self._by_key.get((field, output))

    def socket_offset(self, field: str, output: bool) -> QPointF:
        """Where a socket sits on the node (the header's middle when the row is unknown); one shared,
        never changed point per place, so 20,000 links do not hold 40,000 points."""
        row = None if self.collapsed else self._by_key.get((field, output))
        x, y = (0.0, 0.0) if self.compact else (theme.NODE_WIDTH if output else 0.0, row.y if row else theme.HEADER_H / 2)
        point = _OFFSETS.get((x, y))
        if point is None:
            point = _OFFSETS[(x, y)] = QPointF(x, y)
        return point

    def socket_pos(self, field: str, output: bool) -> QPointF:
        """Scene position of a socket (the row's middle when the row is unknown)."""
        if self.compact:
            return self.pos()
        row = None if self.collapsed else self._by_key.get((field, output))
        y = row.y if row else theme.HEADER_H / 2
        return self.pos() + QPointF(theme.NODE_WIDTH if output else 0.0, y)  # nodes are never transformed

    def socket_at(self, scene_pos: QPointF, radius: float = 10.0, want_output: bool | None = None) -> Row | None:
        """The socket under `scene_pos`; `want_output` says which side a dragged link needs."""
        local = self.mapFromScene(scene_pos)
        if self.compact:
            if local.x() ** 2 + local.y() ** 2 > (DOT_R + 5) ** 2:
                return None
            if want_output is None:  # the dot's middle moves it, its right rim starts a link
                return self.row("value", True) if local.x() > DOT_R / 2 else None
            return self.row("value", want_output)
        if self.collapsed:
            return None
        for row in self.rows:
            if not row.has_socket:
                continue
            x = theme.NODE_WIDTH if row.output else 0.0
            if (abs(local.x() - x) <= radius and abs(local.y() - row.y) <= theme.ROW_H / 2
                    and want_output in (None, row.output)):
                return row
        return None

    def value_rect(self, row: Row) -> QRectF:
        left = self._value_left.get(row.field, theme.NODE_WIDTH * VALUE_LEFT[0])
        return QRectF(left, row.y - theme.ROW_H / 2 + 3, theme.NODE_WIDTH - left - theme.PAD - 4,
                      theme.ROW_H - 6)

    def input_row_at(self, scene_pos: QPointF) -> Row | None:
        """The input row (any part of it) under `scene_pos`."""
        local = self.mapFromScene(scene_pos)
        return None if self.collapsed else next((row for row in self.rows
                                                 if not row.output and abs(local.y() - row.y) <= theme.ROW_H / 2), None)

    def editable_row_at(self, scene_pos: QPointF) -> Row | None:
        """The input whose painted value is under `scene_pos`, when it can be typed now."""
        local = self.mapFromScene(scene_pos)
        for row in () if self.collapsed else self.rows:
            if row.output or row.editor is None or row.field in self.connected:
                continue
            if self.value_rect(row).adjusted(-2, -2, 2, 2).contains(local):
                return row
        return None

    def title(self) -> str:
        if self.node.label:
            return self.node.label
        if self.spec is None:  # not installed, or saved by a newer major version than installed
            return f"Missing: {self.node.type}" + (f" {self.node.version}" if self.node.version else "")
        return self.spec.title

    # -- state the scene and later features set --------------------------------------------
    def refresh(self, node: NodeData | None = None) -> None:
        """Repaint after the node's values, label or bypass changed."""
        if node is not None:
            self.node = node
        self.update()

    def set_connected(self, connected: AbstractSet[str]) -> None:
        if connected != self.connected:
            self.connected = connected
            self.update()

    def set_issues(self, issues: dict[str | None, list[str]]) -> None:
        if issues != self.issues:
            self.issues = issues
            self.setToolTip("\n".join(m for ms in issues.values() for m in ms))
            self.update()
            self._look_changed()

    def set_badge(self, state: str | None, text: str = "", progress: float | None = None) -> None:
        """Paint a run badge: state is queued/running/done/failed/cached, or None to clear.
        Only this node is repainted, and only when its badge changed."""
        badge = None if state is None else (state, text, progress)
        if badge != self.badge:
            self.badge = badge
            self.update()

    def set_heat(self, color: QColor | None, share: float | None = None) -> None:
        """Tint the node for the heat overlay (its share of time or memory), or None to clear."""
        heat = None if color is None else (color, share or 0.0)
        if heat != self.heat:
            self.heat = heat
            self.update()
            self._look_changed()

    def set_axis_marks(self, marks: dict[str, str]) -> None:
        """Mark inputs used as batch axes: the marker replaces the value in the row."""
        if marks != self.axis_marks:
            self.axis_marks = dict(marks)
            self.update()

    def axis_mark_at(self, scene_pos: QPointF) -> str | None:
        """The input whose axis marker is under `scene_pos`."""
        row = self.input_row_at(scene_pos)
        if row is None or row.field not in self.axis_marks:
            return None
        return row.field if self.value_rect(row).adjusted(-2, -2, 2, 2).contains(self.mapFromScene(scene_pos)) else None

    def set_thumbnail(self, image: QImage | None, height: float = theme.THUMB_H) -> None:
        """Paint an image preview under the rows, at most `height` tall (None removes it)."""
        self.thumbnail = None if image is None or image.isNull() else image.scaled(
            int(theme.NODE_WIDTH - 2 * theme.PAD), int(height),
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self._layout()
        self.update()
        for link in self.links:
            link.update_path()

    def set_collapsed(self, collapsed: bool) -> None:
        """Show the header only (H), or the whole node again; links move to the new socket places."""
        if collapsed == self.collapsed or self.compact:
            return
        self.collapsed = collapsed
        self._layout()
        self.update()
        for link in self.links:
            link.refresh_ends()

    def set_outputs(self, outputs: dict[str, str]) -> None:
        """The last run's output values (short texts), listed when the pointer rests on the node."""
        self.outputs = dict(outputs)

    def set_shown(self, shown: value_display.Shown | None) -> None:
        """Show a value in the body under the rows (None removes it)."""
        if shown == self.shown:
            return
        self.shown = shown
        self._layout()
        self.update()
        for link in self.links:
            link.update_path()

    @property
    def highlight(self) -> dict[tuple[str, bool], bool] | None:
        """While a link is dragged: (field, output) -> compatible; None otherwise. Asked of the
        scene when the node is painted, so starting a drag costs the nodes on screen only."""
        highlight_of = getattr(self.scene(), "highlight_of", None)  # a bare QGraphicsScene has none
        return highlight_of(self) if highlight_of is not None else None

    # -- events -----------------------------------------------------------------------------
    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.setToolTip(self._tooltip_at(event.scenePos()))
        super().hoverMoveEvent(event)

    def _tooltip_at(self, scene_pos: QPointF) -> str:
        local = self.mapFromScene(scene_pos)
        problems = [m for ms in self.issues.values() for m in ms]
        for row in self.rows:
            if abs(local.y() - row.y) <= theme.ROW_H / 2:
                flows = self.flows.get(row.field) if row.output else None
                lines = [f"{row.title}: {flows} (from what is linked in)" if flows and flows != row.type
                         else f"{row.title}: {row.type}"]
                if row.spec is not None and row.spec.description:
                    lines.append(row.spec.description)
                lines += self.issues.get(row.field, []) if not row.output else []
                if row.output and row.field in self.outputs:
                    lines.append(f"last run: {self.outputs[row.field]}")
                if not row.output and row.field in self.axis_marks:
                    lines.append(f"Batch axis ({self.axis_marks[row.field]}): click to edit it in the Batch dock")
                return "\n".join(lines)
        if self.spec is None:
            return f"Node type {self.node.type!r} is not installed; its inputs and links are kept."
        head = f"{self.spec.title} ({self.spec.type})"
        last = [f"  {name} = {text}" for name, text in self.outputs.items()]
        return "\n".join([head, self.spec.description, *problems, *(["Last run:", *last] if last else [])]).strip()

    # -- painting ---------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = painter.worldTransform().m11()  # nodes are never rotated or sheared
        selected = self.isSelected()
        body = self.body_rect()
        if self.compact:
            self._paint_dot(painter, body, selected)
            return
        header_color = theme.category_color(self.spec.category) if self.spec else theme.NODE_MISSING
        if lod < theme.LOD_DETAIL:
            painter.fillRect(body, theme.NODE_BODY)
            painter.fillRect(QRectF(0, 0, body.width(), theme.HEADER_H), header_color)
            if self.heat is not None:
                painter.fillRect(body, self.heat[0])
            if selected or self.issues or self.spec is None:
                color = theme.NODE_SELECTED if selected else theme.NODE_ERROR
                painter.setPen(QPen(color, 6))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(body)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.node.bypassed:
            painter.setOpacity(0.55)
        path = QPainterPath()
        path.addRoundedRect(body, theme.CORNER, theme.CORNER)
        painter.fillPath(path, theme.NODE_BODY)
        painter.save()
        painter.setClipRect(QRectF(0, 0, body.width(), theme.HEADER_H))
        painter.fillPath(path, header_color)
        if self.heat is not None:  # the header only: the rows keep their contrast
            painter.fillPath(path, self.heat[0])
        painter.restore()
        painter.setFont(theme.font(9.5, True))
        painter.setPen(theme.TEXT)
        title = ("▸ " if self.collapsed else "") + self.title() + ("  (bypassed)" if self.node.bypassed else "")
        title_rect = QRectF(theme.PAD + 2, 0, body.width() - 2 * theme.PAD - 4, theme.HEADER_H)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight,
                                                          int(title_rect.width())))
        painter.setFont(theme.font(8.5))
        for row in () if self.collapsed else self.rows:
            paint_row(self, painter, row)
        top = theme.HEADER_H + theme.PAD + len(self.rows) * theme.ROW_H
        if self.thumbnail is not None and not self.collapsed:
            x = (body.width() - self.thumbnail.width()) / 2
            painter.drawImage(QPointF(x, top), self.thumbnail)
            top += max(theme.THUMB_H, self.thumbnail.height()) + theme.PAD
        if self.shown is not None and not self.collapsed:
            value_display.paint(painter, top, body.width(), self.shown)
        painter.setOpacity(1.0)
        if self.heat is not None:
            paint_heat(painter, body, *self.heat)
        if selected or self.issues or self.spec is None:
            color = theme.NODE_SELECTED if selected else theme.NODE_ERROR
            pen = QPen(color, 2)
            if self.spec is None and not selected:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(body.adjusted(-1, -1, 1, 1), theme.CORNER, theme.CORNER)
        if self.badge is not None:
            paint_badge(painter, *self.badge)

    def _paint_dot(self, painter: QPainter, body: QRectF, selected: bool) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.links[0].color if self.links else theme.kind_color(Kind.ANY)
        painter.setBrush(color)
        painter.setPen(QPen(theme.NODE_SELECTED if selected else theme.NODE_OUTLINE, 2 if selected else 1))
        painter.drawEllipse(body)
