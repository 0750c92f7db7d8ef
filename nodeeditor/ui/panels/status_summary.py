"""A status-bar line: how many sessions are in each state, how far the running one is, and the RSS.

It only listens to the bridge (already coalesced) and reads the process RSS on a slow timer, so it
never queries the store or waits on the worker.
"""

from __future__ import annotations

from typing import Any

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

RSS_INTERVAL_MS = 1000
SHOWN = (("pending", "pending"), ("in_progress", "running"), ("completed", "done"),
         ("failed", "failed"), ("canceled", "canceled"))


def format_bytes(value: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(value) < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class StatusSummary(QWidget):
    """Counts, current item progress and process RSS, for `QStatusBar.addPermanentWidget`."""

    def __init__(self, bridge: Any = None, counts: dict[str, int] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts_label = QLabel()
        self.item_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.rss_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.counts_label, self.item_label, self.progress, self.rss_label):
            layout.addWidget(widget)
        self._process = psutil.Process()
        self._session: Any = None
        self._nodes_total = 0
        self._nodes_done = 0
        self._fraction = 0.0
        self.set_counts(counts or {})
        self._rss_timer = QTimer(self, interval=RSS_INTERVAL_MS, timeout=self.update_rss)
        self._rss_timer.start()
        self.update_rss()
        if bridge is not None:
            bridge.queueChanged.connect(self.set_counts)
            bridge.sessionStarted.connect(self.session_started)
            bridge.nodeCompleted.connect(self.node_completed)
            bridge.nodeProgress.connect(self.node_progress)
            bridge.sessionCompleted.connect(self.session_completed)

    def set_counts(self, counts: dict[str, int]) -> None:
        parts = [f"{counts.get(key, 0)} {label}" for key, label in SHOWN if counts.get(key)]
        self.counts_label.setText(" · ".join(parts) if parts else "queue empty")

    def update_rss(self) -> None:
        self.rss_label.setText(f"RSS {format_bytes(self._process.memory_info().rss)}")

    def session_started(self, event: Any) -> None:
        self._session = event
        self._nodes_total = max(event.nodes, 1)
        self._nodes_done = 0
        self._fraction = 0.0
        self.progress.show()
        self._show_progress()

    def node_completed(self, event: Any) -> None:
        if self._session is not None and event.session_id == self._session.session_id:
            self._nodes_done += 1
            self._fraction = 0.0
            self._show_progress()

    def node_progress(self, event: Any) -> None:
        if self._session is not None and event.session_id == self._session.session_id:
            self._fraction = event.fraction
            self._show_progress()

    def session_completed(self, event: Any) -> None:
        if self._session is not None and event.session_id == self._session.session_id:
            self._session = None
            self.progress.hide()
            self.item_label.setText(f"last: {event.status}")

    @property
    def current_fraction(self) -> float:
        """How far the running session is, from completed nodes and the running node's progress."""
        if self._session is None:
            return 0.0
        return min(1.0, (self._nodes_done + self._fraction) / self._nodes_total)

    def _show_progress(self) -> None:
        item = self._session.item_id
        name = f"item {item}" if item is not None else "session"
        self.item_label.setText(f"{name}: {min(self._nodes_done, self._nodes_total)}/{self._nodes_total} nodes")
        self.progress.setValue(int(self.current_fraction * 1000))
