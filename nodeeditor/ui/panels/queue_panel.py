"""The queue dock: a paged table of sessions with filters and the actions a person takes on them.

Every store call (pages, the visible span, counts, batches, cancel/retry/clear) runs on the
panel's StoreReader thread, so the GUI thread never waits on SQLite. Engine events only mark the
table stale; a timer re-reads the visible rows at most REFRESH_INTERVAL_MS apart.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QHBoxLayout, QHeaderView,
                               QLabel, QMenu, QTableView, QToolButton, QVBoxLayout, QWidget)

from nodeeditor.store.status import RETRYABLE, SHOWN, SessionStatus
from nodeeditor.ui.store_reader import StoreReader

from .queue_model import COLUMNS, QueueTableModel

REFRESH_INTERVAL_MS = 250
"""Fastest the visible rows are re-read while the worker reports changes."""
IDLE_REFRESH_MS = 3000
"""Slow re-read that picks up changes made elsewhere (the CLI, another worker process)."""


class QueuePanel(QWidget):
    """Table + filters + actions over `store.queue`; `worker` (optional) gets pause/resume."""

    selectedItemChanged = Signal(object)
    """The queue row under the cursor (or None), e.g. for the stats panel."""
    settled = Signal(object, float)
    """A counts read found nothing waiting or running (in the batch shown, or anywhere: None), with
    the monotonic time it was asked: whoever enqueued before then knows that batch has ended."""

    def __init__(self, queue: Any, bridge: Any = None, worker: WorkerControl | None = None, reader: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.worker = worker
        self.reader = reader if reader is not None else StoreReader(self, "queue-panel-reader")
        self.model = QueueTableModel(queue, self.reader, parent=self)
        self._stale = False
        self._batches_stale = True
        self._actions = 0
        self._total = -1
        self._event_counts: dict[str, int] | None = None
        self._counts: dict[str, int] | None = None
        """The counts the summary shows, kept to re-word it as rows load."""

        self.status_filter = QComboBox()
        self.status_filter.addItem("All statuses", None)
        for status in SHOWN:
            self.status_filter.addItem(status.replace("_", " ").capitalize(), status.value)
        self.batch_filter = QComboBox()
        self.batch_filter.addItem("All batches", None)
        self.batch_filter.setMinimumContentsLength(14)
        self.summary = QLabel()

        self.cancel_button = QToolButton(text="Cancel", popupMode=QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.cancel_button)
        self.cancel_item_action = menu.addAction("Cancel selected items", self.cancel_selected)
        self.cancel_batch_action = menu.addAction("Cancel batch", self.cancel_batch)
        self.cancel_pending_action = menu.addAction("Cancel all pending", self.cancel_pending)
        self.cancel_button.setMenu(menu)
        self.cancel_button.setDefaultAction(self.cancel_item_action)
        self.retry_button = QToolButton(text="Retry failed")
        self.retry_button.setToolTip("Retry the selected failed or canceled items; with none selected, "
                                     "every failed or canceled item of the batch shown (or of all)")
        self.retry_button.clicked.connect(self.retry_failed)
        self.clear_button = QToolButton(text="Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        self.pause_button = QToolButton(text="Pause", checkable=True)
        self.pause_button.setEnabled(worker is not None)
        self.pause_button.toggled.connect(self._set_paused)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in zip(COLUMNS, (70, 55, 85, 240, 70, 75, 200)):
            self.table.setColumnWidth(COLUMNS.index(column), width)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._mark_stale())

        bar = QHBoxLayout()
        bar.addWidget(self.status_filter)
        bar.addWidget(self.batch_filter)
        bar.addStretch(1)
        for button in (self.cancel_button, self.retry_button, self.clear_button, self.pause_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)

        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.batch_filter.currentIndexChanged.connect(self._filter_changed)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._reword_summary)
        self._timer = QTimer(self, interval=REFRESH_INTERVAL_MS, timeout=self._tick)
        self._timer.start()
        self._idle = QTimer(self, interval=IDLE_REFRESH_MS, timeout=self._mark_stale)
        self._idle.start()
        if bridge is not None:
            bridge.sessionStarted.connect(self._mark_stale)
            bridge.sessionCompleted.connect(self._mark_stale)
            bridge.queueChanged.connect(self._queue_changed)
        self._reload_batches()
        self._update_summary()

    # refresh -----------------------------------------------------------------------------------
    def _mark_stale(self, *_args: Any) -> None:
        self._stale = True

    def _queue_changed(self, counts: dict) -> None:
        """The worker's counts: they stand in for a counts read, and only a changed total (an
        enqueue or a clear) makes the batch list and the end of the table worth reading again."""
        self._stale = True
        total = sum(counts.values())
        if total != self._total:
            self._total = total
            self._batches_stale = True
            self.model.expect_more()
        self._event_counts = dict(counts)

    def items_added(self) -> None:
        """This window queued sessions: load their rows at the next tick, without waiting for the
        worker's (throttled) counts to say the queue grew."""
        self._stale = True
        self._batches_stale = True
        self._event_counts = None  # counted before these were queued
        self.model.expect_more()
        self._update_summary()

    def visible_rows(self) -> tuple[int, int]:
        """First and last row on screen (a page's worth when the view is not shown)."""
        view = self.table
        first = view.rowAt(0)
        last = view.rowAt(view.viewport().height() - 1)
        first = 0 if first < 0 else first
        if last < 0:
            last = min(self.model.rowCount(), first + 50) - 1
        return first, last

    def refresh(self) -> None:
        """Re-read the visible rows now, and fetch the next page when the view sits at the end."""
        self._stale = False
        first, last = self.visible_rows()
        self.model.refresh(first, last)
        if self.model.canFetchMore() and last >= self.model.rowCount() - 5:
            self.model.fetchMore()
        if self._batches_stale:
            self._reload_batches()
        if self._event_counts is not None and self.model.batch_id is None:
            self._show_counts(self._event_counts)
            self._event_counts = None
        else:
            self._update_summary()

    def _tick(self) -> None:
        if self._stale and self.isVisible():
            self.refresh()

    def _reload_batches(self) -> None:
        self._batches_stale = False
        self.reader.submit("batches", self.queue.batches, self._show_batches)

    def _show_batches(self, batches: list[Any]) -> None:
        current = self.batch_filter.currentData()
        known = [self.batch_filter.itemData(i) for i in range(1, self.batch_filter.count())]
        if known == [b.batch_id for b in batches]:
            return
        self.batch_filter.blockSignals(True)
        self.batch_filter.clear()
        self.batch_filter.addItem("All batches", None)
        for batch in batches:
            self.batch_filter.addItem(f"#{batch.batch_id} {batch.name} ({batch.count})", batch.batch_id)
        found = self.batch_filter.findData(current)
        self.batch_filter.setCurrentIndex(max(found, 0))
        self.batch_filter.blockSignals(False)
        if found < 0 and current is not None:
            self._filter_changed()

    def _update_summary(self) -> None:
        queue, batch_id = self.queue, self.model.batch_id
        asked = time.monotonic()
        self.reader.submit("counts", lambda: queue.counts(batch_id=batch_id),
                           lambda counts: self._show_counts(counts, batch_id, asked))

    def _show_counts(self, counts: dict[str, int], batch_id: int | None = None, asked: float | None = None) -> None:
        self._counts = dict(counts)
        self._reword_summary()
        if asked is not None and not counts.get(SessionStatus.PENDING) and not counts.get(SessionStatus.IN_PROGRESS):
            self.settled.emit(batch_id, asked)

    def _reword_summary(self, *_args: Any) -> None:
        counts = self._counts
        if counts is None:
            return
        shown = counts.get(self.model.status, 0) if self.model.status else sum(counts.values())
        parts = [f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in SHOWN if counts.get(s)]
        self.summary.setText(f"{self.model.rowCount()} of {shown} loaded · " + (", ".join(parts) or "empty"))

    def _filter_changed(self) -> None:
        self.model.set_filter(self.status_filter.currentData(), self.batch_filter.currentData())
        self._update_summary()

    def set_filter(self, status: str | None = None, batch_id: int | None = None) -> None:
        """Show only `status` and/or `batch_id` (None: all)."""
        self.status_filter.blockSignals(True)
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(status), 0))
        self.status_filter.blockSignals(False)
        if batch_id is not None and self.batch_filter.findData(batch_id) < 0:
            self.batch_filter.addItem(f"#{batch_id}", batch_id)
        self.batch_filter.blockSignals(True)
        self.batch_filter.setCurrentIndex(max(self.batch_filter.findData(batch_id), 0))
        self.batch_filter.blockSignals(False)
        self._filter_changed()

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Block until every store read and action asked for so far is applied (tools, tests)."""
        return self.reader.wait_idle(timeout_s)

    def shutdown(self) -> None:
        """Stop refreshing and end the reader thread (the window calls this when it closes)."""
        self._timer.stop()
        self._idle.stop()
        self.reader.close()

    # actions -----------------------------------------------------------------------------------
    def selected_rows(self) -> list[Any]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row) for row in rows]

    def select_rows(self, rows: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in rows:
            selection.select(self.model.index(row, 0), flags)

    def cancel_selected(self) -> None:
        keys = [row.key for row in self.selected_rows() if row.status in (SessionStatus.PENDING, SessionStatus.IN_PROGRESS)]
        self._act(lambda: [self.queue.cancel_item(key) for key in keys])

    def cancel_batch(self) -> None:
        batch_ids = ({row.batch_id for row in self.selected_rows()} or {self.model.batch_id}) - {None}
        self._act(lambda: [self.queue.cancel_batch(batch_id) for batch_id in sorted(batch_ids)])

    def cancel_pending(self) -> None:
        self._act(self.queue.cancel_pending)

    def retry_failed(self) -> None:
        """Retry the selected failed or canceled rows, or all of them in the batch shown (or queue)."""
        chosen = [row.key for row in self.selected_rows() if row.status in RETRYABLE]
        batch_id = self.model.batch_id
        self._act(lambda: self.queue.retry(item_ids=chosen) if chosen else self.queue.retry(batch_id=batch_id))

    def clear_finished(self) -> None:
        self._act(self.queue.clear_finished)

    def _act(self, change: Any) -> None:
        """Run a queue change on the reader thread, then refresh and wake the worker."""
        self._actions += 1
        self.reader.submit(f"action {self._actions}", change, lambda _result: self._after_action())

    def set_worker(self, worker: WorkerControl | None) -> None:
        """Another worker runs this queue now (None: none to pause here); it starts unpaused."""
        self.worker = worker
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        self.pause_button.setEnabled(worker is not None)

    def _set_paused(self, paused: bool) -> None:
        if self.worker is None:
            return
        if paused:
            self.worker.pause()
        else:
            self.worker.resume()
        self.pause_button.setText("Resume" if paused else "Pause")

    def _after_action(self) -> None:
        self._batches_stale = True
        self._event_counts = None
        self.model.expect_more()
        self.refresh()
        if self.worker is not None:
            self.worker.wake()

    def _current_changed(self, current: Any, _previous: Any) -> None:
        self.selectedItemChanged.emit(self.model.row_at(current.row()) if current.isValid() else None)


class QueueDock(QDockWidget):
    """The queue panel in a dock, named so the window can save and restore its place."""

    def __init__(self, queue: Any, bridge: Any = None, worker: WorkerControl | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Queue", parent)
        self.setObjectName("queue_dock")
        self.panel = QueuePanel(queue, bridge, worker, parent=self)
        self.setWidget(self.panel)
