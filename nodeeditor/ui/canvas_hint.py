"""What an empty canvas says: how to add a node, and where the templates are.

A label over the view's viewport that lets every mouse event through; it shows only while the
document has no nodes, so it never covers work.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGraphicsView, QLabel

from .canvas.model import Document

HINT = ("<div style='font-size:15pt; font-weight:600; color:#d6d9de'>An empty canvas</div>"
        "<div style='font-size:11pt; color:#a8adb5; line-height:150%'>"
        "Press <b>Tab</b> or <b>Shift+A</b>, double-click, or right-click to add a node.<br>"
        "Or start from a ready-made graph: <b>File → New from Template</b>.<br>"
        "Drag from a socket to link nodes; <b>Ctrl+Enter</b> runs the graph.</div>")


class CanvasHint(QLabel):
    def __init__(self, view: QGraphicsView, document: Document) -> None:
        super().__init__(view.viewport())
        self.view, self.document = view, document
        self.setObjectName("canvasHint")
        self.setText(HINT)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("#canvasHint { background: rgba(20, 21, 24, 200); border: 1px solid #3a3d44;"
                           " border-radius: 8px; padding: 18px 26px; }")
        view.viewport().installEventFilter(self)
        view.installEventFilter(self)  # the viewport's own resize is not always reported to filters
        document.changed.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.setVisible(not self.document.workflow.nodes)
        if self.isVisible():
            self._centre()

    def _centre(self) -> None:
        self.adjustSize()
        area = self.view.viewport().rect()
        self.move(area.center().x() - self.width() // 2, area.center().y() - self.height() // 2)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and self.isVisible():
            QTimer.singleShot(0, self._centre)  # after the view has laid its viewport out
        return super().eventFilter(watched, event)
