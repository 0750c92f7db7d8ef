"""One small QUndoCommand per edit. Commands change the Document; the scene follows its signals.

A command that makes several edits makes them inside `Document.one_change()` and in lists
(`add_nodes`, `remove_edges`...), so the document announces the step once."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtGui import QUndoCommand

from nodeeditor.core.workflow import Edge, Frame, NodeData

from .model import UNSET, Document

EDIT_VALUE_ID = 1001


class CompositeCommand(QUndoCommand):
    """Several commands as one undo step (Qt's parent/child commands lose their Python halves)."""

    def __init__(self, text: str, commands: list[QUndoCommand]) -> None:
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        with _quiet(self.commands):
            for command in self.commands:
                command.redo()

    def undo(self) -> None:
        with _quiet(self.commands):
            for command in reversed(self.commands):
                command.undo()


def _quiet(commands: list[QUndoCommand]) -> Any:
    doc = next((c.doc for c in commands if isinstance(getattr(c, "doc", None), Document)), None)
    return doc.one_change() if doc is not None else contextlib.nullcontext()


class AddItemsCommand(QUndoCommand):
    """Add nodes, the edges between them (or to existing nodes) and frames: add node, paste, duplicate."""

    def __init__(self, doc: Document, nodes: list[NodeData], edges: list[Edge] = (),
                 frames: list[Frame] = (), text: str = "Add node") -> None:
        super().__init__(text)
        self.doc, self.nodes, self.edges, self.frames = doc, list(nodes), list(edges), list(frames)

    def redo(self) -> None:
        with self.doc.one_change():
            for frame in self.frames:
                self.doc.add_frame(frame)
            if self.nodes:
                self.doc.add_nodes([(node.model_copy(deep=True), None) for node in self.nodes])
            if self.edges:
                self.doc.add_edges([(edge, None) for edge in self.edges])

    def undo(self) -> None:
        with self.doc.one_change():
            if self.edges:
                self.doc.remove_edges(self.edges)
            if self.nodes:
                self.doc.remove_nodes([node.id for node in self.nodes])
            for frame in reversed(self.frames):
                self.doc.remove_frame(frame.id)


class RemoveItemsCommand(QUndoCommand):
    """Delete nodes (with every edge touching them), edges and frames; undo puts each back in place."""

    def __init__(self, doc: Document, node_ids: list[str], edges: list[Edge] = (),
                 frame_ids: list[str] = (), text: str = "Delete") -> None:
        super().__init__(text)
        self.doc = doc
        self.node_ids = list(dict.fromkeys(node_ids))
        gone = set(self.node_ids)
        touching = [e for e in doc.workflow.edges if e.source.node in gone or e.destination.node in gone]
        self.edges = list(dict.fromkeys([*edges, *touching]))
        self.frame_ids = list(frame_ids)
        self._edges_at: list[tuple[Edge, int]] = []
        self._nodes_at: list[tuple[NodeData, int]] = []
        self._frames_at: list[tuple[Frame, int]] = []

    def redo(self) -> None:
        with self.doc.one_change():
            self._edges_at = self.doc.remove_edges(self.edges) if self.edges else []
            self._nodes_at = self.doc.remove_nodes(self.node_ids) if self.node_ids else []
            self._frames_at = [self.doc.remove_frame(fid) for fid in self.frame_ids]

    def undo(self) -> None:
        with self.doc.one_change():
            for frame, index in reversed(self._frames_at):
                self.doc.add_frame(frame, index)
            if self._nodes_at:
                self.doc.add_nodes(self._nodes_at)
            if self._edges_at:
                self.doc.add_edges(self._edges_at)


Point = tuple[float, float]
Rect = tuple[float, float, float, float]


class MoveCommand(QUndoCommand):
    """Moves of many nodes and frames from one drag: one undo step."""

    def __init__(self, doc: Document, nodes: dict[str, tuple[Point, Point]],
                 frames: dict[str, tuple[Rect, Rect]] | None = None) -> None:
        count = len(nodes) + len(frames or {})
        super().__init__("Move" if count == 1 else f"Move {count} items")
        self.doc, self.nodes, self.frames = doc, nodes, frames or {}

    def _apply(self, which: int) -> None:
        with self.doc.one_change():
            for nid, positions in self.nodes.items():
                self.doc.set_position(nid, positions[which])
            for fid, rects in self.frames.items():
                self.doc.update_frame(fid, rect=rects[which])

    def redo(self) -> None:
        self._apply(1)

    def undo(self) -> None:
        self._apply(0)


class ConnectCommand(QUndoCommand):
    """Add a link; links it displaces (an occupied single input) go, and come back on undo."""

    def __init__(self, doc: Document, edge: Edge, replaces: list[Edge] = ()) -> None:
        super().__init__("Connect")
        self.doc, self.edge, self.replaces = doc, edge, list(replaces)
        self._removed: list[tuple[Edge, int]] = []

    def redo(self) -> None:
        with self.doc.one_change():
            self._removed = self.doc.remove_edges(self.replaces) if self.replaces else []
            self.doc.add_edge(self.edge)

    def undo(self) -> None:
        with self.doc.one_change():
            self.doc.remove_edge(self.edge)
            if self._removed:
                self.doc.add_edges(self._removed)


class DisconnectCommand(QUndoCommand):
    def __init__(self, doc: Document, edges: list[Edge], text: str = "Disconnect") -> None:
        super().__init__(text)
        self.doc, self.edges = doc, list(edges)
        self._removed: list[tuple[Edge, int]] = []

    def redo(self) -> None:
        self._removed = self.doc.remove_edges(self.edges)

    def undo(self) -> None:
        self.doc.add_edges(self._removed)


class EditValueCommand(QUndoCommand):
    """A typed value; edits of one field in one editing session merge into one step while typing."""

    def __init__(self, doc: Document, node_id: str, field: str, value: Any,
                 session: int | None = None) -> None:
        super().__init__(f"Edit {field}")
        self.doc, self.node_id, self.field, self.session = doc, node_id, field, session
        self.old = doc.node(node_id).inputs.get(field, UNSET)
        self.new = value

    def id(self) -> int:
        return EDIT_VALUE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditValueCommand) or self.session is None or (
                (other.node_id, other.field, other.session) != (self.node_id, self.field, self.session)):
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.doc.set_input(self.node_id, self.field, self.new)

    def undo(self) -> None:
        self.doc.set_input(self.node_id, self.field, self.old)


class RenameCommand(QUndoCommand):
    def __init__(self, doc: Document, node_id: str, label: str | None) -> None:
        super().__init__("Rename")
        self.doc, self.node_id = doc, node_id
        self.old, self.new = doc.node(node_id).label, label or None

    def redo(self) -> None:
        self.doc.set_label(self.node_id, self.new)

    def undo(self) -> None:
        self.doc.set_label(self.node_id, self.old)


class BypassCommand(QUndoCommand):
    """Toggle bypass on several nodes at once."""

    def __init__(self, doc: Document, node_ids: list[str], bypassed: bool) -> None:
        super().__init__("Bypass" if bypassed else "Enable")
        self.doc, self.bypassed = doc, bypassed
        self.old = {nid: doc.node(nid).bypassed for nid in node_ids}

    def redo(self) -> None:
        with self.doc.one_change():
            for nid in self.old:
                self.doc.set_bypassed(nid, self.bypassed)

    def undo(self) -> None:
        with self.doc.one_change():
            for nid, value in self.old.items():
                self.doc.set_bypassed(nid, value)


class EditFrameCommand(QUndoCommand):
    """Rename, recolour or resize a frame."""

    def __init__(self, doc: Document, frame_id: str, **changes: Any) -> None:
        super().__init__("Edit frame")
        self.doc, self.frame_id = doc, frame_id
        frame = doc.frame(frame_id)
        self.old = {k: getattr(frame, k) for k in changes}
        self.new = changes

    def redo(self) -> None:
        self.doc.update_frame(self.frame_id, **self.new)

    def undo(self) -> None:
        self.doc.update_frame(self.frame_id, **self.old)
