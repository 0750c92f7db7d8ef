"""File → Connect to Queue… remembers the queue's URL for the next start; --db still wins."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QInputDialog

from nodeeditor.ui.queue_connection import SETTING, add_connect_action, queue_url

from .canvas_driver import registry, window  # noqa: F401  (fixtures)

SHARED = "postgresql+psycopg://render@farm/queue"


def test_connect_to_queue_remembers_the_url_and_an_empty_one_goes_back_to_the_local_queue(window, monkeypatch):
    add_connect_action(window)
    (action,) = [a for a in window.file_menu.actions() if a.text() == "Connect to &Queue…"]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (f"  {SHARED} ", True))
    action.trigger()
    assert window.settings.value(SETTING) == SHARED
    assert queue_url(argparse.Namespace(db=None), window.settings) == SHARED
    assert queue_url(argparse.Namespace(db="sqlite:///x.db"), window.settings) == "sqlite:///x.db"
    assert "next start" in window.statusBar().currentMessage()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    action.trigger()
    assert queue_url(argparse.Namespace(db=None), window.settings) is None


def test_canceling_the_dialog_changes_nothing(window, monkeypatch):
    window.settings.setValue(SETTING, SHARED)
    add_connect_action(window)
    (action,) = [a for a in window.file_menu.actions() if a.text() == "Connect to &Queue…"]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("sqlite:///other.db", False))
    action.trigger()
    assert window.settings.value(SETTING) == SHARED
