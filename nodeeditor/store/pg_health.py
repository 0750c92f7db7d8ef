"""What `db check` and `db backup` can do on a PostgreSQL store.

PostgreSQL has no single integrity pragma. `check` verifies what the server lets a client verify:
with the `amcheck` extension installed in the database, every table's pages (`verify_heapam`) and
every b-tree index against its table (`bt_index_check`); the server's count of data-checksum
failures; and it says plainly what it could not verify. It never installs anything: `db check`
only reads. `backup` runs the PostgreSQL client's own `pg_dump` (custom format, for `pg_restore`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from nodeeditor.core.errors import StoreError

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
"""Where Debian and Ubuntu keep the client tools of each installed version (not on PATH)."""

AMCHECK_MISSING = ("amcheck is not installed in this database: table pages and indexes were not "
                   "verified (a superuser can run CREATE EXTENSION amcheck)")


def check(engine: Engine, tables: list[str]) -> tuple[list[str], list[str]]:
    """(problems found, what was checked) for our `tables` of a PostgreSQL database."""
    problems: list[str] = []
    checked: list[str] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        version = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'amcheck'")).scalar()
        if version is None:
            checked.append(AMCHECK_MISSING)
        else:
            indexes = conn.execute(text(
                "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE t.relname = ANY(:tables) AND t.relnamespace = to_regnamespace(current_schema()) "
                "AND a.amname = 'btree' ORDER BY 1"), {"tables": tables}).scalars().all()
            for table in tables:
                try:
                    for block, offset, message in conn.execute(text(
                            "SELECT blkno, offnum, msg FROM verify_heapam(CAST(:t AS regclass))"), {"t": table}):
                        problems.append(f"table {table}, page {block}, item {offset}: {message}")
                except DBAPIError as exc:
                    problems.append(f"table {table}: {_first_line(exc)}")
            for index in indexes:
                try:
                    conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
                except DBAPIError as exc:
                    problems.append(f"index {index}: {_first_line(exc)}")
            checked.append(f"amcheck {version}: the pages of {len(tables)} tables (verify_heapam) and "
                           f"{len(indexes)} b-tree indexes against their tables (bt_index_check)")
        checksums = conn.execute(text("SHOW data_checksums")).scalar()
        failures = conn.execute(text("SELECT checksum_failures FROM pg_stat_database "
                                     "WHERE datname = current_database()")).scalar()
        if checksums == "on":
            checked.append(f"data checksums on: {failures or 0} checksum failures recorded by the server")
            if failures:
                problems.append(f"the server recorded {failures} data checksum failures in this database")
        else:
            checked.append("data checksums are off in this cluster: damaged pages are found only by amcheck")
    return problems, checked


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__


def pg_dump_path() -> str | None:
    """pg_dump on PATH, else the newest one in PG_BIN_GLOB."""
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = [p for p in glob.glob(f"{PG_BIN_GLOB}/pg_dump") if os.access(p, os.X_OK)]
    candidates.sort(key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return candidates[-1] if candidates else None


def backup(url: str, name: str, target: Path) -> Path:
    """`pg_dump --format=custom` of the database into `target`, written beside it and renamed
    into place when complete; the password goes through the environment, not the command line."""
    tool = pg_dump_path()
    if tool is None:
        raise StoreError(f"{name}: `db backup` on PostgreSQL needs pg_dump, which is not installed "
                         f"(looked on PATH and in {PG_BIN_GLOB}; Debian package postgresql-client)")
    parsed = make_url(url)
    env: dict[str, Any] = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    dsn = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    partial = target.with_name(f".{target.name}.partial")
    try:
        done = subprocess.run([tool, "--format=custom", "--no-password", f"--file={partial}", f"--dbname={dsn}"],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            cause = lines[0].removeprefix("pg_dump: ").removeprefix("error: ") if lines else f"exit {done.returncode}"
            raise StoreError(f"{name}: pg_dump failed: {cause}")
        os.replace(partial, target)
    except OSError as exc:
        raise StoreError(f"{target}: backup failed: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target
