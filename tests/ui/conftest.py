"""Fixtures for panel tests: a real store in the test's own home, and small batches to queue."""

from __future__ import annotations

import pytest

from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.store.store import open_store


def adder() -> Workflow:
    """integer a + integer b -> add s: the smallest graph whose output depends on both fields."""
    return parse_workflow({"version": 1, "name": "adder", "nodes": [
        {"id": "a", "type": "integer", "inputs": {"value": 1}},
        {"id": "b", "type": "integer", "inputs": {"value": 2}},
        {"id": "s", "type": "add"},
    ], "edges": [
        {"source": {"node": "a", "field": "value"}, "destination": {"node": "s", "field": "a"}},
        {"source": {"node": "b", "field": "value"}, "destination": {"node": "s", "field": "b"}},
    ]})


def grid(a_items: list[int], b_items: list[int]) -> Batch:
    """a x b: the product of two axes, b fastest."""
    return Batch.model_validate({"runs": 1, "data": [
        [{"node": "a", "field": "value", "items": a_items}],
        [{"node": "b", "field": "value", "items": b_items}],
    ]})


@pytest.fixture
def store(isolated_home):
    opened = open_store(home=isolated_home, registry=default_registry())
    yield opened
    opened.close()


def finish(store, count: int, status: str = "completed") -> list[int]:
    """Claim and finish `count` sessions by hand, as a worker would; returns their item ids."""
    ids = []
    for _ in range(count):
        claimed = store.queue.claim_next("test")
        if status == "completed":
            store.queue.complete(claimed.item_id, {})
        else:
            store.queue.fail(claimed.item_id, "ValueError: boom", "Traceback ...")
        ids.append(claimed.item_id)
    return ids


@pytest.fixture
def worker(store):
    """A real queue worker on the test's store, not started; stopped after the test."""
    from nodeeditor.engine.worker import Worker

    running = Worker(store, default_registry())
    yield running
    running.stop()
    running.hub.close()
