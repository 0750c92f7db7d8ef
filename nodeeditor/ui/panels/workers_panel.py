"""The Workers dock: every worker on the queue (this machine's and remote ones), live.

A watcher thread reads the registry and the running sessions' progress and hands snapshots to
the GUI thread through a deque (it touches no Qt object). On PostgreSQL it LISTENs, so a
heartbeat, a claim or a progress write shows within one round trip; on SQLite it polls once a
second. The GUI thread never reads the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDockWidget, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from nodeeditor.engine.devices import describe
from nodeeditor.store.notify import listen_or_poll
from nodeeditor.store.status import WorkerState

log = logging.getLogger(__name__)
POLL_S = 1.0
"""Without notifications (SQLite) the registry is read this often."""
DRAIN_MS = 100
MIN_GAP_S = 0.1
WAKE_S = 0.5
"""The watcher looks up at least this often (for close, and for the poll period)."""
COLUMNS = ("Worker", "State", "Host", "Session", "Node", "Progress", "Done", "Seen", "Devices")


@dataclass(frozen=True)
class WorkerLine:
    name: str
    state: str
    host: str
    item: int | None
    node: str | None
    fraction: float | None
    done: int
    seen_s: float
    devices: str = "-"

    def cells(self) -> tuple[str, ...]:
        return (self.name, self.state, self.host, "-" if self.item is None else str(self.item),
                self.node or "-", "-" if self.fraction is None else f"{self.fraction:.0%}",
                str(self.done), f"{self.seen_s:.0f} s ago", self.devices)


def snapshot(store: Any) -> list[WorkerLine]:
    """The registry with each running session's progress (runs on the watcher thread)."""
    running = store.workers.running()
    lines = []
    for row in store.workers.list():
        item, node, fraction = row.current_item, None, None
        state = row.state.value
        if row.state is not WorkerState.LOST and row.id in running:
            item, node, fraction = running[row.id]
            state = WorkerState.RUNNING.value
        lines.append(WorkerLine(row.name, state, f"{row.host}:{row.pid}", item, node, fraction, row.sessions_done,
                                row.seen_s_ago, describe(row.capabilities.get("devices"))))
    return lines


class WorkersWatch:
    """The watcher thread: plain Python, shares only a deque and an Event with the GUI thread."""

    def __init__(self, store: Any, poll_s: float = POLL_S) -> None:
        self.store = store
        self.poll_s = poll_s
        self.latest: deque[list[WorkerLine]] = deque(maxlen=1)
        self.listening = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workers-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        listener = listen_or_poll(self.store.engine, "workers dock")
        self.listening = listener is not None
        read_at = 0.0
        try:
            while not self._stop.is_set():
                if time.monotonic() >= read_at:
                    try:
                        self.latest.append(snapshot(self.store))
                    except Exception as exc:  # a store hiccup: show the last lines, try again
                        log.warning("workers dock: cannot read the registry: %s", exc)
                    read_at = time.monotonic() + self.poll_s
                if listener is None:
                    self._stop.wait(min(self.poll_s, WAKE_S))
                    continue
                try:
                    if listener.wait(WAKE_S):  # a notice: read now (at most 10 times a second)
                        self._stop.wait(MIN_GAP_S)
                        read_at = 0.0
                except Exception:
                    listener = None
        finally:
            if listener is not None:
                listener.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=WAKE_S + 2)


class WorkersPanel(QWidget):
    def __init__(self, store: Any, parent: QWidget | None = None, poll_s: float = POLL_S) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.lines: list[WorkerLine] = []
        self.watch = WorkersWatch(store, poll_s)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.apply_latest)
        self._timer.start()

    def apply_latest(self) -> None:
        """Show the watcher's newest lines (the timer calls it; tools and tests may too)."""
        if not self.watch.latest:
            return
        lines = self.watch.latest.pop()
        if lines == self.lines:
            return
        self.lines = lines
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            for column, text in enumerate(line.cells()):
                item = self.table.item(row, column)
                if item is None:
                    self.table.setItem(row, column, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)

    def text_at(self, row: int, column: str) -> str:
        item = self.table.item(row, COLUMNS.index(column))
        return item.text() if item is not None else ""

    def shutdown(self) -> None:
        self._timer.stop()
        self.watch.close()


class WorkersDock(QDockWidget):
    def __init__(self, store: Any, parent: QWidget | None = None, poll_s: float = POLL_S) -> None:
        super().__init__("Workers", parent)
        self.setObjectName("workersDock")
        self.panel = WorkersPanel(store, self, poll_s)
        self.setWidget(self.panel)
