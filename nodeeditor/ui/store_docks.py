"""The docks that read the store (queue, stats, gallery, workers), and moving them to another
store or worker while the window runs (File → Connect to Queue…, Run → Run a Local Worker).

A mixin of RunController: it holds the window, store, worker, bridge and run board these use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt

from nodeeditor.engine.worker_control import WorkerControl

from .panels.docking import panel_dock
from .panels.gallery_panel import GalleryPanel
from .panels.queue_panel import QueueDock
from .panels.stats_panel import StatsDock
from .panels.workers_panel import WorkersDock
from .remote_feed import RemoteWorkers


class StoreDocks:
    window: Any
    store: Any
    worker: Any
    bridge: Any
    board: Any
    watched_batches: set[int]
    watched_sessions: set[str]
    current_batch: int | None
    status: Any
    _early: Any
    _node_thumbs: dict[str, Any]

    def _build_store_docks(self) -> None:
        """The docks that read the store: built again when the window uses another store."""
        w = self.window
        pausable = None if isinstance(self.worker, RemoteWorkers) else self.worker
        self.queue_dock = QueueDock(self.store.queue, self.bridge, pausable, w)
        w.add_dock(self.queue_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.stats_dock = StatsDock(self.store.stats, self.bridge, w)
        w.add_dock(self.stats_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.gallery = GalleryPanel(self.store)
        self.gallery.watch(self.bridge)
        self.gallery_dock = panel_dock(self.gallery, "Gallery", "galleryDock", w)
        w.add_dock(self.gallery_dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.workers_dock = WorkersDock(self.store, w)
        w.add_dock(self.workers_dock, Qt.DockWidgetArea.BottomDockWidgetArea)

    def use(self, store: Any, worker: WorkerControl) -> None:
        """Run with another worker (Run a Local Worker), or on another store (File → Connect to
        Queue…): then the docks that read the store are built again in the same places, and what
        the canvas shows of the last run is cleared (its batch lives in the other store). The
        caller stops the old worker and closes the old store."""
        w = self.window
        if store is self.store:  # only the worker changes (Run a Local Worker): the docks stay
            self.worker = worker
            self.bridge.attach(worker)
            self.queue_dock.panel.set_worker(None if isinstance(worker, RemoteWorkers) else worker)
            return
        layout = w.saveState()
        self._shutdown_store_docks()
        for dock in (self.queue_dock, self.stats_dock, self.gallery_dock, self.workers_dock):
            w.window_menu.removeAction(dock.toggleViewAction())
            w.removeDockWidget(dock)
            shiboken6.delete(dock)  # at once: no event of the new store may reach the old panels
        self.store, self.worker = store, worker
        self.bridge.attach(worker)
        self._build_store_docks()
        w.restoreState(layout)
        self._connect_store_docks()
        self.status.set_counts(store.queue.counts())
        self.watched_batches.clear()
        self.watched_sessions.clear()
        self._early.clear()
        self.current_batch = None
        self.board.begin([])
        self._node_thumbs.clear()
        for item in w.scene.node_items.values():
            item.set_badge(None)
            item.set_heat(None, None)

    def _connect_store_docks(self) -> None:
        self.gallery.restoreRequested.connect(lambda path: self.window.open_path(Path(path)))
        self.queue_dock.panel.selectedItemChanged.connect(self.stats_dock.panel.show_item)
        self.queue_dock.panel.settled.connect(self._queue_settled)

    def _shutdown_store_docks(self) -> None:
        self.queue_dock.panel.shutdown()
        self.stats_dock.panel.shutdown()
        self.workers_dock.panel.shutdown()
        self.gallery.shutdown()

