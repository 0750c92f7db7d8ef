"""The bridge delivers engine events as signals on the GUI thread, coalesced, without blocking."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication

from nodeeditor.engine.events import NodeCompleted, NodeProgress, NodeStarted, QueueChanged
from nodeeditor.ui.bridge import EngineBridge


class FakeSource:
    """A `subscribe(callback)` event source like the Worker, fed from a plain thread."""

    def __init__(self) -> None:
        self.callbacks: list = []

    def subscribe(self, callback):
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)

    def send_from_thread(self, events) -> None:
        def run() -> None:
            for event in events:
                for callback in list(self.callbacks):
                    callback(event)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the sending thread is stuck in a callback"


def _progress(i: int, n: int, node: str = "a") -> NodeProgress:
    return NodeProgress(session_id="s", node_id=node, instance_id=node, fraction=i / n)


def test_events_from_another_thread_arrive_on_the_gui_thread(qtbot):
    source = FakeSource()
    bridge = EngineBridge(source)
    threads = []
    bridge.nodeStarted.connect(lambda _e: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(bridge.nodeStarted, timeout=2000) as blocker:
        source.send_from_thread([NodeStarted(session_id="s", node_id="a", instance_id="a",
                                             node_type="add")])
    assert blocker.args[0].node_type == "add"
    assert threads == [QApplication.instance().thread()]


def test_progress_is_coalesced_to_the_newest_per_node(qtbot):
    source = FakeSource()
    bridge = EngineBridge(source)
    seen: list[NodeProgress] = []
    bridge.nodeProgress.connect(seen.append)
    n = 10_000
    source.send_from_thread([_progress(i, n, "a") for i in range(1, n + 1)]
                            + [_progress(i, n, "b") for i in range(1, n + 1)])
    bridge.flush()
    assert len(seen) == 2
    assert {(e.node_id, e.fraction) for e in seen} == {("a", 1.0), ("b", 1.0)}
    assert bridge.received == 2 * n


def test_order_is_kept_and_only_the_last_queue_counts_are_emitted(qtbot):
    source = FakeSource()
    bridge = EngineBridge(source)
    order: list[str] = []
    counts: list[dict] = []
    bridge.nodeStarted.connect(lambda e: order.append("started"))
    bridge.nodeProgress.connect(lambda e: order.append(f"progress {e.fraction}"))
    bridge.nodeCompleted.connect(lambda e: order.append("completed"))
    bridge.queueChanged.connect(counts.append)
    source.send_from_thread([
        QueueChanged(counts={"pending": 3}),
        NodeStarted(session_id="s", node_id="a", instance_id="a", node_type="add"),
        _progress(1, 4), _progress(2, 4),
        NodeCompleted(session_id="s", node_id="a", instance_id="a", node_type="add", duration_s=0.1),
        QueueChanged(counts={"pending": 2, "completed": 1}),
    ])
    bridge.flush()
    assert order == ["started", "progress 0.5", "completed"]
    assert counts == [{"pending": 2, "completed": 1}]


def test_a_flood_reaches_the_gui_as_few_signals_per_node(qtbot):
    source = FakeSource()
    bridge = EngineBridge(source, interval_ms=33)
    seen: list[NodeProgress] = []
    bridge.nodeProgress.connect(seen.append)
    stop = threading.Event()

    def flood() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            source.callbacks[0](_progress(i, 10**9))

    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    qtbot.wait(500)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the flooding thread is stuck in a callback"
    bridge.flush()
    assert bridge.received > 1000
    assert len(seen) <= 500 / 33 + 3


def test_detach_delivers_what_was_received_and_stops_listening(qtbot):
    source = FakeSource()
    bridge = EngineBridge(source)
    seen: list = []
    bridge.nodeStarted.connect(seen.append)
    source.send_from_thread([NodeStarted(session_id="s", node_id="a", instance_id="a", node_type="add")])
    bridge.detach()
    assert len(seen) == 1
    assert source.callbacks == []
    assert bridge.source is None


def test_one_hundred_thousand_signal_emits_do_not_crash(qtbot):
    """PySide6 6.12.0 on Python 3.11 aborts after a few hundred emits; this must keep passing."""

    class Emitter(QObject):
        fired = Signal(object)

    emitter = Emitter()
    count = [0]
    emitter.fired.connect(lambda _v: count.__setitem__(0, count[0] + 1))
    event = _progress(1, 2)
    for _ in range(100_000):
        emitter.fired.emit(event)
    assert count[0] == 100_000


def test_a_real_worker_streams_a_batch_to_gui_thread_signals(qtbot, store, worker):
    from .conftest import adder, grid

    bridge = EngineBridge(worker)
    threads: set = set()
    completed: list = []
    nodes: list = []
    counts: list = []
    bridge.sessionCompleted.connect(lambda e: (completed.append(e), threads.add(QThread.currentThread())))
    bridge.nodeCompleted.connect(nodes.append)
    bridge.queueChanged.connect(counts.append)
    store.queue.enqueue(adder(), grid([1, 2, 3], [10, 20]))
    worker.start()
    qtbot.waitUntil(lambda: len(completed) == 6, timeout=10_000)
    assert threads == {QApplication.instance().thread()}
    assert [e.status for e in completed] == ["completed"] * 6
    assert sorted(e.item_id for e in completed) == sorted({e.item_id for e in completed})
    assert {e.node_type for e in nodes} == {"integer", "add"}
    qtbot.waitUntil(lambda: counts and counts[-1].get("completed") == 6, timeout=5000)
    bridge.detach()
