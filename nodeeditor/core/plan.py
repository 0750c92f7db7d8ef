"""Execution plan: which node copies run, in what order, with which inputs.

Iterate fans out: every node downstream of an Iterate runs once per item (an empty collection
runs none). Independent iterates multiply (a node fed by two runs once per pair). Collect closes
every iteration it is fed by and gathers the items in index order; with `per_outer_item` it
closes only the innermost one, giving one collection per item of the iterations around it (an
outer item whose inner collection is empty gets an empty one). Each copy (`Instance`) keeps
the id of the node the person drew, so progress lands on that node.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, cast

from .errors import GraphValidationError
from .graph import Graph, GraphIssue
from .validation import validate_graph
from .node import NodeSpec
from .registry import Registry
from .subgraph import prepare
from .workflow import NodeData, Workflow

ITERATE = "iterate"
COLLECT = "collect"

Key = tuple[int, ...]


class Instance(NamedTuple):
    """One copy of a drawn node: a tuple, so building and hashing millions of them stays cheap."""

    node_id: str
    key: Key = ()

    @property
    def id(self) -> str:
        return self.node_id if not self.key else f"{self.node_id}[{','.join(map(str, self.key))}]"


@dataclass(slots=True)
class NodeCall:
    """Everything needed to run (or cache) one instance."""

    instance: Instance
    spec: NodeSpec
    node: NodeData
    inputs: dict[str, Any]
    direct: dict[str, Any]
    """The values typed on the node (after overrides): the cache key's own part."""
    links: list[tuple[str, Any, str]] = field(default_factory=list)
    """(input field, upstream instance, upstream output field), in link order; outside every
    iteration the upstream node's id stands for its one instance (see `sources`)."""
    salt: Any = None
    passthrough: bool = False
    """True for Iterate, Collect and bypassed nodes: the plan computes their outputs."""

    @property
    def sources(self) -> list[tuple[str, Instance, str]]:
        """The links with their upstream instances (only the output cache asks, so only it pays)."""
        return [(f, up if type(up) is Instance else Instance(up), out) for f, up, out in self.links]


Execute = Callable[[NodeCall], dict[str, Any]]
Notify = Callable[[NodeCall, dict[str, Any]], None]


class ExecutionPlan:
    """Validate once, then run with an `execute` callback that calls `invoke` (or the cache)."""

    def __init__(self, workflow: Workflow, registry: Registry,
                 overrides: dict[tuple[str, str], Any] | None = None, *, file: str | None = None) -> None:
        flat, overrides, issues = prepare(workflow, registry, overrides)  # subgraphs and node versions
        workflow = flat.workflow
        self.overrides = dict(overrides)
        self.graph = Graph(workflow)
        self._validated: dict[str, dict[str, Any]] = {}
        specs: dict[str, NodeSpec | None] = {}
        issues += validate_graph(workflow, registry, self.overrides, graph=self.graph, prepared=True,
                                 validated=self._validated, specs=specs)
        if issues:
            raise GraphValidationError(issues, file=file)
        self.workflow = workflow
        self.registry = registry
        self.file = file
        self.order = self.graph.topological_order()
        self.specs = cast(dict[str, NodeSpec], specs)  # valid: every type is known
        self.scope = self._scopes()
        self._defaults: dict[str, dict[str, Any]] = {}

    def _scopes(self) -> dict[str, tuple[str, ...]]:
        if not any(spec.type == ITERATE for spec in self.specs.values()):
            return dict.fromkeys(self.order, ())
        position = {nid: i for i, nid in enumerate(self.order)}
        scope: dict[str, tuple[str, ...]] = {}
        issues = []
        for nid in self.order:
            ids = {it for e in self.graph.incoming.get(nid, ()) for it in scope[e.source.node]}
            if self.specs[nid].type == COLLECT:
                ordered = sorted(ids, key=position.__getitem__)
                scope[nid] = tuple(ordered[:-1]) if self._per_outer_item(nid) else ()
                if any(not set(scope[nid]) <= set(scope[e.source.node]) for e in self.graph.incoming.get(nid, ())):
                    issues.append(GraphIssue(nid, "per_outer_item", "collecting per outer item needs every link "
                                             "to come from inside the same outer iterations"))
                continue
            if self.specs[nid].type == ITERATE:
                ids.add(nid)
            scope[nid] = tuple(sorted(ids, key=position.__getitem__))
        if issues:
            raise GraphValidationError(issues, file=self.file)
        return scope

    def _per_outer_item(self, nid: str) -> bool:
        return bool(self._validated.get(nid, {}).get("per_outer_item", False))

    def leaves(self) -> list[str]:
        feeding = self.graph.sources()
        return [nid for nid in self.order if nid not in feeding]

    def _join(self, nid: str, results: dict[str, dict[Key, dict[str, Any]]]
              ) -> list[tuple[Key, list[tuple[str, Instance, str, Any]]]]:
        """Combine the parents' instances that agree on the iterations they share."""
        edges = self.graph.incoming.get(nid, ())
        if not any(self.scope[e.source.node] for e in edges):  # outside every iteration: one instance
            return [((), [(e.destination.field, Instance(e.source.node), e.source.field,
                           results[e.source.node][()][e.source.field]) for e in edges])]
        partial: list[tuple[dict[str, int], list[tuple[str, Instance, str, Any]]]] = [({}, [])]
        for edge in edges:
            parent = edge.source.node
            pscope = self.scope[parent]
            shared = [it for it in pscope if partial and it in partial[0][0]]
            by_shared: dict[tuple[int, ...], list[tuple[Key, dict[str, Any]]]] = defaultdict(list)
            for key, outputs in results[parent].items():
                proj = tuple(key[pscope.index(it)] for it in shared)
                by_shared[proj].append((key, outputs))
            grown = []
            for assigned, links in partial:
                proj = tuple(assigned[it] for it in shared)
                for key, outputs in by_shared.get(proj, ()):
                    merged = dict(assigned)
                    merged.update(zip(pscope, key))
                    link = (edge.destination.field, Instance(parent, key), edge.source.field,
                            outputs[edge.source.field])
                    grown.append((merged, links + [link]))
            partial = grown
        scope = self.scope[nid] if self.specs[nid].type != ITERATE else self.scope[nid][:-1]
        return sorted(((tuple(a[it] for it in scope), links) for a, links in partial), key=lambda p: p[0])

    def run(self, execute: Execute, notify: Notify | None = None,
            before_node: Callable[[str, int], None] | None = None) -> dict[str, dict[Key, dict[str, Any]]]:
        """Run every instance; returns outputs per node id and iteration key.

        `before_node(node_id, copies)` is told how many copies of a node inside an iteration (or an
        Iterate, Collect or bypassed node) will run, before they do; a node outside every iteration
        runs once, untold.
        """
        results: dict[str, dict[Key, dict[str, Any]]] = {}
        self._iterated: dict[str, list[Key]] = {}
        """The outer keys each Iterate ran under (its copies before fanning out)."""
        links_in = self.graph.links
        scope = self.scope
        iterated = any(self.scope.values())
        nodes, specs, defaults_of, validated = self.graph.nodes, self.specs, self._defaults, self._validated
        for nid in self.order:
            node = nodes[nid]
            spec = specs[nid]
            kind = spec.type
            edges = links_in.get(nid)
            # Defaults, then typed values, then overrides; the typed ones as validation coerced
            # them (each value is validated once, when the graph is checked; defaults are valid).
            defaults = defaults_of.get(kind)
            if defaults is None:
                defaults = defaults_of[kind] = {
                    name: inp.default for name, inp in spec.inputs.items() if not inp.required}
            direct = dict(defaults)
            if edges:
                for link in edges:
                    direct.pop(link[0], None)
            typed = validated.get(nid)
            if typed:
                direct.update(typed)
            if kind not in (ITERATE, COLLECT) and not node.bypassed and (
                    not iterated or not any(scope[link[1]] for link in edges or ())):
                # The common case, outside every iteration: one copy, no join to compute.
                if edges:
                    inputs = dict(direct)
                    multi: dict[str, list[Any]] | None = None
                    fields = spec.inputs
                    for fname, parent, out in edges:
                        value = results[parent][()][out]
                        if fields[fname].multi:
                            multi = multi or defaultdict(list)
                            multi[fname].append(value)
                        else:
                            inputs[fname] = value
                    if multi:
                        inputs.update(multi)
                    call = NodeCall(Instance(nid), spec, node, inputs, direct, edges)
                else:
                    call = NodeCall(Instance(nid), spec, node, direct, direct)
                results[nid] = {(): execute(call)}
                continue
            if kind == COLLECT:
                joined = self._collect_join(nid, results)
                if scope[nid]:
                    joined = self._per_outer(nid, joined)
            else:
                joined = self._join(nid, results)
            results[nid] = {}
            if before_node is not None:
                before_node(nid, len(joined))
            for key, links in joined:
                inputs = dict(direct)
                gathered: dict[str, list[Any]] = defaultdict(list)
                for fname, _inst, _out, value in links:
                    if spec.inputs[fname].multi:
                        gathered[fname].append(value)
                    else:
                        inputs[fname] = value
                inputs.update(gathered)
                sources = [(f, inst, out) for f, inst, out, _ in links]
                call = NodeCall(Instance(nid, key), spec, node, inputs, direct, sources)
                if kind == ITERATE:
                    self._iterated.setdefault(nid, []).append(key)
                    self._fan_out(call, results[nid], notify)
                elif kind == COLLECT or node.bypassed:
                    call.passthrough = True
                    outputs = self._collect(call) if kind == COLLECT else self._bypass(call)
                    results[nid][key] = outputs
                    if notify:
                        notify(call, outputs)
                else:
                    results[nid][key] = execute(call)
        return results

    def _collect_join(self, nid: str, results: dict[str, dict[Key, dict[str, Any]]]
                      ) -> list[tuple[Key, list[tuple[str, Instance, str, Any]]]]:
        links = []
        for edge in self.graph.incoming.get(nid, ()):
            for key in sorted(results[edge.source.node]):
                value = results[edge.source.node][key][edge.source.field]
                links.append((edge.destination.field, Instance(edge.source.node, key), edge.source.field, value))
        return [((), links)]

    def _per_outer(self, nid: str, joined: list[tuple[Key, list[tuple[str, Instance, str, Any]]]]
                   ) -> list[tuple[Key, list[tuple[str, Instance, str, Any]]]]:
        """Split a Collect's links by the outer items they belong to; every outer item of the
        innermost Iterate gets a collection, an empty one when its inner collection was empty."""
        outer = self.scope[nid]
        groups: dict[Key, list[tuple[str, Instance, str, Any]]] = {}
        inner = [it for e in self.graph.incoming.get(nid, ()) for it in self.scope[e.source.node]
                 if it not in outer]
        for it in set(inner):
            if self.scope[it][:-1] == outer:
                for key in self._iterated.get(it, ()):
                    groups.setdefault(key, [])
        for link in joined[0][1]:
            pscope = self.scope[link[1].node_id]
            key = tuple(link[1].key[pscope.index(it)] for it in outer)
            groups.setdefault(key, []).append(link)
        return sorted(groups.items())

    @staticmethod
    def _collect(call: NodeCall) -> dict[str, Any]:
        items = call.inputs.get("item", [])
        return {"collection": list(items)}

    def _fan_out(self, call: NodeCall, out: dict[Key, dict[str, Any]], notify: Notify | None) -> None:
        items = list(call.inputs.get("collection") or [])
        for index, item in enumerate(items):
            key = call.instance.key + (index,)
            outputs = {"item": item, "index": index, "total": len(items)}
            out[key] = outputs
            if notify:
                item_call = NodeCall(Instance(call.instance.node_id, key), call.spec, call.node,
                                     call.inputs, call.direct, call.links, salt=index, passthrough=True)
                notify(item_call, outputs)

    def _bypass(self, call: NodeCall) -> dict[str, Any]:
        """A bypassed node passes, for each output, its first input of a matching type."""
        outputs: dict[str, Any] = {}
        for oname, out in call.spec.outputs.items():
            match = next((n for n, inp in call.spec.inputs.items()
                          if inp.type == out.type and n in call.inputs), None)
            outputs[oname] = call.inputs[match] if match is not None else None
        return outputs
