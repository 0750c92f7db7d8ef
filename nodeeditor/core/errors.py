"""Errors that a person reads: each names the file, node and field it is about."""

from __future__ import annotations


class NodeEditorError(Exception):
    """Base of the project's errors."""


class NodeDefinitionError(NodeEditorError):
    """A node class is declared wrongly (reserved name, bad version, duplicate type)."""


class LocatedError(NodeEditorError):
    """An error about a place in a workflow: file, node and field are each optional."""

    def __init__(self, message: str, *, file: str | None = None, node: str | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.file = file
        self.node = node
        self.field = field
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.node:
            parts.append(f"node {self.node!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class WorkflowError(LocatedError):
    """A workflow file cannot be read or is not a valid workflow."""


class GraphValidationError(NodeEditorError):
    """A graph has problems; `issues` lists every one of them."""

    def __init__(self, issues: list, file: str | None = None) -> None:
        self.issues = issues
        self.file = file
        prefix = f"{file}: " if file else ""
        super().__init__(prefix + "; ".join(str(i) for i in issues))


class NodeExecutionError(NodeEditorError):
    """A node raised while running; keeps the node id and the traceback text."""

    def __init__(self, node_id: str, node_type: str, message: str, traceback: str = "") -> None:
        self.node_id = node_id
        self.node_type = node_type
        self.message = message
        self.traceback = traceback
        super().__init__(f"node {node_id!r} ({node_type}) failed: {message}")


class StoreError(NodeEditorError):
    """The store cannot be used: damaged, newer schema, locked too long, full, read-only or
    unreachable. The message names the database and the cause; the command exits 3."""


class Canceled(NodeEditorError):
    """The running session was canceled."""


class MissingExtraError(LocatedError):
    """A node needs an optional extra that is not installed; the message says how to install it.

    Nothing is broken, so the engine keeps no traceback for it."""
