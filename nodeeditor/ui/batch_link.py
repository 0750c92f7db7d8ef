"""The batch as part of the open document: kept in its meta (saved with it, edited with undo),
and offered from a node's menu (Run to Here, Use as Batch Axis)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from PySide6.QtWidgets import QDockWidget

from nodeeditor.core.errors import WorkflowError
from nodeeditor.core.ports import node_spec
from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import Workflow

from . import seed_control
from .main_window import MainWindow
from .panels.batch_panel import BatchPanel
from .panels.batch_undo import BatchEditCommand, batch_meta


class BatchLink:
    """Mixed into the RunController."""

    window: MainWindow
    registry: Registry
    batch_panel: BatchPanel
    batch_dock: QDockWidget
    _restoring: bool
    run_to: Callable[[str], asyncio.Future | None]

    def _batch_changed(self) -> None:
        """The batch is part of the document: kept in its meta, saved with it, edited with undo."""
        if self._restoring:
            return
        doc = self.window.document
        before = batch_meta(doc.workflow)
        scratch = Workflow()
        self.batch_panel.store_in(scratch)
        after = batch_meta(scratch)
        if after != before:
            doc.undo_stack.push(BatchEditCommand(doc, before, after, self._apply_batch))

    def _apply_batch(self, entries: dict[str, Any]) -> None:
        """Undo or redo of a batch edit: the document takes the entries, the panel shows them."""
        self._restoring = True
        try:
            self.window.document.set_meta(entries)
            self.batch_panel.restore_from(self.window.document.workflow)
        except WorkflowError as exc:
            self.window.statusBar().showMessage(f"Saved batch ignored: {exc}", 10000)
        finally:
            self._restoring = False

    def _node_menu(self, menu: Any, node_id: str, field: str | None) -> None:
        """Right-click a node: Run to Here; on a typed input: offer it as a batch axis."""
        doc = self.window.document
        if doc.level:  # inside a subgraph: runs and batches are of the whole workflow, from its top
            return
        menu.addAction("Run to Here", lambda: self.run_to(node_id))
        if field is None:
            return
        spec = node_spec(doc.workflow, doc.node(node_id), self.registry)
        inp = spec.inputs.get(field) if spec else None
        if inp is None or self.window.document.edges_into(node_id, field):
            return
        if seed_control.is_seed(inp):
            seed_control.add_menu(menu, self.window.document, node_id, inp)
        action = menu.addAction(f"Use “{inp.title}” as Batch Axis")
        action.triggered.connect(lambda: self.use_as_axis(node_id, field))

    def use_as_axis(self, node_id: str, field: str) -> None:
        self.batch_panel.set_workflow(self.window.document.workflow)
        self.batch_panel.add_axis(node_id, field)
        self.batch_dock.show()
        self.batch_dock.raise_()
