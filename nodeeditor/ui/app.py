"""`nodeeditor` with no subcommand: the Qt application on a qasync event loop, and the main window."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pyqtgraph.util.garbage_collector import GarbageCollector

from nodeeditor.core.registry import default_registry
from nodeeditor.paths import data_dir, user_nodes_dir

from .main_window import MainWindow
from .queue_connection import QueueConnection, open_window_store, queue_url


STORE_TITLE = "The queue cannot be used"
__all__ = ["run_app", "open_window_store", "show_store_problem", "STORE_TITLE"]


def show_store_problem(window, problem: str) -> QMessageBox:
    """The cause in a dialog (not modal to the process: the window stays up and editable)."""
    box = QMessageBox(QMessageBox.Icon.Warning, STORE_TITLE,
                      f"{problem}\n\nWorkflows can still be opened, edited and saved; running and the "
                      f"queue are off until the database can be used.", QMessageBox.StandardButton.Ok, window)
    box.setObjectName("store_problem")
    window.statusBar().showMessage(f"queue off: {problem}")
    box.open()
    return box


def run_app(args: argparse.Namespace) -> int:
    """Run the window until it closes. Closing the last window posts a Quit event; one left
    queued after the loop ends would make every later Qt event loop in this process return at
    once (Qt keeps "quit now" set until the next exec), so it is dropped when the loop ends.

    Cyclic garbage is collected on this thread only, from a timer: left to Python, a collection
    runs on whichever thread allocates (store readers, the worker's event reader) and would
    destroy widgets there, which deadlocks against this thread."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collecting = gc.isenabled()
    collector = GarbageCollector(interval=1.0)
    app.setApplicationName("nodeeditor")
    app.setOrganizationName("nodeeditor")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = data_dir(getattr(args, "home", None))
    registry = default_registry(user_nodes_dir(home))
    window = MainWindow(home, registry)
    url = queue_url(args, window.settings)
    window.show()
    connection = QueueConnection(window, home, registry, url)
    store, problem = open_window_store(url, home, registry)
    if store is not None:
        connection.use(store, url)
    else:
        show_store_problem(window, problem)
    opened = getattr(args, "open", None)
    if not (opened and window.open_path(Path(opened))):
        window.offer_recovery()
    for error in registry.load_errors:
        window.statusBar().showMessage(f"plug-in skipped: {error}", 10000)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.aboutToQuit.connect(lambda: QCoreApplication.removePostedEvents(app, QEvent.Type.Quit))
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        collector.timer.stop()
        if collecting:
            gc.enable()
    return 0
