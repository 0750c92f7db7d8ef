"""What the store's safety costs, and what `queue list` costs at scale; prints one JSON object.

- quick_check_ms: `PRAGMA quick_check` (run once per store open) on databases of growing size.
- open_ms: opening a store for reading and for writing (checks included).
- list_*: `nodeeditor queue list` in a subprocess: wall time and peak RSS, for --limit 1,000,000
  over a batch of a million sessions (printed a page at a time) and for 2 rows of a batch whose
  workflow holds 300,000 nodes (the graph is never parsed by listing).
- safe_json_*: the hostile-value walk over a 300,000-node workflow's data, and safe_json.loads of
  its text beside plain json.loads (the scan that usually replaces the walk).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from nodeeditor.core import safe_json
from nodeeditor.core.batch import Batch
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.store import health
from nodeeditor.store.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SMALL = parse_workflow({"version": 1, "nodes": [{"id": "n", "type": "integer", "inputs": {"value": 0}}]})


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def _big_workflow(nodes: int) -> dict:
    return {"version": 1, "name": "big", "nodes": [
        {"id": f"n{i}", "type": "integer", "position": [i % 1000 * 10.0, i // 1000 * 10.0], "inputs": {"value": i}}
        for i in range(nodes)], "edges": []}


def _cli(home: Path, *argv: str) -> dict:
    """Wall time and peak RSS of one `nodeeditor` run (a fresh wrapper, so RUSAGE_CHILDREN is its own)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
             "print(round(time.perf_counter() - t, 3), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
             "r.returncode)")
    env = {**os.environ, "NODEEDITOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "nodeeditor", *argv],
                         capture_output=True, text=True, env=env, check=True).stdout.split()
    return {"seconds": float(out[0]), "peak_rss_mb": round(int(out[1]) / 1024, 1), "exit": int(out[2])}


def main() -> None:
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        store = open_store(home=home)
        checks = {}
        for claimed in (0, 2_000, 20_000):
            if claimed:
                store.queue.enqueue(SMALL, Batch.model_validate({"runs": claimed, "data": []}))
                for _ in range(claimed):
                    store.queue.claim("bench")
            size = (home / "nodeeditor.db").stat().st_size
            start = time.perf_counter()
            health.quick_check(store.engine)
            checks[f"{size // 1024} kB"] = _ms(start)
        figures["quick_check_ms"] = checks

        # One batch of a million sessions, and one whose workflow holds 300,000 nodes.
        million = store.queue.enqueue(SMALL, Batch.model_validate(
            {"runs": 1, "data": [[{"node": "n", "field": "value", "items": list(range(1_000_000))}]]})).batch_id
        big = _big_workflow(300_000)
        start = time.perf_counter()
        safe_json.check(big)
        figures["safe_json_walk_ms_300k_nodes"] = _ms(start)
        text_of_big = json.dumps(big)
        start = time.perf_counter()
        json.loads(text_of_big)
        figures["json_loads_ms_300k_nodes"] = _ms(start)
        start = time.perf_counter()
        safe_json.loads(text_of_big)
        figures["safe_json_loads_ms_300k_nodes"] = _ms(start)
        wide = store.queue.enqueue(SMALL, Batch.model_validate({"runs": 2, "data": []})).batch_id
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE batches SET workflow = :w WHERE id = :id"),
                         {"w": json.dumps(big), "id": wide})
        store.close()
        size = (home / "nodeeditor.db").stat().st_size
        reader = open_store(home=home, write=False)
        start = time.perf_counter()
        health.quick_check(reader.engine)
        figures["quick_check_ms"][f"{size // 1024} kB"] = _ms(start)
        reader.close()
        for write in (False, True):
            start = time.perf_counter()
            open_store(home=home, write=write).close()
            figures[f"open_ms_{'write' if write else 'read'}"] = _ms(start)
        figures["list_limit_1000000"] = _cli(home, "queue", "list", "--batch", str(million), "--limit", "1000000")
        figures["list_limit_200"] = _cli(home, "queue", "list", "--batch", str(million))
        figures["list_2_rows_of_300k_node_workflow"] = _cli(home, "queue", "list", "--batch", str(wide),
                                                            "--limit", "2")
        figures["python_start_nodeeditor_nodes"] = _cli(home, "nodes")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
