"""File → Connect to Queue…: which queue the window (and its worker) use, remembered in settings.

`--db` on the command line wins; otherwise the URL chosen here (e.g. the PostgreSQL queue that
workers on other machines share); otherwise this machine's SQLite queue. A new URL takes effect
when the window starts again, since the open docks, the worker and the gallery all hold the store.
"""

from __future__ import annotations

import argparse

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit

from .main_window import MainWindow

SETTING = "queue/url"


def queue_url(args: argparse.Namespace, settings: QSettings) -> str | None:
    """The database URL to open: `--db`, else the remembered one, else None (the local SQLite)."""
    given = getattr(args, "db", None)
    if given:
        return str(given)
    remembered = settings.value(SETTING, "")
    return str(remembered) if remembered else None


def add_connect_action(window: MainWindow) -> QAction:
    action = QAction("Connect to &Queue…", window)
    action.setToolTip("Use a shared queue (a PostgreSQL URL) or this machine's own")
    action.triggered.connect(lambda: ask_queue_url(window))
    window.file_menu.addSeparator()
    window.file_menu.addAction(action)
    return action


def ask_queue_url(window: MainWindow) -> str | None:
    """Ask for the URL; an empty one means this machine's queue. Returns what was stored."""
    current = str(window.settings.value(SETTING, "") or "")
    url, ok = QInputDialog.getText(window, "Connect to Queue",
                                   "Queue database URL (for example postgresql+psycopg://user@host/queue);\n"
                                   "leave empty for this machine's queue:", QLineEdit.EchoMode.Normal, current)
    if not ok:
        return None
    url = url.strip()
    if url:
        window.settings.setValue(SETTING, url)
    else:
        window.settings.remove(SETTING)
    window.settings.sync()
    where = url or "this machine's queue"
    window.statusBar().showMessage(f"Queue set to {where}: it is used from the next start", 10000)
    return url
