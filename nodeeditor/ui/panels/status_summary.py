"""A status-bar line: how many sessions are in each state, how far the running one is, and memory.

It only listens to the bridge (already coalesced). Two processes use memory: the worker (its
memory samples, while it runs) and the window (read here on a slow timer); each is named.
Queue counts arrive throttled, so a session the bridge says is running counts as running even
when the last counts were taken before it was claimed.
"""

from __future__ import annotations

from typing import Any

import time

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from nodeeditor.store.status import SessionStatus
from nodeeditor.ui.units import format_bytes

RSS_INTERVAL_MS = 1000
SAMPLE_FRESH_S = 2.0
"""A worker memory sample younger than this stands in for reading the RSS here."""
SHOWN = ((SessionStatus.PENDING, "pending"), (SessionStatus.IN_PROGRESS, "running"),
         (SessionStatus.COMPLETED, "done"), (SessionStatus.FAILED, "failed"), (SessionStatus.CANCELED, "canceled"))


class StatusSummary(QWidget):
    """Counts, current item progress and the RSS of worker and window, for `QStatusBar.addPermanentWidget`.

    Every part has a fixed width: a size change would re-lay out the whole window (docks and
    charts included) on every session, which costs the GUI thread tens of ms behind a busy worker.
    """

    def __init__(self, bridge: Any = None, counts: dict[str, int] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts_label = QLabel()
        self.item_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(120)
        self.progress.setTextVisible(False)
        self.progress.setEnabled(False)
        self.rss_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget, width in ((self.counts_label, 330), (self.item_label, 150), (self.progress, 100),
                              (self.rss_label, 210)):
            widget.setFixedWidth(width)
            layout.addWidget(widget)
        self._process = psutil.Process()
        self._session: Any = None
        self._nodes_total = 0
        self._nodes_done = 0
        self._fraction = 0.0
        self._last_sample = 0.0
        self._worker_rss: int | None = None
        self._counts: dict[str, int] = {}
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
            bridge.memorySample.connect(self.memory_sample)

    def set_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        self._show_counts()

    def _show_counts(self) -> None:
        counts = dict(self._counts)
        if self._session is not None and not counts.get(SessionStatus.IN_PROGRESS):
            counts[SessionStatus.IN_PROGRESS] = 1
            if counts.get(SessionStatus.PENDING):
                counts[SessionStatus.PENDING] -= 1
        parts = [f"{counts.get(key, 0)} {label}" for key, label in SHOWN if counts.get(key)]
        self.counts_label.setText(" · ".join(parts) if parts else "queue empty")

    def update_rss(self) -> None:
        if time.monotonic() - self._last_sample > SAMPLE_FRESH_S:
            self._worker_rss = None
        self._show_rss()

    def memory_sample(self, event: Any) -> None:
        self._last_sample = time.monotonic()
        self._worker_rss = event.rss
        self._show_rss()

    def _show_rss(self) -> None:
        window = f"window {format_bytes(self._process.memory_info().rss)}"
        text = window if self._worker_rss is None else f"worker {format_bytes(self._worker_rss)} · {window}"
        self.rss_label.setText(text)
        self.rss_label.setToolTip("Resident memory of the worker process running sessions, and of this window")

    def session_started(self, event: Any) -> None:
        self._session = event
        self._nodes_total = max(event.nodes, 1)
        self._nodes_done = 0
        self._fraction = 0.0
        self.progress.setEnabled(True)
        self._show_progress()
        self._show_counts()

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
            self.progress.setValue(0)
            self.progress.setEnabled(False)
            self.item_label.setText(f"last: {event.status}")
            self._show_counts()

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
