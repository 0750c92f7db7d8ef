"""File → Connect to Queue… switches the window to another queue at once (SQLite file or
PostgreSQL), with its local worker (or none) and every dock; a bad URL changes nothing."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QInputDialog, QMessageBox

from nodeeditor.core.registry import default_registry
from nodeeditor.store.store import open_store
from nodeeditor.ui.main_window import MainWindow
from nodeeditor.ui.queue_connection import (
    ERROR_TITLE,
    LOCAL_WORKER,
    SETTING,
    QueueConnection,
    as_url,
    queue_url,
)
from nodeeditor.ui.remote_feed import RemoteWorkers

from .conftest import adder, badge, window_workers

SHARED = "postgresql+psycopg://render@farm/queue"


def connect(qtbot, connection, monkeypatch, text: str) -> bool:
    """Through the menu, as a person does: File → Connect to Queue…, type, OK."""
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (f"  {text} ", True))
    done = []
    original = connection.connect_to
    monkeypatch.setattr(connection, "connect_to", lambda t: done.append(original(t)) or done[-1])
    connection.connect_action.trigger()
    qtbot.waitUntil(lambda: done and done[0].done(), timeout=30000)
    return done[0].result()


def run_once(qtbot, window, connection) -> None:
    """Invoke; every node shows done and the session is recorded as completed on the queue in use."""
    before = connection.store.queue.counts()["completed"]
    window.document.load(adder())
    connection.controller.invoke()
    qtbot.waitUntil(lambda: all(badge(window, n) == "done" for n in ("a", "b", "s")), timeout=30000)
    qtbot.waitUntil(lambda: connection.store.queue.counts()["completed"] == before + 1, timeout=10000)


def test_connecting_to_another_sqlite_file_and_to_postgresql_applies_at_once(connected, qtbot, monkeypatch,
                                                                           tmp_path, pg_url):
    window, connection = connected
    run_once(qtbot, window, connection)
    first = connection.store
    first_child = window_workers()
    assert len(first_child) == 1

    other = tmp_path / "other.db"
    assert connect(qtbot, connection, monkeypatch, str(other))
    assert first.engine is not connection.store.engine and other.exists()
    assert window.settings.value(SETTING) == f"sqlite:///{other}"
    assert all(badge(window, n) is None for n in ("a", "b", "s")), "the last run was on the other queue"
    qtbot.waitUntil(lambda: [p.pid for p in window_workers()] not in ([], [first_child[0].pid]), timeout=15000)
    run_once(qtbot, window, connection)
    assert connection.store.queue.counts()["completed"] == 1
    panel = connection.controller.queue_dock.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    with open_store(None, window.home) as local:
        assert local.queue.counts()["completed"] == 1, "the first queue got nothing more"

    assert connect(qtbot, connection, monkeypatch, pg_url)
    assert window.settings.value(SETTING) == pg_url
    run_once(qtbot, window, connection)
    assert connection.store.engine.url.get_backend_name() == "postgresql"
    assert connection.store.queue.counts()["completed"] == 1
    workers = connection.controller.workers_dock.panel
    qtbot.waitUntil(lambda: len(workers.lines) == 1 and workers.lines[0].state in ("idle", "running"), timeout=10000)
    assert workers.lines[0].host.endswith(f":{window_workers()[0].pid}")
    assert len(window.findChildren(type(connection.controller.queue_dock))) == 1, "old docks are gone"

    assert connect(qtbot, connection, monkeypatch, "")
    assert window.settings.value(SETTING) is None
    assert connection.store.queue.counts()["completed"] == 1, "back on this machine's queue"
    run_once(qtbot, window, connection)


def test_a_bad_url_is_one_line_in_a_dialog_and_the_queue_stays(connected, qtbot, monkeypatch):
    window, connection = connected
    window.settings.setValue(SETTING, "")
    before = connection.store
    worker = connection.worker
    assert not connect(qtbot, connection, monkeypatch, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    (box,) = [b for b in window.findChildren(QMessageBox) if b.objectName() == "queue_connect_error"]
    assert box.windowTitle() == ERROR_TITLE
    assert len(box.text().splitlines()) == 1 and "127.0.0.1" in box.text()
    assert connection.store is before and connection.worker is worker
    assert not window.settings.value(SETTING)
    run_once(qtbot, window, connection)


def test_with_the_local_worker_off_a_new_queue_gets_no_worker_either(qtbot, isolated_home, qloop, monkeypatch,
                                                                     tmp_path):
    registry = default_registry()
    window = MainWindow(isolated_home, registry)
    window.settings.setValue(LOCAL_WORKER, False)
    connection = QueueConnection(window, isolated_home, registry, None)
    connection.use(open_store(None, isolated_home, registry=registry), None)
    qtbot.addWidget(window)
    try:
        assert connect(qtbot, connection, monkeypatch, str(tmp_path / "farm.db"))
        assert isinstance(connection.worker, RemoteWorkers) and window_workers() == []
        assert not connection.controller.queue_dock.panel.pause_button.isEnabled()
    finally:
        window.close()


def test_the_remembered_url_is_used_at_start_and_db_wins():
    from PySide6.QtCore import QSettings

    settings = QSettings()
    settings.setValue(SETTING, SHARED)
    try:
        assert queue_url(argparse.Namespace(db=None), settings) == SHARED
        assert queue_url(argparse.Namespace(db="sqlite:///x.db"), settings) == "sqlite:///x.db"
    finally:
        settings.remove(SETTING)
    assert as_url("") is None and as_url(SHARED) == SHARED


def test_canceling_the_dialog_changes_nothing(connected, monkeypatch):
    window, connection = connected
    window.settings.setValue(SETTING, SHARED)
    before = connection.store
    texts = [a.text() for a in window.file_menu.actions()]
    assert texts.index("Connect to &Queue…") < texts.index("&Quit")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("sqlite:///other.db", False))
    connection.connect_action.trigger()
    assert window.settings.value(SETTING) == SHARED and connection.store is before
