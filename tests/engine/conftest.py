"""A store, a registry with the test nodes, and a worker on them (stopped after each test)."""

from __future__ import annotations

from typing import Any

import pytest

import worker_nodes
from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.engine.worker import Worker
from nodeeditor.store.store import open_store


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def store(isolated_home, registry):
    opened = open_store(home=isolated_home, registry=registry)
    yield opened
    opened.close()


@pytest.fixture
def worker(store, registry):
    worker_nodes.CALLS.clear()
    running = Worker(store, registry)
    yield running
    running.stop()
    running.hub.close()


def axis_batch(node: str, field: str, items: list[Any], runs: int = 1) -> Batch:
    return Batch.model_validate({"runs": runs, "data": [[{"node": node, "field": field, "items": items}]]})
