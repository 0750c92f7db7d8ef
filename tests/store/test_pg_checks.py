"""What `db check` says of a PostgreSQL store's data checksums, which a cluster either keeps or not."""

from __future__ import annotations

import pytest

from nodeeditor.store import pg_health
from nodeeditor.store.store import open_store
from nodeeditor.store.tables import metadata


def _check(url: str, home) -> tuple[list[str], list[str]]:
    store = open_store(url, home=home)
    try:
        return pg_health.check(store.engine, [t.name for t in metadata.sorted_tables])
    finally:
        store.close()


def test_db_check_on_postgresql_with_data_checksums_counts_their_failures(isolated_home):
    from pg import NoServer, running_server

    try:
        with running_server(checksums=True) as server:
            problems, checked = _check(server.url(server.create_database()), isolated_home)
    except NoServer as exc:
        pytest.skip(str(exc))
    assert problems == []
    assert "data checksums on: 0 checksum failures recorded by the server" in checked


def test_db_check_on_postgresql_without_data_checksums_says_only_amcheck_finds_damage(pg_url, isolated_home):
    problems, checked = _check(pg_url, isolated_home)
    assert problems == []
    assert "data checksums are off in this cluster: damaged pages are found only by amcheck" in checked
