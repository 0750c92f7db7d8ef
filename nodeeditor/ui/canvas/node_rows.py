"""A node's socket rows, laid out once per node type and shared by every node of that type."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFontMetricsF

from nodeeditor.core.node import InputKind, InputSpec, NodeSpec
from nodeeditor.core.types import Kind, SocketType
from nodeeditor.core.workflow import SUBGRAPH, NodeData

from .. import theme
from .editors import editor_kind


@dataclass
class Row:
    """One socket row: an output (right edge) or an input (left edge, maybe with a value)."""

    field: str
    title: str
    output: bool
    type: SocketType
    spec: InputSpec | None = None
    editor: str | None = None
    has_socket: bool = True
    y: float = 0.0


REROUTE = "reroute"
VALUE_LEFT = (0.42, 0.62)
"""Where an input's value box starts, as a share of the node's width: further right for a long label."""
LABEL_X = theme.PAD + 6
_label_metrics: QFontMetricsF | None = None


def value_left(title: str) -> float:
    """Left edge of the value box of an input titled `title`: the label fits before it if it can."""
    global _label_metrics
    if _label_metrics is None:
        _label_metrics = QFontMetricsF(theme.font(8.5))
    lo, hi = (share * theme.NODE_WIDTH for share in VALUE_LEFT)
    return max(lo, min(hi, LABEL_X + _label_metrics.horizontalAdvance(title) + 8))


RowTable = tuple[list[Row], dict[tuple[str, bool], Row], dict[str, float]]
"""A node's rows, their lookup by (field, output), and where each input's value box starts."""
_SHARED_ROWS: dict[int, tuple[NodeSpec, RowTable]] = {}


def shared_rows(spec: NodeSpec | None, node: NodeData, linked_in: set[str], linked_out: set[str]) -> RowTable:
    """One row table per node type: a node's rows depend on its type only (10,000 nodes would
    otherwise hold ~60,000 Row objects and measure ~30,000 labels). A missing type gets its own."""
    shared = spec is not None and spec.type != SUBGRAPH  # a subgraph node's spec is made for it
    if shared:
        cached = _SHARED_ROWS.get(id(spec))
        if cached is not None and cached[0] is spec:
            return cached[1]
    rows = rows_for(spec, node, linked_in, linked_out)
    table = (rows, {(r.field, r.output): r for r in rows},
             {r.field: value_left(r.title) for r in rows if not r.output and r.editor})
    if shared:
        _SHARED_ROWS[id(spec)] = (spec, table)
    return table


def rows_for(spec: NodeSpec | None, node: NodeData, linked_in: set[str], linked_out: set[str]) -> list[Row]:
    """Outputs first, then inputs; a missing type gets rows for what the file mentions.

    A reroute is a dot: both its rows sit at its centre."""
    if spec is None:
        any_type = SocketType(Kind.ANY)
        rows = [Row(f, f, True, any_type) for f in sorted(linked_out)]
        rows += [Row(f, f, False, any_type) for f in sorted(set(node.inputs) | linked_in)]
    else:
        rows = [Row(o.name, o.title, True, o.type) for o in spec.outputs.values()]
        rows += [Row(i.name, i.title, False, i.type, i, editor_kind(i),
                     i.input_kind is not InputKind.DIRECT) for i in spec.inputs.values()]
    compact = spec is not None and spec.type == REROUTE
    for index, row in enumerate(rows):
        row.y = 0.0 if compact else theme.HEADER_H + theme.PAD / 2 + index * theme.ROW_H + theme.ROW_H / 2
    return rows
