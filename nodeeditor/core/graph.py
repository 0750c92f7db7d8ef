"""Graph structure over a workflow: adjacency, topological order, cycle checks, link checks.

Cycle checks use visited sets (linear in nodes + edges); walking paths explodes on graphs
whose paths split and rejoin. A whole graph is checked before it runs by core.validation.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Iterable


from .inference import COLLECT, FLOWING, infer, mixed_kinds
from .node import InputKind
from .ports import node_spec
from .registry import Registry
from .types import SocketType, connection_error
from .workflow import Edge, Workflow


@dataclass(frozen=True)
class GraphIssue:
    """One problem in a graph; `node` and `field` locate it for the canvas and the CLI."""

    node: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.node and "/" in self.node:  # inside a subgraph: the path reads g1/blur.radius
            return f"{self.node}{'.' + self.field if self.field else ''}: {self.message}"
        where = []
        if self.node:
            where.append(f"node {self.node!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Graph:
    """Adjacency of a workflow; build once, ask many times.

    Only plain tuples are built up front (what validation and the run loop read); the lists of
    Edge models per node (`incoming`, `outgoing`) are made when first asked for: most runs never do.
    """

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.nodes = {n.id: n for n in workflow.nodes}
        self.links: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        """Per node, its incoming links as plain (input field, source node, output field) tuples:
        the hot loops read these, a pydantic attribute costs three times a tuple's."""
        self.all_links: list[tuple[str, str, str, str]] = []
        """(destination node, source node, output field, input field) of every link, in file order."""
        links, every = self.links, self.all_links
        for edge in workflow.edges:
            source, destination = edge.source, edge.destination
            src, dst, field = source.node, destination.node, destination.field
            link = (field, src, source.field)
            links[dst].append(link)
            every.append((dst, src, link[2], field))
        self._order: list[str] | None = None
        self._incoming: dict[str, list[Edge]] | None = None
        self._outgoing: dict[str, list[Edge]] | None = None

    @property
    def incoming(self) -> dict[str, list[Edge]]:
        if self._incoming is None:
            self._adjacency()
        return self._incoming  # type: ignore[return-value]

    @property
    def outgoing(self) -> dict[str, list[Edge]]:
        if self._outgoing is None:
            self._adjacency()
        return self._outgoing  # type: ignore[return-value]

    def _adjacency(self) -> None:
        incoming: dict[str, list[Edge]] = defaultdict(list)
        outgoing: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.workflow.edges:
            incoming[edge.destination.node].append(edge)
            outgoing[edge.source.node].append(edge)
        self._incoming, self._outgoing = incoming, outgoing

    def sources(self) -> set[str]:
        """The nodes that feed at least one link (a node not in it is a leaf)."""
        return {link[1] for link in self.all_links}

    def links_into(self, node_id: str, field: str) -> list[Edge]:
        return [e for e in self.incoming.get(node_id, ()) if e.destination.field == field]

    def topological_order(self) -> list[str]:
        """Kahn's algorithm, stable in file order; raises ValueError naming a cycle. Computed once.

        A file whose every link points forward (what the editor saves) is its own order: one
        pass over the links says so, without building the in-degrees.
        """
        if self._order is not None:
            return list(self._order)
        position = {nid: i for i, nid in enumerate(self.nodes)}
        if all(position.get(src, -1) < position.get(dst, -1) for dst, src, _o, _f in self.all_links):
            self._order = list(self.nodes)
            return list(self._order)
        after: dict[str, list[str]] = defaultdict(list)
        indegree = dict.fromkeys(self.nodes, 0)
        for dst, src, _o, _f in self.all_links:
            if src in indegree and dst in indegree:  # a link to an unknown node is validation's to report
                after[src].append(dst)
                indegree[dst] += 1
        ready = deque(nid for nid, count in indegree.items() if count == 0)
        order: list[str] = []
        while ready:
            nid = ready.popleft()
            order.append(nid)
            for dest in after.get(nid, ()):
                indegree[dest] -= 1
                if indegree[dest] == 0:
                    ready.append(dest)
        if len(order) != len(self.nodes):
            remaining = {nid for nid, d in indegree.items() if d > 0}
            raise ValueError(" -> ".join(self.find_cycle(remaining)))
        self._order = order
        return list(order)

    def find_cycle(self, among: Iterable[str]) -> list[str]:
        """One cycle inside `among` (the nodes Kahn's algorithm could not order), first node repeated last.

        Walks links backwards: every such node has a link from another one, while a node behind
        a cycle may have no link onwards.
        """
        among = set(among)
        node = min(among)
        seen: dict[str, int] = {}
        path: list[str] = []
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            prev = next((e.source.node for e in self.incoming.get(node, ()) if e.source.node in among), None)
            if prev is None:
                return path
            node = prev
        cycle = path[seen[node]:] + [node]
        cycle.reverse()
        return cycle

    def reaches(self, start: str, target: str) -> bool:
        """Whether `target` is downstream of `start` (or is `start`)."""
        seen = {start}
        queue = deque([start])
        while queue:
            nid = queue.popleft()
            if nid == target:
                return True
            for edge in self.outgoing.get(nid, ()):
                if edge.destination.node not in seen:
                    seen.add(edge.destination.node)
                    queue.append(edge.destination.node)
        return False

    def ancestors(self, node_id: str) -> set[str]:
        return self._closure(node_id, upstream=True)

    def descendants(self, node_id: str) -> set[str]:
        return self._closure(node_id, upstream=False)

    def _closure(self, node_id: str, upstream: bool) -> set[str]:
        """Every node reachable from `node_id` against (upstream) or along the links."""
        links = self.incoming if upstream else self.outgoing
        seen: set[str] = set()
        stack = [node_id]
        while stack:
            for edge in links.get(stack.pop(), ()):
                nxt = edge.source.node if upstream else edge.destination.node
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen


def link_error(registry: Registry, workflow_or_graph: Workflow | Graph, edge: Edge) -> str | None:
    """Why `edge` cannot be added to the graph (types, occupancy aside), or None."""
    graph = workflow_or_graph if isinstance(workflow_or_graph, Graph) else Graph(workflow_or_graph)
    src_node = graph.nodes.get(edge.source.node)
    dst_node = graph.nodes.get(edge.destination.node)
    if src_node is None or dst_node is None:
        return "unknown node"
    if edge.source.node == edge.destination.node:
        return "a node cannot connect to itself"
    workflow = graph.workflow
    src_spec, dst_spec = node_spec(workflow, src_node, registry), node_spec(workflow, dst_node, registry)
    if src_spec is None or dst_spec is None:
        missing = src_node.type if src_spec is None else dst_node.type
        return f"node type {missing!r} is not installed"
    out = src_spec.outputs.get(edge.source.field)
    if out is None:
        return f"{src_spec.title} has no output {edge.source.field!r}"
    inp = dst_spec.inputs.get(edge.destination.field)
    if inp is None:
        return f"{dst_spec.title} has no input {edge.destination.field!r}"
    if inp.input_kind is InputKind.DIRECT:
        return f"input {inp.title!r} takes a typed value, not a link"
    reason = connection_error(infer_types(registry, graph).get((src_node.id, out.name), out.type), inp.type)
    if reason:
        return reason
    if graph.reaches(edge.destination.node, edge.source.node):
        return "the link would create a cycle"
    if dst_spec.type in FLOWING and FLOWING[dst_spec.type][0] == inp.name:
        return _downstream_error(registry, graph, edge, replaces=not inp.multi)
    return None


def infer_types(registry: Registry, graph: Graph) -> dict[tuple[str, str], SocketType]:
    """Output types of the Iterate, Collect and Reroute nodes after what is linked into them
    (core.inference); other outputs keep their declared types."""
    types = {nid: n.type for nid, n in graph.nodes.items()}
    if not any(t in FLOWING for t in types.values()):
        return {}
    try:
        order = graph.topological_order()
    except ValueError:
        order = list(graph.nodes)

    def declared(node: str, field: str) -> SocketType | None:
        spec = node_spec(graph.workflow, graph.nodes[node], registry) if node in graph.nodes else None
        out = spec.outputs.get(field) if spec is not None else None
        return out.type if out is not None else None

    return infer(order, types, graph.incoming, declared)


def _downstream_error(registry: Registry, graph: Graph, edge: Edge, replaces: bool) -> str | None:
    """A link into an Iterate, Collect or Reroute changes what flows out of it: why that would
    break a link already leaving it (or one further down a chain of such nodes), or None.
    `replaces`: the new link takes the place of the one in its (single) input."""
    kept = [e for e in graph.workflow.edges if not (replaces and e.destination == edge.destination)]
    workflow = graph.workflow.model_copy(update={"edges": [*kept, edge]})
    after = Graph(workflow)
    types = infer_types(registry, after)
    queue, seen = [edge.destination.node], {edge.destination.node}
    while queue:
        nid = queue.pop()
        node_type = after.nodes[nid].type
        if node_type == COLLECT:
            reason = mixed_kinds((f"{e.source.node}.{e.source.field}", _out_type(registry, after, e, types))
                                 for e in after.links_into(nid, "item"))
            if reason:
                return reason
        for out in after.outgoing.get(nid, ()):
            spec = node_spec(workflow, after.nodes[out.destination.node], registry)
            inp = spec.inputs.get(out.destination.field) if spec is not None else None
            if spec is None or inp is None:
                continue
            flows = _out_type(registry, after, out, types)
            reason = connection_error(flows, inp.type)
            if reason:
                return (f"{nid}.{out.source.field} would then give {flows}, and its link to "
                        f"{out.destination.node}.{out.destination.field} breaks: {reason}")
            dest = out.destination.node
            flow = FLOWING.get(spec.type)
            if flow is not None and flow[0] == inp.name and dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return None


def _out_type(registry: Registry, graph: Graph, edge: Edge, types: dict[tuple[str, str], SocketType]) -> SocketType:
    found = types.get((edge.source.node, edge.source.field))
    if found is not None:
        return found
    spec = node_spec(graph.workflow, graph.nodes[edge.source.node], registry)
    out = spec.outputs.get(edge.source.field) if spec is not None else None
    return out.type if out is not None else SocketType("any")
