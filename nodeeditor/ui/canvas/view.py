"""The view: pan (middle drag or Space + drag), zoom to the cursor within limits, frame and fit,
Tab for the palette, a context menu, and file drops reported to the window."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QColor, QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent, QMouseEvent,
                           QPainter, QWheelEvent)
from PySide6.QtWidgets import QGraphicsView, QInputDialog, QMenu, QWidget

from nodeeditor.core.node import NodeSpec

from .. import theme
from ..palette import NodePalette
from . import editors
from .commands import EditFrameCommand, RenameCommand
from .frame_item import FrameItem
from .link_item import LinkItem
from .node_item import NodeItem
from .placement import place
from .link_rules import PendingLink
from .editor import CanvasEditor

SCENE_EXTENT = 1_000_000.0
OPENABLE = (".json", ".png")


class CanvasView(QGraphicsView):
    files_dropped = Signal(list)
    zoom_changed = Signal(float)

    def __init__(self, editor: CanvasEditor, parent: QWidget | None = None) -> None:
        scene = editor.scene
        super().__init__(scene, parent)
        self.canvas = scene
        self.editor = editor
        editor.palette_opener = self.open_palette
        self.palette: NodePalette | None = None
        self.node_menu_hooks: list[Callable[[QMenu, str, str | None], None]] = []
        """Called with (menu, node id, input field under the cursor or None) before a node's menu shows."""
        self.palette_extras: Callable[[], list[NodeSpec]] = list
        """More palette entries than the registry's (library subgraphs), offered when no link is pending."""
        self.pick_extra: Callable[[NodeSpec, QPointF], None] | None = None
        """What picking one of `palette_extras` at a scene point does."""
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # A resize (the window, a dock, the first layout after a file opened at start) keeps what
        # was in the middle in the middle.
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        half = SCENE_EXTENT / 2
        self.setSceneRect(QRectF(-half, -half, SCENE_EXTENT, SCENE_EXTENT))
        self.setAcceptDrops(True)
        self.zoom_changed.connect(scene.set_zoom)
        scene.set_zoom(self.zoom())
        self._pan_from: QPoint | None = None
        self._space = False

    # -- zoom and framing -------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Scale by `factor` around `anchor` (view coordinates; the centre when None), clamped."""
        target = max(theme.ZOOM_MIN, min(theme.ZOOM_MAX, self.zoom() * factor))
        factor = target / self.zoom()
        if abs(factor - 1.0) < 1e-9:
            return
        point = anchor if anchor is not None else QPointF(self.viewport().rect().center())
        before = self.mapToScene(point.toPoint())
        self.scale(factor, factor)
        after = self.mapToScene(point.toPoint())
        delta = after - before
        self.translate(delta.x(), delta.y())
        self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(1.25)

    def zoom_out(self) -> None:
        self.set_zoom(0.8)

    def fit_rect(self, rect: QRectF) -> None:
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0 / self.zoom())
        elif self.zoom() < theme.ZOOM_MIN:
            self.set_zoom(theme.ZOOM_MIN / self.zoom())
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())

    def fit_all(self) -> None:
        self.fit_rect(self.canvas.itemsBoundingRect())

    def frame_selected(self) -> None:
        rect = QRectF()
        for item in self.canvas.selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        self.fit_rect(rect if not rect.isEmpty() else self.canvas.itemsBoundingRect())

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.set_zoom(1.0015 ** event.angleDelta().y(), event.position())

    # -- panning ----------------------------------------------------------------------------
    def pan_by(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) pixels."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + int(dx))
        v.setValue(v.value() + int(dy))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            self.pan_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.editor.inline_editor is not None or (self.palette is not None and self.palette.isVisible()):
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() == Qt.Key.Key_Tab:
            cursor = self.mapFromGlobal(self.cursor().pos())
            if not self.viewport().rect().contains(cursor):
                cursor = self.viewport().rect().center()
            self.open_palette(self.mapToScene(cursor), None)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.editor.cancel_interaction()
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # Tab opens the palette instead of moving focus

    # -- palette ----------------------------------------------------------------------------
    def open_palette(self, scene_pos: QPointF, pending: PendingLink | None = None) -> NodePalette:
        if self.palette is not None:
            self.palette.close()
        accepts = None if pending is None else (lambda spec: pending.fits(spec) is not None)
        extras = self.palette_extras() if pending is None and self.pick_extra is not None else []
        palette = NodePalette([*self.canvas.registry, *extras], self.viewport(), accepts)

        def chosen(spec: NodeSpec) -> None:
            at = place(spec, scene_pos, self.visible_scene_rect())
            if any(spec is extra for extra in extras):
                self.pick_extra(spec, at)
            else:
                self.editor.add_node_for(spec, at, pending)

        palette.chosen.connect(chosen)
        palette.destroyed.connect(lambda *_: setattr(self, "palette", None))
        self.palette = palette
        at = self.mapFromScene(scene_pos)
        palette.open_at(at.x(), at.y())
        return palette

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    # -- context menu -----------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return  # Ctrl + right-drag cuts links
        scene_pos = self.mapToScene(event.pos())
        item = self.itemAt(event.pos())
        menu = QMenu(self)
        if isinstance(item, NodeItem):
            if not item.isSelected():
                self.canvas.clearSelection()
                item.setSelected(True)
            row = item.input_row_at(scene_pos)
            for hook in self.node_menu_hooks:
                hook(menu, item.node_id, row.field if row is not None else None)
            if not menu.isEmpty():
                menu.addSeparator()
            menu.addAction("Rename…", lambda: self.rename_node(item))
            menu.addAction("Bypass / Enable", self.editor.toggle_bypass)
            menu.addAction("Frame Selection", self.editor.frame_selection)
            menu.addAction("Delete", self.editor.delete_selected)
        elif isinstance(item, LinkItem):
            menu.addAction("Delete Link", lambda: self.editor.disconnect([item.edge]))
        elif isinstance(item, FrameItem):
            menu.addAction("Rename Frame…", lambda: self.rename_frame(item))
            menu.addAction("Frame Colour…", lambda: self.recolor_frame(item))
            menu.addAction("Delete Frame", lambda: (self.canvas.clearSelection(), item.setSelected(True),
                                                    self.editor.delete_selected()))
        else:
            menu.addAction("Add Node…", lambda: self.open_palette(scene_pos, None))
            if self.canvas.selected_node_ids():
                menu.addAction("Frame Selection", self.editor.frame_selection)
        menu.exec(event.globalPos())

    def rename_node(self, item: NodeItem) -> None:
        text, ok = QInputDialog.getText(self, "Rename node", "Label:", text=item.title())
        if ok:
            self.editor.push(RenameCommand(self.canvas.document, item.node_id, text.strip() or None))

    def rename_frame(self, item: FrameItem) -> None:
        text, ok = QInputDialog.getText(self, "Rename frame", "Title:", text=item.frame.title)
        if ok:
            self.editor.push(EditFrameCommand(self.canvas.document, item.frame_id, title=text))

    def recolor_frame(self, item: FrameItem) -> None:
        picked = editors.pick_color(QColor(item.frame.color), self)
        if picked is not None:
            color = QColor(picked["r"], picked["g"], picked["b"]).name()
            self.editor.push(EditFrameCommand(self.canvas.document, item.frame_id, color=color))

    # -- file drops -------------------------------------------------------------------------
    @staticmethod
    def _paths(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[str]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [u.toLocalFile() for u in urls if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in OPENABLE]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._paths(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._paths(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._paths(event)
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)
