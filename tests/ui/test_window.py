"""The main window: files, title, unsaved changes, autosave and recovery, drops, settings."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from PIL import Image, PngImagePlugin

from nodeeditor.core.workflow import load_workflow, save_workflow
from nodeeditor.nodes.image_metadata import workflow_chunks
from nodeeditor.ui.app import run_app
from nodeeditor.ui.canvas.model import Document
from nodeeditor.ui.main_window import MainWindow
from workflow_builder import build

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)


def sample():
    return build({"i": ("integer", {"value": 3}), "s": ("add", {"b": 4}), "m": ("float_math", {"operation": "mul"})},
                 ["i.value -> s.a"], name="sample",
                 frames=[{"id": "f", "title": "Group", "rect": [-20, -40, 400, 200], "color": "#445566"}])


def test_save_and_reopen_gives_the_identical_workflow(window, tmp_path):
    original = tmp_path / "in.json"
    save_workflow(sample(), original)
    assert window.open_path(original)
    saved = tmp_path / "out.json"
    assert window.save_to(saved)
    assert saved.read_text() == original.read_text()
    assert load_workflow(saved) == sample()


def test_an_unknown_node_type_shows_a_placeholder_and_saves_back_unchanged(window, tmp_path):
    data = {"version": 1, "name": "x", "nodes": [
        {"id": "i", "type": "integer", "position": [0, 0], "inputs": {"value": 1}},
        {"id": "u", "type": "super_resolution", "position": [300, 0], "inputs": {"scale": 4, "mode": "fast"}},
    ], "edges": [{"source": {"node": "i", "field": "value"}, "destination": {"node": "u", "field": "scale"}}]}
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data))
    assert window.open_path(path)
    item = window.node_item("u")
    assert item.spec is None
    assert item.title() == "Missing: super_resolution"
    assert {r.field for r in item.rows} == {"scale", "mode"}
    window.scene.validate()
    assert "super_resolution" in item.toolTip()
    out = tmp_path / "again.json"
    window.save_to(out)
    assert load_workflow(out) == load_workflow(path)
    assert load_workflow(out).node("u").inputs == {"scale": 4, "mode": "fast"}


def test_title_shows_the_file_name_and_a_modified_mark(window, drive, tmp_path):
    path = tmp_path / "named.json"
    save_workflow(sample(), path)
    window.open_path(path)
    assert window.windowTitle().startswith("named.json")
    assert not window.isWindowModified()
    drive.add("z", "integer", 0, 300)
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, drive, monkeypatch):
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    drive.add("z", "integer", 0, 0)
    assert not window.close()
    assert asked == ["Unsaved changes"]
    assert window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close()


def test_closing_a_saved_document_does_not_ask(window, monkeypatch, tmp_path):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked")))
    window.open_path(Path(save_sample(tmp_path)))
    assert window.close()


def save_sample(tmp_path: Path) -> str:
    path = tmp_path / "s.json"
    save_workflow(sample(), path)
    return str(path)


def test_autosave_is_offered_for_recovery_after_a_crash(window, drive, qtbot, isolated_home, registry, monkeypatch):
    drive.add("z", "integer", 0, 0, value=9)
    assert window.autosave()
    fresh = MainWindow(isolated_home, registry)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert fresh.offer_recovery()
    assert fresh.document.node("z").inputs == {"value": 9}
    assert fresh.document.modified
    fresh.document.mark_saved(isolated_home / "x.json")
    fresh.close()


def test_no_recovery_is_offered_without_an_autosave(window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (_ for _ in ()).throw(AssertionError("asked")))
    assert not window.offer_recovery()


def test_dropping_a_workflow_file_on_the_canvas_opens_it(window, qtbot, tmp_path):
    path = save_sample(tmp_path)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(path)])
    viewport = window.canvas.viewport()
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, drop)
    assert sorted(window.scene.node_items) == ["i", "m", "s"]
    assert window.document.path == Path(path)


def test_a_png_that_carries_a_workflow_opens_its_graph(window, tmp_path):
    info = PngImagePlugin.PngInfo()
    for key, value in workflow_chunks(sample().model_dump(mode="json"), {}, "s").items():
        info.add_itxt(key, value)
    png = tmp_path / "out.png"
    Image.new("RGB", (4, 4)).save(png, pnginfo=info)
    assert window.open_path(png)
    assert sorted(window.scene.node_items) == ["i", "m", "s"]
    assert window.document.path is None  # saving asks for a JSON name, never overwrites the PNG


def test_an_invalid_file_is_reported_and_the_canvas_kept(window, drive, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    drive.add("keep", "integer", 0, 0)
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "nodes": [{"id": "a"}]}')
    assert not window.open_path(bad, ask=False)
    assert "bad.json" in shown[0] and "'a'" in shown[0]
    assert "keep" in window.scene.node_items


def test_recent_files_and_geometry_persist(window, tmp_path, isolated_home, registry):
    path = save_sample(tmp_path)
    window.open_path(Path(path))
    window.resize(1000, 650)
    window.close()
    again = MainWindow(isolated_home, registry)
    assert again.recent_files()[0] == str(Path(path).resolve())
    assert again.height() == 650  # the default is 900
    again.close()


def test_fit_all_and_zoom_limits(window, drive):
    drive.add("a", "integer", 0, 0)
    drive.add("b", "integer", 5000, 3000)
    window.canvas.fit_all()
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.node_items["b"].sceneBoundingRect())
    for _ in range(60):
        window.canvas.zoom_in()
    assert window.canvas.zoom() <= 4.0
    assert window.zoom_label.text() == f"{window.canvas.zoom() * 100:.0f} %"
    for _ in range(120):
        window.canvas.zoom_out()
    assert window.canvas.zoom() >= 0.05


def test_middle_drag_pans_the_view(window, drive):
    drive.add("a", "integer", 0, 0)
    before = window.canvas.mapToScene(QPoint(0, 0))
    drive.drag(QPoint(400, 400), QPoint(300, 350), Qt.MouseButton.MiddleButton)
    after = window.canvas.mapToScene(QPoint(0, 0))
    assert (round(after.x() - before.x()), round(after.y() - before.y())) == (100, 50)
    assert window.document.undo_stack.count() == 1  # panning edits nothing


def test_hundred_thousand_signal_emits_do_not_abort(qtbot):
    """PySide6 6.12.0 on Python 3.11 aborts after a few hundred emits; the pin keeps us off it."""
    document = Document()
    seen = []
    document.node_moved.connect(seen.append)
    for _ in range(100_000):
        document.node_moved.emit("n")
    assert len(seen) == 100_000


# app.exec() waits in C++: pytest-timeout's SIGALRM handler runs only when Python runs, so a quit
# that never comes would hang the run for good. The thread method prints every stack and ends it.
@pytest.mark.timeout(120, method="thread")
def test_run_app_opens_the_file_named_on_the_command_line(qapp, tmp_path):
    path = save_sample(tmp_path)
    seen = {}

    def look_and_quit() -> None:
        try:
            shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
            seen["nodes"] = sorted(shown[-1].scene.node_items)
            shown[-1].close()
        finally:
            QApplication.quit()  # even when looking failed: the loop must end

    QTimer.singleShot(200, look_and_quit)
    try:
        assert run_app(argparse.Namespace(home=str(tmp_path / "home"), open=path)) == 0
    finally:
        asyncio.set_event_loop(None)
    assert seen["nodes"] == ["i", "m", "s"]
    # Nothing left behind: a Quit event still queued would end every later event loop at once
    # (timers of the tests that follow would never fire).
    loop = QEventLoop()
    QTimer.singleShot(10, loop.quit)
    assert loop.exec() == 0
