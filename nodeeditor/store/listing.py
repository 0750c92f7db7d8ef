"""Reading the queue: counts, batch summaries, pages of rows and single rows.

Readers never take the write lock. Sessions without a row are computed from their batch's
cursors (see tables.py), so a page of a million-session batch costs what a page costs.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from .db import reading
from .queue_rows import BatchSummary, ItemRef, QueueRow, item_key, parse_key
from .status import SHOWN, SessionStatus
from .tables import batches as B
from .tables import queue_items as Q

PENDING, CANCELED, CLEARED = SessionStatus.PENDING, SessionStatus.CANCELED, SessionStatus.CLEARED


def _empty_counts() -> dict[str, int]:
    return {status: 0 for status in SHOWN}


class Listing:
    """counts / batches / list_items / get of QueueRepo (see queue.py)."""

    engine: Engine
    _parsed_lock: threading.Lock

    def _batch(self, conn: Connection, batch_id: int) -> Any:
        raise NotImplementedError

    def _batch_data(self, conn: Connection, batch_id: int) -> Any:
        raise NotImplementedError

    @staticmethod
    def _rows_above_cursor(conn: Connection, batch_id: int | None = None) -> dict[int, list[tuple[int, str]]]:
        """(index, status) of the few rows at or past their batch's claim cursor, per batch."""
        query = (select(Q.c.batch_id, Q.c.idx, Q.c.status).join(B, B.c.id == Q.c.batch_id)
                 .where(Q.c.idx >= B.c.next_index))
        if batch_id is not None:
            query = query.where(Q.c.batch_id == batch_id)
        found: dict[int, list[tuple[int, str]]] = {}
        for row in conn.execute(query):
            found.setdefault(row.batch_id, []).append((row.idx, row.status))
        return found

    def _counts_by_batch(self, conn: Connection, batch_id: int | None = None) -> dict[int, dict[str, int]]:
        scope = [B.c.id == batch_id] if batch_id is not None else []
        counts: dict[int, dict[str, int]] = {}
        for b in conn.execute(select(B.c.id, B.c.next_index, B.c.stop_index, B.c.end_index).where(*scope)):
            counts[b.id] = c = _empty_counts()
            c[PENDING] += b.stop_index - b.next_index
            c[CANCELED] += b.end_index - b.stop_index
        for bid, rows in self._rows_above_cursor(conn, batch_id).items():
            stop, end = conn.execute(select(B.c.stop_index, B.c.end_index).where(B.c.id == bid)).one()
            for index, _status in rows:
                if index < stop:
                    counts[bid][PENDING] -= 1
                elif index < end:
                    counts[bid][CANCELED] -= 1
        where = [Q.c.status != CLEARED.value] + ([Q.c.batch_id == batch_id] if batch_id is not None else [])
        for bid, status, n in conn.execute(select(Q.c.batch_id, Q.c.status, func.count())
                                           .where(*where).group_by(Q.c.batch_id, Q.c.status)):
            counts.setdefault(bid, _empty_counts())[status] += n
        return counts

    def counts(self, batch_id: int | None = None) -> dict[str, int]:
        """Sessions per status, for the whole queue or one batch."""
        total = Counter(_empty_counts())
        with reading(self.engine) as conn:
            for per_batch in self._counts_by_batch(conn, batch_id).values():
                total.update(per_batch)
        return {status: total[status] for status in SHOWN}

    def count_items(self, status: str | None = None, batch_id: int | None = None) -> int:
        counts = self.counts(batch_id)
        return counts.get(status, 0) if status is not None else sum(counts.values())

    def batches(self) -> list[BatchSummary]:
        with reading(self.engine) as conn:
            counts = self._counts_by_batch(conn)
            return [BatchSummary(b.id, b.name, b._mapping["count"], b.priority, b.created,
                                 counts.get(b.id, _empty_counts()))
                    for b in conn.execute(select(B.c.id, B.c.name, B.c.count, B.c.priority, B.c.created)
                                          .order_by(B.c.id))]

    def list_items(self, status: str | None = None, batch_id: int | None = None, after: str | None = None,
                   limit: int = 200) -> list[QueueRow]:
        """A page of sessions in (batch, index) order; pass the last row's key as `after` for the next."""
        after_batch, after_index = parse_key(after) if after else (0, -1)
        scope = [B.c.id >= after_batch] + ([B.c.id == batch_id] if batch_id is not None else [])
        rows: list[QueueRow] = []
        with reading(self.engine) as conn:
            for b in conn.execute(select(B).where(*scope).order_by(B.c.id)).all():
                start = after_index + 1 if b.id == after_batch else 0
                rows.extend(self._page_of_batch(conn, b, start, status, limit - len(rows)))
                if len(rows) >= limit:
                    break
        return rows

    def _page_of_batch(self, conn: Connection, b: Any, start: int, status: str | None, need: int) -> list[QueueRow]:
        query = select(Q).where(Q.c.batch_id == b.id, Q.c.idx >= start, Q.c.status != CLEARED.value)
        if status is not None:
            query = query.where(Q.c.status == status)
        stored = conn.execute(query.order_by(Q.c.idx).limit(need)).all()
        virtual: list[tuple[int, SessionStatus]] = []
        ranges: list[tuple[int, int, SessionStatus]] = [(b.next_index, b.stop_index, PENDING),
                                                        (b.stop_index, b.end_index, CANCELED)]
        ranges = [(max(lo, start), hi, st) for lo, hi, st in ranges if status in (None, st) and max(lo, start) < hi]
        if ranges:
            taken = set(conn.execute(select(Q.c.idx).where(
                Q.c.batch_id == b.id, Q.c.idx >= max(start, b.next_index))).scalars())
            for lo, hi, st in ranges:
                index = lo
                while index < hi and len(virtual) < need:
                    if index not in taken:
                        virtual.append((index, st))
                    index += 1
        parsed = self._batch_data(conn, b.id)
        merged: list[QueueRow] = [self._stored_row(r, parsed) for r in stored]
        merged += [QueueRow(item_key(b.id, i), None, b.id, i, st, b.priority, parsed.field_values_at(i), b.created)
                   for i, st in virtual]
        merged.sort(key=lambda r: r.index)
        return merged[:need]

    @staticmethod
    def _stored_row(r: Any, parsed: Any) -> QueueRow:
        duration = r.finished - r.started if r.finished is not None and r.started is not None else None
        return QueueRow(item_key(r.batch_id, r.idx), r.id, r.batch_id, r.idx, SessionStatus(r.status), r.priority,
                        parsed.field_values_at(r.idx), r.created, r.started, r.finished, duration, r.error,
                        r.traceback, r.session_id, json.loads(r.summary) if r.summary else None, r.worker_id,
                        r.attempt, r.lease_until, r.progress_node, r.progress, r.progress_at)

    def get(self, ref: ItemRef) -> QueueRow | None:
        """One session by item id or key, virtual ones included."""
        if isinstance(ref, str):
            batch_id, index = parse_key(ref)
            rows = self.list_items(batch_id=batch_id, after=item_key(batch_id, index - 1), limit=1)
            return rows[0] if rows and rows[0].index == index else None
        with reading(self.engine) as conn:
            row = conn.execute(select(Q).where(Q.c.id == ref, Q.c.status != CLEARED.value)).first()
            return self._stored_row(row, self._batch_data(conn, row.batch_id)) if row else None
