"""Collapsing nodes to their header (H). Which nodes are collapsed is part of the workflow, kept in
`meta["collapsed"]` (a list of node ids), and changed by one undoable command per toggle.

`CollapseSync` puts that list on the items: it touches only the nodes whose state changed, so an
edit elsewhere costs nothing on a big graph.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand

from .model import UNSET, Document

KEY = "collapsed"


def collapsed_ids(doc: Document) -> set[str]:
    value = doc.workflow.meta.get(KEY)
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


class CollapseCommand(QUndoCommand):
    def __init__(self, doc: Document, node_ids: list[str], collapse: bool) -> None:
        super().__init__("Collapse" if collapse else "Expand")
        self.doc = doc
        self.before = collapsed_ids(doc)
        self.after = (self.before | set(node_ids)) if collapse else (self.before - set(node_ids))

    def _set(self, ids: set[str]) -> None:
        self.doc.set_meta({KEY: sorted(ids) if ids else UNSET})

    def redo(self) -> None:
        self._set(self.after)

    def undo(self) -> None:
        self._set(self.before)


class CollapseSync(QObject):
    def __init__(self, scene: Any) -> None:
        super().__init__(scene)
        self.scene = scene
        self._shown: set[str] = set()
        doc = scene.document
        doc.changed.connect(self._changed)
        doc.reset.connect(self._reset)
        doc.nodes_added.connect(self._added)
        self._reset()

    def _apply(self, ids: Any, collapsed: set[str]) -> None:
        for node_id in ids:
            item = self.scene.node_items.get(node_id)
            if item is not None:
                item.set_collapsed(node_id in collapsed)

    def _reset(self) -> None:
        self._shown = collapsed_ids(self.scene.document)
        self._apply(self._shown, self._shown)

    def _changed(self) -> None:
        now = collapsed_ids(self.scene.document)
        if now != self._shown:
            self._apply(now ^ self._shown, now)
            self._shown = now

    def _added(self, node_ids: list[str]) -> None:
        self._apply([n for n in node_ids if n in self._shown], self._shown)


def toggle_collapse(scene: Any) -> None:
    """Collapse the selected nodes, or expand them when every one is collapsed already."""
    ids = scene.selected_node_ids()
    if ids:
        collapse = not all(i in collapsed_ids(scene.document) for i in ids)
        scene.document.undo_stack.push(CollapseCommand(scene.document, ids, collapse))
