"""The document being edited: a Workflow plus change notifications. No painting here.

Commands change the document through these methods; the scene observes the signals. Every change
goes through one method so the file on disk is always what the person sees.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from nodeeditor.core.workflow import Edge, Frame, NodeData, Workflow

UNSET: Any = object()
"""Passed as a value to `set_input` to remove the typed value (the node then uses its default)."""


def _own_copy(workflow: Workflow) -> Workflow:
    """A copy the document may edit: nodes and frames are copied, frozen edges are shared.

    Values inside `inputs` are shared too; edits replace them and never change them in place.
    A deep copy of 2,000 nodes costs ~0.7 s, this ~20 ms.
    """
    return workflow.model_copy(update={
        "nodes": [n.model_copy(update={"inputs": dict(n.inputs)}) for n in workflow.nodes],
        "edges": list(workflow.edges),
        "frames": [f.model_copy() for f in workflow.frames],
        "meta": copy.deepcopy(workflow.meta),
    })


def _index_of(items: list[Any], item: Any) -> int:
    """Index by identity: pydantic's == compares every field, and two nodes may look alike."""
    return next(i for i, candidate in enumerate(items) if candidate is item)


class Document(QObject):
    node_added = Signal(str)
    node_removed = Signal(str)
    node_changed = Signal(str)
    """Inputs, label or bypass changed (not position)."""
    node_moved = Signal(str)
    edge_added = Signal(object)
    edge_removed = Signal(object)
    frame_added = Signal(str)
    frame_removed = Signal(str)
    frame_changed = Signal(str)
    reset = Signal()
    """The whole workflow was replaced (open, new)."""
    changed = Signal()
    """Any edit; the window updates its title and the scene its validation."""
    path_changed = Signal()

    def __init__(self, workflow: Workflow | None = None, path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self.changed)  # signal to signal: gone with the document
        self.workflow = Workflow()
        self._nodes: dict[str, NodeData] = {}
        self._frames: dict[str, Frame] = {}
        self.path: Path | None = None
        self._unsaved = False
        self.load(workflow or Workflow(), path)

    # -- whole document -------------------------------------------------------------------------
    def load(self, workflow: Workflow, path: Path | None = None) -> None:
        self.undo_stack.clear()  # first: its cleanChanged must not reach observers with the new workflow half-shown
        self.workflow = _own_copy(workflow)
        self._nodes = {n.id: n for n in self.workflow.nodes}
        self._frames = {f.id: f for f in self.workflow.frames}
        self.path = path
        self._unsaved = False
        self.reset.emit()
        self.path_changed.emit()
        self.changed.emit()

    def snapshot(self) -> Workflow:
        """A copy of the workflow as it stands, for saving and running."""
        return self.workflow.model_copy(deep=True)

    @property
    def modified(self) -> bool:
        return self._unsaved or not self.undo_stack.isClean()

    def mark_unsaved(self) -> None:
        """Modified although nothing is on the undo stack (a recovered autosave)."""
        self._unsaved = True
        self.changed.emit()

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self._unsaved = False
        self.undo_stack.setClean()
        self.path_changed.emit()
        self.changed.emit()

    # -- queries --------------------------------------------------------------------------------
    def node(self, node_id: str) -> NodeData:
        return self._nodes[node_id]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def frame(self, frame_id: str) -> Frame:
        return self._frames[frame_id]

    def edges_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.workflow.edges
                if e.source.node == node_id or e.destination.node == node_id]

    def edges_into(self, node_id: str, field: str) -> list[Edge]:
        return [e for e in self.workflow.edges
                if e.destination.node == node_id and e.destination.field == field]

    def new_id(self, stem: str) -> str:
        """A fresh id like `add_3`, never used by a node or frame in this document."""
        stem = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "node"
        n = 1
        while f"{stem}_{n}" in self._nodes or f"{stem}_{n}" in self._frames:
            n += 1
        return f"{stem}_{n}"

    # -- edits (called by commands) --------------------------------------------------------------
    def add_node(self, node: NodeData, index: int | None = None) -> None:
        node = node.model_copy(deep=True)
        self.workflow.nodes.insert(len(self.workflow.nodes) if index is None else index, node)
        self._nodes[node.id] = node
        self.node_added.emit(node.id)
        self.changed.emit()

    def remove_node(self, node_id: str) -> tuple[NodeData, int]:
        """Remove a node with no edges left; returns it and its index for undo."""
        node = self._nodes.pop(node_id)
        index = _index_of(self.workflow.nodes, node)
        del self.workflow.nodes[index]
        self.node_removed.emit(node_id)
        self.changed.emit()
        return node, index

    def set_position(self, node_id: str, position: tuple[float, float]) -> None:
        self._nodes[node_id].position = (float(position[0]), float(position[1]))
        self.node_moved.emit(node_id)
        self.changed.emit()

    def set_input(self, node_id: str, field: str, value: Any) -> None:
        inputs = self._nodes[node_id].inputs
        if value is UNSET:
            inputs.pop(field, None)
        else:
            inputs[field] = value
        self.node_changed.emit(node_id)
        self.changed.emit()

    def set_label(self, node_id: str, label: str | None) -> None:
        self._nodes[node_id].label = label or None
        self.node_changed.emit(node_id)
        self.changed.emit()

    def set_bypassed(self, node_id: str, bypassed: bool) -> None:
        self._nodes[node_id].bypassed = bypassed
        self.node_changed.emit(node_id)
        self.changed.emit()

    def set_meta(self, changes: dict[str, Any]) -> None:
        """Set (or, with UNSET, remove) entries of the workflow's meta, e.g. the batch."""
        for key, value in changes.items():
            if value is UNSET:
                self.workflow.meta.pop(key, None)
            else:
                self.workflow.meta[key] = copy.deepcopy(value)
        self.changed.emit()

    def add_edge(self, edge: Edge, index: int | None = None) -> None:
        self.workflow.edges.insert(len(self.workflow.edges) if index is None else index, edge)
        self.edge_added.emit(edge)
        self.changed.emit()

    def remove_edge(self, edge: Edge) -> int:
        index = self.workflow.edges.index(edge)
        del self.workflow.edges[index]
        self.edge_removed.emit(edge)
        self.changed.emit()
        return index

    def add_frame(self, frame: Frame, index: int | None = None) -> None:
        frame = frame.model_copy(deep=True)
        self.workflow.frames.insert(len(self.workflow.frames) if index is None else index, frame)
        self._frames[frame.id] = frame
        self.frame_added.emit(frame.id)
        self.changed.emit()

    def remove_frame(self, frame_id: str) -> tuple[Frame, int]:
        frame = self._frames.pop(frame_id)
        index = _index_of(self.workflow.frames, frame)
        del self.workflow.frames[index]
        self.frame_removed.emit(frame_id)
        self.changed.emit()
        return frame, index

    def update_frame(self, frame_id: str, **changes: Any) -> None:
        frame = self._frames[frame_id]
        for key, value in changes.items():
            setattr(frame, key, value)
        self.frame_changed.emit(frame_id)
        self.changed.emit()
