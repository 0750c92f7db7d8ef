"""The queue's own cost on SQLite and on PostgreSQL; prints one JSON object.

One claim + one fenced completion per session (no nodes run), by one process and by four at
once, on a file database and on a throw-away PostgreSQL server with its default durability
(started like the tests do, see tests/pg.py). Also how long a NOTIFY takes from a progress
write to a listener (target: the window hears of a change within 500 ms).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import pg  # noqa: E402
import worker_nodes  # noqa: E402,F401
from workflow_builder import build  # noqa: E402

from nodeeditor.core.batch import Batch  # noqa: E402
from nodeeditor.store.notify import listen  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402

SESSIONS = 1000
CLAIMER = """
import sys, time
sys.path.insert(0, {tests!r})
import worker_nodes
from pathlib import Path
from nodeeditor.store.store import open_store
store = open_store({url!r}, home=Path({home!r}), recover=False)
while not Path({home!r}, "go").exists():
    time.sleep(0.002)
while (claimed := store.queue.claim(sys.argv[1])) is not None:
    store.queue.complete(claimed.item_id, {{}}, attempt=claimed.attempt)
store.close()
"""


def enqueue(url: str | None, home: Path, count: int) -> None:
    store = open_store(url, home=home)
    store.queue.enqueue(build({"n": ("testq_count", {"value": 1})}), Batch.model_validate({"runs": count}))
    store.close()


def one_process(url: str | None, home: Path) -> float:
    enqueue(url, home, SESSIONS)
    store = open_store(url, home=home)
    began = time.perf_counter()
    while (claimed := store.queue.claim("bench")) is not None:
        store.queue.complete(claimed.item_id, {}, attempt=claimed.attempt)
    rate = SESSIONS / (time.perf_counter() - began)
    store.close()
    return rate


def four_processes(url: str | None, home: Path) -> float:
    enqueue(url, home, 2 * SESSIONS)
    script = CLAIMER.format(tests=str(TESTS), url=url, home=str(home))
    procs = [subprocess.Popen([sys.executable, "-c", script, f"p{i}"]) for i in range(4)]
    time.sleep(3.0)  # let them import and connect
    began = time.perf_counter()
    (home / "go").touch()
    for proc in procs:
        proc.wait(timeout=600)
    return 2 * SESSIONS / (time.perf_counter() - began)


def notify_latency_ms(url: str, home: Path, samples: int = 50) -> list[float]:
    enqueue(url, home, 1)
    store = open_store(url, home=home)
    claimed = store.queue.claim("bench")
    heard = threading.Event()
    stop = threading.Event()
    listener = listen(store.engine)

    def read() -> None:
        while not stop.is_set():
            if any(e.get("event") == "progress" for e in listener.wait(0.1)):
                heard.set()

    reader = threading.Thread(target=read)
    reader.start()
    times = []
    for i in range(samples):
        heard.clear()
        began = time.perf_counter()
        store.queue.progress(claimed.item_id, claimed.attempt, "n", i / samples)
        heard.wait(5)
        times.append((time.perf_counter() - began) * 1000)
    stop.set()
    reader.join()
    listener.close()
    store.close()
    return times


def main() -> None:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figures["sqlite_claim_complete_per_s"] = round(one_process(None, root / "s1"), 1)
        figures["sqlite_4_processes_claim_complete_per_s"] = round(four_processes(None, root / "s4"), 1)
        with pg.running_server(durable=True) as server:
            for name in ("p1", "p4", "pn"):
                server.admin(f"CREATE DATABASE {name}")
            figures["pg_claim_complete_per_s"] = round(one_process(server.url("p1"), root / "p1"), 1)
            figures["pg_4_processes_claim_complete_per_s"] = round(four_processes(server.url("p4"), root / "p4"), 1)
            latency = notify_latency_ms(server.url("pn"), root / "pn")
    figures["pg_vs_sqlite_one_process"] = round(figures["pg_claim_complete_per_s"]
                                                / figures["sqlite_claim_complete_per_s"], 2)
    figures["notify_latency_ms_median"] = round(statistics.median(latency), 2)
    figures["notify_latency_ms_max"] = round(max(latency), 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
