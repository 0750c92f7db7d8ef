"""Which queue the window runs on, and whether it runs a worker of its own.

File → Connect to Queue… opens another store at once (a SQLite path or URL, or the PostgreSQL
queue that workers on other machines share), restarts the local worker (or none) on it and
points every dock at it; a URL that cannot be used is explained in a one-line dialog and the
current store stays. Run → Run a Local Worker (on by default) decides whether the window starts a
worker: off, it only watches the workers elsewhere, reading their progress from the store. Both
are remembered; `--db` on the command line wins over the remembered URL.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from nodeeditor.core.registry import Registry

from .main_window import MainWindow

SETTING = "queue/url"
LOCAL_WORKER = "queue/local_worker"
ERROR_TITLE = "Cannot connect to the queue"


def queue_url(args: argparse.Namespace, settings: QSettings) -> str | None:
    """The database URL to open: `--db`, else the remembered one, else None (the local SQLite)."""
    given = getattr(args, "db", None)
    if given:
        return str(given)
    remembered = settings.value(SETTING, "")
    return str(remembered) if remembered else None


def as_url(text: str) -> str | None:
    """What a person typed: a URL as is, a path as a SQLite file, empty as this machine's queue."""
    text = text.strip()
    if not text:
        return None
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def open_window_store(url: str | None, home: Path, registry: Registry) -> tuple[Any | None, str]:
    """(store, "") or (None, the one-line cause) when the store cannot be used (damaged, newer
    schema, locked, full, read-only, unreachable, not a database URL)."""
    from nodeeditor.store.health import explain
    from nodeeditor.store.store import open_store

    try:
        return open_store(url, home, registry=registry), ""
    except Exception as exc:
        problem = explain(exc, url if url and "://" in url else None, home)
        if problem is None:
            raise
        return None, problem


class QueueConnection(QObject):
    """Holds the window's store, worker and RunController, and changes store and worker while the
    window runs: the old worker is stopped before the new one starts, and the old store is
    closed once the docks have let go of it.
    """

    def __init__(self, window: MainWindow, home: Path, registry: Registry, url: str | None) -> None:
        super().__init__(window)
        self.window, self.home, self.registry = window, Path(home), registry
        self.url = url
        self.store: Any = None
        self.worker: Any = None
        self.controller: Any = None
        """The RunController on this store, once there is one (its docks close before the store)."""
        self.connect_action = QAction("Connect to &Queue…", window)
        self.connect_action.setToolTip("Use a shared queue (a PostgreSQL URL), another SQLite file, or this machine's own")
        self.connect_action.triggered.connect(lambda: self.ask())
        quit_action = next((a for a in window.file_menu.actions() if a.text() == "&Quit"), None)
        window.file_menu.insertAction(quit_action, self.connect_action)
        window.file_menu.insertSeparator(quit_action)
        self.local_action = QAction("Run a &Local Worker", window, checkable=True)
        self.local_action.setToolTip("Run sessions in this window's own worker; off: only watch the workers elsewhere")
        self.local_action.setChecked(window.settings.value(LOCAL_WORKER, True, type=bool))
        self.local_action.toggled.connect(self.set_local_worker)
        window.add_close_hook(self.close)

    @property
    def local_worker(self) -> bool:
        return self.local_action.isChecked()

    def make_worker(self, store: Any, url: str | None) -> Any:
        """This window's worker on `store`: a worker process, or a watcher of the remote ones."""
        if self.local_worker:
            from nodeeditor.engine.worker_process import ProcessWorker

            return ProcessWorker(home=self.home, url=url)
        from .remote_feed import RemoteWorkers

        return RemoteWorkers(store)

    def use(self, store: Any, url: str | None) -> None:
        """Run on `store` from now on (the first store, or another one)."""
        old_store, old_worker = self.store, self.worker
        if old_worker is not None:
            old_worker.close()
        worker = self.make_worker(store, url)
        self.store, self.worker, self.url = store, worker, url
        if self.controller is None:
            from .run_controller import RunController

            self.controller = RunController(self.window, store, worker)
            self.window.run_menu.addSeparator()
            self.window.add_run_action(self.local_action)
        else:
            self.controller.use(store, worker)
        worker.start()
        if old_store is not None and old_store is not store:
            old_store.close()

    def set_local_worker(self, on: bool) -> None:
        """Start or stop this window's own worker (remembered); the docks stay on the same store."""
        self.window.settings.setValue(LOCAL_WORKER, on)
        if self.store is not None:
            self.use(self.store, self.url)
        self.window.statusBar().showMessage(
            "Running sessions in this window's worker" if on else "No local worker: watching the workers on the queue",
            8000)

    def connect_to(self, text: str) -> asyncio.Future:
        """Open the queue `text` names off the GUI thread, then use it; resolves to True if it did."""
        return asyncio.ensure_future(self._connect(text))

    async def _connect(self, text: str) -> bool:
        url = as_url(text)
        loop = asyncio.get_event_loop()
        store, problem = await loop.run_in_executor(None, open_window_store, url, self.home, self.registry)
        if store is None:
            box = QMessageBox(QMessageBox.Icon.Warning, ERROR_TITLE, problem, QMessageBox.StandardButton.Ok,
                              self.window)
            box.setObjectName("queue_connect_error")
            box.open()
            self.window.statusBar().showMessage(f"Still on the same queue: {problem}", 10000)
            return False
        if url:
            self.window.settings.setValue(SETTING, url)
        else:
            self.window.settings.remove(SETTING)
        self.window.settings.sync()
        self.use(store, url)
        self.window.statusBar().showMessage(f"Connected to {url or 'this machine’s queue'}", 10000)
        return True

    def ask(self) -> asyncio.Future | None:
        """File → Connect to Queue…: ask for the URL (empty: this machine's queue) and connect."""
        current = str(self.url or self.window.settings.value(SETTING, "") or "")
        text, ok = QInputDialog.getText(
            self.window, "Connect to Queue",
            "Queue database URL (for example postgresql+psycopg://user@host/queue) or SQLite file;\n"
            "leave empty for this machine's queue:", QLineEdit.EchoMode.Normal, current)
        if not ok:
            return None
        return self.connect_to(text)

    def close(self) -> None:
        if self.controller is not None:
            self.controller.shutdown()
        if self.worker is not None:
            self.worker.close()
        if self.store is not None:
            self.store.close()
