"""A store in the test's own home, with the test nodes registered."""

from __future__ import annotations

import pytest

import worker_nodes  # noqa: F401  (registers the test nodes)
from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.store.store import open_store
from workflow_builder import build


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def store(isolated_home, registry):
    opened = open_store(home=isolated_home, registry=registry)
    yield opened
    opened.close()


@pytest.fixture
def workflow():
    return build({"n": ("testq_count", {"value": 1})})


def seeds(count: int, runs: int = 1) -> Batch:
    return Batch.model_validate({"runs": runs, "data": [[{"node": "n", "field": "extra", "items": list(range(count))}]]})
