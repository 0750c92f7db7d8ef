"""Inputs used as batch axes are marked on their nodes ("⟷ axis: 40 items"); a click on the
marker opens that axis in the Batch dock instead of editing the value, which the batch overrides.

It watches the scene through an event filter, so the canvas needs no knowledge of batches.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from .canvas.editor import CanvasEditor
from .panels.batch_panel import BatchPanel


def mark_text(count: int) -> str:
    return f"⟷ axis: {count:,} item{'s' if count != 1 else ''}"


class AxisMarks(QObject):
    def __init__(self, editor: CanvasEditor, panel: BatchPanel, open_axis: Callable[[str, str], None]) -> None:
        super().__init__(editor.scene)
        self.editor, self.scene, self.panel, self.open_axis = editor, editor.scene, panel, open_axis
        self.scene.installEventFilter(self)

    def refresh(self) -> None:
        marks: dict[str, dict[str, str]] = {}
        for axis in self.panel.axes():
            marks.setdefault(axis.node_id, {})[axis.field] = mark_text(len(axis.values))
        for node_id, item in self.scene.node_items.items():
            item.set_axis_marks(marks.get(node_id, {}))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.scene and event.type() == QEvent.Type.GraphicsSceneMousePress
                and isinstance(event, QGraphicsSceneMouseEvent) and event.button() == Qt.MouseButton.LeftButton
                and self.editor.interaction is None):
            item = self.scene.node_item_at(event.scenePos())
            field = item.axis_mark_at(event.scenePos()) if item is not None else None
            if field is not None:
                self.open_axis(item.node_id, field)
                event.accept()
                return True
        return super().eventFilter(watched, event)
