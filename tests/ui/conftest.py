"""Fixtures for panel tests: a real store in the test's own home, and small batches to queue."""

from __future__ import annotations

import asyncio

import psutil
import pytest
import qasync

from nodeeditor.core.batch import Batch
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Workflow, parse_workflow
from nodeeditor.store.store import open_store
from nodeeditor.ui.main_window import MainWindow
from nodeeditor.ui.run_controller import RunController


def adder() -> Workflow:
    """integer a + integer b -> add s: the smallest graph whose output depends on both fields."""
    return parse_workflow({"version": 1, "name": "adder", "nodes": [
        {"id": "a", "type": "integer", "inputs": {"value": 1}},
        {"id": "b", "type": "integer", "inputs": {"value": 2}},
        {"id": "s", "type": "add"},
    ], "edges": [
        {"source": {"node": "a", "field": "value"}, "destination": {"node": "s", "field": "a"}},
        {"source": {"node": "b", "field": "value"}, "destination": {"node": "s", "field": "b"}},
    ]})


def grid(a_items: list[int], b_items: list[int]) -> Batch:
    """a x b: the product of two axes, b fastest."""
    return Batch.model_validate({"runs": 1, "data": [
        [{"node": "a", "field": "value", "items": a_items}],
        [{"node": "b", "field": "value", "items": b_items}],
    ]})


def badge(window, node_id: str) -> str | None:
    """The run state a node shows on the canvas (queued, running, done...), or None."""
    item = window.node_item(node_id)
    return item.badge[0] if item is not None and item.badge else None


def window_workers() -> list[psutil.Process]:
    """Worker processes this test process started itself (the window's own worker would be one)."""
    return [p for p in psutil.Process().children() if "nodeeditor.engine.worker_process" in " ".join(p.cmdline())]


@pytest.fixture
def connected(qtbot, isolated_home, qloop):
    """The window as `nodeeditor` starts it: this machine's queue and a local worker process."""
    from nodeeditor.ui.queue_connection import QueueConnection

    registry = default_registry()
    window = MainWindow(isolated_home, registry)
    window.confirm_discard = lambda: True
    connection = QueueConnection(window, isolated_home, registry, None)
    connection.use(open_store(None, isolated_home, registry=registry), None)
    qtbot.addWidget(window)
    window.show()
    yield window, connection
    window.close()


@pytest.fixture
def store(isolated_home):
    opened = open_store(home=isolated_home, registry=default_registry())
    yield opened
    opened.close()


def finish(store, count: int, status: str = "completed") -> list[int]:
    """Claim and finish `count` sessions by hand, as a worker would; returns their item ids."""
    ids = []
    for _ in range(count):
        claimed = store.queue.claim("test")
        if status == "completed":
            store.queue.complete(claimed.item_id, {})
        else:
            store.queue.fail(claimed.item_id, "ValueError: boom", "Traceback ...")
        ids.append(claimed.item_id)
    return ids


MODAL = {
    "QMessageBox": ("question", "warning", "critical", "information", "about"),
    "QFileDialog": ("getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory"),
    "QInputDialog": ("getText", "getInt", "getDouble", "getItem", "getMultiLineText"),
    "QMenu": ("exec",),
    "QDialog": ("exec",),
}


class UnexpectedDialog(AssertionError):
    """A modal dialog or menu opened that the test did not answer."""


@pytest.fixture(autouse=True)
def _no_unanswered_dialogs(monkeypatch):
    """A modal dialog or menu waits in C++ for a click that never comes offscreen, and
    pytest-timeout's signal handler cannot run while Qt waits there: one unexpected "Save
    changes?" would hang the whole run. Each raises at once instead; a test that expects one
    answers it with its own monkeypatch (applied after this one)."""
    from PySide6 import QtWidgets

    for class_name, methods in MODAL.items():
        for method in methods:
            def refuse(*args, _what=f"{class_name}.{method}", **kwargs):
                raise UnexpectedDialog(f"{_what} opened with nobody to answer it: {args[1:3]!r}")

            monkeypatch.setattr(getattr(QtWidgets, class_name), method, refuse)


@pytest.fixture
def worker(store):
    """A real queue worker on the test's store, not started; stopped after the test."""
    from nodeeditor.engine.worker import Worker

    running = Worker(store, default_registry())
    yield running
    running.stop()
    running.hub.close()


@pytest.fixture(scope="module")
def qloop(qapp):
    """The asyncio loop on Qt's, as the app runs it (qasync)."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def app(qtbot, isolated_home, qloop):
    """The window as `nodeeditor` builds it, with a queue worker thread on the test's store."""
    from nodeeditor.engine.worker import Worker

    registry = default_registry()
    store = open_store(home=isolated_home, registry=registry)
    worker = Worker(store, registry)
    window = MainWindow(isolated_home, registry)
    window.confirm_discard = lambda: True
    controller = RunController(window, store, worker)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    worker.start()
    yield window, controller, store
    window.close()
    worker.close()
    store.close()
