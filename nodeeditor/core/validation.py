"""Validation of a whole graph before it runs: every problem, each with node and field.

Linear in nodes + links: each node's typed values are checked by its field once, and each link's
verdict is computed once per pair of sockets (a big graph joins the same few socket pairs).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import ValidationError

from .graph import Graph, GraphIssue, _out_type, infer_types
from .inference import COLLECT, FLOWING, mixed_kinds
from .node import InputKind, NodeSpec, validation_message
from .registry import Registry
from .types import SocketType, connection_error
from .workflow import Workflow


def _required(spec: NodeSpec) -> tuple[tuple[str, Any], ...]:
    return tuple((n, f) for n, f in spec.inputs.items() if f.required)


def _check_node(node_id: str, spec: NodeSpec, required: tuple[tuple[str, Any], ...], inputs: dict[str, Any],
                links: list[tuple[str, str, str]] | None, issues: list[GraphIssue],
                validated: dict[str, dict[str, Any]]) -> None:
    """Typed values (kept coerced in `validated[node_id]`), required inputs, links per input."""
    linked_fields = {link[0] for link in links} if links else ()
    known = spec.inputs
    own = None
    for name, value in inputs.items():
        field = known.get(name)
        if field is None:
            issues.append(GraphIssue(node_id, name, f"{spec.title} has no input {name!r}"))
            continue
        if name in linked_fields:
            continue
        try:
            coerced = field.validate(value)
        except ValidationError as exc:
            issues.append(GraphIssue(node_id, name, f"invalid value {value!r}: {validation_message(exc)}"))
            continue
        if own is None:
            own = validated[node_id] = {}
        own[name] = coerced
    for name, field in required:
        if name not in linked_fields and name not in inputs:
            how = "connect it" if field.input_kind is InputKind.CONNECTION else "connect it or type a value"
            issues.append(GraphIssue(node_id, name, f"required input {field.title!r} is missing; {how}"))
    if links and len(linked_fields) < len(links):  # some input has several links
        seen: set[str] = set()
        for name, _src, _out in links:
            field = known.get(name)
            if name in seen and field is not None and not field.multi:
                issues.append(GraphIssue(node_id, name, f"input {field.title!r} takes one link; it has several"))
            seen.add(name)


_LinkVerdict = list[tuple[bool, str, str, bool]]
"""What is wrong with a link between two sockets: (at its source?, field, message, whether the
message follows "link from <source node>")."""


def _link_verdict(src_spec: NodeSpec, src_field: str, dst_spec: NodeSpec, dst_field: str,
                  reasons: dict[tuple[int, int], str | None], flows: SocketType | None) -> _LinkVerdict:
    """Problems of a link between these two sockets; `flows` is the output's inferred type, if any."""
    out = src_spec.outputs.get(src_field)
    if out is None:
        return [(True, src_field, f"{src_spec.title} has no output {src_field!r}", False)]
    inp = dst_spec.inputs.get(dst_field)
    if inp is None:
        return [(False, dst_field, f"{dst_spec.title} has no input {dst_field!r}", False)]
    found = []
    if inp.input_kind is InputKind.DIRECT:
        found.append((False, inp.name, f"input {inp.title!r} takes a typed value, not a link", False))
    flows = flows or out.type
    pair = (id(flows), id(inp))  # both live as long as the caller's loop: the spec's or `inferred`'s
    if pair not in reasons:  # most links of a big graph join the same few socket pairs
        reasons[pair] = connection_error(flows, inp.type)
    reason = reasons[pair]
    if reason:
        found.append((False, inp.name, f".{out.name}: {reason}", True))
    return found


def validate_graph(workflow: Workflow, registry: Registry,
                   overrides: dict[tuple[str, str], Any] | None = None, *,
                   graph: Graph | None = None, prepared: bool = False,
                   validated: dict[str, dict[str, Any]] | None = None,
                   specs: dict[str, NodeSpec | None] | None = None) -> list[GraphIssue]:
    """Every problem that would stop the graph from running, each with node and field.

    Pass `graph` when you have one of this workflow already: it is reused, not rebuilt.
    Subgraphs and old node versions are checked on the graph that runs (core.subgraph.prepare);
    `prepared` says the workflow already is that graph.
    `validated` receives each node's typed values (after overrides) as validation coerced them,
    so whoever runs the graph never validates them again (a node without any has no entry);
    `specs` receives each node's spec (None for an unknown type).
    """
    if not prepared:
        from .subgraph import needs_preparing, prepare  # builds on this module

        if needs_preparing(workflow, registry):
            flat, flat_overrides, found = prepare(workflow, registry, overrides)
            return found + validate_graph(flat.workflow, registry, flat_overrides, prepared=True,
                                          validated=validated, specs=specs)
    validated = validated if validated is not None else {}
    graph = graph if graph is not None else Graph(workflow)
    issues: list[GraphIssue] = []
    overrides = overrides or {}
    overridden: dict[str, dict[str, Any]] = defaultdict(dict)
    for (nid, fname), value in overrides.items():
        overridden[nid][fname] = value
    specs = specs if specs is not None else {}
    by_type: dict[str, tuple[NodeSpec, tuple[tuple[str, Any], ...]] | None] = {}
    links = graph.links
    for node in workflow.nodes:
        kind, nid = node.type, node.id
        if kind in by_type:
            known = by_type[kind]
        else:
            installed = registry.get(kind)
            known = by_type[kind] = (installed, _required(installed)) if installed is not None else None
        if known is None:
            specs[nid] = None
            issues.append(GraphIssue(nid, None, f"unknown node type {node.type!r} (not installed)"))
            continue
        spec = specs[nid] = known[0]
        extra = overridden.get(nid)
        _check_node(nid, spec, known[1], {**node.inputs, **extra} if extra else node.inputs, links.get(nid),
                    issues, validated)
    for (nid, fname) in overrides:
        if nid not in graph.nodes:
            issues.append(GraphIssue(nid, fname, "no node with this id"))
    reasons: dict[tuple[int, int], str | None] = {}
    verdicts: dict[tuple[int, str, int, str], _LinkVerdict] = {}
    inferred = infer_types(registry, graph) if not FLOWING.keys().isdisjoint(by_type) else {}
    for dst_id, src_id, src_field, dst_field in graph.all_links:
        src_spec, dst_spec = specs[src_id], specs[dst_id]
        if src_spec is None or dst_spec is None:
            continue
        flows = inferred.get((src_id, src_field)) if inferred else None
        if flows is None:  # the same two sockets always give the same verdict
            sockets = (id(src_spec), src_field, id(dst_spec), dst_field)
            verdict = verdicts.get(sockets)
            if verdict is None:
                verdict = verdicts[sockets] = _link_verdict(src_spec, src_field, dst_spec, dst_field, reasons, None)
        else:
            verdict = _link_verdict(src_spec, src_field, dst_spec, dst_field, reasons, flows)
        for at_source, fname, message, from_source in verdict:
            issues.append(GraphIssue(src_id if at_source else dst_id, fname,
                                     f"link from {src_id}{message}" if from_source else message))
    for nid, node in graph.nodes.items() if COLLECT in by_type else ():
        if node.type == COLLECT and specs.get(nid) is not None:
            reason = mixed_kinds((f"{e.source.node}.{e.source.field}", _out_type(registry, graph, e, inferred))
                                 for e in graph.links_into(nid, "item"))
            if reason:
                issues.append(GraphIssue(nid, "item", reason))
    try:
        graph.topological_order()
    except ValueError as exc:
        cycle = str(exc).split(" -> ")
        closing = next(e for e in graph.outgoing[cycle[-2]] if e.destination.node == cycle[-1])
        issues.append(GraphIssue(closing.destination.node, closing.destination.field,
                                 f"link from {closing.source.node}.{closing.source.field} closes a cycle: "
                                 + " -> ".join(cycle)))
    return issues
