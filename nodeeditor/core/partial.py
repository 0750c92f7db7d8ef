"""The part of a workflow one node needs: that node and everything upstream of it (Run to Here).

Upstream nodes keep their inputs, so the output cache (keyed by type, inputs and upstream keys)
hands back what an earlier run already computed; the batch is left out: a partial run runs once.
"""

from __future__ import annotations

from .workflow import Workflow


def upstream_of(workflow: Workflow, node_id: str) -> set[str]:
    """`node_id` and every node a path of edges leads from into it."""
    sources: dict[str, list[str]] = {}
    for edge in workflow.edges:
        sources.setdefault(edge.destination.node, []).append(edge.source.node)
    found, todo = {node_id}, [node_id]
    while todo:
        for source in sources.get(todo.pop(), ()):
            if source not in found:
                found.add(source)
                todo.append(source)
    return found


def part_for(workflow: Workflow, node_id: str) -> Workflow:
    """A copy of `workflow` holding only what `node_id` needs (no frames, no batch)."""
    keep = upstream_of(workflow, node_id)
    meta = {k: v for k, v in workflow.meta.items() if k not in ("batch", "batch_editors")}
    return workflow.model_copy(update={
        "nodes": [n for n in workflow.nodes if n.id in keep],
        "edges": [e for e in workflow.edges if e.source.node in keep and e.destination.node in keep],
        "frames": [],
        "meta": meta,
    })
