"""Workflow JSON: the graph a person owns, read and written exactly, never executed on load.

Version 2 adds `subgraphs`, definitions that nodes of type "subgraph" stand for (core.subgraph
flattens them for running). Version 1 files read unchanged and are written back as version 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, ValidationInfo,
                      field_validator, model_serializer, model_validator)
from pydantic.dataclasses import dataclass

from . import safe_json
from .errors import WorkflowError
from .files import atomic_write_text

WORKFLOW_VERSION = 2
READ_VERSIONS = (1, 2)
SUBGRAPH = "subgraph"
"""The node type that stands for a definition in the file's `subgraphs`."""


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class Endpoint:
    """One end of a link. A slots dataclass: a file holds two per link, and as a model each
    cost as much to read as the rest of the link (a 10,000-link file: 1.2 us a link, not 2.3)."""

    node: str = Field(min_length=1)
    field: str = Field(min_length=1)


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class Edge:
    """A link from an output to an input; a slots dataclass for the same reason as Endpoint
    (read and written through EDGE where a plain dict is wanted)."""

    source: Endpoint
    destination: Endpoint


EDGE: TypeAdapter[Edge] = TypeAdapter(Edge)
"""Edge <-> plain data: EDGE.validate_python(raw), EDGE.dump_python(edge, mode="json")."""


class NodeData(BaseModel):
    """One node as drawn: its type, place, and the values typed into its direct inputs."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    position: tuple[float, float] = (0.0, 0.0)
    inputs: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None
    bypassed: bool = False
    version: str | None = None
    """The node type's version this node was saved with; absent means the installed one."""
    subgraph: str | None = None
    """For type "subgraph": the id of its definition in the workflow's `subgraphs`."""

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: Any) -> dict[str, Any]:
        """`version` and `subgraph` are written only where they say something."""
        data = handler(self)
        for key in ("version", "subgraph"):
            if data.get(key, 0) is None:
                del data[key]
        return data

    @model_validator(mode="after")
    def _id_and_subgraph(self) -> "NodeData":
        """One check per node for both rules (each validator is a call out of pydantic's core)."""
        if "/" in self.id:
            raise ValueError("a node id may not contain '/' (it separates the levels of a path)")
        if (self.type == SUBGRAPH) != (self.subgraph is not None):
            raise ValueError("a node names a subgraph definition exactly when its type is 'subgraph'")
        return self


class Frame(BaseModel):
    """A titled, coloured box; nodes inside its rectangle move with it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = ""
    rect: tuple[float, float, float, float]
    color: str = "#3a4a5a"


def _unique_ids(nodes: list[NodeData]) -> list[NodeData]:
    seen: set[str] = set()
    for node in nodes:
        if node.id in seen:
            raise ValueError(f"node id {node.id!r} is used twice")
        seen.add(node.id)
    return nodes


def _check_edges(nodes: list[NodeData], edges: list[Edge]) -> None:
    ids = {n.id for n in nodes}
    for edge in edges:
        if edge.source.node in ids and edge.destination.node in ids:
            continue
        end = edge.source if edge.source.node not in ids else edge.destination
        raise ValueError(f"edge {edge.source.node}.{edge.source.field} -> "
                         f"{edge.destination.node}.{edge.destination.field} names "
                         f"unknown node {end.node!r}")


class InputPort(BaseModel):
    """An input of a subgraph: its value (typed on the subgraph node, linked, or `default`) goes
    to every target inside."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    targets: list[Endpoint] = Field(default_factory=list)
    default: Any = None
    """Used when the subgraph node neither links nor types this port; None: the targets' own values."""


class OutputPort(BaseModel):
    """An output of a subgraph: the value of one inner node's output."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    source: Endpoint


class SubgraphDef(BaseModel):
    """A graph that nodes of type "subgraph" stand for; it may use other definitions of the file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    nodes: list[NodeData] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    inputs: list[InputPort] = Field(default_factory=list)
    outputs: list[OutputPort] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
    """Where the definition came from (the library entry and its time), for "Update to library version"."""

    _nodes_unique = field_validator("nodes")(_unique_ids)

    @model_validator(mode="after")
    def _ports_name_nodes(self) -> "SubgraphDef":
        _check_edges(self.nodes, self.edges)
        ids = {n.id for n in self.nodes}
        for kind, ports in (("input", self.inputs), ("output", self.outputs)):
            names = [p.name for p in ports]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind} port {twice[0]!r} is declared twice")
        for port in self.inputs:
            for target in port.targets:
                if target.node not in ids:
                    raise ValueError(f"input port {port.name!r} targets unknown node {target.node!r}")
        for out in self.outputs:
            if out.source.node not in ids:
                raise ValueError(f"output port {out.name!r} reads unknown node {out.source.node!r}")
        return self


class Workflow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1, 2] = WORKFLOW_VERSION
    name: str = "Untitled"
    nodes: list[NodeData] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    frames: list[Frame] = Field(default_factory=list)
    subgraphs: dict[str, SubgraphDef] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)

    _nodes_unique = field_validator("nodes")(_unique_ids)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any, info: ValidationInfo) -> Any:
        """Values that JSON cannot keep exactly (NaN, lone surrogates, deep nesting) are refused
        however the workflow is built; parse_workflow has checked already and says where."""
        if not (info.context or {}).get("checked"):
            safe_json.check(data)
        return data

    @model_validator(mode="after")
    def _edges_name_nodes(self) -> "Workflow":
        _check_edges(self.nodes, self.edges)
        for def_id, definition in self.subgraphs.items():
            for node in definition.nodes:
                if node.subgraph is not None and node.subgraph not in self.subgraphs:
                    raise ValueError(f"subgraph {def_id!r}: node {node.id!r} uses unknown subgraph "
                                     f"{node.subgraph!r}")
        for node in self.nodes:
            if node.subgraph is not None and node.subgraph not in self.subgraphs:
                raise ValueError(f"node {node.id!r} uses unknown subgraph {node.subgraph!r}")
        cycle = _recursion(self.subgraphs)
        if cycle:
            raise ValueError("a subgraph uses itself: " + " → ".join(cycle))
        self.version = WORKFLOW_VERSION
        return self

    def node(self, node_id: str) -> NodeData:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_defaults=False), indent=2)


def _recursion(subgraphs: dict[str, SubgraphDef]) -> list[str] | None:
    """A chain of definitions that leads back to its start, or None (depth-first, colours)."""
    uses = {d: [n.subgraph for n in sd.nodes if n.subgraph is not None] for d, sd in subgraphs.items()}
    state: dict[str, int] = {}

    def visit(def_id: str, path: list[str]) -> list[str] | None:
        state[def_id] = 1
        path.append(def_id)
        for used in uses.get(def_id, ()):
            if state.get(used) == 1:
                return path[path.index(used):] + [used]
            if used not in state and (found := visit(used, path)):
                return found
        path.pop()
        state[def_id] = 2
        return None

    for def_id in subgraphs:
        if def_id not in state and (found := visit(def_id, [])):
            return found
    return None


def _located(exc: ValidationError, data: Any, file: str | None) -> WorkflowError:
    item = exc.errors()[0]
    return _at(item.get("loc", ()), item["msg"], data, file)


def _at(loc: tuple, message: str, data: Any, file: str | None) -> WorkflowError:
    """An error at `loc` inside the file's data, naming the node (by id) and the field."""
    node = field = None
    if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
        try:
            node = data["nodes"][loc[1]].get("id") or f"#{loc[1]}"
        except (KeyError, IndexError, TypeError, AttributeError):
            node = f"#{loc[1]}"
        field = safe_json.describe_path(loc[2:]) or None
    elif loc:
        field = safe_json.describe_path(loc)
    return WorkflowError(message, file=file, node=node, field=field)


def parse_workflow(data: Any, *, file: str | None = None, checked: bool = False) -> Workflow:
    """Validate a workflow's data; hostile values (deep nesting, NaN, huge integers, lone
    surrogates) and a missing "version" are refused before pydantic sees them (`checked`: the
    data comes from safe_json.loads, which has looked already)."""
    if not checked:
        try:
            safe_json.check(data)
        except safe_json.UnsafeValue as exc:
            raise _at(exc.path, exc.message, data, file) from None
    if isinstance(data, dict) and "version" not in data:
        raise WorkflowError(f'missing: a workflow file says its format ("version": {WORKFLOW_VERSION})',
                            file=file, field="version")
    if isinstance(data, dict) and data.get("version") not in READ_VERSIONS:
        raise WorkflowError(f"unsupported workflow version {data.get('version')!r} "
                            f"(this editor reads versions 1 and 2)", file=file, field="version")
    try:
        return Workflow.model_validate(data, context={"checked": True})
    except ValidationError as exc:
        raise _located(exc, data, file) from None


def loads_workflow(text: str, *, file: str | None = None) -> Workflow:
    try:
        data = safe_json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                            file=file) from None
    except safe_json.UnsafeValue as exc:
        raise _at(exc.path, exc.message, exc.data, file) from None
    return parse_workflow(data, file=file, checked=True)


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise WorkflowError("not a UTF-8 text file", file=str(path)) from None
    return loads_workflow(text, file=str(path))


def save_workflow(workflow: Workflow, path: str | os.PathLike[str]) -> None:
    atomic_write_text(Path(path), workflow.to_json() + "\n")


def with_values(workflow: Workflow, values: dict[str, Any]) -> Workflow:
    """A copy whose typed inputs carry `values` ("node.field" -> value): a session's batch values."""
    copy = workflow.model_copy(deep=True)
    nodes = {n.id: n for n in copy.nodes}
    for target, value in values.items():
        node_id, _, field = target.rpartition(".")
        if node_id in nodes and field:
            nodes[node_id].inputs[field] = value
    return copy


def workflow_schema() -> dict[str, Any]:
    """JSON schema of the workflow file format."""
    schema = Workflow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"nodeeditor workflow v{WORKFLOW_VERSION}"
    return schema
