"""Subgraphs for running: a workflow's subgraph nodes replaced by the nodes they stand for.

Flattening happens once, when a session is planned: inner nodes get path ids (`g1/blur`, nested
`g1/g2/blur`), so iterate/collect, the output cache, bypass, cancel, events and stats work inside
a subgraph exactly as outside, and every message names the path. A port's value (typed on the
subgraph node, else the port's default, else the inner node's own value) lands on its targets; the
outermost value wins. Overrides and batch axes may name a port (`g1.radius`) or a path
(`g1/blur.radius`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from typing import Any, NamedTuple

from .graph import GraphIssue
from .ports import port_conflicts
from .registry import Registry
from .versions import needs_upgrade, newer_major, upgrade_workflow
from .workflow import SUBGRAPH, Edge, NodeData, SubgraphDef, Workflow

Field = tuple[str, str]
"""(node id or path, field name)."""


@dataclass
class Flat:
    """A workflow without subgraph nodes, and where the top level's ports lead."""

    workflow: Workflow
    ports_in: dict[Field, list[Field]] = field(default_factory=dict)
    issues: list[GraphIssue] = field(default_factory=list)

    def owner(self) -> dict[str, str]:
        """Flat id of every inner node -> the top-level subgraph node it belongs to."""
        return {n.id: n.id.split("/", 1)[0] for n in self.workflow.nodes if "/" in n.id}

    def resolve(self, node: str, name: str) -> list[Field]:
        """The inner fields that a value for `node.name` sets (itself when it is no port)."""
        return list(self.ports_in.get((node, name), [(node, name)]))

    def overrides(self, overrides: dict[Field, Any]) -> dict[Field, Any]:
        return {target: value for key, value in overrides.items() for target in self.resolve(*key)}


class FlatNode(NamedTuple):
    """An inner node as the plan reads it (NodeData's fields): a pydantic copy per inner node
    cost ~10 us, most of the flattening time of 10,000 nodes; a tuple is made in C (`_node`)."""

    id: str
    type: str
    inputs: dict[str, Any]
    bypassed: bool
    version: str | None
    label: str | None
    position: tuple[float, float]
    subgraph: None = None


class FlatEnd(NamedTuple):
    node: str
    field: str


class FlatEdge(NamedTuple):
    source: FlatEnd
    destination: FlatEnd


_end = partial(tuple.__new__, FlatEnd)
"""FlatEnd((node, field)) without the Python-level __new__ of a NamedTuple: a third of the time."""
_link = partial(tuple.__new__, FlatEdge)
_node = partial(tuple.__new__, FlatNode)


def has_subgraphs(workflow: Workflow) -> bool:
    return bool(workflow.subgraphs) or any(n.type == SUBGRAPH for n in workflow.nodes)


class _Flattener:
    def __init__(self, workflow: Workflow) -> None:
        self.defs = workflow.subgraphs
        self.nodes: dict[str, NodeData | FlatNode] = {}
        self.edges: list[Edge | FlatEdge] = []
        self.issues: list[GraphIssue] = []
        self.bypassed_prefixes: set[str] = set()
        self._links: dict[int, list[tuple[Edge, str, str, str, str]]] = {}
        self._columns: dict[int, tuple[list[Any], ...]] = {}
        self._plain_levels: dict[int, bool] = {}

    def _plain(self, nodes: list[NodeData], edges: list[Edge], prefix: str, bypassed: bool) -> None:
        """A definition without subgraph nodes inside: its nodes and links copied column by column
        (map and zip run the loops in C: 0.45 us a link instead of 0.7), read once per definition."""
        columns = self._columns.get(id(nodes))
        if columns is None:
            columns = self._columns[id(nodes)] = (
                [n.id for n in nodes], [n.type for n in nodes], [n.inputs for n in nodes],
                [n.bypassed for n in nodes], [n.version for n in nodes], [n.label for n in nodes],
                [n.position for n in nodes], [e.source.node for e in edges], [e.source.field for e in edges],
                [e.destination.node for e in edges], [e.destination.field for e in edges])
        ids, types, inputs, flags, versions, labels, positions, s_ids, s_fields, d_ids, d_fields = columns
        paths = list(map(prefix.__add__, ids))
        self.nodes.update(zip(paths, map(_node, zip(paths, types, inputs, repeat(True) if bypassed else flags,
                                                    versions, labels, positions, repeat(None)))))
        sources = map(_end, zip(map(prefix.__add__, s_ids), s_fields))
        destinations = map(_end, zip(map(prefix.__add__, d_ids), d_fields))
        self.edges.extend(map(_link, zip(sources, destinations)))

    def level(self, nodes: list[NodeData], edges: list[Edge], prefix: str
              ) -> tuple[dict[Field, list[FlatEnd]], dict[Field, FlatEnd]]:
        """Emit one level's nodes and links; return where its subgraph nodes' ports lead."""
        ins: dict[Field, list[FlatEnd]] = {}
        outs: dict[Field, FlatEnd] = {}
        bypassed = prefix in self.bypassed_prefixes
        plain = self._plain_levels.get(id(nodes))
        if plain is None:
            plain = self._plain_levels[id(nodes)] = all(node.subgraph is None for node in nodes)
        if prefix and plain:
            self._plain(nodes, edges, prefix, bypassed)
            return ins, outs
        groups: set[str] = set()
        for node in nodes:
            path = prefix + node.id
            if node.subgraph is None:
                self.nodes[path] = node if not prefix else FlatNode(  # inputs shared: port values replace them
                    path, node.type, node.inputs, node.bypassed or bypassed, node.version, node.label,
                    node.position)
                continue
            groups.add(node.id)
            if node.bypassed or bypassed:
                self.bypassed_prefixes.add(path + "/")
            self._expand(node, self.defs[node.subgraph], path, ins, outs)
        add = self.edges.append
        links = self._links.get(id(edges))
        if links is None:  # read once per definition, however many nodes use it
            links = self._links[id(edges)] = [(e, e.source.node, e.source.field, e.destination.node,
                                               e.destination.field) for e in edges]
        for edge, s_node, s_field, d_node, d_field in links:
            if prefix and s_node not in groups and d_node not in groups:  # the common case inside
                add(_link((_end((prefix + s_node, s_field)), _end((prefix + d_node, d_field)))))
                continue
            if s_node in groups:
                src = outs.get((s_node, s_field))
                if src is None:
                    self.issues.append(GraphIssue(prefix + s_node, s_field, f"subgraph has no output {s_field!r}"))
                    continue
            elif not prefix and d_node not in groups:  # between plain top-level nodes: kept as it is
                add(edge)
                continue
            else:
                src = _end((prefix + s_node, s_field))
            if d_node in groups:
                targets = ins.get((d_node, d_field))
                if targets is None:
                    self.issues.append(GraphIssue(prefix + d_node, d_field, f"subgraph has no input {d_field!r}"))
                    continue
                for target in targets:
                    add(_link((src, target)))
            else:
                add(_link((src, _end((prefix + d_node, d_field)))))
        return ins, outs

    def _expand(self, node: NodeData, definition: SubgraphDef, path: str,
                ins: dict[Field, list[FlatEnd]], outs: dict[Field, FlatEnd]) -> None:
        inner = path + "/"
        sub_ins, sub_outs = self.level(definition.nodes, definition.edges, inner)
        for port in definition.inputs:
            targets: list[FlatEnd] = []
            for end in port.targets:
                found = sub_ins.get((end.node, end.field))
                if found is None and inner + end.node not in self.nodes:
                    self.issues.append(GraphIssue(inner + end.node, end.field, f"subgraph has no input {end.field!r}"))
                targets += found if found is not None else [_end((inner + end.node, end.field))]
            ins[(node.id, port.name)] = targets
            if port.name in node.inputs or port.default is not None:
                value = node.inputs.get(port.name, port.default)
                for node_id, name in targets:
                    target = self.nodes[node_id]
                    inputs = {**target.inputs, name: value}
                    if isinstance(target, FlatNode):
                        self.nodes[node_id] = target._replace(inputs=inputs)
                    else:
                        target.inputs = inputs
        for port in definition.outputs:
            end = port.source
            found_out = sub_outs.get((end.node, end.field))
            if found_out is None and inner + end.node not in self.nodes:
                self.issues.append(GraphIssue(inner + end.node, end.field, f"subgraph has no output {end.field!r}"))
                continue
            outs[(node.id, port.name)] = found_out or _end((inner + end.node, end.field))
        ports = {p.name for p in definition.inputs}
        for name in node.inputs:
            if name not in ports:
                self.issues.append(GraphIssue(path, name, f"subgraph {definition.name!r} has no input {name!r}"))


def flatten(workflow: Workflow) -> Flat:
    """The workflow with every subgraph node replaced by its definition's nodes (path ids)."""
    if not has_subgraphs(workflow):
        return Flat(workflow)
    flattener = _Flattener(workflow)
    ins, _outs = flattener.level(workflow.nodes, workflow.edges, "")
    flat = Workflow.model_construct(version=workflow.version, name=workflow.name,
                                    nodes=list(flattener.nodes.values()), edges=flattener.edges,
                                    frames=workflow.frames, subgraphs={}, meta=workflow.meta)
    return Flat(flat, ins, flattener.issues)


# -- what planning and validation see ------------------------------------------------------------

def needs_preparing(workflow: Workflow, registry: Registry) -> bool:
    """Whether `prepare` changes or reports anything: subgraphs, or nodes of another version."""
    return has_subgraphs(workflow) or needs_upgrade(workflow.nodes, registry)


def _first_uses(workflow: Workflow) -> dict[str, str]:
    """The path of the first subgraph node using each definition, where its port problems are
    reported; each definition is walked once, however many nodes use it."""
    found: dict[str, str] = {}

    def walk(nodes: list[NodeData], prefix: str) -> None:
        for node in nodes:
            if node.subgraph is not None and node.subgraph not in found:
                found[node.subgraph] = prefix + node.id
                walk(workflow.subgraphs[node.subgraph].nodes, prefix + node.id + "/")

    walk(workflow.nodes, "")
    return found


def prepare(workflow: Workflow, registry: Registry, overrides: dict[Field, Any] | None = None
            ) -> tuple[Flat, dict[Field, Any], list[GraphIssue]]:
    """Upgrade old node versions, flatten, map overrides; and the problems that stop a run here:
    ports whose targets disagree, unknown ports, nodes saved by a newer major version."""
    if needs_upgrade(workflow.nodes, registry) or any(needs_upgrade(d.nodes, registry)
                                                       for d in workflow.subgraphs.values()):
        workflow, _ = upgrade_workflow(workflow, registry)
    flat = flatten(workflow)
    issues = list(flat.issues)
    for def_id, path in _first_uses(workflow).items():
        issues.extend(GraphIssue(path, None, problem) for problem in port_conflicts(workflow, def_id, registry))
    for node in flat.workflow.nodes:
        if node.version is None:  # a node without a saved version is never a newer major
            continue
        spec = registry.get(node.type)
        if spec is not None and newer_major(node.version, spec.version):
            issues.append(GraphIssue(node.id, None, newer_message(node.type, node.version, spec.version)))
    return flat, flat.overrides(overrides or {}), issues


def newer_message(type_name: str, saved: str | None, installed: str) -> str:
    return (f"saved with {type_name} {saved}, a newer major version than the installed {installed}; "
            "update the package that provides it")
