"""The gallery dock: output images newest first, thumbnails loaded as they scroll into view.

Double-click opens the viewer; dragging an image carries its file URL, so dropping it on the
canvas restores the workflow inside the PNG; the context menu reveals the file or asks the
window to open that workflow (`restoreRequested`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QListView,
                               QMenu, QToolButton, QVBoxLayout, QWidget)

from nodeeditor.nodes.image_metadata import read_png_workflow

from .gallery_model import GalleryModel
from .image_viewer import ImageViewer

PULL_INTERVAL_MS = 300


class GalleryPanel(QWidget):
    """Images of `store` (its artifact index and folder); `restoreRequested(path)` asks to open a PNG's workflow."""

    restoreRequested = Signal(Path)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = GalleryModel(store, parent=self)
        self.viewer: ImageViewer | None = None
        self._pull_timer = QTimer(self, singleShot=True, interval=PULL_INTERVAL_MS)
        self._pull_timer.timeout.connect(self.model.pull_newest)
        self._bridge: Any = None

        refresh = QToolButton(text="Refresh")
        refresh.clicked.connect(self.refresh)
        self.all_images = QCheckBox("All images")
        self.all_images.setToolTip("Also show the intermediate images every node stores, not only saved ones")
        self.all_images.toggled.connect(self._set_all_images)
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(refresh)
        top.addWidget(self.all_images)
        top.addStretch(1)
        top.addWidget(self.summary)

        size = self.model.thumbnail_size
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setIconSize(QSize(size, size))
        self.view.setGridSize(QSize(size + 12, size + 12))
        self.view.setSpacing(2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.view.setModel(self.model)
        self.view.doubleClicked.connect(self.open_viewer)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.model.rowsInserted.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()

    def add_image(self, name: str) -> None:
        """A new image was saved: it goes first."""
        self.model.add_image(name)

    def watch(self, bridge: Any) -> None:
        """Follow a running worker: after sessions complete, new gallery images appear first.

        Completions are coalesced: one query at most every PULL_INTERVAL_MS however fast sessions end.
        """
        bridge.sessionCompleted.connect(self._session_completed)
        self._bridge = bridge

    def shutdown(self) -> None:
        """The window closes or moves to another queue: no read of this store may follow."""
        if self._bridge is not None:
            self._bridge.sessionCompleted.disconnect(self._session_completed)
            self._bridge = None
        self._pull_timer.stop()
        self.model.loader.close()

    def _session_completed(self, _event: Any) -> None:
        if not self._pull_timer.isActive():
            self._pull_timer.start()

    def _set_all_images(self, on: bool) -> None:
        self.model.all_images = on
        self.refresh()

    def _update_summary(self, *_args: Any) -> None:
        more = "+" if self.model.canFetchMore() else ""
        self.summary.setText(f"{self.model.rowCount():,}{more} images")

    def path_at(self, index: QModelIndex) -> Path:
        return self.model.entry(index).path

    def open_viewer(self, index: QModelIndex) -> ImageViewer | None:
        if not index.isValid():
            return None
        if self.viewer is None:
            self.viewer = ImageViewer(self)
            self.viewer.restoreRequested.connect(self.restoreRequested)
        self.viewer.show_image(self.path_at(index))
        self.viewer.show()
        self.viewer.raise_()
        return self.viewer

    def reveal(self, path: Path) -> None:
        """Open the folder holding `path` in the system's file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The actions for one image (built on demand; exposed for tests)."""
        menu = QMenu(self)
        path = self.path_at(index)
        menu.addAction("Open", lambda: self.open_viewer(index))
        workflow, _values = read_png_workflow(path)
        restore = menu.addAction("Open workflow", lambda: self.restoreRequested.emit(path))
        restore.setEnabled(workflow is not None)
        menu.addAction("Reveal in file manager", lambda: self.reveal(path))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(str(path)))
        return menu

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if index.isValid():
            self.context_menu(index).exec(self.view.viewport().mapToGlobal(position))

    def closeEvent(self, event: Any) -> None:
        self.model.loader.close()
        super().closeEvent(event)

