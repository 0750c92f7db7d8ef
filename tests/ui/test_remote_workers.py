"""A window without a worker of its own: Invoke queues, a real `nodeeditor worker` in another
process runs the session, and the badges, gallery, queue and Workers docks follow it from the
store (polling on SQLite, LISTEN on PostgreSQL)."""

from __future__ import annotations

import pytest
import worker_nodes  # noqa: F401  (registers the sleep/fail test nodes)
from workflow_builder import build

from nodeeditor.core.registry import default_registry
from nodeeditor.store.store import open_store
from nodeeditor.ui.main_window import MainWindow
from nodeeditor.ui.queue_connection import LOCAL_WORKER, QueueConnection
from nodeeditor.ui.remote_feed import RemoteWorkers
from engine.worker_procs import WorkerProc

from .conftest import adder, badge, window_workers


@pytest.fixture(params=["sqlite", "postgresql"])
def watching(request, qtbot, isolated_home, qloop):
    """The window as `nodeeditor` builds it with Run → Run a Local Worker off, and a CLI worker."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    registry = default_registry()
    window = MainWindow(isolated_home, registry)
    window.confirm_discard = lambda: True
    window.settings.setValue(LOCAL_WORKER, False)
    connection = QueueConnection(window, isolated_home, registry, url)
    connection.use(open_store(url, isolated_home, registry=registry), url)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    remote = WorkerProc(isolated_home, "--name", "farm-1", *(["--db", url] if url else []))
    yield window, connection, remote
    window.close()
    remote.close()


def test_with_no_local_worker_a_remote_worker_runs_the_invoke_and_the_window_follows(watching, qtbot):
    window, connection, remote = watching
    assert isinstance(connection.worker, RemoteWorkers) and not connection.local_action.isChecked()
    assert window_workers() == []
    controller = connection.controller
    workers = controller.workers_dock.panel
    qtbot.waitUntil(lambda: [line.name for line in workers.lines] == ["farm-1"], timeout=30000)
    assert workers.text_at(0, "Host").endswith(f":{remote.pid}")

    window.document.load(build({"img": ("blank_image", {"width": 16, "height": 8}), "save": ("save_image", {}),
                                "a": ("integer", {"value": 1}), "b": ("integer", {"value": 2}), "s": "add"},
                               ["img.image -> save.image", "a.value -> s.a", "b.value -> s.b"]))
    controller.invoke()
    qtbot.waitUntil(lambda: all(badge(window, n) == "done" for n in ("img", "save", "a", "b", "s")), timeout=30000)
    store = connection.store
    assert store.queue.counts()["completed"] == 1
    assert controller.board.nodes["s"].outputs == {"value": "3"}
    (stat,) = [s for s in store.stats.for_item(store.queue.list_items()[0].item_id) if s.node_id == "img"]
    assert controller.board.nodes["img"].calls == 1 and controller.board.nodes["img"].total_s == stat.duration_s
    qtbot.waitUntil(lambda: controller.gallery.model.rowCount() == 1, timeout=10000)
    qtbot.waitUntil(lambda: window.node_item("save").thumbnail is not None, timeout=10000)
    queue = controller.queue_dock.panel
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1 and queue.model.row_at(0).status == "completed",
                    timeout=10000)
    assert window_workers() == []


def test_a_remote_failure_and_a_remote_running_node_show_on_the_nodes(watching, qtbot):
    window, connection, _remote = watching
    controller = connection.controller
    window.document.load(build({"n": ("testq_sleep", {"seconds": 30.0})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "n") == "running", timeout=30000)
    workers = controller.workers_dock.panel
    qtbot.waitUntil(lambda: bool(workers.lines) and workers.lines[0].node == "n", timeout=10000)
    controller.cancel_action.trigger()  # asks through the store; the remote worker stops the node
    qtbot.waitUntil(lambda: connection.store.queue.counts()["canceled"] == 1, timeout=15000)
    qtbot.waitUntil(lambda: badge(window, "n") is None, timeout=10000)

    window.document.load(build({"f": ("testq_fail", {"value": 3, "bad": 3})}))
    controller.invoke()
    qtbot.waitUntil(lambda: badge(window, "f") == "failed", timeout=30000)
    assert "value 3 is bad" in window.node_item("f").toolTip()


def test_turning_the_local_worker_on_starts_one_and_off_stops_it(qtbot, connected):
    window, connection = connected
    assert connection.local_action.isChecked(), "on by default"
    qtbot.waitUntil(lambda: len(window_workers()) == 1, timeout=10000)
    connection.local_action.trigger()
    assert isinstance(connection.worker, RemoteWorkers)
    assert window.settings.value(LOCAL_WORKER, type=bool) is False
    qtbot.waitUntil(lambda: window_workers() == [], timeout=15000)
    window.document.load(adder())
    connection.controller.invoke()
    qtbot.wait(1500)
    assert connection.store.queue.counts()["pending"] == 1, "nothing here runs it"
    connection.local_action.trigger()
    qtbot.waitUntil(lambda: all(badge(window, n) == "done" for n in ("a", "b", "s")), timeout=30000)
    qtbot.waitUntil(lambda: connection.store.queue.counts()["completed"] == 1, timeout=10000)
    assert len(window_workers()) == 1
