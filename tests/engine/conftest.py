"""The store fixtures of tests/store, and a worker on them (stopped after each test)."""

from __future__ import annotations

from typing import Any

import pytest

import worker_nodes
from nodeeditor.core.batch import Batch
from nodeeditor.engine.worker import Worker
from nodeeditor.paths import database_url
from store.conftest import registry, store  # noqa: F401  (shared fixtures)


@pytest.fixture
def db_url(isolated_home):
    """The store of engine tests is SQLite; a test of a shared queue asks for `pg_url` (tests/pg.py)."""
    return database_url(isolated_home)


@pytest.fixture
def worker(store, registry):  # noqa: F811
    worker_nodes.CALLS.clear()
    running = Worker(store, registry)
    yield running
    running.close()


def axis_batch(node: str, field: str, items: list[Any], runs: int = 1) -> Batch:
    return Batch.model_validate({"runs": runs, "data": [[{"node": node, "field": field, "items": items}]]})
