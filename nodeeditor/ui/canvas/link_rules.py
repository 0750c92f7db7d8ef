"""The link rules the canvas asks while a link is dragged, fast enough to ask for every socket.

The types come from core.types, with the outputs of Iterate, Collect and Reroute typed after what
is linked into them (core.inference), inferred once per drag; so is the cycle set (linear), never
per socket. A link into such a node is also checked against the links already leaving it (one
step; a longer chain of them is judged on the drop). The final word on a drop is still
core.graph.link_error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nodeeditor.core.graph import Graph, infer_types
from nodeeditor.core.inference import COLLECT, FLOWING, mixed_kinds, passed_on
from nodeeditor.core.node import InputKind, NodeSpec
from nodeeditor.core.ports import node_spec
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Cardinality, SocketType, connection_error, kinds_compatible
from nodeeditor.core.workflow import Workflow

from .node_rows import Row

Checker = Callable[[str, Row], "str | None"]


def make_checker(workflow: Workflow, registry: Registry, node_id: str, row: Row,
                 graph: Graph | None = None) -> Checker:
    """Why a link from (`node_id`, `row`) may not end on a socket, or None when it may.
    `graph`: the workflow's graph when the caller has one (it is not changed)."""
    graph = graph if graph is not None else Graph(workflow)
    blocked = (graph.ancestors(node_id) if row.output else graph.descendants(node_id)) | {node_id}
    source_spec = node_spec(workflow, graph.nodes[node_id], registry)
    types = infer_types(registry, graph)

    def flowing(nid: str, out: Row) -> SocketType:
        return types.get((nid, out.field), out.type)

    def check(target_id: str, target: Row) -> str | None:
        if target.output == row.output:
            return "connect an output to an input"
        if not target.has_socket:
            return f"input {target.title!r} takes a typed value, not a link"
        target_spec = node_spec(workflow, graph.nodes[target_id], registry)
        if source_spec is None or target_spec is None:
            missing = graph.nodes[node_id if source_spec is None else target_id].type
            return f"node type {missing!r} is not installed"
        (out_id, out), (in_id, inp) = ((node_id, row), (target_id, target)) if row.output else (
            (target_id, target), (node_id, row))
        brings = flowing(out_id, out)
        reason = connection_error(brings, inp.type)
        if reason:
            return reason
        if target_id in blocked:
            return "the link would create a cycle"
        in_type = graph.nodes[in_id].type
        if in_type in FLOWING and FLOWING[in_type][0] == inp.field:
            return _onward_error(in_id, in_type, f"{out_id}.{out.field}", brings)
        return None

    def _onward_error(nid: str, node_type: str, where: str, brings: SocketType) -> str | None:
        """What the node would pass on with this link in, against the links leaving it."""
        if node_type == COLLECT:
            others = [(f"{e.source.node}.{e.source.field}", _out_type(e.source.node, e.source.field))
                      for e in graph.links_into(nid, "item")]
            reason = mixed_kinds([*others, (where, brings)])
            if reason:
                return reason
            gives = passed_on(COLLECT, [t for _, t in others] + [brings])
        else:
            gives = passed_on(node_type, [brings])
        for edge in graph.outgoing.get(nid, ()):
            spec = node_spec(workflow, graph.nodes[edge.destination.node], registry)
            inp = spec.inputs.get(edge.destination.field) if spec is not None else None
            reason = connection_error(gives, inp.type) if inp is not None else None
            if reason:
                return (f"{nid}.{edge.source.field} would then give {gives}, and its link to "
                        f"{edge.destination.node}.{edge.destination.field} breaks: {reason}")
        return None

    def _out_type(nid: str, field: str) -> SocketType:
        found = types.get((nid, field))
        if found is not None:
            return found
        spec = node_spec(workflow, graph.nodes[nid], registry)
        out = spec.outputs.get(field) if spec is not None else None
        return out.type if out is not None else SocketType("any")

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
