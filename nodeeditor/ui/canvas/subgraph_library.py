"""The subgraph library on the canvas: Save to Library, library entries in the palette (category
"Subgraphs"), and "Update to library version" on a subgraph node whose entry is newer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF
from PySide6.QtWidgets import QInputDialog, QMenu

from nodeeditor.core.library import LibraryEntry, embed, load_library, newer_in_library, save_to_library, stamp
from nodeeditor.core.node import NodeSpec
from nodeeditor.core.ports import subgraph_spec
from nodeeditor.core.workflow import SUBGRAPH, NodeData

from .commands import AddItemsCommand, CompositeCommand
from .subgraph_commands import SetSubgraphCommand

if TYPE_CHECKING:
    from nodeeditor.ui.main_window import MainWindow


class SubgraphLibrary(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.home = window.home
        self._offered: dict[int, LibraryEntry] = {}
        window.canvas.palette_extras = self.palette_entries
        window.canvas.pick_extra = self.insert_spec
        window.canvas.node_menu_hooks.append(self._node_menu)

    def entries(self) -> list[LibraryEntry]:
        entries, errors = load_library(self.home)
        if errors:
            self.window.statusBar().showMessage(f"Library entry skipped: {errors[0]}", 8000)
        return entries

    # -- palette --------------------------------------------------------------------------------
    def palette_entries(self) -> list[NodeSpec]:
        self._offered.clear()
        specs = []
        for entry in self.entries():
            spec = subgraph_spec(entry.workflow, entry.definition_id, self.window.registry)
            if spec is None:
                continue
            spec.title, spec.tags = entry.name, ("subgraph", "library")
            self._offered[id(spec)] = entry
            specs.append(spec)
        return specs

    def insert_spec(self, spec: NodeSpec, at: QPointF) -> str:
        return self.insert(self._offered[id(spec)], at)

    def insert(self, entry: LibraryEntry, at: QPointF) -> str:
        """Embed the entry's definitions and add a node that uses them: one undo step."""
        def_id, defs = embed(self.doc.root.subgraphs, entry)
        node_id = self.doc.new_id("subgraph")
        node = NodeData(id=node_id, type=SUBGRAPH, subgraph=def_id, position=(at.x(), at.y()))
        steps = [SetSubgraphCommand(self.doc, i, d) for i, d in defs.items()]
        self.window.editor.push(CompositeCommand(f"Insert {entry.name}", [*steps, AddItemsCommand(self.doc, [node])]))
        return node_id

    # -- node menu ------------------------------------------------------------------------------
    def save(self, node_id: str, name: str) -> LibraryEntry:
        """Write the node's definition to the library and mark the embedded copy as that entry."""
        def_id = self.doc.node(node_id).subgraph
        entry = save_to_library(self.home, self.doc.root, def_id, name)
        marked = stamp(self.doc.root.subgraphs[def_id], name, entry.saved_at)
        self.window.editor.push(SetSubgraphCommand(self.doc, def_id, marked, "Save to Library"))
        self.window.statusBar().showMessage(f"Saved {name} to {entry.path}", 8000)
        return entry

    def update(self, node_id: str, entry: LibraryEntry) -> None:
        """Replace the definition with the library's newer copy (every node using it follows)."""
        def_id = self.doc.node(node_id).subgraph
        others = {k: v for k, v in self.doc.root.subgraphs.items() if k != def_id}
        _, defs = embed(others, entry, keep=def_id)
        steps = [SetSubgraphCommand(self.doc, i, d) for i, d in defs.items()]
        self.window.editor.push(CompositeCommand("Update to library version", steps))

    def _ask_save(self, node_id: str) -> None:
        definition = self.doc.root.subgraphs[self.doc.node(node_id).subgraph]
        name, ok = QInputDialog.getText(self.window, "Save to Library", "Name:", text=definition.name)
        if ok and name.strip():
            self.save(node_id, name.strip())

    def _node_menu(self, menu: QMenu, node_id: str, field: str | None) -> None:
        node = self.doc.node(node_id)
        if node.subgraph is None:
            return
        menu.addAction("Save to Library…", lambda: self._ask_save(node_id))
        newer = newer_in_library(self.doc.root.subgraphs[node.subgraph], self.entries())
        if newer is not None:
            menu.addAction("Update to library version", lambda: self.update(node_id, newer))
