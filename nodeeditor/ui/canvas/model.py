"""The document being edited: a Workflow plus change notifications. No painting here.

Commands change the document through these methods; the scene observes the signals. Every change
goes through one method so the file on disk is always what the person sees. Nodes and edges come
and go in lists (one signal per list, not per node) and a command's edits announce `changed` once:
deleting 10,000 nodes is one pass over the workflow, not 30,000 signals and list searches.
"""

from __future__ import annotations

import copy
import gc
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from nodeeditor.core.graph import Graph
from nodeeditor.core.workflow import Edge, Frame, NodeData, SubgraphDef, Workflow

UNSET: Any = object()
"""Passed as a value to `set_input` to remove the typed value (the node then uses its default)."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a big edit makes tens of thousands of objects: each
    collection walks every live object, and at 10,000 nodes they cost more than the edit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _own_copy(workflow: Workflow) -> Workflow:
    """A copy the document may edit: nodes and frames are copied, frozen edges are shared.

    Values inside `inputs` are shared too; edits replace them and never change them in place.
    A deep copy of 2,000 nodes costs ~0.7 s, this ~20 ms.
    """
    return workflow.model_copy(update={
        "nodes": [n.model_copy(update={"inputs": dict(n.inputs)}) for n in workflow.nodes],
        "edges": list(workflow.edges),
        "frames": [f.model_copy() for f in workflow.frames],
        "subgraphs": {k: d.model_copy(deep=True) for k, d in workflow.subgraphs.items()},
        "meta": copy.deepcopy(workflow.meta),
    })


def _take(items: list[Any], gone: Iterable[Any], key: Any = id) -> list[tuple[Any, int]]:
    """Remove `gone` from `items` in one pass; returns each with the index it had, in list order.

    Nodes and frames are matched by identity (pydantic's == compares every field, and two nodes may
    look alike); edges, which are frozen values, by equality."""
    wanted = {key(item) for item in gone}
    taken, kept = [], []
    for index, item in enumerate(items):
        (taken.append((item, index)) if key(item) in wanted else kept.append(item))
    items[:] = kept
    return taken


def _put(items: list[Any], placed: Iterable[tuple[Any, int | None]]) -> None:
    """Insert items at the indices `_take` gave them (None appends), restoring the old order."""
    placed = list(placed)
    for item, index in sorted((p for p in placed if p[1] is not None), key=lambda p: p[1]):
        items.insert(index, item)
    items.extend(item for item, index in placed if index is None)


def _same(value: Any) -> Any:
    return value


class Document(QObject):
    nodes_added = Signal(list)
    """Ids of nodes added by one edit."""
    nodes_removed = Signal(list)
    node_changed = Signal(str)
    """Inputs, label or bypass changed (not position)."""
    node_moved = Signal(str)
    edges_added = Signal(list)
    edges_removed = Signal(list)
    frame_added = Signal(str)
    frame_removed = Signal(str)
    frame_changed = Signal(str)
    reset = Signal()
    """The whole workflow was replaced (open, new)."""
    changed = Signal()
    """Any edit; the window updates its title and the scene its validation."""
    path_changed = Signal()
    level_changed = Signal()
    """The level shown changed as a whole: the canvas went into a subgraph or out, or a definition
    was replaced (its nodes' sockets may differ). The scene rebuilds; runs and batches stay."""

    def __init__(self, workflow: Workflow | None = None, path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self.changed)  # signal to signal: gone with the document
        self._quiet = 0
        self._pending = False
        self.workflow = Workflow()
        self.root = self.workflow
        """The whole file; `workflow` is the level shown, the root or a subgraph's definition."""
        self.level: list[str] = []
        """Subgraph node ids from the root to the level shown."""
        self._nodes: dict[str, NodeData] = {}
        self._frames: dict[str, Frame] = {}
        self._graph: Graph | None = None
        self.path: Path | None = None
        self._unsaved = False
        self.load(workflow or Workflow(), path)

    # -- whole document -------------------------------------------------------------------------
    def load(self, workflow: Workflow, path: Path | None = None) -> None:
        self.undo_stack.clear()  # first: its cleanChanged must not reach observers with the new workflow half-shown
        with gc_paused():
            self.workflow = self.root = _own_copy(workflow)
            self.level = []
            self._nodes = {n.id: n for n in self.workflow.nodes}
            self._frames = {f.id: f for f in self.workflow.frames}
            self._graph = None
            self.path = path
            self._unsaved = False
            self.reset.emit()
        self.path_changed.emit()
        self.changed.emit()

    def snapshot(self) -> Workflow:
        """A copy of the whole workflow as it stands (whatever level is shown), for saving and running.

        Later edits do not reach it: its nodes, input dicts, frames, subgraphs and meta are its own,
        and values and edges are never changed in place (see `_own_copy`). A deep copy of 10,000
        nodes cost ~1 s of a save."""
        return _own_copy(self.root)

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

    @contextmanager
    def one_change(self) -> Iterator[None]:
        """Edits inside announce `changed` once, at the end (a command's redo and undo use it)."""
        self._quiet += 1
        try:
            with gc_paused():
                yield
        finally:
            self._quiet -= 1
            if not self._quiet and self._pending:
                self._pending = False
                self.changed.emit()

    def _changed(self) -> None:
        if self._quiet:
            self._pending = True
        else:
            self.changed.emit()

    # -- subgraph levels ------------------------------------------------------------------------
    def show_level(self, level: list[str]) -> None:
        """Show the root (empty `level`) or the definition behind a path of subgraph node ids.

        The level's workflow shares the definition's node and link lists, so every edit below
        lands in the definition (and in every node that uses it). Frames inside are not kept.
        """
        view, nodes = self.root, self.root.nodes
        for node_id in level:
            node = next(n for n in nodes if n.id == node_id)
            definition = self.root.subgraphs[node.subgraph]
            view = Workflow.model_construct(version=self.root.version, name=definition.name,
                                            nodes=definition.nodes, edges=definition.edges, frames=[],
                                            subgraphs=self.root.subgraphs, meta=self.root.meta)
            nodes = definition.nodes
        self.level = list(level)
        self.workflow = view
        self._nodes = {n.id: n for n in view.nodes}
        self._frames = {f.id: f for f in view.frames}
        self._graph = None
        self.level_changed.emit()
        self._changed()

    def level_names(self) -> list[str]:
        """The breadcrumb: "Workflow" then each definition's name down to the level shown."""
        names, nodes = ["Workflow"], self.root.nodes
        for node_id in self.level:
            node = next(n for n in nodes if n.id == node_id)
            definition = self.root.subgraphs[node.subgraph]
            names.append(node.label or definition.name)
            nodes = definition.nodes
        return names

    def level_prefix(self) -> str:
        """Path prefix of the level shown in run events and validation (`g1/` inside g1)."""
        return "".join(f"{node_id}/" for node_id in self.level)

    def definition_id(self) -> str | None:
        """Id of the definition shown, or None at the root."""
        def_id, nodes = None, self.root.nodes
        for node_id in self.level:
            def_id = next(n for n in nodes if n.id == node_id).subgraph
            nodes = self.root.subgraphs[def_id].nodes
        return def_id

    def definition(self) -> SubgraphDef | None:
        """The definition shown, or None at the root."""
        def_id = self.definition_id()
        return self.root.subgraphs[def_id] if def_id is not None else None

    def replace_root(self, workflow: Workflow) -> Workflow:
        """Swap in a changed whole workflow (an edit across levels, such as a renamed port), staying
        at the level shown; returns the one it replaced, for undo."""
        before = self.root
        self.root = _own_copy(workflow)
        self.show_level(self.level)
        return before

    def set_subgraph(self, def_id: str, definition: SubgraphDef | None) -> SubgraphDef | None:
        """Add, replace (or with None remove) a definition; returns what was there, for undo."""
        before = self.root.subgraphs.pop(def_id, None)
        if definition is not None:
            self.root.subgraphs[def_id] = definition.model_copy(deep=True)
        if before is not None and any(n.subgraph == def_id for n in self.workflow.nodes):
            self.level_changed.emit()
        self._changed()
        return before

    def new_subgraph_id(self, stem: str = "sg") -> str:
        n = 1
        while f"{stem}{n}" in self.root.subgraphs:
            n += 1
        return f"{stem}{n}"

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

    def graph(self) -> Graph:
        """Adjacency of the level shown, built once per change of its nodes or links (at 10,000
        nodes a build costs ~40 ms: validation, a link drag and its drop share one)."""
        if self._graph is None or self._graph.workflow is not self.workflow:
            self._graph = Graph(self.workflow)
        return self._graph

    def new_id(self, stem: str) -> str:
        """A fresh id like `add_3`, never used by a node or frame in this document."""
        stem = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "node"
        n = 1
        while f"{stem}_{n}" in self._nodes or f"{stem}_{n}" in self._frames:
            n += 1
        return f"{stem}_{n}"

    # -- edits (called by commands) --------------------------------------------------------------
    def add_node(self, node: NodeData, index: int | None = None) -> None:
        self.add_nodes([(node.model_copy(deep=True), index)])

    def add_nodes(self, placed: list[tuple[NodeData, int | None]]) -> None:
        """Put nodes in at their indices (None: at the end); the document keeps these objects."""
        _put(self.workflow.nodes, placed)
        self._graph = None
        for node, _index in placed:
            self._nodes[node.id] = node
        self.nodes_added.emit([node.id for node, _index in placed])
        self._changed()

    def remove_node(self, node_id: str) -> tuple[NodeData, int]:
        """Remove a node with no edges left; returns it and its index for undo."""
        return self.remove_nodes([node_id])[0]

    def remove_nodes(self, node_ids: Iterable[str]) -> list[tuple[NodeData, int]]:
        """Remove nodes with no edges left; returns them with their indices, for `add_nodes`."""
        taken = _take(self.workflow.nodes, [self._nodes.pop(nid) for nid in node_ids])
        self._graph = None
        self.nodes_removed.emit([node.id for node, _index in taken])
        self._changed()
        return taken

    def set_position(self, node_id: str, position: tuple[float, float]) -> None:
        self._nodes[node_id].position = (float(position[0]), float(position[1]))
        self.node_moved.emit(node_id)
        self._changed()

    def set_input(self, node_id: str, field: str, value: Any) -> None:
        inputs = self._nodes[node_id].inputs
        if value is UNSET:
            inputs.pop(field, None)
        else:
            inputs[field] = value
        self.node_changed.emit(node_id)
        self._changed()

    def set_label(self, node_id: str, label: str | None) -> None:
        self._nodes[node_id].label = label or None
        self.node_changed.emit(node_id)
        self._changed()

    def set_bypassed(self, node_id: str, bypassed: bool) -> None:
        self._nodes[node_id].bypassed = bypassed
        self.node_changed.emit(node_id)
        self._changed()

    def set_meta(self, changes: dict[str, Any]) -> None:
        """Set (or, with UNSET, remove) entries of the workflow's meta, e.g. the batch."""
        for key, value in changes.items():
            if value is UNSET:
                self.workflow.meta.pop(key, None)
            else:
                self.workflow.meta[key] = copy.deepcopy(value)
        self._changed()

    def add_edge(self, edge: Edge, index: int | None = None) -> None:
        self.add_edges([(edge, index)])

    def add_edges(self, placed: list[tuple[Edge, int | None]]) -> None:
        _put(self.workflow.edges, placed)
        self._graph = None
        self.edges_added.emit([edge for edge, _index in placed])
        self._changed()

    def remove_edge(self, edge: Edge) -> int:
        return self.remove_edges([edge])[0][1]

    def remove_edges(self, edges: Iterable[Edge]) -> list[tuple[Edge, int]]:
        """Remove edges in one pass; returns them with their indices, for `add_edges`."""
        taken = _take(self.workflow.edges, edges, _same)
        self._graph = None
        self.edges_removed.emit([edge for edge, _index in taken])
        self._changed()
        return taken

    def add_frame(self, frame: Frame, index: int | None = None) -> None:
        frame = frame.model_copy(deep=True)
        self.workflow.frames.insert(len(self.workflow.frames) if index is None else index, frame)
        self._frames[frame.id] = frame
        self.frame_added.emit(frame.id)
        self._changed()

    def remove_frame(self, frame_id: str) -> tuple[Frame, int]:
        frame = self._frames.pop(frame_id)
        (frame, index), = _take(self.workflow.frames, [frame])
        self.frame_removed.emit(frame_id)
        self._changed()
        return frame, index

    def update_frame(self, frame_id: str, **changes: Any) -> None:
        frame = self._frames[frame_id]
        for key, value in changes.items():
            setattr(frame, key, value)
        self.frame_changed.emit(frame_id)
        self._changed()
