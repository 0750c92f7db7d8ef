"""`db check` and `db backup` on a real PostgreSQL server (tests/pg.py), through the command line."""

from __future__ import annotations

import json
import subprocess

import psycopg
import pytest

from nodeeditor.store import pg_health

from .harness import cli

WORKFLOW = {"version": 1, "name": "pg", "nodes": [{"id": "s", "type": "string", "inputs": {"value": "x"}}]}
BATCH = {"runs": 1, "data": [[{"node": "s", "field": "value", "items": [f"item {i}" for i in range(30)]}]]}


@pytest.fixture
def queue(pg_url, tmp_path, isolated_home):
    """A PostgreSQL queue holding one batch of 30 sessions, and a psycopg connection string to it."""
    (tmp_path / "w.json").write_text(json.dumps(WORKFLOW))
    (tmp_path / "b.json").write_text(json.dumps(BATCH))
    ran = cli("enqueue", str(tmp_path / "w.json"), "--batch", str(tmp_path / "b.json"), "--db", pg_url,
              home=isolated_home)
    assert ran.code == 0, ran.err
    return pg_url, pg_url.replace("postgresql+psycopg://", "postgresql://")


def _sql(dsn: str, statement: str) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_db_check_without_amcheck_says_what_it_could_not_verify(queue, isolated_home):
    url, _ = queue
    ran = cli("db", "check", "--db", url, home=isolated_home)
    assert ran.code == 0, ran.err
    assert "integrity ok" in ran.out and "amcheck is not installed" in ran.out
    report = json.loads(cli("db", "check", "--json", "--db", url, home=isolated_home).out)
    assert report["problems"] == [] and report["rows"]["batches"] == 1
    assert any("rows of" in line for line in report["checked"])


def test_db_check_with_amcheck_verifies_tables_and_indexes(queue, isolated_home):
    url, dsn = queue
    _sql(dsn, "CREATE EXTENSION amcheck")
    ran = cli("db", "check", "--json", "--db", url, home=isolated_home)
    report = json.loads(ran.out)
    assert ran.code == 0 and report["problems"] == []
    [amcheck] = [line for line in report["checked"] if line.startswith("amcheck")]
    indexes = _sql(dsn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'queue_items'")[0][0]
    assert indexes >= 1 and "b-tree indexes" in amcheck


def test_db_check_finds_a_damaged_index_and_exits_3(queue, isolated_home, pg_server):
    url, dsn = queue
    _sql(dsn, "CREATE EXTENSION amcheck")
    # A b-tree build writes its pages straight to the file, past the server's buffers: garbage
    # written into the file afterwards is what the next read sees.
    _sql(dsn, "CREATE INDEX probe ON batches (id)")
    [(relative,)] = _sql(dsn, "SELECT pg_relation_filepath('probe')")
    index_file = pg_server.folder / "data" / relative
    with open(index_file, "r+b") as handle:
        assert handle.seek(0, 2) == 2 * 8192  # the meta page and one leaf
        handle.seek(8192)
        handle.write(b"\xff" * 8192)
    ran = cli("db", "check", "--db", url, home=isolated_home)
    assert ran.code == 3 and "Traceback" not in ran.err
    assert "damaged" in ran.out and "index probe" in ran.out


def test_db_backup_writes_a_dump_pg_restore_reads(queue, isolated_home, tmp_path):
    url, _ = queue
    target = tmp_path / "queue.dump"
    ran = cli("db", "backup", str(target), "--db", url, home=isolated_home)
    assert ran.code == 0, ran.err
    assert str(target) in ran.out and not list(tmp_path.glob(".*.partial"))
    listing = subprocess.run([pg_health.pg_dump_path().replace("pg_dump", "pg_restore"), "--list", str(target)],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public queue_items" in listing and "TABLE DATA public batches" in listing


def test_db_backup_without_pg_dump_is_one_line_and_exit_3(queue, isolated_home, tmp_path, monkeypatch, capsys):
    from nodeeditor.cli import main

    url, _ = queue
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pg_health, "PG_BIN_GLOB", str(tmp_path / "nowhere"))
    assert main(["db", "backup", str(tmp_path / "queue.dump"), "--db", url]) == 3
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "needs pg_dump, which is not installed" in line
    assert not (tmp_path / "queue.dump").exists()


def test_db_backup_to_an_unreachable_server_names_it(isolated_home, tmp_path):
    ran = cli("db", "backup", str(tmp_path / "x.dump"), "--db", "postgresql+psycopg://me:secret@127.0.0.1:1/queue",
              home=isolated_home)
    line = ran.one_error_line()
    assert ran.code == 3 and "127.0.0.1:1/queue" in line and "secret" not in line
