"""Window test fixtures (import them into a test module): a shown MainWindow, and a driver that
works the real canvas view with the mouse and keyboard (tests/ui/canvas/ uses it on a bare canvas)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import Edge, Endpoint, NodeData
from nodeeditor.ui.canvas.commands import AddItemsCommand
from nodeeditor.ui.canvas.model import Document
from nodeeditor.ui.canvas.view import CanvasView
from nodeeditor.ui.main_window import MainWindow


@pytest.fixture
def registry():
    return default_registry()


@pytest.fixture
def window(qtbot, isolated_home: Path, registry):
    win = MainWindow(isolated_home, registry)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.canvas.setFocus()
    yield win
    win.document.mark_saved(win.document.path or isolated_home / "unused.json")  # no question on close
    win.close()
    win.deleteLater()


class Driver:
    """Mouse and keyboard on the canvas viewport, in scene coordinates."""

    def __init__(self, view: CanvasView, document: Document) -> None:
        self.view = view
        self.scene = view.canvas
        self.document = document

    def at(self, scene_pos: QPointF) -> QPoint:
        return self.view.mapFromScene(scene_pos)

    def socket(self, node_id: str, field: str, output: bool) -> QPoint:
        return self.at(self.scene.node_items[node_id].socket_pos(field, output))

    def value_field(self, node_id: str, field: str) -> QPoint:
        """Where a person clicks to edit an input's value on the node."""
        item = self.scene.node_items[node_id]
        return self.at(item.mapToScene(item.value_rect(item.row(field, False)).center()))

    def add(self, node_id: str, type_name: str, x: float, y: float, **inputs) -> None:
        doc = self.document
        doc.undo_stack.push(AddItemsCommand(doc, [NodeData(id=node_id, type=type_name, position=(x, y),
                                                            inputs=inputs)]))

    def drag(self, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton,
             modifiers=Qt.KeyboardModifier.NoModifier, steps: int = 6) -> None:
        viewport = self.view.viewport()
        QTest.mousePress(viewport, button, modifiers, start)
        for i in range(1, steps + 1):
            point = start + (end - start) * (i / steps)
            QTest.mouseMove(viewport, point)
        QTest.mouseRelease(viewport, button, modifiers, end)

    def click(self, pos: QPoint, button=Qt.MouseButton.LeftButton,
              modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        QTest.mouseClick(self.view.viewport(), button, modifiers, pos)


@pytest.fixture
def drive(window) -> Driver:
    return Driver(window.canvas, window.document)


def edge(src: str, sf: str, dst: str, df: str) -> Edge:
    return Edge(source=Endpoint(node=src, field=sf), destination=Endpoint(node=dst, field=df))


def state(canvas) -> str:
    return canvas.document.snapshot().to_json()


def assert_undo_redo(canvas, before: str) -> None:
    """One undo returns to `before`, one redo to what the edit made."""
    after = state(canvas)
    assert after != before
    canvas.document.undo_stack.undo()
    assert state(canvas) == before
    canvas.document.undo_stack.redo()
    assert state(canvas) == after
