"""The sockets of a subgraph node: its definition's ports, typed after what they lead to.

A port's type is its targets' (they must agree) or its source's. The canvas draws subgraph nodes
from `subgraph_spec`, and link checks treat them like any other node through `node_spec`.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .node import BaseNode, BaseOutput, InputKind, InputSpec, NodeSpec, OutputSpec
from .registry import Registry
from .types import Kind, SocketType
from .versions import newer_major
from .workflow import SUBGRAPH, Endpoint, NodeData, SubgraphDef, Workflow


def node_spec(workflow: Workflow, node: NodeData, registry: Registry) -> NodeSpec | None:
    """What a node's sockets are: its definition's ports for a subgraph node, its type's spec
    otherwise; None (a placeholder) when the type is not installed or the file names a newer major."""
    if node.subgraph is not None:
        return subgraph_spec(workflow, node.subgraph, registry)
    spec = registry.get(node.type)
    if spec is not None and node.version is not None and newer_major(node.version, spec.version):
        return None
    return spec


def _inner_spec(definition: SubgraphDef, end: Endpoint, workflow: Workflow, registry: Registry,
                seen: frozenset[str]) -> NodeSpec | None:
    """The spec of the inner node an endpoint names (a nested subgraph's own ports for one)."""
    node = next((n for n in definition.nodes if n.id == end.node), None)
    if node is None:
        return None
    return subgraph_spec(workflow, node.subgraph, registry, seen) if node.subgraph else registry.get(node.type)


def _inner_input(definition: SubgraphDef, end: Endpoint, workflow: Workflow,
                 registry: Registry, seen: frozenset[str]) -> InputSpec | None:
    spec = _inner_spec(definition, end, workflow, registry, seen)
    return spec.inputs.get(end.field) if spec is not None else None


def _inner_output(definition: SubgraphDef, end: Endpoint, workflow: Workflow,
                  registry: Registry, seen: frozenset[str]) -> OutputSpec | None:
    spec = _inner_spec(definition, end, workflow, registry, seen)
    return spec.outputs.get(end.field) if spec is not None else None


def port_conflicts(workflow: Workflow, def_id: str, registry: Registry) -> list[str]:
    """Why the input ports of a definition have no single type: their targets disagree."""
    definition = workflow.subgraphs[def_id]
    problems = []
    for port in definition.inputs:
        found = [(end, _inner_input(definition, end, workflow, registry, frozenset({def_id})))
                 for end in port.targets]
        types = {str(spec.type) for _, spec in found if spec is not None and spec.type.kind != Kind.ANY}
        if len(types) > 1:
            listed = ", ".join(f"{end.node}.{end.field} is {spec.type}" for end, spec in found if spec is not None)
            problems.append(f"input port {port.name!r} feeds fields of different types ({listed})")
    return problems


def subgraph_spec(workflow: Workflow, def_id: str, registry: Registry,
                  seen: frozenset[str] = frozenset()) -> NodeSpec | None:
    """A node spec for a definition: its ports as sockets, typed after their targets and sources.

    The canvas draws subgraph nodes from it, and link checks treat them like any other node.
    """
    definition = workflow.subgraphs.get(def_id)
    if definition is None or def_id in seen:
        return None
    seen = seen | {def_id}
    inputs: dict[str, InputSpec] = {}
    for port in definition.inputs:
        found = [s for end in port.targets
                 if (s := _inner_input(definition, end, workflow, registry, seen)) is not None]
        typed = [s for s in found if s.type.kind != Kind.ANY] or found
        base = typed[0] if typed else None
        if base is None:
            inputs[port.name] = _any_input(port.name, port.default)
            continue
        inner = _inner_value(definition, port.targets)  # what runs when the node sets no value
        default = port.default if port.default is not None else inner if inner is not None else base.default
        inputs[port.name] = InputSpec(
            name=port.name, type=base.type, title=port.name.replace("_", " ").capitalize(),
            description=base.description, input_kind=base.input_kind,
            required=base.required and port.default is None and inner is None, default=default, widget=base.widget,
            file_filter=base.file_filter, multi=False, constraints=base.constraints,
            choices=base.choices, adapter=base.adapter)
    outputs: dict[str, OutputSpec] = {}
    for port in definition.outputs:
        out = _inner_output(definition, port.source, workflow, registry, seen)
        outputs[port.name] = OutputSpec(name=port.name, type=out.type if out else SocketType(Kind.ANY),
                                        title=port.name.replace("_", " ").capitalize(),
                                        description=out.description if out else "")
    return NodeSpec(type=SUBGRAPH, title=definition.name, category="Subgraphs", tags=("subgraph",),
                    version="1.0.0", description=definition.description, cls=BaseNode, output_cls=BaseOutput,
                    inputs=inputs, outputs=outputs, source=f"subgraph {def_id}")


def _inner_value(definition: SubgraphDef, targets: list[Endpoint]) -> Any:
    """The value typed on the first target that has one, or None."""
    nodes = {n.id: n for n in definition.nodes}
    return next((nodes[t.node].inputs[t.field] for t in targets
                 if t.node in nodes and t.field in nodes[t.node].inputs), None)


def _any_input(name: str, default: Any) -> InputSpec:
    return InputSpec(name=name, type=SocketType(Kind.ANY), title=name.replace("_", " ").capitalize(),
                     description="", input_kind=InputKind.EITHER, required=False, default=default,
                     widget=None, file_filter=None, multi=False, constraints={}, choices=None,
                     adapter=TypeAdapter(Any))
