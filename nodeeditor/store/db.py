"""Database engine set-up: SQLite pragmas on every connection, and write transactions that lock early.

SQLite gets WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE` for writes, so two processes
that claim at the same moment queue up on the lock instead of failing on upgrade. PostgreSQL
(`postgresql+psycopg://…`, the queue many machines share) keeps its defaults: read committed, row
locks taken by the claim itself (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, Float, bindparam, create_engine, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.functions import FunctionElement

BUSY_TIMEOUT_MS = int(os.environ.get("NODEEDITOR_BUSY_TIMEOUT_MS") or 30_000)
"""How long a SQLite writer waits for the lock before "database is locked" (tests shorten it)."""
IMMEDIATE = "nodeeditor_immediate"


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgresql(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


class epoch_now(FunctionElement):
    """The database's clock in Unix seconds (a float).

    Lease deadlines and heartbeats are written and compared with it, so workers on machines
    whose clocks disagree still agree on when a lease ran out.
    """

    type = Float()
    inherit_cache = True


@compiles(epoch_now)
def _epoch_now_default(_element, _compiler, **_kw) -> str:
    return "(julianday('now') - 2440587.5) * 86400.0"


@compiles(epoch_now, "postgresql")
def _epoch_now_postgresql(_element, _compiler, **_kw) -> str:
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" listener opens transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.connection.cursor().execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_use_lifo=True,
                               connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql"):
        if "+" not in url.split("://", 1)[0]:
            url = "postgresql+psycopg" + url[len("postgresql"):]  # psycopg 3 is the driver we ship
        engine = create_engine(url, pool_use_lifo=True)
        if "synchronous_commit" not in url:
            event.listen(engine, "connect", _postgresql_settings)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _postgresql_settings(dbapi_connection, _record) -> None:
    """The durability SQLite's WAL + synchronous=NORMAL gives: a crash may lose the last moment
    of commits, never consistency. Commits then skip the fsync, which costs more than the rest of
    a claim; a lost claim or result only means the session runs again (at least once). A URL
    that sets synchronous_commit itself keeps its own choice."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    dbapi_connection.commit()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction; on SQLite it takes the write lock at BEGIN."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot for several queries."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


class Prepared:
    """A Core statement compiled once per dialect and run on the driver's cursor.

    For the few statements every session runs (claim, finish, figures): SQLAlchemy's per-call
    work costs several times what SQLite itself spends on them. Rows come back as tuples in the
    statement's column order; the caller's transaction is used as is.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, list[str] | None, dict[str, Any]]] = {}

    def _for(self, conn: Connection) -> tuple[str, list[str] | None, dict[str, Any]]:
        found = self._compiled.get(conn.dialect.name)
        if found is None:
            compiled: Any = self.statement.compile(dialect=conn.dialect)
            order = list(compiled.positiontup) if compiled.positional else None
            found = self._compiled[conn.dialect.name] = (str(compiled), order, dict(compiled.params))
        return found

    def _bind(self, conn: Connection, params: dict[str, Any]) -> tuple[str, Any]:
        sql, order, defaults = self._for(conn)
        merged = {**defaults, **params}
        return sql, tuple(merged[name] for name in order) if order is not None else merged

    def run(self, conn: Connection, **params: Any) -> Any:
        """Execute once; returns the driver's cursor (fetchone/fetchall give tuples)."""
        sql, bound = self._bind(conn, params)
        cursor = conn.connection.cursor()
        cursor.execute(sql, bound)
        return cursor

    def run_many(self, conn: Connection, names: tuple[str, ...], rows: list[tuple]) -> None:
        """executemany of rows given as tuples in the order of `names` (every parameter named)."""
        if not rows:
            return
        sql, order, _defaults = self._for(conn)
        cursor = conn.connection.cursor()
        if order is None:
            cursor.executemany(sql, [dict(zip(names, row)) for row in rows])
        elif list(names) == order:
            cursor.executemany(sql, rows)
        else:
            pick = itemgetter(*[names.index(name) for name in order])
            cursor.executemany(sql, [pick(row) for row in rows])


def named_values(columns: tuple[str, ...]) -> dict[str, Any]:
    """{column: bindparam("v_column")}, for INSERT/UPDATE statements run through Prepared."""
    return {column: bindparam(f"v_{column}") for column in columns}
