"""The window's status bar: a message never runs into the permanent widgets on the right.

QStatusBar paints a temporary message itself, clipped at the first permanent widget, with no way
to read the rest. Here the message is an ElidedLabel that takes the free width: cut with "…" when
long, the whole text on hover, and the last messages listed in its context menu.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QStatusBar, QWidget

from .elided_label import ElidedLabel

HISTORY = 20


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = ElidedLabel()
        self.message.setObjectName("statusMessage")
        self.message.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.message.customContextMenuRequested.connect(self._history_menu)
        self.addWidget(self.message, 1)
        self.history: deque[str] = deque(maxlen=HISTORY)
        self._clear = QTimer(self, singleShot=True, timeout=self.clearMessage)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        self.message.setText(text)
        if text:
            self.history.appendleft(text)
        if timeout > 0:
            self._clear.start(timeout)
        else:
            self._clear.stop()
        self.messageChanged.emit(text)

    def clearMessage(self) -> None:  # noqa: N802
        self._clear.stop()
        self.message.setText("")
        self.messageChanged.emit("")

    def currentMessage(self) -> str:  # noqa: N802
        return self.message.text()

    def _history_menu(self, at: QPoint) -> None:
        menu = QMenu(self)
        for text in self.history:
            menu.addAction(text if len(text) < 160 else text[:157] + "…",
                           lambda t=text: QApplication.clipboard().setText(t)).setToolTip(text)
        if not self.history:
            menu.addAction("(no messages)").setEnabled(False)
        menu.exec(self.message.mapToGlobal(at))
