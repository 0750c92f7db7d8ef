"""Batch JSON: axes of field values that turn one workflow into many sessions.

The outer list of `data` is a product of groups; each group zips axes of equal length; the whole
is repeated `runs` times. Session i is computed from i (mixed radix: runs outermost, the last
group fastest), so a batch of a million sessions is queued without building one of them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import safe_json
from .errors import LocatedError
from .graph import Graph, GraphIssue
from .registry import Registry
from .subgraph import Flat, flatten
from .workflow import Workflow


MAX_INT64 = 2**63 - 1
"""Counts, indices and ids are stored as 64-bit integers."""


class BatchAxis(BaseModel):
    """One field of one node and the values it takes, in order."""

    model_config = ConfigDict(extra="forbid")

    node: str = Field(min_length=1)
    field: str = Field(min_length=1)
    items: list[Any]


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    runs: int = Field(default=1, le=MAX_INT64)
    data: list[list[BatchAxis]] = Field(default_factory=list)

    def group_sizes(self) -> list[int]:
        """Length of each zipped group (its first axis; validation checks the others agree)."""
        return [len(group[0].items) if group else 1 for group in self.data]

    def count(self) -> int:
        """Number of sessions: runs x the product of the group lengths."""
        return max(self.runs, 0) * math.prod(self.group_sizes())

    def values_at(self, index: int) -> dict[tuple[str, str], Any]:
        """Field overrides of session `index`, as {(node, field): value}."""
        total = self.count()
        if not 0 <= index < total:
            raise IndexError(f"session {index} is outside the batch (0..{total - 1})")
        values: dict[tuple[str, str], Any] = {}
        rest = index
        for group, size in zip(reversed(self.data), reversed(self.group_sizes())):
            rest, position = divmod(rest, size)
            for axis in group:
                values[(axis.node, axis.field)] = axis.items[position]
        return values

    def field_values_at(self, index: int) -> dict[str, Any]:
        """The same values keyed "node.field", as nodes and the queue table show them."""
        return {f"{node}.{field}": value for (node, field), value in self.values_at(index).items()}

    def axes(self) -> list[BatchAxis]:
        return [axis for group in self.data for axis in group]


def _check_axis(axis: BatchAxis, flat: Flat, graph: Graph, registry: Registry,
                issues: list[GraphIssue]) -> None:
    node_id, name = flat.resolve(axis.node, axis.field)[0]  # a subgraph port: the first field it sets
    node = graph.nodes.get(node_id)
    if node is None:
        issues.append(GraphIssue(axis.node, axis.field, "batch names a node that is not in the workflow"))
        return
    spec = registry.get(node.type)
    if spec is None:
        issues.append(GraphIssue(axis.node, axis.field, f"unknown node type {node.type!r} (not installed)"))
        return
    field = spec.inputs.get(name)
    if field is None:
        issues.append(GraphIssue(axis.node, axis.field, f"{spec.title} has no input {axis.field!r}"))
        return
    if graph.links_into(node_id, name):
        issues.append(GraphIssue(axis.node, axis.field,
                                 f"input {field.title!r} is fed by a link; a batch cannot set it"))
        return
    if not axis.items:
        issues.append(GraphIssue(axis.node, axis.field, "batch axis has no items"))
    try:
        field.validate_many(axis.items)  # one call for the whole axis: a million items in ~0.1 s
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first.get("loc", ())
        position = loc[0] if loc and isinstance(loc[0], int) else 0
        inner = ".".join(str(p) for p in loc[1:])
        issues.append(GraphIssue(axis.node, axis.field, f"batch item {position} ({axis.items[position]!r}) is "
                                 f"invalid: {inner + ': ' if inner else ''}{first['msg']}"))


def validate_batch(batch: Batch, workflow: Workflow, registry: Registry) -> list[GraphIssue]:
    """Every problem with a batch for this workflow, each naming the node and field."""
    issues: list[GraphIssue] = []
    if batch.runs < 1:
        issues.append(GraphIssue(None, "runs", f"runs must be at least 1 (got {batch.runs})"))
    elif batch.count() > MAX_INT64:
        issues.append(GraphIssue(None, "runs", f"the batch has more than 2**63-1 sessions "
                                                f"({batch.runs} runs x {math.prod(batch.group_sizes())} each)"))
    flat = flatten(workflow)  # axes may name a subgraph's port or an inner node by path
    graph = Graph(flat.workflow)
    seen: set[tuple[str, str]] = set()
    for number, group in enumerate(batch.data, start=1):
        if not group:
            issues.append(GraphIssue(None, None, f"batch group {number} is empty"))
            continue
        lengths = {len(axis.items) for axis in group}
        if len(lengths) > 1:
            described = ", ".join(f"{a.node}.{a.field} has {len(a.items)}" for a in group)
            issues.append(GraphIssue(group[0].node, group[0].field,
                                     f"zipped axes in group {number} differ in length: {described}"))
        for axis in group:
            key = (axis.node, axis.field)
            if key in seen:
                issues.append(GraphIssue(axis.node, axis.field, "the batch sets this field twice"))
                continue
            seen.add(key)
            _check_axis(axis, flat, graph, registry, issues)
    return issues


def _unsafe(exc: safe_json.UnsafeValue, data: Any, file: str | None) -> LocatedError:
    """Name the node and field of an axis when the hostile value sits in one."""
    path, node, field = exc.path, None, None
    if len(path) >= 3 and path[0] == "data" and isinstance(data, dict):
        try:
            axis = data["data"][path[1]][path[2]]
            node, field = str(axis.get("node")), str(axis.get("field"))
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    if node is not None and len(path) >= 5 and path[3] == "items":
        message = f"batch item {path[4]}: {exc.message}"
    else:
        where = safe_json.describe_path(path)
        message = f"{where}: {exc.message}" if where else exc.message
    return LocatedError(f"not a valid batch: {message}", file=file, node=node, field=field)


def parse_batch(data: Any, *, file: str | None = None, checked: bool = False) -> Batch:
    """`checked`: the data comes from safe_json.loads, which has looked for hostile values."""
    if not checked:
        try:
            safe_json.check(data)
        except safe_json.UnsafeValue as exc:
            raise _unsafe(exc, data, file) from None
    try:
        return Batch.model_validate(data)
    except ValidationError as exc:
        item = exc.errors()[0]
        where = ".".join(str(p) for p in item.get("loc", ())) or None
        raise LocatedError(f"not a valid batch: {item['msg']}", file=file, field=where) from None


def load_batch(path: str | os.PathLike[str]) -> Batch:
    """Read a batch JSON file; errors name the file and the place inside it."""
    path = Path(path)
    try:
        data = safe_json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LocatedError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LocatedError(f"not valid JSON: {exc}", file=str(path)) from None
    except safe_json.UnsafeValue as exc:
        raise _unsafe(exc, exc.data, str(path)) from None
    return parse_batch(data, file=str(path), checked=True)
