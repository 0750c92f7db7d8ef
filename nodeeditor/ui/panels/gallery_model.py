"""Gallery rows (newest first) with thumbnails made on demand off the GUI thread and kept in a cache.

Rows come from the store's artifact index a page at a time (fetchMore); a thumbnail is only
requested when a view asks for a row's icon, i.e. when the row is painted. Thumbnails are the
store's cached 128 px PNGs (FileArtifactStore.thumbnail), decoded into QImage on a worker.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPixmap

from .background_loader import BackgroundLoader

PAGE = 200
THUMBNAIL = 128
CACHE_SIZE = 1000
"""Thumbnails kept in memory (~64 KB each at 128 px)."""
PathRole = Qt.ItemDataRole.UserRole + 1
NameRole = Qt.ItemDataRole.UserRole + 2


@dataclass
class GalleryEntry:
    name: str
    path: Path
    created: float
    dims: list[int] | None = None
    size: int | None = None


def _placeholder(size: int, color: str) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return pixmap


class GalleryModel(QAbstractListModel):
    """Image artifacts of a store: gallery images only, or every image when `all_images`."""

    def __init__(self, store: Any, thumbnail_size: int = THUMBNAIL, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.thumbnail_size = thumbnail_size
        self.all_images = False
        self.entries: list[GalleryEntry] = []
        self._names: set[str] = set()
        self._exhausted = False
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._loading_icon = _placeholder(thumbnail_size, "#3a3f44")
        self._broken_icon = _placeholder(thumbnail_size, "#7a2e2e")
        self.loader = BackgroundLoader(self._make_thumbnail, parent=self)
        self.loader.ready.connect(self._thumbnail_ready)
        self.loader.failed.connect(self._thumbnail_failed)

    # --- rows --------------------------------------------------------------------------------

    def _query(self, limit: int) -> list[GalleryEntry]:
        rows = self.store.artifact_index.list(kind="image", gallery=None if self.all_images else True, limit=limit)
        return [GalleryEntry(r.name, self.store.artifacts.path_of(r.name), r.created, r.dims, r.size) for r in rows]

    def refresh(self) -> None:
        """Read the newest page again; cached thumbnails stay."""
        self.loader.forget()
        self.beginResetModel()
        self.entries = self._query(PAGE)
        self._names = {e.name for e in self.entries}
        self._exhausted = len(self.entries) < PAGE
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        wanted = len(self.entries) + PAGE
        newer = [e for e in self._query(wanted) if e.name not in self._names]
        self._exhausted = len(self.entries) + len(newer) < wanted
        if newer:
            self.beginInsertRows(QModelIndex(), len(self.entries), len(self.entries) + len(newer) - 1)
            self.entries.extend(newer)
            self._names.update(e.name for e in newer)
            self.endInsertRows()

    def pull_newest(self) -> int:
        """Put images saved since the last read first (one query); returns how many arrived."""
        newer = [e for e in self._query(PAGE) if e.name not in self._names]
        if newer:
            self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
            self.entries[0:0] = newer
            self._names.update(e.name for e in newer)
            self.endInsertRows()
        return len(newer)

    def add_image(self, name: str, created: float | None = None) -> None:
        """A new image arrived: show it first (a name already listed is ignored)."""
        if name in self._names:
            return
        entry = GalleryEntry(name, self.store.artifacts.path_of(name),
                             created if created is not None else datetime.now().timestamp())
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.entries.insert(0, entry)
        self._names.add(name)
        self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.entries)

    def entry(self, index: QModelIndex | int) -> GalleryEntry:
        return self.entries[index if isinstance(index, int) else index.row()]

    # --- thumbnails --------------------------------------------------------------------------

    def _make_thumbnail(self, name: str) -> QImage:
        """Runs on a worker: the cached thumbnail file, decoded."""
        path = self.store.artifacts.thumbnail(name, self.thumbnail_size)
        image = QImage(str(path))
        if image.isNull():
            raise OSError(f"cannot decode the thumbnail {path}")
        return image

    def thumbnail(self, name: str) -> QPixmap | None:
        """The cached thumbnail, or None while it has not been made."""
        pixmap = self._cache.get(name)
        if pixmap is not None:
            self._cache.move_to_end(name)
        return pixmap

    def _thumbnail_ready(self, name: str, image: QImage) -> None:
        self._cache[name] = QPixmap.fromImage(image)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        self._changed(name)

    def _thumbnail_failed(self, name: str, message: str) -> None:
        self._errors[name] = message
        self._changed(name)

    def _changed(self, name: str) -> None:
        if name not in self._names:
            return
        row = next((i for i, e in enumerate(self.entries) if e.name == name), None)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole])

    def _icon(self, entry: GalleryEntry) -> QPixmap:
        if entry.name in self._errors:
            return self._broken_icon
        pixmap = self.thumbnail(entry.name)
        if pixmap is None:
            self.loader.request(entry.name)
            return self._loading_icon
        return pixmap

    # --- Qt roles, drag ------------------------------------------------------------------------

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry)
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(self.thumbnail_size + 8, self.thumbnail_size + 8)
        if role == PathRole:
            return str(entry.path)
        if role == NameRole:
            return entry.name
        return None

    def _tooltip(self, entry: GalleryEntry) -> str:
        lines = [entry.name, datetime.fromtimestamp(entry.created).strftime("%Y-%m-%d %H:%M:%S")]
        if entry.dims:
            lines.append(" × ".join(str(d) for d in entry.dims) + " px")
        if entry.name in self._errors:
            lines.append(self._errors[entry.name])
        return "\n".join(lines)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        """File URLs of the dragged images: dropping one on the canvas restores its workflow."""
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime.setUrls([QUrl.fromLocalFile(str(self.entries[row].path)) for row in rows])
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
