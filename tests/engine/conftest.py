"""The store fixtures of tests/store, and a worker on them (stopped after each test)."""

from __future__ import annotations

from typing import Any

import pytest

import worker_nodes
from nodeeditor.core.batch import Batch
from nodeeditor.engine.worker import Worker
from store.conftest import registry, store  # noqa: F401  (shared fixtures)


@pytest.fixture
def worker(store, registry):  # noqa: F811
    worker_nodes.CALLS.clear()
    running = Worker(store, registry)
    yield running
    running.close()


def axis_batch(node: str, field: str, items: list[Any], runs: int = 1) -> Batch:
    return Batch.model_validate({"runs": runs, "data": [[{"node": node, "field": field, "items": items}]]})
