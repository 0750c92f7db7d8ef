"""A worker process killed with SIGKILL mid-batch loses nothing: its session goes back to pending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from nodeeditor.engine.worker import Worker
from nodeeditor.store.status import SessionStatus

COMPLETED, FAILED, IN_PROGRESS, PENDING = (SessionStatus.COMPLETED, SessionStatus.FAILED,
                                           SessionStatus.IN_PROGRESS, SessionStatus.PENDING)
from nodeeditor.store.store import open_store
from workflow_builder import build

from .conftest import axis_batch

TESTS = Path(__file__).resolve().parents[1]
WORKER = """
import sys
sys.path.insert(0, {tests!r})
import worker_nodes
from pathlib import Path
from nodeeditor.core.registry import default_registry
from nodeeditor.engine.worker import Worker
from nodeeditor.store.store import open_store
Worker(open_store(home=Path({home!r})), default_registry()).run_until_empty()
"""


def test_sigkill_mid_batch_then_restart_loses_no_session(store, registry, isolated_home):
    batch = axis_batch("s", "value", list(range(8)))
    store.queue.enqueue(build({"s": ("testq_sleep", {"seconds": 0.3})}), batch)
    child = subprocess.Popen([sys.executable, "-c", WORKER.format(tests=str(TESTS), home=str(isolated_home))])
    deadline = time.monotonic() + 30
    while not (store.queue.counts()[COMPLETED] >= 1 and store.queue.counts()[IN_PROGRESS] == 1):
        assert time.monotonic() < deadline and child.poll() is None, "the worker did not get going"
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)

    restarted = open_store(home=isolated_home, registry=registry)
    try:
        counts = restarted.queue.counts()
        assert counts[IN_PROGRESS] == 0 and counts[FAILED] == 0
        assert counts[COMPLETED] + counts[PENDING] == 8
        (taken_back,) = [row for row in restarted.queue.list_items() if row.attempt == 2]
        assert taken_back.status == PENDING and taken_back.item_id is not None
        worker = Worker(restarted, registry)
        assert worker.run_until_empty()["completed"] == counts[PENDING]
        worker.hub.close()
        assert restarted.queue.counts()[COMPLETED] == 8
        assert restarted.queue.get(taken_back.item_id).attempt == 2
    finally:
        restarted.close()
