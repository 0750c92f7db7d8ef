"""Undo steps for subgraphs: convert a selection, unpack, go in and out, replace a definition.

Going in and out is on the undo stack too: every other command edits the level shown, so undoing
an edit made inside a subgraph first takes the canvas back inside it.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from nodeeditor.core.subgraph_edit import Change, convert, unpack
from nodeeditor.core.workflow import SubgraphDef, Workflow

from .commands import AddItemsCommand, CompositeCommand, RemoveItemsCommand
from .model import Document


class SetSubgraphCommand(QUndoCommand):
    """Add or replace a definition of the file (None removes it)."""

    def __init__(self, doc: Document, def_id: str, definition: SubgraphDef | None, text: str = "Set subgraph") -> None:
        super().__init__(text)
        self.doc, self.def_id, self.definition = doc, def_id, definition
        self.before: SubgraphDef | None = None

    def redo(self) -> None:
        self.before = self.doc.set_subgraph(self.def_id, self.definition)

    def undo(self) -> None:
        self.doc.set_subgraph(self.def_id, self.before)


class ReplaceRootCommand(QUndoCommand):
    """An edit that reaches every level at once (ports: the definition and the links to its users)."""

    def __init__(self, doc: Document, after: Workflow, text: str) -> None:
        super().__init__(text)
        self.doc, self.after = doc, after
        self.before: Workflow | None = None

    def redo(self) -> None:
        self.before = self.doc.replace_root(self.after)

    def undo(self) -> None:
        self.doc.replace_root(self.before)


class LevelCommand(QUndoCommand):
    """Show another level: into a subgraph node, or back out to an outer level."""

    def __init__(self, doc: Document, level: list[str], text: str) -> None:
        super().__init__(text)
        self.doc, self.level, self.previous = doc, list(level), list(doc.level)

    def redo(self) -> None:
        self.doc.show_level(self.level)

    def undo(self) -> None:
        self.doc.show_level(self.previous)


def _apply(doc: Document, change: Change, text: str, extra: list[QUndoCommand] = ()) -> CompositeCommand:
    commands: list[QUndoCommand] = []
    if change.definition is not None:
        commands.append(SetSubgraphCommand(doc, change.definition_id, change.definition))
    commands.append(RemoveItemsCommand(doc, change.remove_nodes, change.remove_edges))
    commands.append(AddItemsCommand(doc, change.add_nodes, change.add_edges))
    return CompositeCommand(text, commands + list(extra))


def convert_command(doc: Document, node_ids: list[str]) -> CompositeCommand:
    """The selection becomes one subgraph node; crossing links become its ports."""
    def_id = doc.new_subgraph_id()
    change = convert(doc.workflow.nodes, doc.workflow.edges, node_ids, node_id=doc.new_id("subgraph"),
                     definition_id=def_id, name=f"Subgraph {def_id.removeprefix('sg')}")
    return _apply(doc, change, "Convert to Subgraph")


def _uses(doc: Document, def_id: str) -> int:
    nodes = [*doc.root.nodes, *(n for d in doc.root.subgraphs.values() for n in d.nodes)]
    return sum(1 for n in nodes if n.subgraph == def_id)


def unpack_command(doc: Document, node_id: str) -> CompositeCommand:
    """A subgraph node gives its nodes back; a definition nothing else uses goes with it."""
    group = doc.node(node_id)
    change = unpack(doc.workflow.nodes, doc.workflow.edges, group, doc.root.subgraphs[group.subgraph])
    extra: list[QUndoCommand] = []
    if _uses(doc, group.subgraph) == 1:
        extra.append(SetSubgraphCommand(doc, group.subgraph, None))
    return _apply(doc, change, "Unpack Subgraph", extra)
