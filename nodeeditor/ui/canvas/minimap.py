"""A small overview in the view's bottom-right corner: every node as a box, the visible area as a
frame; a click or a drag on it moves the view there.

It is a child widget of the viewport, repainted at most every REFRESH_MS after the document or
the view changed, and it reads only node positions, so a big graph costs it one pass of rects.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QWidget

from .. import theme

SIZE = (220, 150)
MARGIN = 12
PAD = 8.0
REFRESH_MS = 60
BACK = QColor(16, 17, 20, 215)
NODE = QColor("#6b7280")
VIEW = QColor("#f0b429")


class Minimap(QWidget):
    def __init__(self, view) -> None:  # a CanvasView
        super().__init__(view.viewport())
        self.view = view
        self.setObjectName("minimap")
        self.setFixedSize(*SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS, timeout=self.update)
        view.viewport().installEventFilter(self)
        view.installEventFilter(self)  # the viewport's own resize is not always reported to filters
        view.horizontalScrollBar().valueChanged.connect(self.schedule)
        view.verticalScrollBar().valueChanged.connect(self.schedule)
        view.zoom_changed.connect(self.schedule)
        view.canvas.document.changed.connect(self.schedule)
        view.canvas.document.reset.connect(self.schedule)
        self._place()

    def schedule(self, *_args) -> None:
        if self.isVisible() and not self._timer.isActive():
            self._place()
            self._timer.start()

    def _place(self) -> None:
        area = self.view.viewport().rect()
        self.move(area.right() - self.width() - MARGIN, area.bottom() - self.height() - MARGIN)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        self._place()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._place)  # after the view has laid its viewport out
        return super().eventFilter(watched, event)

    # -- mapping --------------------------------------------------------------------------------
    def world(self) -> QRectF:
        """The scene area shown: every node and the visible area, with a margin."""
        rect = self.view.visible_scene_rect()
        for item in self.view.canvas.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-40, -40, 40, 40)

    def _scale(self, world: QRectF) -> float:
        return min((self.width() - 2 * PAD) / max(world.width(), 1.0), (self.height() - 2 * PAD) / max(world.height(), 1.0))

    def to_map(self, world: QRectF, rect: QRectF) -> QRectF:
        s = self._scale(world)
        ox = PAD + (self.width() - 2 * PAD - world.width() * s) / 2
        oy = PAD + (self.height() - 2 * PAD - world.height() * s) / 2
        return QRectF(ox + (rect.x() - world.x()) * s, oy + (rect.y() - world.y()) * s, rect.width() * s, rect.height() * s)

    def to_scene(self, world: QRectF, point: QPointF) -> QPointF:
        s = self._scale(world)
        ox = PAD + (self.width() - 2 * PAD - world.width() * s) / 2
        oy = PAD + (self.height() - 2 * PAD - world.height() * s) / 2
        return QPointF(world.x() + (point.x() - ox) / s, world.y() + (point.y() - oy) / s)

    # -- painting and panning -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#3a3d44"), 1))
        painter.setBrush(BACK)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        world = self.world()
        painter.setPen(Qt.PenStyle.NoPen)
        for item in self.view.canvas.node_items.values():
            spec = item.spec
            painter.setBrush(theme.category_color(spec.category) if spec is not None else NODE)
            painter.drawRect(self.to_map(world, item.body_rect().translated(item.pos())))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(VIEW, 1.5))
        painter.drawRect(self.to_map(world, self.view.visible_scene_rect()))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._world = self.world()  # kept while dragging, so the map does not shift under the pointer
        self._pan_to(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._pan_to(event)

    def _pan_to(self, event: QMouseEvent) -> None:
        self.view.centerOn(self.to_scene(getattr(self, "_world", self.world()), event.position()))
        self.update()
        event.accept()
