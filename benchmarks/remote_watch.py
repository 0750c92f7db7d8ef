"""The window watching remote workers: how long from a worker's store write to the window's event.

A window with Run a Local Worker off learns what other workers do from the store
(`ui/remote_feed.py`): LISTEN on PostgreSQL, a read per second on SQLite. Here a session is
claimed and its progress written the way a worker does (`queue.progress`, one transaction), and
the time until the feed publishes the matching NodeProgress is measured, on a throw-away
PostgreSQL server (tests/pg.py) and on SQLite. Target (PostgreSQL): within 0.5 s.

Prints one JSON object: pg_progress_to_event_ms (median, p95, max over N writes), the same for
SQLite (bounded by its 1 s poll), and the process CPU time spent.

Usage: python benchmarks/remote_watch.py [--writes N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pg import running_server  # noqa: E402  (tests/pg.py: the test suite's server)

from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import parse_workflow  # noqa: E402
from nodeeditor.engine.events import NodeProgress  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.ui.remote_feed import RemoteWorkers  # noqa: E402

WORKFLOW = parse_workflow({"version": 1, "name": "n", "nodes": [
    {"id": f"n{i}", "type": "integer", "inputs": {"value": i}} for i in range(4)], "edges": []})


def measure(url: str | None, home: Path, writes: int) -> list[float]:
    store = open_store(url, home, registry=default_registry())
    feed = RemoteWorkers(store)
    seen: dict[str, float] = {}
    arrived = threading.Condition()

    def on_event(event: object) -> None:
        if isinstance(event, NodeProgress) and event.message is None:
            with arrived:
                seen.setdefault(event.node_id, time.perf_counter())
                arrived.notify_all()

    feed.subscribe(on_event)
    feed.start()
    try:
        store.queue.enqueue(WORKFLOW)
        claimed = store.queue.claim("bench", 60.0)
        time.sleep(1.5)  # the feed has seen the claim (and LISTENs) before the first write
        delays = []
        for i in range(writes):
            node = f"n{i % 4}-{i}"
            written = time.perf_counter()
            store.queue.progress(claimed.item_id, claimed.attempt, node, 0.1)
            with arrived:
                arrived.wait_for(lambda: node in seen, timeout=5.0)
            delays.append(((seen.get(node) or time.perf_counter() + 5.0) - written) * 1000)
            time.sleep(0.3 + (i % 3) * 0.1)  # workers write at most 4 times a second
        return delays
    finally:
        feed.close()
        store.close()


def figures(delays: list[float]) -> dict[str, float]:
    ordered = sorted(delays)
    return {"median": round(statistics.median(ordered), 1),
            "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1), "max": round(ordered[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=30)
    args = parser.parse_args()
    cpu0 = time.process_time()
    with tempfile.TemporaryDirectory() as folder, running_server() as server:
        pg = measure(server.url(server.create_database()), Path(folder) / "pg", args.writes)
        sqlite = measure(None, Path(folder) / "sqlite", min(args.writes, 10))
    print(json.dumps({"pg_progress_to_event_ms": figures(pg), "sqlite_progress_to_event_ms": figures(sqlite),
                      "target_pg_ms": 500, "writes": args.writes, "cpu_s": round(time.process_time() - cpu0, 2)}))


if __name__ == "__main__":
    main()
