"""GUI-thread lateness while the worker thread runs CPU-bound pure-Python sessions.

A 5 ms precise QTimer on the GUI thread records how late each tick fires while a Worker runs a
batch of sessions whose nodes spin in pure Python (reporting progress), and the bridge streams
every event to the queue, stats and status panels. Targets: p99 <= 16 ms, max <= 50 ms.

    python benchmarks/ui_latency.py [--sessions 200] [--worker thread|process] [--switch-interval-ms 5]

`--worker thread` runs the Worker in the GUI process (the app's wiring today); `--worker process`
runs the same Worker in a child process whose events come back over a pipe as JSON lines into the
same bridge, which is what the GUI needs when a thread cannot meet the target (the GUI then never
competes for its own GIL with node code). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402

from nodeeditor.core.batch import Batch  # noqa: E402
from nodeeditor.core.context import InvocationContext  # noqa: E402
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node  # noqa: E402
from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import parse_workflow  # noqa: E402
from nodeeditor.engine.events import Event  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402
from nodeeditor.engine.worker import Worker  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.ui.bridge import EngineBridge  # noqa: E402
from nodeeditor.ui.panels.queue_panel import QueueDock  # noqa: E402
from nodeeditor.ui.panels.stats_panel import StatsDock  # noqa: E402
from nodeeditor.ui.panels.status_summary import StatusSummary  # noqa: E402

TICK_MS = 5


class SpinOutput(BaseOutput):
    value: int = OutputField()


@node("bench_spin", title="Spin", category="benchmarks", cacheable=False)
class Spin(BaseNode):
    """Burns `rounds` pure-Python loop iterations (holding the GIL like real Python node code)."""

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


def workflow(chain: int, rounds: int):
    nodes = [{"id": "seed", "type": "integer", "inputs": {"value": 0}}]
    edges = []
    previous = "seed"
    for k in range(chain):
        nid = f"spin{k}"
        nodes.append({"id": nid, "type": "bench_spin", "inputs": {"rounds": rounds}})
        edges.append({"source": {"node": previous, "field": "value"}, "destination": {"node": nid, "field": "value"}})
        previous = nid
    return parse_workflow({"version": 1, "name": "spin chain", "nodes": nodes, "edges": edges})


class WorkerProcess:
    """The Worker in a child process, driven over stdin; its events arrive as JSON lines on stdout."""

    def __init__(self, home: Path) -> None:
        self._process = subprocess.Popen([sys.executable, __file__, "--serve", str(home)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._callbacks: list[Callable[[Any], None]] = []
        self._events = TypeAdapter(Event)
        self._reader = threading.Thread(target=self._read, name="worker-process-events", daemon=True)
        self._reader.start()

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback)

    def _read(self) -> None:
        for line in self._process.stdout:
            event = self._events.validate_json(line)
            for callback in list(self._callbacks):
                callback(event)

    def _send(self, command: str) -> None:
        self._process.stdin.write(f"{command}\n".encode())
        self._process.stdin.flush()

    def start(self) -> None:
        self._send("start")

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def wake(self) -> None:
        self._send("wake")

    def stop(self) -> None:
        self._send("stop")
        self._process.wait(timeout=30)
        self._reader.join(timeout=5)


def serve(home: Path) -> None:
    """Child side of WorkerProcess: run a Worker on `home`, print its events, obey stdin."""
    registry = default_registry()
    store = open_store(home=home, registry=registry, recover=False)
    worker = Worker(store, registry)
    out = sys.stdout.buffer
    lock = threading.Lock()

    def emit(event: Any) -> None:
        with lock:
            out.write(event.model_dump_json().encode() + b"\n")
            out.flush()

    worker.subscribe(emit)
    for line in sys.stdin:
        command = line.strip()
        if command == "stop":
            break
        getattr(worker, command)()
    worker.stop()
    store.close()


def build_window(home: Path, registry, store, bridge, worker, workflow_file: Path) -> tuple[QMainWindow, str]:
    """The application's main window with the workflow on its canvas and the run panels docked;
    the panels in a bare QMainWindow when the main window is not there."""
    try:
        from nodeeditor.ui.main_window import MainWindow
    except ImportError:
        window, kind = QMainWindow(), "panels"
        window.setCentralWidget(QLabel("canvas"))
        def add_dock(dock, area):
            window.addDockWidget(area, dock)
    else:
        window, kind = MainWindow(home, registry), "main_window"
        window.open_path(workflow_file, ask=False)
        add_dock = window.add_dock
    window.panels = [QueueDock(store.queue, bridge, worker, window).panel,
                     StatsDock(store.stats, bridge, window).panel]
    add_dock(window.panels[0].parent(), Qt.DockWidgetArea.BottomDockWidgetArea)
    add_dock(window.panels[1].parent(), Qt.DockWidgetArea.RightDockWidgetArea)
    window.statusBar().addPermanentWidget(StatusSummary(bridge, store.queue.counts()))
    return window, kind


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--chain", type=int, default=3, help="spin nodes per session")
    parser.add_argument("--rounds", type=int, default=150_000, help="loop iterations per spin node")
    parser.add_argument("--worker", choices=("thread", "process"), default="thread")
    parser.add_argument("--switch-interval-ms", type=float, default=None,
                        help="sys.setswitchinterval for this run (default: leave Python's)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return
    if args.switch_interval_ms is not None:
        sys.setswitchinterval(args.switch_interval_ms / 1000)

    app = QApplication.instance() or QApplication([])
    home = Path(tempfile.mkdtemp(prefix="ui_latency_"))
    registry = default_registry()
    store = open_store(home=home, registry=registry)
    worker = Worker(store, registry) if args.worker == "thread" else WorkerProcess(home)
    bridge = EngineBridge(worker)
    graph = workflow(args.chain, args.rounds)
    workflow_file = home / "spin.json"
    workflow_file.write_text(graph.model_dump_json())
    window, kind = build_window(home, registry, store, bridge, worker, workflow_file)
    window.resize(1400, 900)
    window.show()

    batch = Batch.model_validate({"runs": 1, "data": [[{"node": "seed", "field": "value",
                                                        "items": list(range(args.sessions))}]]})
    store.queue.enqueue(graph, batch)
    done = [0]
    lateness: list[float] = []
    last = [0.0]

    def finished(_event) -> None:
        done[0] += 1
        if done[0] >= args.sessions:
            app.quit()

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        last[0] = now

    bridge.sessionCompleted.connect(finished)
    timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=TICK_MS, timeout=tick)
    began = time.perf_counter()
    timer.start()
    worker.start()
    app.exec()
    elapsed = time.perf_counter() - began
    timer.stop()
    worker.stop()
    if isinstance(worker, Worker):
        worker.hub.close()
    bridge.detach()
    for panel in window.panels:
        panel.shutdown()
    print(json.dumps({
        "p99_ms": round(percentile(lateness, 0.99), 2),
        "max_ms": round(max(lateness), 2),
        "mean_ms": round(sum(lateness) / len(lateness), 3),
        "sessions": done[0],
        "events": bridge.received,
        "events_delivered": bridge.delivered,
        "ticks": len(lateness),
        "seconds": round(elapsed, 2),
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 2),
        "worker": args.worker,
        "window": kind,
        "load_average": round(os.getloadavg()[0], 2),
    }))
    window.close()
    store.close()


if __name__ == "__main__":
    main()
