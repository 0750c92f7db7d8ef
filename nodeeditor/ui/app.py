"""`nodeeditor` with no subcommand: the Qt application on a qasync event loop, and the main window."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from nodeeditor.core.registry import default_registry
from nodeeditor.paths import data_dir, user_nodes_dir

from nodeeditor.engine.worker_process import ProcessWorker
from nodeeditor.store.store import open_store

from .main_window import MainWindow
from .queue_connection import add_connect_action, queue_url
from .run_controller import RunController


def run_app(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nodeeditor")
    app.setOrganizationName("nodeeditor")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = data_dir(getattr(args, "home", None))
    registry = default_registry(user_nodes_dir(home))
    window = MainWindow(home, registry)
    url = queue_url(args, window.settings)
    store = open_store(url, home, registry=registry)
    worker = ProcessWorker(home=home, url=url)
    RunController(window, store, worker)
    add_connect_action(window)
    window.add_close_hook(worker.close)
    window.add_close_hook(store.close)
    worker.start()
    window.show()
    opened = getattr(args, "open", None)
    if not (opened and window.open_path(Path(opened))):
        window.offer_recovery()
    for error in registry.load_errors:
        window.statusBar().showMessage(f"plug-in skipped: {error}", 10000)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
