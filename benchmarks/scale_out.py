"""Workers sharing one queue: throughput on SQLite and PostgreSQL, reclaim, cancel, notify latency.

Real `nodeeditor worker` processes on a throw-away PostgreSQL server (tests/pg.py) and on SQLite
in a temporary home; prints one JSON object:

- *_per_s: sessions a second in the steady state (from the completion of the first tenth of
  the sessions to the last one: worker start-up, first connections and statement preparation
  excluded), for a two-node session (integer -> add);
- reclaim_after_kill_s: a worker running a long session is SIGKILLed; seconds until another
  worker has claimed that session again (target: lease + 1 s);
- reclaim_after_freeze_s: the same with SIGSTOP, so only the expired lease frees the session
  (what a machine that vanished looks like);
- cancel_hung_node_s: `queue cancel` of a node that never checks its context; seconds until the
  session is canceled (target: 2 s);
- notify_latency_ms: median time from a progress write's commit to its notice reaching a
  LISTENing reader (target: 500 ms).

Usage: python benchmarks/scale_out.py [--sessions N] [--lease S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pg import running_server  # noqa: E402  (tests/pg.py: the test suite's server)

from sqlalchemy import select  # noqa: E402

from nodeeditor.core.batch import Batch  # noqa: E402
from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import Workflow  # noqa: E402
from nodeeditor.paths import database_url  # noqa: E402
from nodeeditor.store.notify import listen  # noqa: E402
from nodeeditor.store.status import SessionStatus  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.store.tables import queue_items as Q  # noqa: E402

PLUGIN = '''
import time
from nodeeditor.api import BaseNode, BaseOutput, InputField, OutputField, node

class Out(BaseOutput):
    value: int = OutputField()

@node("bench_sleep", title="Bench Sleep", category="bench", cacheable=False)
class Sleep(BaseNode):
    seconds: float = InputField(1.0, ge=0)
    value: int = InputField(0)
    def invoke(self, context) -> Out:
        steps = max(1, int(self.seconds / 0.02))
        for step in range(steps):
            context.progress(step / steps)
            time.sleep(self.seconds / steps)
        return Out(value=self.value)

@node("bench_hang", title="Bench Hang", category="bench", cacheable=False)
class Hang(BaseNode):
    value: int = InputField(0)
    def invoke(self, context) -> Out:
        while True:
            time.sleep(0.05)
'''

PAIR = {"version": 1, "name": "pair", "edges": [
    {"source": {"node": "a", "field": "value"}, "destination": {"node": "b", "field": "a"}}], "nodes": [
    {"id": "a", "type": "integer", "position": [0, 0], "inputs": {"value": 1}},
    {"id": "b", "type": "add", "position": [200, 0], "inputs": {"b": 0}}]}


def one(node_type: str, **inputs) -> Workflow:
    return Workflow.model_validate({"version": 1, "name": node_type, "edges": [], "nodes": [
        {"id": "n", "type": node_type, "position": [0, 0], "inputs": inputs}]})


def axis(node: str, field: str, items: list) -> Batch:
    return Batch.model_validate({"runs": 1, "data": [[{"node": node, "field": field, "items": items}]]})


class Bench:
    def __init__(self, home: Path, lease_s: float) -> None:
        self.lease_s = lease_s
        self.home = home
        (self.home / "nodes").mkdir(parents=True, exist_ok=True)
        (self.home / "nodes" / "bench_nodes.py").write_text(PLUGIN)
        self.registry = default_registry(self.home / "nodes")
        if self.registry.load_errors:
            raise RuntimeError(str(self.registry.load_errors[0]))
        self.procs: list[subprocess.Popen] = []

    def worker(self, url: str, name: str) -> subprocess.Popen:
        env = {**os.environ, "NODEEDITOR_HOME": str(self.home),
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.Popen([sys.executable, "-m", "nodeeditor", "worker", "--db", url, "--name", name,
                                 "--lease", str(self.lease_s)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
            proc.wait()
        self.procs.clear()

    def throughput(self, url: str, workers: int, sessions: int) -> float:
        store = open_store(url, self.home, registry=self.registry)
        try:
            store.queue.enqueue(Workflow.model_validate(PAIR), axis("b", "b", list(range(sessions))))
            for i in range(workers):
                self.worker(url, f"t{i}")
            wait(lambda: store.queue.counts()[SessionStatus.COMPLETED] == sessions, 600, poll=0.25)
            with store.engine.connect() as conn:
                ends = sorted(conn.execute(select(Q.c.finished)).scalars())
            steady = ends[len(ends) // 10:]  # past the start: connections made, statements prepared
            return round((len(steady) - 1) / (steady[-1] - steady[0]), 1)
        finally:
            self.stop_all()
            store.close()

    def reclaim(self, url: str, how: int) -> float:
        store = open_store(url, self.home, registry=self.registry)
        try:
            store.queue.enqueue(one("bench_sleep", seconds=60.0))
            first = self.worker(url, "holder")
            wait(lambda: store.queue.counts()[SessionStatus.IN_PROGRESS] == 1, 120)
            self.worker(url, "taker")
            wait(lambda: any(w.name == "taker" and w.state == "idle" for w in store.workers.list()), 120)
            time.sleep(0.5)  # the second worker is up and idle, polling the queue
            first.send_signal(how)
            began = time.time()
            wait(lambda: attempt_started(store)[0] > 1 or moved(store, first.pid), 120)
            return round(attempt_started(store)[1] - began, 2)
        finally:
            self.stop_all()
            store.close()

    def cancel_hung(self, url: str) -> float:
        store = open_store(url, self.home, registry=self.registry)
        try:
            store.queue.enqueue(one("bench_hang"))
            self.worker(url, "hung")
            wait(lambda: store.queue.counts()[SessionStatus.IN_PROGRESS] == 1, 120)
            (row,) = store.queue.list_items()
            time.sleep(0.5)
            began = time.monotonic()
            store.queue.cancel_item(row.item_id)
            wait(lambda: store.queue.get(row.item_id).status == SessionStatus.CANCELED, 60, poll=0.005)
            return round(time.monotonic() - began, 2)
        finally:
            self.stop_all()
            store.close()

    def notify_latency(self, url: str) -> float:
        store = open_store(url, self.home, registry=self.registry)
        listener = listen(store.engine)
        assert listener is not None
        try:
            store.queue.enqueue(one("bench_sleep", seconds=4.0))
            self.worker(url, "notifier")
            delays: list[float] = []
            deadline = time.monotonic() + 120
            while len(delays) < 12 and time.monotonic() < deadline:
                for notice in listener.wait(1.0):
                    received = time.time()
                    if notice.get("event") != "progress":
                        continue
                    with store.engine.connect() as conn:
                        written = conn.execute(select(Q.c.progress_at)
                                               .where(Q.c.id == notice["item"])).scalar()
                    if written is not None and written <= received:
                        delays.append((received - written) * 1000)
            return round(statistics.median(delays), 1)
        finally:
            listener.close()
            self.stop_all()
            store.close()


def attempt_started(store) -> tuple[int, float]:
    with store.engine.connect() as conn:
        row = conn.execute(select(Q.c.attempt, Q.c.started, Q.c.status)).first()
    return (row.attempt, row.started or 0.0) if row.status == SessionStatus.IN_PROGRESS else (0, 0.0)


def moved(store, pid: int) -> bool:
    with store.engine.connect() as conn:
        row = conn.execute(select(Q.c.worker_pid, Q.c.status)).first()
    return row.status == SessionStatus.IN_PROGRESS and row.worker_pid not in (None, pid)


def wait(condition, timeout: float, poll: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark waited too long")
        time.sleep(poll)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=2000, help="sessions per worker in the throughput runs")
    parser.add_argument("--lease", type=float, default=3.0)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, running_server() as server:
        bench = Bench(Path(tmp), args.lease)

        def fresh(_name: str) -> tuple[Bench, str]:
            return bench, server.url(server.create_database())

        figures["sqlite_1_worker_per_s"] = bench.throughput(database_url(bench.home), 1, args.sessions)
        for workers in (1, 2, 4):
            bench, url = fresh(f"pg{workers}")
            figures[f"pg_{workers}_worker{'s' * (workers > 1)}_per_s"] = bench.throughput(
                url, workers, args.sessions * workers)
        bench, url = fresh("kill")
        figures["reclaim_after_kill_s"] = bench.reclaim(url, signal.SIGKILL)
        bench, url = fresh("freeze")
        figures["reclaim_after_freeze_s"] = bench.reclaim(url, signal.SIGSTOP)
        bench, url = fresh("cancel")
        figures["cancel_hung_node_s"] = bench.cancel_hung(url)
        bench, url = fresh("notify")
        figures["notify_latency_ms"] = bench.notify_latency(url)
    figures["lease_s"] = args.lease
    figures["cpus"] = os.cpu_count() or 0
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
