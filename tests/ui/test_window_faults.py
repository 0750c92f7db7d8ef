"""The window facing hostile files and an unusable store: a message a person reads, and it stays up."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image, PngImagePlugin
from PySide6.QtWidgets import QMessageBox

from nodeeditor.nodes.image_metadata import WORKFLOW_KEY
from nodeeditor.ui.app import STORE_TITLE, open_window_store, show_store_problem

from .canvas_driver import drive, registry, window  # noqa: F401  (fixtures)

WORKFLOW = {"version": 1, "nodes": [{"id": "f", "type": "float", "inputs": {"value": 1.0}}]}


def _png(path, chunk: str | None) -> None:
    info = PngImagePlugin.PngInfo()
    if chunk is not None:
        info.add_itxt(WORKFLOW_KEY, chunk)
    Image.new("RGB", (4, 4)).save(path, pnginfo=info)


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    return shown


@pytest.mark.parametrize("chunk", [
    "[" * 100_000 + "]" * 100_000,          # deep enough to blow the parser's recursion
    json.dumps({"meta": 1}).replace("1", "[" * 500 + "]" * 500),  # deep, but parses
    '{"version": 1, "nodes": [',              # cut short
    None,                                     # an ordinary image
], ids=["deep", "nested", "damaged", "absent"])
def test_an_image_without_a_usable_workflow_says_so(window, drive, tmp_path, warnings, chunk):
    drive.add("keep", "integer", 0, 0)
    png = tmp_path / "image.png"
    _png(png, chunk)
    assert not window.open_path(png, ask=False)
    assert warnings == [f"{png}: no workflow in this image"]
    assert list(window.scene.node_items) == ["keep"] and window.isVisible()


@pytest.mark.parametrize("text, words", [
    ('{"version": 1, "nodes": [{"id": "f", "type": "float", "inputs": {"value": NaN}}]}',
     ["node 'f'", "inputs.value", "NaN"]),
    ('{"version": 1, "nodes": [{"id": "n", "type": "integer", "inputs": {"value": ' + "7" * 5000 + "}}]}",
     ["4300 digits"]),
    ('{"version": 1, "meta": ' + "[" * 900 + "]" * 900 + "}", ["meta", "nested more than 64"]),
    ('{"version": 1, "nodes": [{"id": "s", "type": "string", "inputs": {"value": "\\udc80"}}]}',
     ["node 's'", "lone surrogate"]),
    ('{"nodes": []}', ["field 'version'"]),
], ids=["nan", "digits", "deep", "surrogate", "no-version"])
def test_a_hostile_workflow_file_is_refused_and_the_canvas_kept(window, drive, tmp_path, warnings, text, words):
    drive.add("keep", "integer", 0, 0)
    path = tmp_path / "hostile.json"
    path.write_text(text)
    assert not window.open_path(path, ask=False)
    [message] = warnings
    assert message.startswith(str(path)) and all(w in message for w in words), message
    assert list(window.scene.node_items) == ["keep"] and window.isVisible()


def test_a_png_with_nan_in_its_workflow_names_the_node(window, tmp_path, warnings):
    png = tmp_path / "image.png"
    _png(png, json.dumps(WORKFLOW).replace("1.0", "NaN"))
    assert not window.open_path(png, ask=False)
    assert warnings == [f"{png}: no workflow in this image"]  # NaN is not JSON: the chunk is not one


def _damaged(home) -> str:
    from nodeeditor.store.store import open_store

    open_store(home=home).close()
    database = home / "nodeeditor.db"
    with open(database, "r+b") as f:
        f.seek(4096)
        f.write(b"\x7f" * 600)
    return str(database)


def test_an_unusable_store_is_shown_in_a_dialog_and_the_window_stays_up(window, drive, qtbot, isolated_home,
                                                                        registry, tmp_path):
    database = _damaged(isolated_home)
    before = open(database, "rb").read()
    store, problem = open_window_store(None, isolated_home, registry)
    assert store is None and problem.startswith(f"{database}: the database is damaged")
    box = show_store_problem(window, problem)
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == STORE_TITLE and problem in box.text()
    assert problem in window.statusBar().currentMessage()
    drive.add("still", "integer", 0, 0)  # editing goes on
    assert "still" in window.scene.node_items
    box.accept()
    assert window.isVisible() and open(database, "rb").read() == before


def test_a_newer_store_is_explained_too(isolated_home, registry):
    import sqlite3

    from nodeeditor.store.store import open_store

    open_store(home=isolated_home).close()
    with sqlite3.connect(isolated_home / "nodeeditor.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()
    store, problem = open_window_store(None, isolated_home, registry)
    assert store is None and "was written by a newer nodeeditor (schema 0099)" in problem
    assert os.path.exists(isolated_home / "nodeeditor.db")


@pytest.mark.parametrize("line, words", [
    ("NaN", "NaN is not allowed here"),
    ("nan", "is not valid"),                     # text that pydantic reads as a float: refused too
    ("Infinity", "Infinity is not allowed here"),
    ("[" * 5000 + "]" * 5000, "nested more than 64"),
    ("9" * 5000, "not valid"),
])
def test_the_batch_editor_refuses_what_cannot_be_stored(qtbot, registry, line, words):
    from nodeeditor.ui.panels import axis_items as ai
    from nodeeditor.ui.panels.batch_panel import BatchPanel
    from workflow_builder import build

    panel = BatchPanel(registry)
    qtbot.addWidget(panel)
    panel.set_workflow(build({"b": ("blur_image", {"radius": 2.0})}))
    axis = panel.add_axis("b", "radius")
    axis.use_editor(ai.LIST).text.setPlainText(f"1.5\n{line}")
    assert words in axis.error and axis.error.startswith("line 2")
    assert not panel.enqueue_button.isEnabled()
