"""A bare canvas for canvas tests: a document, its scene, the canvas editor and a shown view.

No main window, docks or menus: what a canvas test drives is the canvas itself. Status messages
the editor sends are kept in `canvas.messages`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from nodeeditor.core.registry import Registry, default_registry
from nodeeditor.ui.canvas.editor import CanvasEditor
from nodeeditor.ui.canvas.model import Document
from nodeeditor.ui.canvas.scene import CanvasScene
from nodeeditor.ui.canvas.view import CanvasView

from ..canvas_driver import Driver


@dataclass
class Canvas:
    document: Document
    scene: CanvasScene
    editor: CanvasEditor
    view: CanvasView
    registry: Registry
    messages: list[str] = field(default_factory=list)

    def status(self) -> str:
        """The last status message, as the status bar would show it."""
        return self.messages[-1] if self.messages else ""


@pytest.fixture
def registry() -> Registry:
    return default_registry()


@pytest.fixture
def canvas(qtbot, registry) -> Canvas:
    document = Document()
    scene = CanvasScene(document, registry)
    editor = CanvasEditor(scene)
    view = CanvasView(editor)
    built = Canvas(document, scene, editor, view, registry)
    editor.status.connect(built.messages.append)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    yield built
    view.close()
    editor.deleteLater()
    scene.deleteLater()


@pytest.fixture
def drive(canvas) -> Driver:
    return Driver(canvas.view, canvas.document)
