"""Workflow JSON v1: the graph a person owns, read and written exactly, never executed on load."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import WorkflowError
from .files import atomic_write_text

WORKFLOW_VERSION = 1


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    node: str = Field(min_length=1)
    field: str = Field(min_length=1)


class Edge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Endpoint
    destination: Endpoint


class NodeData(BaseModel):
    """One node as drawn: its type, place, and the values typed into its direct inputs."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    position: tuple[float, float] = (0.0, 0.0)
    inputs: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None
    bypassed: bool = False


class Frame(BaseModel):
    """A titled, coloured box; nodes inside its rectangle move with it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = ""
    rect: tuple[float, float, float, float]
    color: str = "#3a4a5a"


class Workflow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = WORKFLOW_VERSION
    name: str = "Untitled"
    nodes: list[NodeData] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    frames: list[Frame] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("nodes")
    @classmethod
    def _unique_ids(cls, nodes: list[NodeData]) -> list[NodeData]:
        seen: set[str] = set()
        for node in nodes:
            if node.id in seen:
                raise ValueError(f"node id {node.id!r} is used twice")
            seen.add(node.id)
        return nodes

    @model_validator(mode="after")
    def _edges_name_nodes(self) -> "Workflow":
        ids = {n.id for n in self.nodes}
        for edge in self.edges:
            for end in (edge.source, edge.destination):
                if end.node not in ids:
                    raise ValueError(f"edge {edge.source.node}.{edge.source.field} -> "
                                     f"{edge.destination.node}.{edge.destination.field} names "
                                     f"unknown node {end.node!r}")
        return self

    def node(self, node_id: str) -> NodeData:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_defaults=False), indent=2)


def _located(exc: ValidationError, data: Any, file: str | None) -> WorkflowError:
    item = exc.errors()[0]
    loc = item.get("loc", ())
    node = field = None
    if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
        try:
            node = data["nodes"][loc[1]].get("id") or f"#{loc[1]}"
        except (KeyError, IndexError, TypeError, AttributeError):
            node = f"#{loc[1]}"
        field = ".".join(str(p) for p in loc[2:]) or None
    elif loc:
        field = ".".join(str(p) for p in loc)
    return WorkflowError(item["msg"], file=file, node=node, field=field)


def parse_workflow(data: Any, *, file: str | None = None) -> Workflow:
    if isinstance(data, dict) and data.get("version") not in (None, WORKFLOW_VERSION):
        raise WorkflowError(f"unsupported workflow version {data.get('version')!r} "
                            f"(this editor reads version {WORKFLOW_VERSION})", file=file, field="version")
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        raise _located(exc, data, file) from None


def loads_workflow(text: str, *, file: str | None = None) -> Workflow:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                            file=file) from None
    except RecursionError:
        raise WorkflowError("not a workflow: nested too deeply", file=file) from None
    return parse_workflow(data, file=file)


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
    schema["title"] = "nodeeditor workflow v1"
    return schema
