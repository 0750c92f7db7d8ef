"""A zoomable viewer for one output image, with the field values of the session that made it.

The full image and its PNG metadata are read on a worker thread; the window shows "Loading…"
until they arrive. Wheel zooms at the cursor, F fits, 1 shows actual pixels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPainter, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (QDialog, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QHBoxLayout,
                               QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget)

from nodeeditor.nodes.image_metadata import read_png_workflow

from .background_loader import BackgroundLoader

ZOOM_STEP = 1.25
ZOOM_LIMITS = (0.02, 64.0)


def read_full_image(path: str) -> tuple[QImage, dict[str, Any] | None, dict[str, Any]]:
    """Runs on a worker: the decoded image (EXIF-upright) and the workflow and values it carries."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise OSError(f"{path}: {reader.errorString()}")
    workflow, values = read_png_workflow(path)
    return image, workflow, values


class ZoomView(QGraphicsView):
    """A QGraphicsView over one pixmap that zooms around the cursor."""

    zoomChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)

    def set_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom() * factor, ZOOM_LIMITS[0]), ZOOM_LIMITS[1])
        factor = target / self.zoom()
        self.scale(factor, factor)
        self.zoomChanged.emit(self.zoom())

    def actual_size(self) -> None:
        self.resetTransform()
        self.zoomChanged.emit(self.zoom())

    def fit(self) -> None:
        if self.item.pixmap().isNull():
            return
        self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomChanged.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)


class ImageViewer(QDialog):
    """Shows one image; `restoreRequested(path)` asks the window to open the workflow it carries."""

    restoreRequested = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Image")
        self.resize(900, 650)
        self.path: Path | None = None
        self.view = ZoomView()
        self.status = QLabel("Loading…")
        self.values = QLabel()
        self.values.setTextFormat(Qt.TextFormat.PlainText)
        self.values.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.values.setWordWrap(True)
        self.values.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values.setMinimumWidth(180)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.values)
        splitter.setStretchFactor(0, 1)

        fit = QPushButton("Fit")
        fit.clicked.connect(self.view.fit)
        actual = QPushButton("100 %")
        actual.clicked.connect(self.view.actual_size)
        self.open_workflow = QPushButton("Open workflow")
        self.open_workflow.setEnabled(False)
        self.open_workflow.clicked.connect(lambda: self.path and self.restoreRequested.emit(self.path))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(fit)
        buttons.addWidget(actual)
        buttons.addWidget(self.open_workflow)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.view.zoomChanged.connect(lambda _z: self._show_status())

        for keys, slot in (("F", self.view.fit), ("1", self.view.actual_size),
                           (QKeySequence.StandardKey.ZoomIn, lambda: self.view.zoom_by(ZOOM_STEP)),
                           (QKeySequence.StandardKey.ZoomOut, lambda: self.view.zoom_by(1 / ZOOM_STEP))):
            QShortcut(QKeySequence(keys), self, activated=slot)

        self.loader = BackgroundLoader(read_full_image, workers=1, parent=self)
        self.loader.ready.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self._size = ""

    def show_image(self, path: Path) -> None:
        """Start loading `path`; the window shows it as soon as the worker has decoded it."""
        self.path = Path(path)
        self.setWindowTitle(self.path.name)
        self._size = ""
        self.status.setText("Loading…")
        self.values.setText("")
        self.open_workflow.setEnabled(False)
        self.loader.forget()
        self.loader.request(str(self.path))

    def _loaded(self, key: str, result: tuple[QImage, dict[str, Any] | None, dict[str, Any]]) -> None:
        if self.path is None or key != str(self.path):
            return
        image, workflow, values = result
        self._size = f"{image.width()} × {image.height()} px"
        self.view.set_image(image)
        self.open_workflow.setEnabled(workflow is not None)
        lines = [f"{name} = {json.dumps(value, ensure_ascii=False)}" for name, value in sorted(values.items())]
        if workflow is not None:
            lines.insert(0, f"Workflow: {workflow.get('name', 'Untitled')} ({len(workflow.get('nodes', []))} nodes)")
        self.values.setText("\n".join(lines) or "No workflow in this image")
        self._show_status()

    def _failed(self, key: str, message: str) -> None:
        if self.path is not None and key == str(self.path):
            self.status.setText(f"Cannot show this image: {message}")

    def _show_status(self) -> None:
        if self._size:
            self.status.setText(f"{self._size} · {self.view.zoom() * 100:.0f} %")

    def image_loaded(self) -> bool:
        return not self.view.item.pixmap().isNull()

    def closeEvent(self, event: Any) -> None:
        self.loader.forget()
        super().closeEvent(event)
