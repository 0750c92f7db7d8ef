"""Turning part of a graph into a subgraph and back, as plain data: the canvas wraps each result
in one undo step, and the same functions serve any other front end.

Convert: links that cross the selection become ports named after the inner fields (`radius`,
then `radius_2`); links inside move into the definition; the new node sits at the selection's
centre. Unpack: the definition's nodes come back (renamed where an id is taken), links through
the ports are rewired to the inner fields, and values typed on the subgraph node land on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .workflow import SUBGRAPH, Edge, Endpoint, InputPort, NodeData, OutputPort, SubgraphDef, Workflow


@dataclass
class Change:
    """Nodes and links to remove and add at one level, and a definition to add or keep."""

    remove_nodes: list[str] = field(default_factory=list)
    remove_edges: list[Edge] = field(default_factory=list)
    add_nodes: list[NodeData] = field(default_factory=list)
    add_edges: list[Edge] = field(default_factory=list)
    definition_id: str | None = None
    definition: SubgraphDef | None = None


def _free(name: str, taken: set[str]) -> str:
    if name not in taken:
        taken.add(name)
        return name
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    taken.add(f"{name}_{n}")
    return f"{name}_{n}"


def _edge(src: tuple[str, str], dst: tuple[str, str]) -> Edge:
    return Edge(source=Endpoint(node=src[0], field=src[1]), destination=Endpoint(node=dst[0], field=dst[1]))


def convert(nodes: Iterable[NodeData], edges: Iterable[Edge], selected: Iterable[str], *,
            node_id: str, definition_id: str, name: str) -> Change:
    """Replace the `selected` nodes of a level by one subgraph node `node_id` using a new definition."""
    chosen = set(selected)
    inner = [n for n in nodes if n.id in chosen]
    if not inner:
        raise ValueError("select the nodes to put into a subgraph")
    edges = list(edges)
    inside = [e for e in edges if e.source.node in chosen and e.destination.node in chosen]
    incoming = [e for e in edges if e.source.node not in chosen and e.destination.node in chosen]
    outgoing = [e for e in edges if e.source.node in chosen and e.destination.node not in chosen]
    taken_in: set[str] = set()
    inputs: dict[tuple[str, str], InputPort] = {}
    for e in incoming:
        target = (e.destination.node, e.destination.field)
        if target not in inputs:
            inputs[target] = InputPort(name=_free(e.destination.field, taken_in),
                                       targets=[Endpoint(node=target[0], field=target[1])])
    taken_out: set[str] = set()
    outputs: dict[tuple[str, str], OutputPort] = {}
    for e in outgoing:
        source = (e.source.node, e.source.field)
        if source not in outputs:
            outputs[source] = OutputPort(name=_free(e.source.field, taken_out),
                                         source=Endpoint(node=source[0], field=source[1]))
    xs, ys = [n.position[0] for n in inner], [n.position[1] for n in inner]
    left, top = min(xs), min(ys)
    definition = SubgraphDef(
        name=name, nodes=[n.model_copy(deep=True, update={"position": (n.position[0] - left, n.position[1] - top)})
                          for n in inner],
        edges=inside, inputs=list(inputs.values()), outputs=list(outputs.values()))
    group = NodeData(id=node_id, type=SUBGRAPH, subgraph=definition_id,
                     position=(sum(xs) / len(xs), sum(ys) / len(ys)))
    rewired = [_edge((e.source.node, e.source.field), (node_id, inputs[(e.destination.node, e.destination.field)].name))
               for e in incoming]
    rewired += [_edge((node_id, outputs[(e.source.node, e.source.field)].name), (e.destination.node, e.destination.field))
                for e in outgoing]
    return Change(remove_nodes=[n.id for n in inner], remove_edges=inside + incoming + outgoing,
                  add_nodes=[group], add_edges=rewired, definition_id=definition_id, definition=definition)


def unpack(nodes: Iterable[NodeData], edges: Iterable[Edge], group: NodeData, definition: SubgraphDef) -> Change:
    """Put the nodes of subgraph node `group` back at its level, links and typed port values included."""
    taken = {n.id for n in nodes if n.id != group.id}
    ids = {n.id: _free(n.id, taken) for n in definition.nodes}
    x0, y0 = group.position
    inputs_of: dict[str, dict[str, Any]] = {n.id: dict(n.inputs) for n in definition.nodes}
    edges = list(edges)
    linked_ports = {e.destination.field for e in edges if e.destination.node == group.id}
    for port in definition.inputs:
        if port.name in linked_ports:
            continue
        if port.name in group.inputs or port.default is not None:
            for target in port.targets:
                inputs_of[target.node][target.field] = group.inputs.get(port.name, port.default)
    placed = [n.model_copy(deep=True, update={"id": ids[n.id], "inputs": inputs_of[n.id],
                                              "position": (n.position[0] + x0, n.position[1] + y0)})
              for n in definition.nodes]
    added = [_edge((ids[e.source.node], e.source.field), (ids[e.destination.node], e.destination.field))
             for e in definition.edges]
    ports_in = {p.name: p for p in definition.inputs}
    ports_out = {p.name: p for p in definition.outputs}
    touching = [e for e in edges if group.id in (e.source.node, e.destination.node)]
    for e in touching:
        if e.destination.node == group.id and e.destination.field in ports_in:
            added += [_edge((e.source.node, e.source.field), (ids[t.node], t.field))
                      for t in ports_in[e.destination.field].targets]
        elif e.source.node == group.id and e.source.field in ports_out:
            src = ports_out[e.source.field].source
            added.append(_edge((ids[src.node], src.field), (e.destination.node, e.destination.field)))
    return Change(remove_nodes=[group.id], remove_edges=touching, add_nodes=placed, add_edges=added)


def replace_ports(root: Workflow, def_id: str, inputs: list[InputPort], outputs: list[OutputPort],
                  renamed: dict[str, str] | None = None) -> Workflow:
    """The workflow with new ports on a definition; links and typed values of every node using it,
    at any level, follow `renamed` (old port name -> new) and go where their port went away."""
    renamed = renamed or {}
    in_names, out_names = {p.name for p in inputs}, {p.name for p in outputs}

    def fix(nodes: list[NodeData], edges: list[Edge]) -> tuple[list[NodeData], list[Edge]]:
        users = {n.id for n in nodes if n.subgraph == def_id}
        if not users:
            return nodes, edges
        kept_nodes = []
        for n in nodes:
            if n.id in users:
                values = {renamed.get(k, k): v for k, v in n.inputs.items()}
                n = n.model_copy(update={"inputs": {k: v for k, v in values.items() if k in in_names}})
            kept_nodes.append(n)
        kept_edges = []
        for e in edges:
            src, dst = (e.source.node, e.source.field), (e.destination.node, e.destination.field)
            if src[0] in users:
                src = (src[0], renamed.get(src[1], src[1]))
                if src[1] not in out_names:
                    continue
            if dst[0] in users:
                dst = (dst[0], renamed.get(dst[1], dst[1]))
                if dst[1] not in in_names:
                    continue
            kept_edges.append(_edge(src, dst))
        return kept_nodes, kept_edges

    nodes, edges = fix(root.nodes, root.edges)
    subgraphs = {}
    for key, definition in root.subgraphs.items():
        inner_nodes, inner_edges = fix(definition.nodes, definition.edges)
        update: dict[str, Any] = {"nodes": inner_nodes, "edges": inner_edges}
        if key == def_id:
            update.update(inputs=inputs, outputs=outputs)
        subgraphs[key] = definition.model_copy(deep=True, update=update)
    return root.model_copy(update={"nodes": nodes, "edges": edges, "subgraphs": subgraphs})
