"""GUI-thread lateness of the running application while a batch of CPU-bound sessions runs.

The window is built as `nodeeditor/ui/app.py` builds it: MainWindow, the store, the worker and a
RunController (batch, inspector, queue, stats and gallery docks, the status summary, live badges),
on a qasync loop. The benchmark workflow (an integer seeding a chain of spin nodes) is opened on the
canvas, its seed becomes the batch axis in the Batch dock, and the Enqueue Batch action is
triggered, as a person pressing Enqueue does; the controller then queues it off the GUI thread and
paints the badges on the nodes as the sessions run. The spin node is a plug-in written into
`<home>/nodes/`, so the worker child process loads it the way it loads a user's nodes.

A 5 ms precise QTimer on the GUI thread records how late each tick fires from Enqueue until the
last session completes. Targets: p99 <= 16 ms, max <= 50 ms.

    python benchmarks/ui_latency.py [--worker process|thread] [--sessions 200]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NODEEDITOR_QUIET_WORKER", "1")

import qasync  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nodeeditor.core.batch import Batch  # noqa: E402
from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.engine.worker import Worker  # noqa: E402
from nodeeditor.engine.worker_process import ProcessWorker  # noqa: E402
from nodeeditor.paths import user_nodes_dir  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.ui.main_window import MainWindow  # noqa: E402
from nodeeditor.ui.run_controller import RunController  # noqa: E402

TICK_MS = 5

SPIN_PLUGIN = '''\
"""Benchmark node: burns pure-Python loop iterations, holding the GIL like real Python node code."""

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node


class SpinOutput(BaseOutput):
    value: int = OutputField()


@node("bench_spin", title="Spin", category="benchmarks", cacheable=False)
class Spin(BaseNode):
    value: int = InputField(0)
    rounds: int = InputField(200_000, ge=1)

    def invoke(self, context: InvocationContext) -> SpinOutput:
        total = self.value
        step = max(1, self.rounds // 20)
        for i in range(self.rounds):
            total = (total * 31 + i) % 1_000_003
            if i % step == 0:
                context.progress(i / self.rounds)
        return SpinOutput(value=total)
'''


def workflow_document(chain: int, rounds: int) -> dict:
    """An integer seed feeding `chain` spin nodes in a row, laid out left to right."""
    nodes = [{"id": "seed", "type": "integer", "inputs": {"value": 0}, "position": [0, 0]}]
    edges = []
    previous = "seed"
    for k in range(chain):
        nid = f"spin{k}"
        nodes.append({"id": nid, "type": "bench_spin", "inputs": {"rounds": rounds},
                      "position": [260 * (k + 1), 0]})
        edges.append({"source": {"node": previous, "field": "value"},
                      "destination": {"node": nid, "field": "value"}})
        previous = nid
    return {"version": 1, "name": "spin chain", "nodes": nodes, "edges": edges}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=("process", "thread"), default="process")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--chain", type=int, default=3, help="spin nodes per session")
    parser.add_argument("--rounds", type=int, default=150_000, help="loop iterations per spin node")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ui_latency_"))
    user_nodes_dir(home).mkdir(parents=True)
    (user_nodes_dir(home) / "bench_spin.py").write_text(SPIN_PLUGIN)
    workflow_file = home / "spin_chain.json"
    workflow_file.write_text(json.dumps(workflow_document(args.chain, args.rounds)))

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    registry = default_registry(user_nodes_dir(home))
    if registry.load_errors:
        raise SystemExit(f"plug-in not loaded: {registry.load_errors}")
    window = MainWindow(home, registry)
    store = open_store(home=home, registry=registry)
    worker = ProcessWorker(home=home) if args.worker == "process" else Worker(store, registry)
    controller = RunController(window, store, worker)
    window.add_close_hook(worker.close)
    window.add_close_hook(store.close)
    worker.start()
    window.resize(1400, 900)
    window.show()
    if not window.open_path(workflow_file, ask=False):
        raise SystemExit(f"could not open {workflow_file}")
    controller.batch_panel.set_batch(Batch.model_validate(
        {"runs": 1, "data": [[{"node": "seed", "field": "value", "items": list(range(args.sessions))}]]}))

    done = asyncio.Event()
    completed = [0]
    lateness: list[float] = []
    last = [0.0]

    def finished(event) -> None:
        if event.batch_id is not None and event.batch_id == controller.current_batch:
            completed[0] += 1
            if completed[0] >= args.sessions:
                done.set()

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        last[0] = now

    controller.bridge.sessionCompleted.connect(finished)
    timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=TICK_MS, timeout=tick)

    async def press_enqueue() -> None:
        await asyncio.sleep(0.5)  # let the window settle after its first paints
        timer.start()
        controller.enqueue_action.trigger()
        await done.wait()

    began = time.perf_counter()
    with loop:
        loop.run_until_complete(press_enqueue())
        elapsed = time.perf_counter() - began - 0.5
        timer.stop()
        events = controller.bridge.received
        window.confirm_discard = lambda: True
        window.close()
    print(json.dumps({
        "worker": args.worker,
        "sessions": completed[0],
        "events": events,
        "p99_ms": round(percentile(lateness, 0.99), 2),
        "max_ms": round(max(lateness), 2),
        "median_ms": round(statistics.median(lateness), 3),
        "duration_s": round(elapsed, 2),
    }))


if __name__ == "__main__":
    main()
