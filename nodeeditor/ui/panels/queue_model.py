"""The queue as a table model that never holds the whole queue: pages arrive as the view scrolls.

Rows come from `QueueRepo.list_items(status, batch_id, after, limit)` in its stable (batch, index)
order, `after` being the last row's key. Reads go through a reader (a StoreReader thread in the
app) and are applied when they arrive, tagged with the filter generation they were asked for. A
refresh re-reads only a span of loaded rows (the visible ones) and merges it in with row-level
insert/remove/change notifications, so selection and scroll position survive and no refresh
costs more than one small query.

The cells live in a QStandardItemModel, so painting the table never calls into Python: measured
here, a Python `data()` repainted 10 times a second behind a busy worker thread put the GUI
timer's p99 at 53 ms and its max at 625 ms (each call waits for the GIL); C++ cells: 9 and 29 ms.
"""

from __future__ import annotations

import json
import time
from bisect import bisect_right
from datetime import datetime, timezone
from typing import Any, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from nodeeditor.store.status import SessionStatus
from nodeeditor.ui.store_reader import InlineReader
from nodeeditor.ui.units import format_duration

PAGE_SIZE = 200
COLUMNS = ("id", "batch", "status", "values", "started", "duration", "error")
HEADERS = ("Id", "Batch", "Status", "Field values", "Started", "Duration", "Error")
Order = tuple[int, int]
"""Where a row sits: (batch id, index in the batch), the order list_items pages in."""
STATUS_COLOURS = {
    SessionStatus.PENDING: "#8a8f98", SessionStatus.IN_PROGRESS: "#3b82f6", SessionStatus.COMPLETED: "#22a559",
    SessionStatus.FAILED: "#e5484d", SessionStatus.CANCELED: "#b0833a",
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


def duration_of(row: Any, now: float | None = None) -> float | None:
    """Finished minus started; a running item counts up to now."""
    started = _timestamp(row.started)
    if started is None:
        return None
    finished = _timestamp(row.finished)
    if finished is None:
        if row.status != SessionStatus.IN_PROGRESS:
            return None
        finished = now if now is not None else time.time()
    return max(0.0, finished - started)


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def display(row: Any, column: str) -> str:
    """The text of one cell."""
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
    raise KeyError(column)


_RIGHT_ALIGNED = [COLUMNS.index(c) for c in ("id", "batch", "duration")]
_STATUS, _VALUES, _ERROR = COLUMNS.index("status"), COLUMNS.index("values"), COLUMNS.index("error")
_BRUSHES: dict[str, QBrush] = {}
TOOLTIP_AFTER = 40
"""Field values longer than this get the full text as a tooltip."""


def _brush(status: str) -> QBrush:
    if status not in _BRUSHES:
        _BRUSHES[status] = QBrush(QColor(STATUS_COLOURS.get(status, "#000000")))
    return _BRUSHES[status]


def _cells(row: Any) -> list[QStandardItem]:
    """One row of cells; kept to few Qt calls, since a page builds 1,400 of them on the GUI thread."""
    cells = [QStandardItem(display(row, column)) for column in COLUMNS]
    for column in _RIGHT_ALIGNED:
        cells[column].setTextAlignment(RIGHT)
    _decorate(cells, row)
    return cells


def _decorate(cells: list[QStandardItem], row: Any) -> None:
    """Colour and tooltips, which depend on the status and the error."""
    cells[_STATUS].setForeground(_brush(row.status))
    values = cells[_VALUES].text()
    if len(values) > TOOLTIP_AFTER:
        cells[_VALUES].setToolTip(values)
    if row.error or cells[_ERROR].toolTip():
        cells[_ERROR].setToolTip(row.traceback or row.error or "")


class QueueTableModel(QStandardItemModel):
    """Queue items, filtered by status and batch, fetched a page at a time."""

    def __init__(self, queue: Any, reader: Any = None, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.queue = queue
        self.reader = reader if reader is not None else InlineReader()
        self.page_size = page_size
        self.status: str | None = None
        self.batch_id: int | None = None
        self._rows: list[Any] = []
        self._row_of: dict[str, int] = {}
        self._exhausted = False
        self._fetching = False
        self._generation = 0
        self.queries = 0
        """Store reads asked for by this model."""
        self.reload()

    # filters -------------------------------------------------------------------------------
    def set_filter(self, status: str | None = None, batch_id: int | None = None) -> None:
        if (status, batch_id) != (self.status, self.batch_id):
            self.status, self.batch_id = status, batch_id
            self.reload()

    def reload(self) -> None:
        """Drop everything and load the first page (used when the filter changes)."""
        self._generation += 1
        self.removeRows(0, self.rowCount())
        self._rows, self._row_of = [], {}
        self._exhausted = self._fetching = False
        self.fetchMore()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted or self._fetching:
            return
        self._fetching = True
        after, generation = self._last_key(), self._generation
        self._read("page", after, self.page_size, lambda page: self._add_page(generation, after, page))

    def _add_page(self, generation: int, after: str | None, page: list[Any]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if after != self._last_key():
            return
        self._exhausted = len(page) < self.page_size
        if page:
            first = len(self._rows)
            self._insert(first, page)
            self._reindex(first)

    # access ----------------------------------------------------------------------------------
    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        """Row number of a loaded queue row by its "batch:index" key."""
        return self._row_of.get(key)

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def loading(self) -> bool:
        """A page is being read."""
        return self._fetching

    def expect_more(self) -> None:
        """New items may have been added after the last loaded row: let the view fetch again."""
        self._exhausted = False

    def _last_key(self) -> str | None:
        return self._rows[-1].key if self._rows else None

    # refresh ---------------------------------------------------------------------------------
    def refresh(self, first: int = 0, last: int | None = None, margin: int = 20) -> None:
        """Re-read the loaded rows first..last (plus a margin) and merge the changes in.

        One query of about (last - first) rows, whatever the queue size. When the span reaches
        the end of a fully loaded list, items added since are appended too.
        """
        if not self._rows:
            self._exhausted = False
            self.fetchMore()
            return
        count = len(self._rows)
        last = count - 1 if last is None else last
        first = max(0, min(first, count - 1) - margin)
        last = min(count - 1, max(last, first) + margin)
        after = self._rows[first - 1].key if first > 0 else None
        hi = _order(self._rows[last])
        open_end = last == count - 1 and self._exhausted
        limit = (last - first + 1) + margin + (self.page_size if open_end else 0)
        low = _order(self._rows[first - 1]) if first > 0 else None
        generation, end_key = self._generation, self._last_key()

        def apply(fresh: list[Any]) -> None:
            if generation != self._generation:
                return
            top: Order | None = hi
            still_open = open_end and self._exhausted and end_key == self._last_key()
            if len(fresh) < limit:
                if still_open:
                    top = None
            elif _order(fresh[-1]) < hi or still_open:
                top = _order(fresh[-1])
                if still_open:
                    self._exhausted = False
            self._merge(low, top, [item for item in fresh if top is None or _order(item) <= top])

        self._read("refresh", after, limit, apply)

    def _merge(self, after: Order | None, hi: Order | None, fresh: Sequence[Any]) -> None:
        """Make the loaded rows after `after` up to `hi` (None: unbounded) equal `fresh` (in order)."""
        start = 0 if after is None else bisect_right(self._rows, after, key=_order)
        end = len(self._rows) if hi is None else bisect_right(self._rows, hi, key=_order)
        wanted = {item.key for item in fresh}
        gone = [i for i in range(start, end) if self._rows[i].key not in wanted]
        gone_keys = [self._rows[i].key for i in gone]
        for first, last in reversed(_runs(gone)):
            self.removeRows(first, last - first + 1)
            del self._rows[first:last + 1]
        end -= len(gone)
        kept = {item.key: i for i, item in enumerate(self._rows[start:end], start)}
        position, shift = start, 0
        pending: list[Any] = []
        for item in [*fresh, None]:
            at = None if item is None else kept.get(item.key)
            if pending and (item is None or at is not None):
                self._insert(position, pending)
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
                self._update(at, item)
            position = at + 1
        for key in gone_keys:
            self._row_of.pop(key, None)
        self._reindex(start)

    def _insert(self, position: int, rows: list[Any]) -> None:
        self._rows[position:position] = rows
        for offset, row in enumerate(rows):
            self.insertRow(position + offset, _cells(row))

    def _update(self, at: int, row: Any) -> None:
        """Set only the cells whose text changed, so the view repaints only those."""
        old, self._rows[at] = self._rows[at], row
        cells = [self.item(at, column) for column in range(len(COLUMNS))]
        for cell, column in zip(cells, COLUMNS):
            text = display(row, column)
            if cell.text() != text:
                cell.setText(text)
        if (old.status, old.error, old.traceback, old.item_id) != (row.status, row.error, row.traceback, row.item_id):
            _decorate(cells, row)

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._row_of = {item.key: i for i, item in enumerate(self._rows)}
            return
        for i in range(start, len(self._rows)):
            self._row_of[self._rows[i].key] = i

    def _read(self, key: str, after: str | None, limit: int, apply: Any) -> None:
        self.queries += 1
        queue, status, batch_id = self.queue, self.status, self.batch_id
        self.reader.submit(key, lambda: queue.list_items(status=status, batch_id=batch_id, after=after,
                                                         limit=limit), apply)


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
