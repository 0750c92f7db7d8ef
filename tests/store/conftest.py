"""A store in the test's own home, with the test nodes registered, on each backend.

Every test that uses `store` (or `db_url`) runs twice: on SQLite in the test's home and on a
fresh database of the session's PostgreSQL server (tests/pg.py).
"""

from __future__ import annotations

import pytest

import worker_nodes  # noqa: F401  (registers the test nodes)
from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.paths import database_url
from nodeeditor.store.store import open_store
from workflow_builder import build

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture(params=BACKENDS)
def db_url(request, isolated_home):
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return database_url(isolated_home)


@pytest.fixture
def store(db_url, isolated_home, registry):
    opened = open_store(db_url, home=isolated_home, registry=registry)
    yield opened
    opened.close()


def on(store, backend: str) -> None:
    """Skip the calling test unless the store runs on `backend` (for checks of one engine)."""
    if store.engine.dialect.name != backend:
        pytest.skip(f"a {backend} check")


@pytest.fixture
def workflow():
    return build({"n": ("testq_count", {"value": 1})})


def seeds(count: int, runs: int = 1) -> Batch:
    return Batch.model_validate({"runs": runs, "data": [[{"node": "n", "field": "extra", "items": list(range(count))}]]})
