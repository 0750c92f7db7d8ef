"""The one way a session's status changes: a guarded UPDATE whose WHERE names the statuses it
may start from.

Every verb of the queue (claim, complete/fail/cancel, retry, hand back, take back, clear) calls
`transition`, so a status is never written unconditionally: two actors racing on one row (a
worker finishing while its lease is taken back, a cancel arriving as the session ends) cannot
both win, and the loser learns it from the rows returned. On PostgreSQL the rows' trigger
announces each change (see notify.py).

Rows created in a status (a virtual session claimed, canceled or retried one by one) are
inserts, not transitions.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping

from sqlalchemy import Connection, bindparam, literal_column, update
from sqlalchemy.sql import ClauseElement, ColumnElement

from .db import Prepared
from .status import SessionStatus
from .tables import queue_items as Q

_CACHE: dict[tuple, tuple[Prepared, list[Any]]] = {}
"""Compiled statements by shape; each keeps the SQL expressions it was built from alive, so
the ids in its key cannot be reused. Pass expressions as module constants."""


def _status_in(allowed: Collection[SessionStatus]) -> ColumnElement[bool]:
    # Literal values (fixed enum words), so the statement compiles once with no expanding IN.
    return Q.c.status.in_([literal_column(f"'{SessionStatus(s).value}'") for s in allowed])


def _values(to: SessionStatus, cols: Mapping[str, Any], bound: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"status": literal_column(f"'{SessionStatus(to).value}'")}
    for name, value in cols.items():
        if isinstance(value, ClauseElement):
            values[name] = value
        elif bound:
            values[name] = bindparam(f"v_{name}")
        else:
            values[name] = value
    return values


def transition(conn: Connection, where: Mapping[str, Any] | ColumnElement[bool],
               allowed_from: Collection[SessionStatus], to: SessionStatus, *,
               returning: tuple[str, ...] = (), binds: Mapping[str, Any] | None = None,
               **cols: Any) -> list[tuple]:
    """Move the item rows matching `where` whose status is in `allowed_from` to `to`, setting
    `cols` too (plain values, or SQL expressions such as `queue_items.c.attempt + 1`).

    `where` is either {column: value} equalities (the statement is compiled once and cached:
    the path every session takes) or any SQL condition (bulk verbs). Returns one tuple per row
    changed: (id, *returning); no rows means the guard refused. `binds` fills bind parameters
    that the SQL expressions in `cols` contain.
    """
    names = ("id",) + tuple(returning)
    if isinstance(where, Mapping):
        key = (tuple(where), tuple(sorted(SessionStatus(s).value for s in allowed_from)), SessionStatus(to).value,
               tuple((name, id(value) if isinstance(value, ClauseElement) else None) for name, value in cols.items()),
               names)
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = (Prepared(
                update(Q).where(*(Q.c[name] == bindparam(f"w_{name}") for name in where), _status_in(allowed_from))
                .values(_values(to, cols, bound=True)).returning(*(Q.c[name] for name in names))),
                [value for value in cols.values() if isinstance(value, ClauseElement)])
        statement = cached[0]
        params = {f"w_{name}": value for name, value in where.items()}
        params.update({f"v_{name}": value for name, value in cols.items() if not isinstance(value, ClauseElement)})
        rows = [tuple(row) for row in statement.run(conn, **params, **(binds or {})).fetchall()]
    else:
        query = (update(Q).where(where, _status_in(allowed_from)).values(_values(to, cols, bound=False))
                 .returning(*(Q.c[name] for name in names)))
        rows = [tuple(row) for row in conn.execute(query, dict(binds or {})).all()]
    return rows
