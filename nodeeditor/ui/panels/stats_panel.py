"""The stats dock: per node type figures of a session or batch from the store, and two charts.

The table and the time-per-type bars come from `StatsRepo.by_node_type`, read on the panel's
StoreReader thread. The memory line is fed live by the bridge (memory samples and per-node peak
RSS, with node start/end markers) and redrawn at most CHART_INTERVAL_MS apart; for a selected
session it shows that session's stored nodes instead (`StatsRepo.for_item`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDockWidget, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget)

from nodeeditor.ui.store_reader import StoreReader

from ..units import format_bytes, format_duration

CHART_INTERVAL_MS = 500
"""Charts draw without antialiasing: measured here, an antialiased memory chart update took
~200 ms of GUI time, a plain one ~7 ms."""
MEMORY_POINTS = 20_000
"""Memory samples and node markers kept for the live chart; older ones fall off."""
MARKERS = 300
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

COLUMNS: tuple[tuple[str, str], ...] = (
    ("node_type", "Node type"), ("calls", "Calls"), ("total_s", "Total time"), ("mean_s", "Mean time"),
    ("peak_rss", "Peak RAM"), ("ram_delta", "RAM delta"), ("vram_peak", "VRAM"), ("cache_hits", "Cache hits"),
)


def _text(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key in ("total_s", "mean_s"):
        return format_duration(value, micro=True)
    if key in ("peak_rss", "vram_peak"):
        return format_bytes(value)
    if key == "ram_delta":
        return ("+" if value > 0 else "") + format_bytes(value)
    return str(value)


class NodeTypeStatsModel(QStandardItemModel):
    """One row per node type, in C++ cells (painting never calls Python); SORT_ROLE holds the
    raw number so sorting is numeric."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([title for _key, title in COLUMNS])
        self._rows: list[Any] = []
        self.show_vram = False

    def set_rows(self, rows: list[Any]) -> None:
        self._rows = list(rows)
        self.show_vram = any(r.vram_peak is not None for r in self._rows)
        self.setRowCount(0)
        for row in self._rows:
            cells = []
            for key, _title in COLUMNS:
                value = getattr(row, key)
                cell = QStandardItem(_text(key, value))
                cell.setData(value if value is not None else -1, SORT_ROLE)
                if key != "node_type":
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cells.append(cell)
            self.appendRow(cells)

    def rows(self) -> list[Any]:
        return list(self._rows)


class StatsPanel(QWidget):
    """Per node type table for a chosen scope (session, batch or everything) and its charts."""

    SCOPES = (("session", "Selected session"), ("batch", "Selected batch"), ("all", "All runs"))

    def __init__(self, stats: Any, bridge: Any = None, reader: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats = stats
        self.reader = reader if reader is not None else StoreReader(self, "stats-panel-reader")
        self.scope = "batch"
        self.item_id: int | None = None
        self.batch_id: int | None = None
        self.model = NodeTypeStatsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)

        self.scope_box = QComboBox()
        for key, label in self.SCOPES:
            self.scope_box.addItem(label, key)
        self.scope_box.setCurrentIndex(1)
        self.scope_box.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.title = QLabel()
        self.models_label = QLabel()
        """The model cache of the scope (loads, load time, hits); hidden when no session used a model."""
        self.models_label.setVisible(False)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.time_chart = pg.PlotWidget(background="w")
        self.time_chart.setTitle("Time per node type", color="#333")
        self.time_chart.setMouseEnabled(x=False, y=False)
        self.time_chart.hideButtons()
        self._bars: pg.BarGraphItem | None = None

        self.time_chart.setLabel("bottom", "total time", units="s")  # pyqtgraph picks µs, ms or s
        self.time_chart.getAxis("left").setWidth(110)

        self.memory_chart = pg.PlotWidget(background="w")
        self.memory_chart.setTitle("Memory over the run (MB)", color="#333")
        self.memory_chart.setLabel("bottom", "time since the first sample", units="s")
        self.memory_chart.showGrid(x=True, y=True, alpha=0.2)
        self.memory_chart.hideButtons()
        self._memory_line = self.memory_chart.plot([], [], pen=pg.mkPen("#3b82f6", width=2))
        self._memory_line.setDownsampling(auto=True, method="peak")
        self._memory_line.setClipToView(True)
        self._start_marks = pg.ScatterPlotItem(symbol="t1", size=5, brush=pg.mkBrush("#22a559"), pen=None)
        self._end_marks = pg.ScatterPlotItem(symbol="t", size=5, brush=pg.mkBrush("#e5484d"), pen=None)
        self.memory_chart.addItem(self._start_marks)
        self.memory_chart.addItem(self._end_marks)

        self._memory: deque[tuple[float, float, int]] = deque(maxlen=MEMORY_POINTS)
        self._starts: deque[tuple[float, float, int]] = deque(maxlen=MEMORY_POINTS)
        self._ends: deque[tuple[float, float, int]] = deque(maxlen=MEMORY_POINTS)
        """(time, MB, batch id or -1): the chart of a batch shows only its own sessions."""
        self._batch_of: dict[str, int] = {}
        self._memory_dirty = False
        self._stats_dirty = False
        self._stored_memory = False
        """The memory chart shows a stored session rather than the live run."""

        self.group_box = QCheckBox("Group by subgraph")
        self.group_box.setToolTip("Nodes inside a subgraph node on one row, instead of by their types")
        self.group_box.toggled.connect(lambda _on: self.reload())
        self.inner_box = QCheckBox("Inner node types")
        self.inner_box.setToolTip("Each subgraph's nodes split by their node type (g1 › blur_image)")
        self.inner_box.setEnabled(False)
        self.group_box.toggled.connect(self.inner_box.setEnabled)
        self.inner_box.toggled.connect(lambda _on: self.reload())
        top = QHBoxLayout()
        top.addWidget(self.scope_box)
        top.addWidget(self.group_box)
        top.addWidget(self.inner_box)
        top.addWidget(self.title, 1)
        self.charts = QTabWidget()
        self.charts.setDocumentMode(True)
        self.charts.addTab(self.time_chart, "Time per type")
        self.charts.addTab(self.memory_chart, "Memory")
        split = QSplitter(Qt.Orientation.Horizontal)  # a bottom dock is wide and low: side by side
        split.addWidget(self.table)
        split.addWidget(self.charts)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.models_label)
        layout.addWidget(split)

        self._timer = QTimer(self, interval=CHART_INTERVAL_MS, timeout=self._tick)
        self._timer.start()
        if bridge is not None:
            bridge.sessionStarted.connect(self.session_started)
            bridge.memorySample.connect(self.add_memory_sample)
            bridge.nodeStarted.connect(self.node_started)
            bridge.nodeCompleted.connect(self.node_completed)
            bridge.sessionCompleted.connect(self.session_completed)
        self.reload()

    # scope -------------------------------------------------------------------------------------
    def show_item(self, row: Any) -> None:
        """Follow a queue row (e.g. the queue panel's current row): its session and its batch."""
        if row is None:
            return
        self.item_id = row.item_id
        self.batch_id = row.batch_id
        self.reload()

    def set_scope(self, scope: str, batch_id: int | None = None, item_id: int | None = None) -> None:
        self.batch_id, self.item_id = batch_id, item_id
        self.scope_box.setCurrentIndex(next(i for i, (key, _l) in enumerate(self.SCOPES) if key == scope))
        self._scope_changed()

    def _scope_changed(self) -> None:
        self.scope = self.scope_box.currentData()
        self.reload()

    def reload(self) -> None:
        """Read the figures of the current scope from the store, then redraw table and bars."""
        self._stats_dirty = False
        stats = self.stats
        grouping = {"by_subgraph": self.group_box.isChecked(),
                    "inner_types": self.group_box.isChecked() and self.inner_box.isChecked()}
        if self.scope == "session" and self.item_id is not None:
            item_id = self.item_id
            self.title.setText(f"item {item_id}")
            self.reader.submit("stats", lambda: stats.by_node_type(item_id=item_id, **grouping),
                               self._show_rows)
            self.reader.submit("memory", lambda: stats.for_item(item_id), self._show_session_memory)
            self._read_models(item_id=item_id)
            return
        self._show_live_memory()
        if self.scope == "batch" and self.batch_id is not None:
            batch_id = self.batch_id
            self.title.setText(f"batch {batch_id}")
            self.reader.submit("stats", lambda: stats.by_node_type(batch_id=batch_id, **grouping),
                               self._show_rows)
            self._read_models(batch_id=batch_id)
        elif self.scope == "all":
            self.title.setText("all runs")
            self.reader.submit("stats", lambda: stats.by_node_type(**grouping), self._show_rows)
            self._read_models()
        else:
            self.title.setText("select a queue item")
            self.reader.submit("stats", list, self._show_rows)
            self.reader.submit("models", lambda: None, self._show_models)

    def _read_models(self, **scope: int) -> None:
        stats = self.stats
        self.reader.submit("models", lambda: stats.models(**scope), self._show_models)

    def _show_models(self, totals: Any) -> None:
        """One line under the scope: how often the model cache loaded a model, how long that took,
        and how often a session found its model already loaded."""
        self.models_label.setVisible(totals is not None)
        if totals is None:
            return
        loads = f"{totals.loads} load{'s' * (totals.loads != 1)}"
        self.models_label.setText(
            f"Model cache: {loads} ({format_duration(totals.load_s, micro=True)} loading), "
            f"{totals.hits} hit{'s' * (totals.hits != 1)} in {totals.sessions} session{'s' * (totals.sessions != 1)}")

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Block until the figures asked for so far are shown (tools, tests)."""
        return self.reader.wait_idle(timeout_s)

    def shutdown(self) -> None:
        """Stop redrawing and end the reader thread (the window calls this when it closes)."""
        self._timer.stop()
        self.reader.close()

    def _show_rows(self, rows: list[Any]) -> None:
        self.model.set_rows(rows)
        self.table.setColumnHidden(6, not self.model.show_vram)
        self._draw_bars(rows)

    def _draw_bars(self, rows: list[Any]) -> None:
        if self._bars is not None:
            self.time_chart.removeItem(self._bars)
            self._bars = None
        ordered = sorted(rows, key=lambda r: r.total_s)
        self.time_chart.getAxis("left").setTicks([[(i, r.node_type) for i, r in enumerate(ordered)]])
        if ordered:
            self._bars = pg.BarGraphItem(x0=0, y=list(range(len(ordered))), width=[r.total_s for r in ordered],
                                         height=0.6, brush="#3b82f6", pen=None)
            self.time_chart.addItem(self._bars)
            self.time_chart.setYRange(-0.6, len(ordered) - 0.4, padding=0)

    # live memory -------------------------------------------------------------------------------
    def session_started(self, event: Any) -> None:
        if event.session_id and event.batch_id is not None:
            self._batch_of[event.session_id] = event.batch_id

    def _batch(self, event: Any) -> int:
        return self._batch_of.get(getattr(event, "session_id", None) or "", -1)

    def add_memory_sample(self, event: Any) -> None:
        self._memory.append((event.ts, event.rss / 2**20, self._batch(event)))
        self._memory_dirty = True

    def node_started(self, event: Any) -> None:
        if self._memory:
            self._starts.append((event.ts, self._memory[-1][1], self._batch(event)))
            self._memory_dirty = True

    def node_completed(self, event: Any) -> None:
        if event.peak_rss:
            point = (event.ts, event.peak_rss / 2**20, self._batch(event))
            self._memory.append(point)
            self._ends.append(point)
            self._memory_dirty = True

    def session_completed(self, event: Any) -> None:
        if self.scope == "all" or (self.scope == "batch" and event.batch_id == self.batch_id) or (
                self.scope == "session" and event.item_id == self.item_id):
            self._stats_dirty = True

    def _tick(self) -> None:
        if self._stats_dirty:
            self.reload()
        if self._memory_dirty and self.isVisible() and not self._stored_memory:
            self._memory_dirty = False
            self._draw_memory()

    def _show_session_memory(self, nodes: list[Any]) -> None:
        """One stored session: each node a step at its peak RSS from its start to its end. Node
        rows keep durations, not clock times, so a node starts when the ones before it ended."""
        self._stored_memory = True
        self.memory_chart.setTitle(f"Memory of item {self.item_id}, per node (MB)", color="#333")
        self.memory_chart.setLabel("bottom", "time into the session", units="s")
        starts, ends = [], []
        clock = 0.0
        for node in nodes:
            if node.peak_rss:
                peak = node.peak_rss / 2**20
                starts.append((clock, peak))
                ends.append((clock + node.duration_s, peak))
            clock += node.duration_s
        steps = np.array([point for pair in zip(starts, ends) for point in pair], dtype=float).reshape(-1, 2)
        self._memory_line.setData(steps[:, 0], steps[:, 1])
        self._start_marks.setData(pos=np.array(starts, dtype=float).reshape(-1, 2))
        self._end_marks.setData(pos=np.array(ends, dtype=float).reshape(-1, 2))

    def _show_live_memory(self) -> None:
        if self._stored_memory:
            self._stored_memory = False
            self.memory_chart.setTitle("Memory over the run (MB)", color="#333")
            self.memory_chart.setLabel("bottom", "time since the first sample", units="s")
        for item in (self._memory_line, self._start_marks, self._end_marks):
            item.setData([], [])
        self._memory_dirty = True

    def _shown_batch(self) -> int | None:
        """The batch whose samples the live chart shows (None: every sample)."""
        return self.batch_id if self.scope == "batch" and self.batch_id is not None else None

    def _draw_memory(self) -> None:
        """Samples arrive in time order from one worker, so the line needs no sort; only the
        newest MARKERS node starts and ends get a marker, so a long batch stays readable."""
        batch = self._shown_batch()

        def of_scope(found: deque[tuple[float, float, int]]) -> np.ndarray:
            rows = found if batch is None else [p for p in found if p[2] == batch]
            return np.array(rows, dtype=float).reshape(-1, 3)[:, :2]

        memory = of_scope(self._memory)
        if not len(memory):
            return
        origin = (memory[0][0], 0.0)
        points = memory - origin
        self._memory_line.setData(points[:, 0], points[:, 1])
        for marks, found in ((self._start_marks, self._starts), (self._end_marks, self._ends)):
            marks.setData(pos=of_scope(found)[-MARKERS:] - origin)


class StatsDock(QDockWidget):
    """The stats panel in a dock, named so the window can save and restore its place."""

    def __init__(self, stats: Any, bridge: Any = None, parent: QWidget | None = None) -> None:
        super().__init__("Stats", parent)
        self.setObjectName("stats_dock")
        self.panel = StatsPanel(stats, bridge, parent=self)
        self.setWidget(self.panel)

