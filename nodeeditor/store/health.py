"""Is the store usable? Checks made once when a store opens, and the one-line causes a person reads.

A command that would write into a damaged database, or into one a newer nodeeditor wrote, is
refused before it writes anything (StoreError, exit 3). The checks: `PRAGMA quick_check` on
SQLite (once per open; O(pages), a few ms for a small queue: see benchmarks/store_health.py),
and the schema revision against the migrations this version ships. Driver errors raised later
(lock held past the busy timeout, disk full, read-only file, server unreachable) are translated
by `explain` into the same kind of line. `backup` copies a live SQLite database with SQLite's
online backup API, and runs before every migration; PostgreSQL's checks and pg_dump backups are
in pg_health.py.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from nodeeditor.core.errors import StoreError

from .db import BUSY_TIMEOUT_MS

QUICK_CHECK_ROWS = 5
"""quick_check lists at most this many problems: the first one is what a person reads."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for memory databases and other backends)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = parsed.database
    if database.startswith("file:"):
        database = database[5:].partition("?")[0]
    return Path(database)


def describe(url: str) -> str:
    """How a message names the database: its file, or its URL without the password."""
    path = sqlite_path(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def read_only_url(url: str) -> str:
    """The same SQLite database opened read-only (a reader can never take the write lock).

    In a folder nobody can write (read-only mount), SQLite cannot create the WAL index a reader
    needs; with no WAL file left over, nothing can change the file either, so it is opened as
    immutable (no locks, no index)."""
    path = sqlite_path(url)
    if path is None:
        return url
    path = path.resolve()
    immutable = (not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists()
                 and not Path(f"{path}-shm").exists())
    return f"sqlite:///file:{path}?mode=ro{'&immutable=1' if immutable else ''}&uri=true"


# -- checks made on open ---------------------------------------------------------------------------

def _problems(rows: Sequence[Any]) -> list[str]:
    if list(rows) == ["ok"]:
        return []
    lines = [line.strip() for row in rows for line in str(row).splitlines()]
    return [line for line in lines if line and not line.startswith("***")]


def quick_check(engine: Engine) -> list[str]:
    """Problems `PRAGMA quick_check` finds (empty when the database is sound)."""
    with engine.connect() as conn:
        return _problems(conn.exec_driver_sql(f"PRAGMA quick_check({QUICK_CHECK_ROWS})").scalars().all())


def integrity_check(engine: Engine) -> list[str]:
    """The thorough check `db check` runs (reads every row and index)."""
    with engine.connect() as conn:
        return _problems(conn.exec_driver_sql("PRAGMA integrity_check").scalars().all())


def stored_revision(engine: Engine) -> str | None:
    """The schema revision written in the database (None for a new, empty one)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(engine: Engine, url: str) -> str | None:
    """The stored revision; StoreError when it is one this version does not know (a newer one)."""
    from . import migrate

    revision = stored_revision(engine)
    if revision is not None and revision not in migrate.known_revisions():
        raise StoreError(f"{describe(url)}: was written by a newer nodeeditor (schema {revision}); "
                         f"this version knows {migrate.head_revision()}")
    return revision


def check_open(engine: Engine, url: str) -> str | None:
    """Refuse a damaged or newer database before anything is written; returns the revision."""
    try:
        if engine.dialect.name == "sqlite":
            problems = quick_check(engine)
            if problems:
                raise StoreError(f"{describe(url)}: the database is damaged ({problems[0]}); nothing was "
                                 f"written (`nodeeditor db check` lists the damage)")
        return check_schema(engine, url)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise StoreError(explain(exc, url) or f"{describe(url)}: {exc}") from None


def check_writable(url: str) -> None:
    """A writer refuses a read-only SQLite file or folder at once: SQLite itself would open the
    file read-only without a word and fail only at the first write, after work was done."""
    path = sqlite_path(url)
    if path is None:
        return
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: the database file is read-only; nothing was written")
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        raise StoreError(f"{path}: the folder {path.parent} is read-only; nothing was written")


# -- backups ---------------------------------------------------------------------------------------

def backup(url: str, target: str | os.PathLike[str]) -> Path:
    """Copy a live SQLite database to `target` with the online backup API (readers and writers
    may go on); the copy is written beside the target and renamed into place when complete."""
    source = sqlite_path(url)
    if source is None:
        if make_url(url).get_backend_name() == "postgresql":
            from . import pg_health

            return pg_health.backup(url, describe(url), Path(target))
        raise StoreError(f"{describe(url)}: `db backup` copies SQLite and PostgreSQL databases only")
    if not source.exists():
        raise StoreError(f"{source}: no database to back up")
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        src = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True,
                              timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(explain(exc, url) or f"{target}: backup failed: {exc}") from None
    return target


def backup_before_migration(url: str, revision: str) -> Path | None:
    """A copy of the database as it was at `revision`, kept beside it, before migrations change it."""
    source = sqlite_path(url)
    if source is None or not source.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return backup(url, source.with_name(f"{source.name}.{revision}-{stamp}.bak"))


# -- causes a person reads -------------------------------------------------------------------------

_CAUSES = (
    ("database is locked", "another process holds the write lock (waited {timeout} s); try again"),
    ("database table is locked", "another process holds the write lock (waited {timeout} s); try again"),
    ("database or disk is full", "the disk is full; nothing was written"),
    ("disk i/o error", "the disk reported an I/O error (full or failing); nothing was written"),
    ("attempt to write a readonly database", "the database is read-only; nothing was written"),
    ("readonly database", "the database is read-only; nothing was written"),
    ("unable to open database file", "cannot open the database file (missing folder, or no permission)"),
    ("file is not a database", "the database is damaged (not a SQLite file); nothing was written"),
    ("database disk image is malformed", "the database is damaged; nothing was written "
                                         "(`nodeeditor db check` lists the damage)"),
    ("connection refused", "the database server is unreachable (connection refused)"),
    ("could not translate host name", "the database server is unreachable (unknown host)"),
    ("timeout expired", "the database server is unreachable (timed out)"),
    ("password authentication failed", "the database server refused the login"),
)

_ERRNO = {
    errno.ENOSPC: "the disk is full; nothing was written",
    errno.EDQUOT: "the disk quota is used up; nothing was written",
    errno.EROFS: "the file system is read-only; nothing was written",
    errno.EACCES: "permission denied",
    errno.EFBIG: "the file size limit was reached; nothing was written",
}


def explain(exc: BaseException, url: str | None = None, home: Any = None) -> str | None:
    """One line naming the database and the cause of a store fault; None for anything else."""
    if url is None:
        from nodeeditor.paths import data_dir, database_url

        try:
            url = database_url(data_dir(home))
        except OSError:
            url = "the database"
    name = describe(url) if "://" in url else url
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        place = exc.filename or name
        return f"{place}: {_ERRNO[exc.errno]}"
    driver = exc.orig if isinstance(exc, DBAPIError) else exc
    if not _is_store_error(exc):
        return None
    message = str(driver).strip().splitlines()[0] if str(driver).strip() else type(driver).__name__
    lowered = message.lower()
    if "unable to open database file" in lowered and (path := sqlite_path(url) if "://" in url else None):
        if not path.parent.is_dir():
            return f"{name}: cannot open the database: folder {path.parent} does not exist"
        if not os.access(path.parent, os.W_OK):
            return f"{name}: the folder {path.parent} is read-only; nothing was written"
    for needle, cause in _CAUSES:
        if needle in lowered:
            return f"{name}: {cause.format(timeout=BUSY_TIMEOUT_MS / 1000)}"
    return f"{name}: the store cannot be used: {message}"


def _is_store_error(exc: BaseException) -> bool:
    if isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        return True
    module = type(exc).__module__ or ""
    return module.startswith(("psycopg", "alembic"))


# -- `db check` ------------------------------------------------------------------------------------

def report(url: str) -> dict[str, Any]:
    """What `db check` prints: integrity problems, schema revision, rows per table (reads only)."""
    from sqlalchemy import func, select

    from . import migrate
    from .db import make_engine
    from .tables import metadata

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise StoreError(f"{path}: no database here")
    engine = make_engine(read_only_url(url))
    checked: list[str] = []
    try:
        problems = integrity_check(engine) if engine.dialect.name == "sqlite" else []
        if engine.dialect.name == "sqlite":
            checked.append("PRAGMA integrity_check: every page, row and index")
        revision = stored_revision(engine) if not problems else None
        rows: dict[str, int] = {}
        if not problems:
            with engine.connect() as conn:
                present = set(inspect(conn).get_table_names())
                for table in metadata.sorted_tables:
                    if table.name in present:
                        rows[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if engine.dialect.name == "postgresql":
                from . import pg_health

                problems, found = pg_health.check(engine, list(rows))
                checked.extend(found)
            checked.append(f"schema revision, and the rows of {len(rows)} tables counted")
    except (SQLAlchemyError, sqlite3.Error) as exc:
        line = explain(exc, url) or f"{describe(url)}: {exc}"
        if "damaged" not in line:
            raise StoreError(line) from None
        driver = exc.orig if isinstance(exc, DBAPIError) else exc
        problems, revision, rows = [f"{driver} (SQLite cannot read the file's structure)"], None, {}
    finally:
        engine.dispose()
    return {"database": describe(url), "problems": problems, "checked": checked, "schema": revision,
            "knows": migrate.head_revision(),
            "schema_known": revision is None or revision in migrate.known_revisions(), "rows": rows}
