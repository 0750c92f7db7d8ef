"""Running from the window: Invoke and Enqueue, live badges and thumbnails on the nodes, the heat
overlay, and the run docks (batch, queue, stats, gallery, inspector) wired to one worker.

Nothing here waits on the worker: its events arrive through the EngineBridge on the GUI thread.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QImage, QKeySequence

from nodeeditor.core.batch import Batch
from nodeeditor.core.errors import GraphValidationError, WorkflowError
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.partial import part_for
from nodeeditor.core.workflow import Workflow
from nodeeditor.engine.events import (
    NodeCompleted,
    NodeFailed,
    NodeProgress,
    SessionCompleted,
    SessionReleased,
    SessionStarted,
)
from nodeeditor.engine.worker_control import WorkerControl
from nodeeditor.store.status import SessionStatus
from nodeeditor.store.store import Store

from . import seed_control, theme
from .axis_marks import AxisMarks
from .batch_link import BatchLink
from .bridge import EngineBridge
from .canvas import value_display
from .canvas.commands import EditValueCommand
from .early_events import EarlyEvents
from .heat import heat_color
from .main_window import MainWindow
from .panels.background_loader import BackgroundLoader
from .panels.batch_panel import BatchPanel
from .panels.docking import panel_dock
from .panels.inspector_panel import InspectorPanel
from .panels.status_summary import StatusSummary
from .run_state import RunBoard
from .store_docks import StoreDocks

SHOW_VALUE, PREVIEW_IMAGE = "show_value", "preview_image"


class RunController(StoreDocks, BatchLink, QObject):
    def __init__(self, window: MainWindow, store: Store, worker: WorkerControl) -> None:
        super().__init__(window)
        self.window, self.store, self.worker = window, store, worker
        self.registry = window.registry
        self.board = RunBoard()
        self.watched_batches: set[int] = set()
        self.watched_sessions: set[str] = set()
        self.current_batch: int | None = None
        self._sessions_left = 0
        """Sessions of the current batch not ended yet: at none, nodes still "queued" never ran."""
        self._enqueued_at = 0.0
        self._early = EarlyEvents()
        self.heat_measure: str | None = None
        self._thumb_nodes: dict[str, list[str]] = {}
        """Image name -> the node paths that show it (an inner node and the subgraph nodes around it)."""
        self._node_thumbs: dict[str, QImage] = {}
        """The last thumbnail of each node, painted again when undo brings a node back."""
        # decoding a full image on the GUI thread would stall it; thumbnails are made on a pool
        self._thumbnails = BackgroundLoader(lambda name: QImage(str(self.store.artifacts.thumbnail(name))),
                                            parent=self)
        self._thumbnails.ready.connect(self._thumbnail_ready)
        self._restoring = False
        self._shut = False

        self.bridge = EngineBridge(worker, parent=self)
        self._build_docks()
        self._build_actions()
        self._connect()
        self._document_reset()

    # -- set-up -------------------------------------------------------------------------------
    def _build_docks(self) -> None:
        w = self.window
        self.batch_panel = BatchPanel(self.registry)
        self.batch_dock = panel_dock(self.batch_panel, "Batch", "batchDock", w)
        w.add_dock(self.batch_dock, Qt.DockWidgetArea.RightDockWidgetArea)
        self.inspector = InspectorPanel(self.registry, self._edit_from_inspector)
        self.inspector_dock = panel_dock(self.inspector, "Inspector", "inspectorDock", w)
        w.add_dock(self.inspector_dock, Qt.DockWidgetArea.RightDockWidgetArea)
        self._build_store_docks()
        if not w.settings.value("window/state"):
            w.tabifyDockWidget(self.batch_dock, self.inspector_dock)
            w.tabifyDockWidget(self.queue_dock, self.stats_dock)
            w.tabifyDockWidget(self.stats_dock, self.gallery_dock)
            w.tabifyDockWidget(self.gallery_dock, self.workers_dock)
            self.batch_dock.raise_()
            self.queue_dock.raise_()
            w.resizeDocks([self.batch_dock], [440], Qt.Orientation.Horizontal)
            w.resizeDocks([self.queue_dock], [300], Qt.Orientation.Vertical)
        self.status = StatusSummary(self.bridge, self.store.queue.counts())
        w.statusBar().addPermanentWidget(self.status)

    def _build_actions(self) -> None:
        w = self.window
        self.invoke_action = QAction("Invoke", w)
        self.invoke_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.invoke_action.setToolTip("Run the graph once through the queue (Ctrl+Enter)")
        self.invoke_action.triggered.connect(self.invoke)
        w.add_run_action(self.invoke_action)
        self.enqueue_action = QAction("Enqueue Batch", w)
        self.enqueue_action.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        self.enqueue_action.triggered.connect(self.batch_panel.enqueue)
        w.add_run_action(self.enqueue_action)
        self.cancel_action = QAction("Cancel Running Session", w)
        self.cancel_action.setShortcut(QKeySequence("Ctrl+."))
        self.cancel_action.triggered.connect(lambda: self.worker.cancel_current())
        w.add_run_action(self.cancel_action)
        w.run_menu.addSeparator()
        group = QActionGroup(w)
        self.heat_actions: dict[str | None, QAction] = {}
        for measure, text in ((None, "No Heat Overlay"), ("time", "Heat Overlay: Time"),
                              ("memory", "Heat Overlay: Peak Memory")):
            action = QAction(text, w, checkable=True)
            action.setChecked(measure is None)
            action.triggered.connect(lambda _=False, m=measure: self.set_heat(m))
            group.addAction(action)
            w.add_run_action(action)
            self.heat_actions[measure] = action
        toolbar = w.addToolBar("Run")
        toolbar.setObjectName("runToolbar")
        toolbar.addAction(self.invoke_action)
        toolbar.addAction(self.enqueue_action)
        toolbar.addAction(self.cancel_action)
        toolbar.addAction(self.heat_actions["time"])

    def _connect(self) -> None:
        b = self.bridge
        b.sessionStarted.connect(self._session_started)
        for signal in (b.nodeStarted, b.nodeProgress, b.nodeCompleted, b.nodeFailed):
            signal.connect(self._node_event)
        b.sessionCompleted.connect(self._session_completed)
        b.sessionReleased.connect(self._session_stopped)
        self.batch_panel.enqueueRequested.connect(self.enqueue)
        self.batch_panel.changed.connect(self._batch_changed)
        self._connect_store_docks()
        self.axis_marks = AxisMarks(self.window.editor, self.batch_panel, self.use_as_axis)
        self.batch_panel.changed.connect(self.axis_marks.refresh)
        doc = self.window.document
        doc.nodes_added.connect(self._nodes_returned)
        doc.level_changed.connect(lambda: self._nodes_returned(list(self.window.scene.node_items)))
        doc.reset.connect(self._document_reset)
        doc.changed.connect(lambda: self.batch_panel.set_workflow(doc.workflow))
        doc.node_changed.connect(lambda node_id: node_id in self.window.scene.selected_node_ids()
                                 and self._selection_changed())
        self.window.scene.selectionChanged.connect(self._selection_changed)
        self.window.canvas.node_menu_hooks.append(self._node_menu)
        self.window.add_close_hook(self.shutdown)

    # -- running ------------------------------------------------------------------------------
    def invoke(self) -> asyncio.Future | None:
        """Run the graph once; then seeds set to move after each run move (the run keeps the old ones)."""
        queued = self.enqueue(None, 0, False)
        if queued is not None:
            seed_control.after_run(self.window.document, self.registry)
        return queued

    def enqueue(self, batch: Batch | None, priority: int = 0, front: bool = False) -> asyncio.Future | None:
        """Validate (problems show on the nodes, nothing is queued), then queue off the GUI thread.

        Validating and writing a large batch can take a while; it runs in the asyncio loop's
        executor (qasync runs that loop on Qt's), so the window keeps drawing meanwhile.
        """
        issues = self.window.scene.validate()
        if issues:
            self.window.statusBar().showMessage(f"Not queued: {issues[0]}", 10000)
            return None
        workflow = self.window.document.snapshot()
        return asyncio.ensure_future(self._enqueue(workflow, batch, priority, front))

    async def _enqueue(self, workflow: Workflow, batch: Batch | None, priority: int, front: bool) -> int | None:
        job = functools.partial(self.store.queue.enqueue, workflow, batch, priority=priority, front=front,
                                name=workflow.name, registry=self.registry)
        self._early.in_flight += 1
        try:
            result = await asyncio.get_event_loop().run_in_executor(None, job)
        except GraphValidationError as exc:
            self.window.statusBar().showMessage(f"Not queued: {exc.issues[0]}", 10000)
            return None
        finally:
            self._early.in_flight -= 1
        self.queue_dock.panel.items_added()
        self.watched_batches.add(result.batch_id)
        self.current_batch = result.batch_id
        self._sessions_left = result.count
        self._enqueued_at = time.monotonic()
        self.watched_sessions.clear()
        self.board.begin_workflow(workflow)
        for node_id in self.board.nodes:
            self._paint(node_id)
        self._replay_early(result.batch_id)
        self.worker.wake()
        self.window.statusBar().showMessage(
            f"Queued batch {result.batch_id}: {result.count} session{'s' * (result.count != 1)}", 5000)
        self.stats_dock.panel.set_scope("batch", batch_id=result.batch_id)
        return result.batch_id

    def _session_started(self, event: SessionStarted) -> None:
        if event.batch_id == self.current_batch and event.session_id:
            self.watched_sessions.add(event.session_id)
        else:
            self._early.started(event, self.watched_batches)

    def _replay_early(self, batch_id: int) -> None:
        """The enqueue returned: the sessions of its batch that already ran are shown now, in order."""
        for session_id, events in self._early.take(batch_id):
            self.watched_sessions.add(session_id)
            for event in events:
                if isinstance(event, SessionCompleted):
                    self._session_completed(event)
                elif isinstance(event, SessionReleased):
                    self._session_stopped(event)
                else:
                    self._node_event(event)

    def _node_event(self, event: Any) -> None:
        if event.session_id not in self.watched_sessions:
            self._early.hold(event)
            return
        changed = self.board.apply_all(event)
        if not changed:
            return
        for path in changed:
            self._paint(path)
        images = []
        if isinstance(event, NodeCompleted):
            images = event.images
        elif isinstance(event, NodeProgress) and event.preview:
            images = [event.preview]
        if images:
            waiting = self._thumb_nodes.setdefault(images[-1], [])  # a pass-through node shows the same image
            if not waiting:
                self._thumbnails.request(images[-1])
            waiting.extend(changed)
        if isinstance(event, NodeFailed):
            for item in filter(None, map(self._item, changed)):
                item.setToolTip(f"{event.error}\n(full traceback in the Inspector)")
        if any(self._local(path) in self.window.scene.selected_node_ids() for path in changed):
            self._selection_changed()

    def _session_completed(self, event: SessionCompleted) -> None:
        if self._early.hold(event):
            return
        if event.session_id in self.watched_sessions:
            if event.status == SessionStatus.CANCELED:
                self._session_stopped(event)
            if self.heat_measure:
                self._paint_heat()
            if event.status == SessionStatus.FAILED and event.error:
                self.window.statusBar().showMessage(f"Session failed: {event.error}", 10000)
            if event.batch_id == self.current_batch:
                self._sessions_left -= 1
                if self._sessions_left == 0:
                    for node_id in self.board.close():
                        self._paint(node_id)

    def _queue_settled(self, batch_id: int | None, asked: float) -> None:
        """The queue panel counted nothing waiting or running, after the current batch was queued:
        it ended, also when its sessions were canceled from the queue before any ran."""
        if self.current_batch is None or batch_id not in (None, self.current_batch) or asked < self._enqueued_at:
            return
        self._sessions_left = 0
        for node_id in self.board.close():
            self._paint(node_id)

    def _session_stopped(self, event: SessionCompleted | SessionReleased) -> None:
        """Canceled, handed back or taken over: its nodes no longer show "running"."""
        if isinstance(event, SessionReleased) and self._early.hold(event):
            return
        if event.session_id in self.watched_sessions:
            for node_id in self.board.settle():
                self._paint(node_id)

    def _thumbnail_ready(self, name: str, image: QImage) -> None:
        for node_id in self._thumb_nodes.pop(name, []):
            if image.isNull():
                break
            self._node_thumbs[node_id] = image
            item = self._item(node_id)
            if item is not None:
                self._show_thumbnail(item, image)

    @staticmethod
    def _show_thumbnail(item: Any, image: QImage) -> None:
        item.set_thumbnail(image, theme.PREVIEW_H if item.node.type == PREVIEW_IMAGE else theme.THUMB_H)

    def _nodes_returned(self, node_ids: list[str]) -> None:
        """Nodes (re)appear, e.g. by undo: they show their last run, thumbnail and axis markers again."""
        prefix = self.window.document.level_prefix()
        for node_id in node_ids:
            item = self.window.node_item(node_id)
            if item is None:
                continue
            self._paint(prefix + node_id)
            if prefix + node_id in self._node_thumbs:
                self._show_thumbnail(item, self._node_thumbs[prefix + node_id])
        if self.heat_measure:
            self._paint_heat()
        self.axis_marks.refresh()

    def _local(self, path: str) -> str | None:
        """The id on the level shown of a node named by its path from the top (`g1/blur` is
        `blur` inside g1), or None when the node is not on that level."""
        prefix = self.window.document.level_prefix()
        local = path[len(prefix):] if path.startswith(prefix) else ""
        return local if local and "/" not in local else None

    def _item(self, path: str) -> Any:
        local = self._local(path)
        return self.window.node_item(local) if local is not None else None

    def _paint(self, node_id: str) -> None:
        """Badge and outputs of the node at path `node_id`, when it is on the level shown."""
        item = self._item(node_id)
        run = self.board.nodes.get(node_id)
        if item is not None and run is not None:
            item.set_badge(*run.badge())
            item.set_outputs(run.outputs)
            if item.node.type == SHOW_VALUE:
                shown = run.outputs.get("value")
                item.set_shown(None if shown is None else value_display.shown_from_summary(shown))

    # -- heat overlay -------------------------------------------------------------------------
    def set_heat(self, measure: str | None) -> None:
        self.heat_measure = measure
        self.heat_actions[measure].setChecked(True)
        self._paint_heat()

    def _paint_heat(self) -> None:
        prefix = self.window.document.level_prefix()
        shares = self.board.heat(self.heat_measure, prefix) if self.heat_measure else {}
        for node_id, item in self.window.scene.node_items.items():
            share = shares.get(node_id)
            item.set_heat(None if share is None else heat_color(share), None if share is None else share)

    # -- documents, selection, batch ------------------------------------------------------------
    def _document_reset(self) -> None:
        doc = self.window.document
        self.board.begin([])
        self._node_thumbs.clear()
        self.current_batch = None
        self._restoring = True
        try:
            self.batch_panel.set_workflow(doc.workflow)
            self.batch_panel.restore_from(doc.workflow)
        except WorkflowError as exc:
            self.window.statusBar().showMessage(f"Saved batch ignored: {exc}", 10000)
        finally:
            self._restoring = False
        self.axis_marks.refresh()
        self._selection_changed()

    def _selection_changed(self) -> None:
        selected = self.window.scene.selected_node_ids()
        doc = self.window.document
        if len(selected) == 1 and doc.has_node(selected[0]):
            linked = {e.destination.field for e in doc.edges_of(selected[0]) if e.destination.node == selected[0]}
            self.inspector.show_node(doc.node(selected[0]), self.board.nodes.get(doc.level_prefix() + selected[0]),
                                     linked)
        else:
            self.inspector.show_node(None, None)

    def _edit_from_inspector(self, node_id: str, field: str, value: Any, session: int) -> None:
        doc = self.window.document
        if doc.has_node(node_id):
            doc.undo_stack.push(EditValueCommand(doc, node_id, field, value, session))

    def run_to(self, node_id: str) -> asyncio.Future | None:
        """Run `node_id` and only what it needs, once; cached upstream results are reused."""
        part = part_for(self.window.document.snapshot(), node_id)
        issues = validate_graph(part, self.registry)
        if issues:
            self.window.statusBar().showMessage(f"Not queued: {issues[0]}", 10000)
            return None
        for other, item in self.window.scene.node_items.items():
            if other not in {n.id for n in part.nodes}:
                item.set_badge(None)
        return asyncio.ensure_future(self._enqueue(part, None, 0, False))

    def shutdown(self) -> None:
        """Once, when the window closes: stop the panels' threads and the bridge."""
        if self._shut:
            return
        self._shut = True
        self.window.scene.selectionChanged.disconnect(self._selection_changed)
        self._shutdown_store_docks()
        self.bridge.detach()
        self._thumbnails.close(2000)
