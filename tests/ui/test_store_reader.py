"""Reads run on the reader thread, results are applied on the GUI thread, one key waits once."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication

from nodeeditor.ui.store_reader import StoreReader


def test_reads_run_off_the_gui_thread_and_apply_on_it(qtbot):
    reader = StoreReader()
    seen: dict = {}

    def read():
        seen["read"] = threading.current_thread()
        return 42

    def apply(value):
        seen["apply"] = (threading.current_thread(), value)

    reader.submit("x", read, apply)
    qtbot.waitUntil(lambda: reader.idle)
    assert seen["read"] is not threading.main_thread()
    assert seen["apply"] == (threading.main_thread(), 42)
    assert QApplication.instance().thread().isCurrentThread()
    reader.close()


def test_a_waiting_read_is_replaced_by_a_newer_one_with_the_same_key(qtbot):
    reader = StoreReader()
    gate = threading.Event()
    applied: list = []
    reader.submit("block", gate.wait, lambda _r: applied.append("block"))
    reader.submit("page", lambda: "old", applied.append)
    reader.submit("page", lambda: "new", applied.append)
    gate.set()
    assert reader.wait_idle()
    assert applied == ["block", "new"]
    reader.close()


def test_a_failing_read_is_logged_and_the_reader_goes_on(qtbot, caplog):
    reader = StoreReader()
    applied: list = []
    reader.submit("bad", lambda: 1 / 0, applied.append)
    reader.submit("good", lambda: "ok", applied.append)
    assert reader.wait_idle()
    assert applied == ["ok"]
    assert "store read failed" in caplog.text
    reader.close()
