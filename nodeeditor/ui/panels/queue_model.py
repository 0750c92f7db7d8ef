"""The queue as a table model that never holds the whole queue: pages arrive as the view scrolls.

Rows come from `QueueRepo.list_items(status, batch_id, after, limit)` in its stable (batch, index)
order, `after` being the last row's key. A
refresh re-reads only a span of loaded rows (the visible ones) and merges it in with row-level
insert/remove/change notifications, so selection and scroll position survive and no refresh
costs more than one small query.
"""

from __future__ import annotations

import json
import time
from bisect import bisect_right
from datetime import datetime, timezone
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

PAGE_SIZE = 200
COLUMNS = ("id", "batch", "status", "values", "started", "duration", "error")
HEADERS = ("Id", "Batch", "Status", "Field values", "Started", "Duration", "Error")
Order = tuple[int, int]
"""Where a row sits: (batch id, index in the batch), the order list_items pages in."""
STATUS_COLOURS = {
    "pending": "#8a8f98", "in_progress": "#3b82f6", "completed": "#22a559",
    "failed": "#e5484d", "canceled": "#b0833a",
}

Index = QModelIndex | QPersistentModelIndex


def _timestamp(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return float(value)


def format_values(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    return ", ".join(f"{key}={json.dumps(value) if isinstance(value, str) else value}"
                     for key, value in sorted(values.items()))


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def duration_of(row: Any, now: float | None = None) -> float | None:
    """Finished minus started; a running item counts up to now."""
    started = _timestamp(row.started)
    if started is None:
        return None
    finished = _timestamp(row.finished)
    if finished is None:
        if row.status != "in_progress":
            return None
        finished = now if now is not None else time.time()
    return max(0.0, finished - started)


class QueueTableModel(QAbstractTableModel):
    """Queue items, filtered by status and batch, fetched a page at a time."""

    def __init__(self, queue: Any, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.page_size = page_size
        self.status: str | None = None
        self.batch_id: int | None = None
        self._rows: list[Any] = []
        self._row_of: dict[str, int] = {}
        self._exhausted = False
        self.queries = 0
        """Store reads made by this model; tests and the latency benchmark watch it."""
        self.reload()

    # filters -------------------------------------------------------------------------------
    def set_filter(self, status: str | None = None, batch_id: int | None = None) -> None:
        if (status, batch_id) != (self.status, self.batch_id):
            self.status, self.batch_id = status, batch_id
            self.reload()

    def reload(self) -> None:
        """Drop everything and load the first page (used when the filter changes)."""
        self.beginResetModel()
        self._rows = self._read(None, self.page_size)
        self._exhausted = len(self._rows) < self.page_size
        self._reindex()
        self.endResetModel()

    # Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "error":
                return row.traceback or row.error
            if column == "values":
                return format_values(row.field_values) or None
            if column == "id":
                return f"item {row.item_id}" if row.item_id is not None else "not started yet"
        if role == Qt.ItemDataRole.ForegroundRole and column == "status":
            colour = STATUS_COLOURS.get(row.status)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("id", "batch", "duration"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _display(self, row: Any, column: str) -> Any:
        if column == "id":
            return row.key
        if column == "batch":
            return str(row.batch_id)
        if column == "status":
            return row.status.replace("_", " ")
        if column == "values":
            return format_values(row.field_values)
        if column == "started":
            started = _timestamp(row.started)
            return "" if started is None else datetime.fromtimestamp(started).strftime("%H:%M:%S")
        if column == "duration":
            return format_duration(duration_of(row))
        if column == "error":
            return row.error.splitlines()[0] if row.error else ""
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        after = self._rows[-1].key if self._rows else None
        page = self._read(after, self.page_size)
        self._exhausted = len(page) < self.page_size
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            for offset, item in enumerate(page):
                self._row_of[item.key] = first + offset
            self.endInsertRows()

    # access ----------------------------------------------------------------------------------
    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        """Row number of a loaded queue row by its "batch:index" key."""
        return self._row_of.get(key)

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def expect_more(self) -> None:
        """New items may have been added after the last loaded row: let the view fetch again."""
        self._exhausted = False

    # refresh ---------------------------------------------------------------------------------
    def refresh(self, first: int = 0, last: int | None = None, margin: int = 20) -> None:
        """Re-read the loaded rows first..last (plus a margin) and merge the changes in.

        One query of about (last - first) rows, whatever the queue size. When the span reaches
        the end of a fully loaded list, items added since are appended too.
        """
        if not self._rows:
            self.reload()
            return
        count = len(self._rows)
        last = count - 1 if last is None else last
        first = max(0, min(first, count - 1) - margin)
        last = min(count - 1, max(last, first) + margin)
        after = self._rows[first - 1].key if first > 0 else None
        hi: Order | None = _order(self._rows[last])
        open_end = last == count - 1 and self._exhausted
        limit = (last - first + 1) + margin + (self.page_size if open_end else 0)
        fresh = self._read(after, limit)
        if len(fresh) < limit:
            if open_end:
                hi = None
        elif _order(fresh[-1]) < hi or open_end:
            hi = _order(fresh[-1])
            self._exhausted = False
        self._merge(_order(self._rows[first - 1]) if first > 0 else None, hi,
                    [item for item in fresh if hi is None or _order(item) <= hi])

    def _merge(self, after: Order | None, hi: Order | None, fresh: Sequence[Any]) -> None:
        """Make the loaded rows after `after` up to `hi` (None: unbounded) equal `fresh` (in order)."""
        start = 0 if after is None else bisect_right(self._rows, after, key=_order)
        end = len(self._rows) if hi is None else bisect_right(self._rows, hi, key=_order)
        wanted = {item.key for item in fresh}
        gone = [i for i in range(start, end) if self._rows[i].key not in wanted]
        gone_keys = [self._rows[i].key for i in gone]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        end -= len(gone)
        kept = {item.key: i for i, item in enumerate(self._rows[start:end], start)}
        changed: list[int] = []
        position, shift = start, 0
        pending: list[Any] = []
        for item in [*fresh, None]:
            at = None if item is None else kept.get(item.key)
            if pending and (item is None or at is not None):
                self.beginInsertRows(QModelIndex(), position, position + len(pending) - 1)
                self._rows[position:position] = pending
                self.endInsertRows()
                position += len(pending)
                shift += len(pending)
                pending = []
            if item is None:
                break
            if at is None:
                pending.append(item)
                continue
            at += shift
            if self._rows[at] != item:
                self._rows[at] = item
                changed.append(at)
            position = at + 1
        for key in gone_keys:
            self._row_of.pop(key, None)
        self._reindex(start)
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._row_of = {item.key: i for i, item in enumerate(self._rows)}
            return
        for i in range(start, len(self._rows)):
            self._row_of[self._rows[i].key] = i

    def _read(self, after: str | None, limit: int) -> list[Any]:
        self.queries += 1
        return list(self.queue.list_items(status=self.status, batch_id=self.batch_id,
                                          after=after, limit=limit))


def _order(row: Any) -> Order:
    return (row.batch_id, row.index)


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and found[-1][1] == row - 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found
