"""The worker in a child process: same interface as the thread worker, survives its child dying."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from nodeeditor.core.batch import Batch
from nodeeditor.engine.events import NodeCompleted, SessionCompleted
from nodeeditor.engine.worker_process import ProcessWorker
from workflow_builder import build

TEST_NODES = Path(__file__).parent.parent / "worker_nodes.py"


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.fixture
def process_worker(store, isolated_home):
    """A child worker that loads the test nodes as a plug-in from the data folder."""
    (isolated_home / "nodes").mkdir(exist_ok=True)
    shutil.copy(TEST_NODES, isolated_home / "nodes" / "worker_nodes.py")
    worker = ProcessWorker(home=isolated_home)
    yield worker
    worker.close()


def sleepy_batch(count: int, seconds: float) -> tuple:
    workflow = build({"n": ("testq_sleep", {"seconds": seconds})})
    batch = Batch.model_validate({"runs": 1, "data": [[{"node": "n", "field": "value", "items": list(range(count))}]]})
    return workflow, batch


def test_child_runs_the_queue_and_reports_events(store, process_worker):
    workflow, batch = sleepy_batch(4, 0.0)
    store.queue.enqueue(workflow, batch)
    events = []
    process_worker.subscribe(events.append)
    process_worker.start()
    wait_for(lambda: store.queue.counts()["completed"] == 4)
    process_worker.hub.flush()
    assert sum(isinstance(e, SessionCompleted) for e in events) == 4
    assert {e.node_id for e in events if isinstance(e, NodeCompleted)} == {"n"}
    assert process_worker.pid != os.getpid()


def test_cancel_current_reaches_the_child(store, process_worker):
    workflow, batch = sleepy_batch(1, 30.0)
    store.queue.enqueue(workflow, batch)
    process_worker.start()
    wait_for(lambda: process_worker.current is not None)
    assert process_worker.cancel_current()
    wait_for(lambda: store.queue.counts()["canceled"] == 1, timeout=10)


def test_a_killed_child_hands_its_item_back_and_the_queue_goes_on(store, process_worker):
    workflow, batch = sleepy_batch(3, 0.0)
    slow, slow_batch = sleepy_batch(1, 60.0)
    store.queue.enqueue(slow, slow_batch, priority=5)
    store.queue.enqueue(workflow, batch)
    process_worker.start()
    wait_for(lambda: process_worker.current is not None)
    first_pid = process_worker.pid
    os.kill(first_pid, signal.SIGKILL)
    # The new child takes the slow session back first (attempt 2), since it comes first.
    wait_for(lambda: [r.attempt for r in store.queue.list_items(status="in_progress")] == [2]
             and process_worker.current is not None)
    assert process_worker.pid != first_pid
    assert process_worker.cancel_current()
    wait_for(lambda: store.queue.counts()["completed"] == 3)
    counts = store.queue.counts()
    assert counts["canceled"] == 1 and counts["failed"] == 0 and counts["pending"] == 0
