"""What the canvas shows about the last run or batch of the open graph, per drawn node.

Plain Python fed with engine events, so the badges, the heat overlay and the inspector read one
source and tests can check it without painting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nodeeditor.engine.events import NodeCompleted, NodeFailed, NodeProgress, NodeStarted

from .units import format_duration

QUEUED, RUNNING, DONE, FAILED, CACHED = "queued", "running", "done", "failed", "cached"
NOT_RUN = "not run"
"""Every session of the batch ended without running the node (one failed before it): no badge."""


@dataclass
class NodeRun:
    status: str = QUEUED
    progress: float | None = None
    message: str = ""
    calls: int = 0
    cache_hits: int = 0
    total_s: float = 0.0
    last_s: float = 0.0
    peak_rss: int = 0
    error: str = ""
    traceback: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    inner: int = 0
    """For a subgraph node: how many nodes run inside it (its progress is their share done)."""
    inner_done: int = 0

    def badge(self) -> tuple[str | None, str, float | None]:
        """(state, text, progress) for NodeItem.set_badge."""
        if self.status == NOT_RUN:
            return None, "", None
        if self.status == RUNNING:
            return RUNNING, self.message or "running", self.progress if self.progress is not None else 0.0
        if self.status == FAILED:
            return FAILED, "failed", None
        if self.status == CACHED:
            return CACHED, "cached", None
        if self.status == DONE:
            seconds = self.last_s if self.calls == 1 else self.total_s
            return DONE, format_duration(seconds, micro=True) if seconds > 0 else "done", None
        return QUEUED, "queued", None


class RunBoard:
    """Per-node state of the run being watched; `begin` starts over for a new run or batch."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeRun] = {}
        self.sessions: set[str] = set()

    def begin(self, node_ids: list[str], inner: dict[str, int] | None = None) -> None:
        """`node_ids` may hold inner paths (`g1/blur`) beside the drawn top-level ids; `inner`: for
        each subgraph node (`g1`, nested `g1/g2`), how many nodes it runs."""
        self.nodes = {nid: NodeRun(inner=(inner or {}).get(nid, 0)) for nid in node_ids}
        self.sessions = set()

    def begin_workflow(self, workflow: Any) -> None:
        """Every node of the workflow, at every level: top-level ids, subgraph paths, inner paths."""
        from nodeeditor.core.subgraph import flatten  # a UI module that reads the core's paths

        inner: Counter[str] = Counter()
        paths: list[str] = []
        for node in flatten(workflow).workflow.nodes:
            if "/" in node.id:
                paths.append(node.id)
                parts = node.id.split("/")
                inner.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
        nested = [group for group in inner if "/" in group]
        self.begin([n.id for n in workflow.nodes] + nested + paths, inner)

    def settle(self) -> list[str]:
        """The session stopped mid-way (canceled, handed back, taken over): nodes shown running
        are not any more; returns the ids whose badge changed."""
        changed = [nid for nid, run in self.nodes.items() if run.status == RUNNING]
        for nid in changed:
            run = self.nodes[nid]
            run.status, run.progress, run.message = (DONE if run.calls else QUEUED), None, ""
        return changed

    def close(self) -> list[str]:
        """Every session of the batch ended: nodes still waiting were never run; returns their ids."""
        waiting = [nid for nid, run in self.nodes.items() if run.status == QUEUED]
        for nid in waiting:
            self.nodes[nid].status = NOT_RUN
        return waiting

    def apply(self, event: Any) -> str | None:
        """Fold one event in; returns the top-level node id it changed (None when it concerns no
        drawn node). `apply_all` says every path it changed."""
        changed = self.apply_all(event)
        return changed[-1] if changed else None

    def apply_all(self, event: Any) -> list[str]:
        """Fold one event in; every id it changed, deepest first: an inner node (`g1/g2/blur`)
        and each subgraph node around it (`g1/g2`, `g1`), whose progress is the share of its
        nodes done and time their total."""
        node_id = getattr(event, "node_id", None)
        if not node_id:
            return []
        changed = [node_id] if self._apply(node_id, event) else []
        parts = node_id.split("/")
        for depth in range(len(parts) - 1, 0, -1):
            group = "/".join(parts[:depth])
            if self._apply_inner(group, event):
                changed.append(group)
        return changed

    def _apply(self, node_id: str, event: Any) -> bool:
        run = self.nodes.get(node_id)
        if run is None:
            return False
        if isinstance(event, NodeStarted):
            run.status, run.progress, run.message = RUNNING, 0.0, ""
        elif isinstance(event, NodeProgress):
            run.status, run.progress = RUNNING, event.fraction
            run.message = event.message or ""
            if event.preview:
                run.images = [event.preview]
        elif isinstance(event, NodeCompleted):
            run.calls += 1
            run.cache_hits += int(event.cached)
            run.total_s += event.duration_s
            run.last_s = event.duration_s
            run.peak_rss = max(run.peak_rss, event.peak_rss)
            run.outputs = event.outputs
            if event.images:
                run.images = event.images
            if run.status != FAILED:
                run.status = CACHED if event.cached and run.cache_hits == run.calls else DONE
            run.progress = None
        elif isinstance(event, NodeFailed):
            run.status, run.progress = FAILED, None
            run.error, run.traceback = event.error, event.traceback
        return True

    def _apply_inner(self, group: str, event: Any) -> bool:
        run = self.nodes.get(group)
        if run is None:
            return False
        share = run.inner_done / run.inner if run.inner else 0.0
        if isinstance(event, (NodeStarted, NodeProgress)) and run.status != FAILED:
            fraction = event.fraction if isinstance(event, NodeProgress) else 0.0
            run.status, run.progress = RUNNING, min(1.0, share + fraction / max(run.inner, 1))
            run.message = f"{run.inner_done}/{run.inner}" if run.inner else ""
        elif isinstance(event, NodeCompleted):
            run.inner_done += 1
            run.total_s += event.duration_s
            run.peak_rss = max(run.peak_rss, event.peak_rss)
            if event.images:
                run.images = event.images
            if run.status != FAILED and run.inner_done >= run.inner:
                run.status, run.progress, run.calls, run.last_s = DONE, None, 1, run.total_s
            elif run.status != FAILED:
                run.progress = run.inner_done / max(run.inner, 1)
                run.message = f"{run.inner_done}/{run.inner}"
        elif isinstance(event, NodeFailed):
            run.status, run.progress = FAILED, None
            run.error, run.traceback = f"{event.node_id}: {event.error}", event.traceback
        return True

    def heat(self, measure: str = "time", prefix: str = "") -> dict[str, float]:
        """Each node's share (0..1) of the total time, or of the largest peak memory, among the
        nodes of one level: the top level, or inside the subgraph at `prefix` (`g1/`); keyed by
        their ids at that level."""
        level = {nid[len(prefix):]: r for nid, r in self.nodes.items()
                 if nid.startswith(prefix) and "/" not in nid[len(prefix):]}
        if measure == "memory":
            values = {nid: float(r.peak_rss) for nid, r in level.items()}
            top = max(values.values(), default=0.0)
        else:
            values = {nid: r.total_s for nid, r in level.items()}
            top = sum(values.values())
        if top <= 0:
            return {}
        return {nid: value / top for nid, value in values.items() if value > 0}
