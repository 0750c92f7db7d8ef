"""Draw a workflow to an image the way the canvas shows it, fitted, without a window."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import Workflow

from . import theme
from .canvas.model import Document
from .canvas.scene import CanvasScene

MARGIN = 40.0


def render_scene(scene: CanvasScene, width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(theme.BACKGROUND)
    source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    if source.isEmpty():
        source = QRectF(0, 0, width, height)
    scale = min(width / source.width(), height / source.height())
    source_fill = QRectF(0, 0, width / scale, height / scale)
    source_fill.moveCenter(source.center())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, width, height), source_fill, Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    return image


def render_workflow(workflow: Workflow, registry: Registry, width: int = 1600, height: int = 1000) -> QImage:
    """Requires a QGuiApplication (QApplication) to exist; offscreen is enough."""
    document = Document(workflow)
    scene = CanvasScene(document, registry)
    try:
        return render_scene(scene, width, height)
    finally:
        scene.clear()
