"""Enqueue and claim figures on a file database in a temporary folder; prints one JSON object.

Targets: 5,000 sessions <= 25 ms, 1,000,000 sessions <= 1 s (a batch row, no row per session).
The cost follows the number of axis items (each is validated), not sessions: 1,000 x 1,000 is
the common shape, and one axis of a million items the worst case.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.store.store import open_store

WORKFLOW = parse_workflow({"version": 1, "name": "seed x prompt", "nodes": [
    {"id": "seed", "type": "integer", "inputs": {"value": 0}},
    {"id": "prompt", "type": "string", "inputs": {"value": ""}},
]})


def grid(seeds: int, prompts: int) -> Batch:
    data = [[{"node": "seed", "field": "value", "items": list(range(seeds))}]]
    if prompts > 1:
        data.append([{"node": "prompt", "field": "value", "items": [f"prompt {i}" for i in range(prompts)]}])
    return Batch.model_validate({"runs": 1, "data": data})


def timed_enqueue(store, batch: Batch, repeats: int) -> float:
    """Median seconds of `repeats` enqueues (validation and the database write included)."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = store.queue.enqueue(WORKFLOW, batch)
        times.append(time.perf_counter() - began)
        assert result.count == batch.count()
    return statistics.median(times)


def claims_per_s(home: Path, pending: int, claims: int = 2000) -> float:
    store = open_store(home=home / "claims")
    store.queue.enqueue(WORKFLOW, grid(pending // 100, 100))
    began = time.perf_counter()
    for _ in range(claims):
        store.queue.claim("bench")
    rate = claims / (time.perf_counter() - began)
    store.close()
    return rate


def main() -> None:
    default_registry()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = open_store(home=home)
        store.queue.enqueue(WORKFLOW, grid(10, 1))  # warm up parsing and the connection pool
        s5000 = timed_enqueue(store, grid(5000, 1), 7)
        s100000 = timed_enqueue(store, grid(1000, 100), 5)
        s1000000 = timed_enqueue(store, grid(1000, 1000), 3)
        one_axis = timed_enqueue(store, grid(1_000_000, 1), 3)
        store.close()
        rate = claims_per_s(home, 100_000)
    print(json.dumps({
        "enqueue_5000_ms": round(s5000 * 1000, 2),
        "enqueue_100000_ms": round(s100000 * 1000, 2),
        "enqueue_1000000_ms": round(s1000000 * 1000, 2),
        "enqueue_5000_s": round(s5000, 4),
        "enqueue_100000_s": round(s100000, 4),
        "enqueue_1000000_s": round(s1000000, 4),
        "enqueue_1000000_one_axis_ms": round(one_axis * 1000, 2),
        "claims_per_s_at_100000_pending": round(rate, 1),
    }))


if __name__ == "__main__":
    main()
