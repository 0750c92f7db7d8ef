"""Validation shown on the canvas: the core's issues on the nodes they name, and the types that
flow out of Iterate, Collect and Reroute nodes after what is linked in.

The scene runs it once per opened document and, after structural edits, on a timer that
coalesces a burst of edits into one run. The document's graph of the level shown serves both the
validation and the type inference (at 10,000 nodes each build of it cost ~40 ms).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from nodeeditor.core.graph import GraphIssue, infer_types
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.types import SocketType

from .node_item import NO_FLOWS

if TYPE_CHECKING:
    from .scene import CanvasScene


def show_issues(scene: "CanvasScene") -> list[GraphIssue]:
    """Put each issue on the node it names (inside a subgraph: on the subgraph node that holds
    it) and each node's inferred output types on the node; returns every issue of the file."""
    document = scene.document
    graph = document.graph()
    issues = validate_graph(document.root, scene.registry,
                            graph=graph if document.workflow is document.root else None)
    by_node: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    prefix = document.level_prefix()  # inside a subgraph the paths start with it
    for issue in issues:
        if issue.node is None or not issue.node.startswith(prefix):
            continue
        node_id = issue.node[len(prefix):]
        if "/" in node_id:  # deeper inside: on the subgraph node that holds it
            by_node[node_id.split("/", 1)[0]][None].append(str(issue))
        else:
            by_node[node_id][issue.field].append(issue.message)
    flows: dict[str, dict[str, SocketType]] = defaultdict(dict)
    for (node_id, field), socket in infer_types(scene.registry, graph).items():
        flows[node_id][field] = socket
    for node_id, item in scene.node_items.items():
        found = by_node.get(node_id)
        item.set_issues(dict(found) if found else {})
        item.flows = flows.get(node_id, NO_FLOWS)
    return issues
