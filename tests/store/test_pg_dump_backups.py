"""`db backup` of a server database runs pg_dump: when pg_dump fails or cannot run, one line says
why and no file is left behind. A stand-in pg_dump on PATH plays the failures; no server is needed."""

from __future__ import annotations

import pytest

from nodeeditor.core.errors import StoreError
from nodeeditor.store import health

URL = "postgresql+psycopg://me:secret@127.0.0.1:1/queue"


@pytest.fixture
def pg_dump(tmp_path, monkeypatch):
    """Install a pg_dump (a script with the given text) as the only one on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))

    def install(script: str) -> None:
        tool = folder / "pg_dump"
        tool.write_text(script)
        tool.chmod(0o755)
    return install


def test_a_failing_pg_dump_is_reported_by_its_first_line_without_the_password(pg_dump, tmp_path):
    pg_dump('#!/bin/sh\n'
            'echo \'pg_dump: error: connection to server at "127.0.0.1", port 1 failed: Connection refused\' >&2\n'
            'printf "\\tIs the server running on that host and accepting TCP/IP connections?\\n" >&2\n'
            'exit 1\n')
    (tmp_path / "dumps").mkdir()
    target = tmp_path / "dumps" / "queue.dump"
    with pytest.raises(StoreError) as raised:
        health.backup(URL, target)
    assert str(raised.value) == ('postgresql+psycopg://me:***@127.0.0.1:1/queue: pg_dump failed: connection to '
                                 'server at "127.0.0.1", port 1 failed: Connection refused')
    assert list(target.parent.iterdir()) == []


def test_a_pg_dump_that_cannot_be_started_is_reported_naming_the_target(pg_dump, tmp_path):
    pg_dump("#!/nonexistent/perl\n")  # Debian's pg_dump is a Perl wrapper: without Perl it cannot start
    (tmp_path / "dumps").mkdir()
    target = tmp_path / "dumps" / "queue.dump"
    with pytest.raises(StoreError) as raised:
        health.backup(URL, target)
    assert str(raised.value) == f"{target}: backup failed: No such file or directory"
    assert list(target.parent.iterdir()) == []
