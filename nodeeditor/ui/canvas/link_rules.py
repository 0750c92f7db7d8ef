"""The link rules the canvas asks while a link is dragged, fast enough to ask for every socket.

The types come from core.types; the cycle set is computed once per drag (linear), never per socket.
The final word on a drop is still core.graph.link_error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nodeeditor.core.graph import Graph
from nodeeditor.core.node import InputKind, NodeSpec
from nodeeditor.core.ports import node_spec
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Cardinality, SocketType, connection_error, kinds_compatible
from nodeeditor.core.workflow import Workflow

from .node_item import Row

Checker = Callable[[str, Row], "str | None"]


def make_checker(workflow: Workflow, registry: Registry, node_id: str, row: Row) -> Checker:
    """Why a link from (`node_id`, `row`) may not end on a socket, or None when it may."""
    graph = Graph(workflow)
    blocked = (graph.ancestors(node_id) if row.output else graph.descendants(node_id)) | {node_id}
    source_spec = node_spec(workflow, graph.nodes[node_id], registry)

    def check(target_id: str, target: Row) -> str | None:
        if target.output == row.output:
            return "connect an output to an input"
        if not target.has_socket:
            return f"input {target.title!r} takes a typed value, not a link"
        target_spec = node_spec(workflow, graph.nodes[target_id], registry)
        if source_spec is None or target_spec is None:
            missing = graph.nodes[node_id if source_spec is None else target_id].type
            return f"node type {missing!r} is not installed"
        out, inp = (row, target) if row.output else (target, row)
        reason = connection_error(out.type, inp.type)
        if reason:
            return reason
        if target_id in blocked:
            return "the link would create a cycle"
        return None

    return check


def iterate_fixes(out: SocketType, inp: SocketType) -> bool:
    """A collection into a single input of a matching kind: an Iterate node would fix it."""
    return (out.cardinality is Cardinality.COLLECTION and inp.cardinality is Cardinality.SINGLE
            and kinds_compatible(out.kind, inp.kind))


@dataclass
class PendingLink:
    """A link dropped on empty canvas: the palette offers nodes that fit, then connects the choice."""

    node_id: str
    row: Row

    def fits(self, spec: NodeSpec) -> str | None:
        """The field of `spec` that this link would connect to, or None."""
        if self.row.output:
            return next((i.name for i in spec.inputs.values() if i.input_kind is not InputKind.DIRECT
                         and connection_error(self.row.type, i.type) is None), None)
        return next((o.name for o in spec.outputs.values()
                     if connection_error(o.type, self.row.type) is None), None)
