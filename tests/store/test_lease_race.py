"""Several processes claim with short leases and some stall past them: every session completes
exactly once, and each late result is refused."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from .conftest import seeds

TESTS = Path(__file__).resolve().parents[1]
CLAIMER = """
import random, sys, time
sys.path.insert(0, {tests!r})
import worker_nodes
from pathlib import Path
from nodeeditor.store.store import open_store
store = open_store({url!r}, home=Path({home!r}), recover=False)
name, rng = sys.argv[1], random.Random(sys.argv[1])
while (claimed := store.queue.claim(name, lease_s=0.3)) is not None:
    if rng.random() < 0.04:
        time.sleep(0.8)  # stalled (SIGSTOP, a network pause): the lease runs out meanwhile
    written = store.queue.complete(claimed.item_id, {{"by": name}}, attempt=claimed.attempt)
    print(claimed.item_id, claimed.attempt, written.value, flush=True)
store.close()
"""


def test_stalled_claimers_lose_their_sessions_and_every_session_completes_once(store, db_url, workflow,
                                                                                isolated_home):
    store.queue.enqueue(workflow, seeds(300))
    script = CLAIMER.format(tests=str(TESTS), home=str(isolated_home), url=db_url)
    procs = [subprocess.Popen([sys.executable, "-c", script, f"p{i}"], stdout=subprocess.PIPE, text=True)
             for i in range(3)]
    outputs = [p.communicate(timeout=100)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    results = [line.split() for out in outputs for line in out.splitlines()]
    written = Counter(int(item) for item, _attempt, outcome in results if outcome == "written")
    outcomes = Counter(outcome for *_rest, outcome in results)
    assert outcomes["stale"] >= 1, "some stalled claimer should have come back to a taken session"
    assert len(written) == 300 and set(written.values()) == {1}, "each session completes exactly once"
    assert store.queue.counts()["completed"] == 300
    for item, attempt, outcome in results:
        row = store.queue.get(int(item))
        if outcome == "stale":
            assert row.attempt > int(attempt), "only a newer attempt makes a result stale"
        else:
            assert outcome == "written" and row.attempt == int(attempt)
