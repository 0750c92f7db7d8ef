"""Store faults through the real command line: exit 3, one line naming the database and the cause,
no traceback, nothing written. Readers keep working where writers cannot."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from .harness import cli, fingerprint

WORKFLOW = {"version": 1, "name": "faults", "nodes": [{"id": "s", "type": "string", "inputs": {"value": "x"}}]}
BATCH = {"runs": 1, "data": [[{"node": "s", "field": "value", "items": [f"item {i}" for i in range(40)]}]]}
READERS = [["queue", "status"], ["queue", "list"], ["stats"]]
WRITERS = [["enqueue", "{w}", "--batch", "{b}"], ["queue", "cancel", "--all"], ["worker", "--until-empty"]]


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(not _can_unshare(), reason="needs user and mount namespaces (unshare -rm)")


def read_only_mount(target) -> list[str]:
    """Run a command with `target` (file or folder) bind-mounted read-only, in a private namespace."""
    return ["unshare", "-rm", "sh", "-c",
            'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"', str(target)]


@pytest.fixture
def store(tmp_path, isolated_home):
    """A store with one batch of 40 sessions (2 of them run), and the files that made it."""
    w, b = tmp_path / "w.json", tmp_path / "b.json"
    w.write_text(json.dumps(WORKFLOW))
    b.write_text(json.dumps(BATCH))
    assert cli("enqueue", str(w), "--batch", str(b), home=isolated_home).code == 0
    database = isolated_home / "nodeeditor.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return isolated_home, database, {"{w}": str(w), "{b}": str(b)}


def _argv(argv: list[str], files: dict[str, str]) -> list[str]:
    return [files.get(a, a) for a in argv]


def _refused(ran, *words: str) -> str:
    line = ran.one_error_line()
    assert ran.code == 3, (ran.code, line)
    for word in words:
        assert word in line, (word, line)
    return line


def _damage(database, how: str) -> None:
    if how == "truncated":
        os.truncate(database, database.stat().st_size // 2)
    else:  # garbage over the second page (a table's b-tree page)
        with open(database, "r+b") as f:
            f.seek(4096)
            f.write(b"\x7f" * 600)


DAMAGE = [("truncated", argv) for argv in READERS + WRITERS] + [("garbage", ["queue", "status"]),
                                                                ("garbage", WRITERS[0])]


@pytest.mark.parametrize("how, argv", DAMAGE, ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else v)
def test_a_damaged_database_is_refused_and_left_as_it_is(store, how, argv):
    home, database, files = store
    _damage(database, how)
    before = database.read_bytes()
    ran = cli(*_argv(argv, files), home=home)
    _refused(ran, str(database), "damaged", "nothing was written")
    assert database.read_bytes() == before
    assert not os.path.exists(f"{database}-wal") or os.path.getsize(f"{database}-wal") == 0


def test_db_check_lists_the_damage_and_exits_3(store):
    home, database, _ = store
    _damage(database, "garbage")
    ran = cli("db", "check", home=home)
    assert ran.code == 3 and "Traceback" not in ran.err
    assert "damaged" in ran.out and "malformed" in ran.out


def test_db_check_on_a_sound_database_reports_rows(store):
    home, _, _ = store
    ran = cli("db", "check", "--json", home=home)
    report = json.loads(ran.out)
    assert ran.code == 0 and report["problems"] == [] and report["rows"]["batches"] == 1


def _set_revision(database, revision: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.parametrize("argv", [READERS[0], READERS[2], WRITERS[0], WRITERS[2]], ids=lambda a: " ".join(a[:2]))
def test_a_newer_schema_is_named_and_never_an_alembic_traceback(store, argv):
    home, database, files = store
    _set_revision(database, "0099")
    from nodeeditor.store.migrate import head_revision

    before = fingerprint(database)
    ran = cli(*_argv(argv, files), home=home)
    line = _refused(ran)
    assert line == (f"error: {database}: was written by a newer nodeeditor (schema 0099); "
                    f"this version knows {head_revision()}")
    assert fingerprint(database) == before


def test_a_write_lock_held_past_the_busy_timeout_exits_3_and_writes_nothing(store):
    home, database, files = store
    before = fingerprint(database)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for argv in WRITERS[:2]:
            ran = cli(*_argv(argv, files), home=home, env={"NODEEDITOR_BUSY_TIMEOUT_MS": "200"})
            _refused(ran, str(database), "holds the write lock")
        # The worker treats a lock as passing: it says so while it retries, then gives up.
        ran = cli("worker", "--until-empty", "--give-up-after", "1", home=home,
                  env={"NODEEDITOR_BUSY_TIMEOUT_MS": "200"})
        assert ran.code == 3 and "Traceback" not in ran.err
        last = ran.err.splitlines()[-1]
        assert last.startswith("error: ") and "database is locked" in last
        for argv in READERS:  # readers never wait behind the writer, however long it may wait
            ran = cli(*argv, home=home, env={"NODEEDITOR_BUSY_TIMEOUT_MS": "600000"}, timeout=60)
            assert (ran.code, ran.err) == (0, "")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert fingerprint(database) == before


@needs_namespaces
def test_in_a_read_only_folder_readers_work_and_writers_exit_3(store):
    home, database, files = store
    before = fingerprint(database)
    for name in ("-wal", "-shm"):
        assert not os.path.exists(f"{database}{name}")
    for argv in WRITERS:
        _refused(cli(*_argv(argv, files), home=home, wrap=read_only_mount(home)), str(home), "read-only")
    status = cli("queue", "status", "--json", home=home, wrap=read_only_mount(home))
    assert status.code == 0 and json.loads(status.out)["counts"]["pending"] == 40
    listing = cli("queue", "list", "--limit", "3", home=home, wrap=read_only_mount(home))
    assert listing.code == 0 and [line.split()[0] for line in listing.out.splitlines()] == ["1:0", "1:1", "1:2"]
    assert cli("stats", home=home, wrap=read_only_mount(home)).code == 0
    assert fingerprint(database) == before


@needs_namespaces
def test_a_read_only_database_file_is_read_and_not_written(store):
    home, database, files = store
    before = fingerprint(database)
    for argv in WRITERS:
        _refused(cli(*_argv(argv, files), home=home, wrap=read_only_mount(database)), str(database), "read-only")
    for argv in READERS:
        ran = cli(*argv, home=home, wrap=read_only_mount(database))
        assert (ran.code, ran.err) == (0, "")
    assert fingerprint(database) == before


def _big_workflow(tmp_path) -> str:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({**WORKFLOW, "nodes": [{"id": "s", "type": "string",
                                                       "inputs": {"value": "x" * 600_000}}]}))
    return str(path)


def test_a_file_size_limit_mid_write_exits_3_with_no_partial_batch(store, tmp_path):
    home, database, _ = store
    before = fingerprint(database)
    limit = database.stat().st_size + 16_384

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    ran = cli("enqueue", _big_workflow(tmp_path), home=home, preexec=small_files)
    _refused(ran, str(database), "nothing was written")
    assert fingerprint(database) == before


@needs_namespaces
def test_a_full_disk_exits_3_with_no_partial_batch(tmp_path):
    """A 400 kB tmpfs as the data folder: the first batch fits, the second cannot."""
    home = tmp_path / "full"
    home.mkdir()
    (tmp_path / "w.json").write_text(json.dumps(WORKFLOW))
    script = ('mount -t tmpfs -o size=400k tmpfs "$0" && "$1" -m nodeeditor enqueue "$2" >/dev/null && '
              '"$1" -m nodeeditor enqueue "$3"; echo "exit=$?" >&2; "$1" -m nodeeditor queue status --json')
    import sys

    from .harness import ROOT
    env = {**os.environ, "NODEEDITOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script, str(home), sys.executable,
                           str(tmp_path / "w.json"), _big_workflow(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    error, code = done.stderr.strip().splitlines()
    assert code == "exit=3" and "Traceback" not in done.stderr
    assert error == f"error: {home / 'nodeeditor.db'}: the disk is full; nothing was written"
    assert json.loads(done.stdout)["counts"]["pending"] == 1


def test_an_unreachable_server_exits_3_without_showing_the_password(isolated_home):
    ran = cli("queue", "status", "--db", "postgresql+psycopg://me:secret@127.0.0.1:1/queue", home=isolated_home)
    line = _refused(ran, "127.0.0.1:1/queue", "unreachable")
    assert "secret" not in line


def test_a_missing_folder_exits_3(isolated_home, tmp_path):
    missing = tmp_path / "nowhere" / "x.db"
    _refused(cli("queue", "status", "--db", f"sqlite:///{missing}", home=isolated_home),
             str(missing), "does not exist")


def test_db_backup_copies_a_live_database(store, tmp_path):
    home, database, _ = store
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer at work: the backup still reads
    try:
        ran = cli("db", "backup", str(tmp_path / "copy.db"), home=home)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert ran.code == 0, ran.err
    copy = fingerprint(tmp_path / "copy.db")
    assert copy[0] == "ok" and copy[1] == fingerprint(database)[1]


def test_a_migration_takes_a_backup_first(isolated_home, tmp_path):
    from nodeeditor.paths import database_url
    from nodeeditor.store import migrate
    from nodeeditor.store.db import make_engine

    engine = make_engine(database_url(isolated_home))
    migrate.upgrade(engine, "0001")
    engine.dispose()
    (tmp_path / "w.json").write_text(json.dumps(WORKFLOW))
    assert cli("enqueue", str(tmp_path / "w.json"), home=isolated_home).code == 0
    [backup] = isolated_home.glob("nodeeditor.db.0001-*.bak")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    conn.close()


def test_readers_take_no_write_lock_and_do_not_migrate(store):
    """A reader of an up-to-date store opens it read-only: a held write lock cannot slow it."""
    home, database, _ = store
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # EXCLUSIVE in WAL still lets readers read
    try:
        started = time.monotonic()
        ran = cli("queue", "status", home=home, env={"NODEEDITOR_BUSY_TIMEOUT_MS": "600000"}, timeout=60)
        assert ran.code == 0 and "pending 40" in ran.out, ran.err
        assert time.monotonic() - started < 60
    finally:
        holder.execute("ROLLBACK")
        holder.close()
