"""What opening a store does with the SQLite database it finds: a damaged, locked, older, empty or
unopenable one, and the sessions that dead processes left behind."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from nodeeditor.core.errors import StoreError
from nodeeditor.paths import database_url
from nodeeditor.store import db, health, migrate
from nodeeditor.store.db import make_engine
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.store import open_store
from nodeeditor.store.tables import queue_items

from .conftest import seeds


def _garbage_over_a_table(database, table: str) -> None:
    """Overwrite the first page of `table` (one nothing reads while a store opens) with garbage."""
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(database, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\x7f" * 600)


def test_a_damaged_database_is_refused_before_anything_is_written(isolated_home):
    url = database_url(isolated_home)
    open_store(url, home=isolated_home).close()
    database = isolated_home / "nodeeditor.db"
    _garbage_over_a_table(database, "node_stats")
    before = database.read_bytes()
    with pytest.raises(StoreError, match=rf"^{re.escape(str(database))}: the database is damaged\b.*; "
                                         r"nothing was written"):
        open_store(url, home=isolated_home)
    assert database.read_bytes() == before


def test_opening_an_older_database_keeps_a_copy_of_it_at_its_revision_first(isolated_home):
    url = database_url(isolated_home)
    engine = make_engine(url)
    migrate.upgrade(engine, "0001")
    engine.dispose()
    open_store(url, home=isolated_home).close()
    [copy] = isolated_home.glob("nodeeditor.db.0001-*.bak")
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_a_reader_of_a_database_without_tables_sets_the_schema_up(db_url, isolated_home):
    if db_url.startswith("sqlite"):  # a SQLite file made by another program, with no tables (yet)
        with closing(sqlite3.connect(isolated_home / "nodeeditor.db")) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE scratch (x)")
            conn.execute("DROP TABLE scratch")
    reader = open_store(db_url, home=isolated_home, write=False)
    try:
        assert reader.queue.batches() == []
        assert health.stored_revision(reader.engine) == migrate.head_revision()
    finally:
        reader.close()


def test_a_reader_of_an_empty_database_file_sets_the_schema_up(isolated_home):
    """`touch nodeeditor.db` then `nodeeditor queue status`: a new database, not a read-only one."""
    (isolated_home / "nodeeditor.db").write_bytes(b"")
    reader = open_store(home=isolated_home, write=False)
    try:
        assert reader.queue.batches() == []
        assert health.stored_revision(reader.engine) == migrate.head_revision()
    finally:
        reader.close()


def test_opening_a_store_takes_back_the_sessions_of_dead_processes(store, db_url, isolated_home, workflow):
    store.queue.enqueue(workflow, seeds(2))
    orphan = store.queue.claim("w")
    with store.engine.begin() as conn:
        conn.execute(queue_items.update().where(queue_items.c.id == orphan.item_id).values(worker_pid=2 ** 22 + 7))
    again = open_store(db_url, home=isolated_home)
    try:
        row = again.queue.get(orphan.item_id)
        assert (row.status, row.attempt, row.worker_id) == (SessionStatus.PENDING, 2, None)
    finally:
        again.close()


def test_a_database_path_that_is_a_folder_is_refused_saying_it_cannot_be_opened(tmp_path):
    folder = tmp_path / "queue.db"
    folder.mkdir()
    with pytest.raises(StoreError, match=rf"^{re.escape(str(folder))}: cannot open the database file "
                                         r"\(missing folder, or no permission\)$"):
        open_store(f"sqlite:///{folder}", home=tmp_path)


def test_a_database_locked_by_another_program_is_waited_for_then_refused(isolated_home, monkeypatch):
    """A program holding the whole file (an exclusive transaction, no WAL) keeps a store from
    opening it: the store waits the busy timeout for it, then says why, in one line."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 400)
    monkeypatch.setattr(health, "BUSY_TIMEOUT_MS", 400)
    database = isolated_home / "nodeeditor.db"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE elsewhere (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO elsewhere VALUES (1)")
    outcome: list = []

    def opening():
        started = time.monotonic()
        try:
            open_store(database_url(isolated_home), home=isolated_home).close()
            outcome.append(("opened", time.monotonic() - started))
        except StoreError as exc:
            outcome.append((str(exc), time.monotonic() - started))

    opener = threading.Thread(target=opening, daemon=True)
    opener.start()
    opener.join(8)
    holder.execute("ROLLBACK")
    holder.close()
    opener.join(20)
    [(said, waited)] = outcome
    assert said == f"{database}: another process holds the write lock (waited 0.4 s); try again"
    assert 0.3 < waited < 8, "waits the busy timeout, no less and not for ever"
