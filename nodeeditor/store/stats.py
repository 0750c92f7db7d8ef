"""Run figures in the store: one row per node instance that ran, one per session, totals per type.

Rows are written in the transaction that finishes the session, and a failed or canceled session
keeps the rows of the nodes that ran. They outlive the queue rows (clearing the queue keeps them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from sqlalchemy import Connection, Engine, Integer, cast, delete, func, insert, select

from .db import Prepared, named_values
from .tables import node_stats as N
from .tables import session_stats as S

_NODE_COLUMNS = ("session_row", "node_id", "instance_id", "node_type", "duration_s", "ram_delta", "peak_rss",
                 "vram_peak", "cached", "status")
_SESSION_COLUMNS = ("item_id", "batch_id", "session_id", "status", "duration_s", "nodes", "cache_hits",
                    "peak_rss", "ram_delta", "vram_peak", "finished", "model_loads", "model_hits", "model_load_s")
_NODE_PARAMS = tuple(f"v_{c}" for c in _NODE_COLUMNS)
_INSERT_NODES = Prepared(insert(N).values(named_values(_NODE_COLUMNS)))
_INSERT_SESSION = Prepared(insert(S).values(named_values(_SESSION_COLUMNS)).returning(S.c.id))


class NodeFigures(Protocol):
    """What the engine measures per node instance (engine.runner.NodeStat has these)."""

    node_id: str
    instance_id: str
    node_type: str
    duration_s: float
    ram_delta: int
    peak_rss: int
    vram_peak: int | None
    cached: bool
    status: str


@dataclass
class NodeStatRow:
    item_id: int | None
    session_id: str
    node_id: str
    instance_id: str
    node_type: str
    duration_s: float
    ram_delta: int
    peak_rss: int
    vram_peak: int | None
    cached: bool
    status: str


@dataclass
class SessionTotals:
    item_id: int | None
    batch_id: int | None
    session_id: str
    status: str
    duration_s: float
    nodes: int
    cache_hits: int
    peak_rss: int
    ram_delta: int
    vram_peak: int | None


@dataclass
class TypeStats:
    node_type: str
    calls: int
    total_s: float
    mean_s: float
    peak_rss: int
    """Highest RSS seen while a node of this type ran."""
    ram_delta: int
    """Largest RAM growth of one call."""
    vram_peak: int | None
    cache_hits: int


@dataclass
class ModelTotals:
    """The model cache over some sessions: how often a model was loaded, found loaded, and the
    seconds loading took."""

    sessions: int
    loads: int
    hits: int
    load_s: float


def session_totals(stats: Sequence[NodeFigures], models: Mapping[str, Any] | None) -> dict[str, Any]:
    """The session row's figures from its node rows; `models` holds its model cache figures
    (loads, hits, load_s), absent when it used no model."""
    vram = [s.vram_peak for s in stats if s.vram_peak is not None]
    models = models or {}
    return dict(nodes=len(stats), cache_hits=sum(1 for s in stats if s.cached),
                peak_rss=max((s.peak_rss for s in stats), default=0), ram_delta=sum(s.ram_delta for s in stats),
                vram_peak=max(vram) if vram else None, model_loads=models.get("loads"),
                model_hits=models.get("hits"), model_load_s=models.get("load_s"))


def record_session(conn: Connection, *, item_id: int | None, batch_id: int | None, session_id: str,
                   status: str, stats: Sequence[NodeFigures], duration_s: float,
                   models: Mapping[str, Any] | None = None) -> None:
    """Write the node rows and the session totals of one finished session (see session_totals)."""
    totals = {f"v_{name}": value for name, value in session_totals(stats, models).items()}
    row = _INSERT_SESSION.run(conn, v_item_id=item_id, v_batch_id=batch_id, v_session_id=session_id,
                              v_status=status, v_duration_s=duration_s, v_finished=time.time(),
                              **totals).fetchone()[0]
    _INSERT_NODES.run_many(conn, _NODE_PARAMS, [
        (row, s.node_id, s.instance_id, s.node_type, s.duration_s, s.ram_delta, s.peak_rss, s.vram_peak, s.cached,
         s.status) for s in stats])


class StatsRepo:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def by_node_type(self, batch_id: int | None = None, item_id: int | None = None,
                     by_subgraph: bool = False, inner_types: bool = False) -> list[TypeStats]:
        """Calls, time and memory per node type, slowest total first. `by_subgraph` puts the nodes
        inside each top-level subgraph node (ids `g1/...`) on one row, named "subgraph g1";
        with `inner_types` too, one row per type of node inside it ("g1 › blur_image")."""
        key = N.c.node_id if by_subgraph else N.c.node_type
        query = (select(N.c.node_type, key, func.count(), func.sum(N.c.duration_s), func.max(N.c.peak_rss),
                        func.max(N.c.ram_delta), func.max(N.c.vram_peak), func.sum(cast(N.c.cached, Integer)))
                 .join(S, S.c.id == N.c.session_row))
        if batch_id is not None:
            query = query.where(S.c.batch_id == batch_id)
        if item_id is not None:
            query = query.where(S.c.item_id == item_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.group_by(N.c.node_type, key)).all()
        folded: dict[str, list] = {}
        for node_type, node_id, calls, total, peak, delta, vram, hits in rows:
            name = node_type
            if by_subgraph and "/" in node_id:
                top = node_id.split('/', 1)[0]
                name = f"{top} › {node_type}" if inner_types else f"subgraph {top}"
            acc = folded.setdefault(name, [0, 0.0, 0, 0, None, 0])
            acc[0] += calls
            acc[1] += total or 0.0
            acc[2], acc[3] = max(acc[2], peak or 0), max(acc[3], delta or 0)
            acc[4] = vram if acc[4] is None else max(acc[4], vram or 0)
            acc[5] += hits or 0
        found = [TypeStats(name, calls, total, total / calls, peak, delta, vram, hits)
                 for name, (calls, total, peak, delta, vram, hits) in folded.items()]
        return sorted(found, key=lambda s: (-s.total_s, s.node_type))

    def models(self, batch_id: int | None = None, item_id: int | None = None) -> ModelTotals | None:
        """Model cache figures summed over the sessions that used a model; None when none did."""
        query = (select(func.count(), func.sum(S.c.model_loads), func.sum(S.c.model_hits), func.sum(S.c.model_load_s))
                 .where(S.c.model_loads.is_not(None)))
        if batch_id is not None:
            query = query.where(S.c.batch_id == batch_id)
        if item_id is not None:
            query = query.where(S.c.item_id == item_id)
        with self.engine.connect() as conn:
            sessions, loads, hits, load_s = conn.execute(query).one()
        return ModelTotals(sessions, loads or 0, hits or 0, load_s or 0.0) if sessions else None

    def for_item(self, item_id: int) -> list[NodeStatRow]:
        """Node rows of every run of one queue item, in the order they ran."""
        query = (select(S.c.item_id, S.c.session_id, N).join(S, S.c.id == N.c.session_row)
                 .where(S.c.item_id == item_id).order_by(N.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [NodeStatRow(r.item_id, r.session_id, r.node_id, r.instance_id, r.node_type, r.duration_s,
                            r.ram_delta, r.peak_rss, r.vram_peak, bool(r.cached), r.status) for r in rows]

    def sessions(self, *, item_id: int | None = None, batch_id: int | None = None,
                 limit: int = 1000) -> list[SessionTotals]:
        """Per-session totals, newest first."""
        query = select(S)
        if item_id is not None:
            query = query.where(S.c.item_id == item_id)
        if batch_id is not None:
            query = query.where(S.c.batch_id == batch_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(S.c.id.desc()).limit(limit)).all()
        return [SessionTotals(r.item_id, r.batch_id, r.session_id, r.status, r.duration_s, r.nodes,
                              r.cache_hits, r.peak_rss, r.ram_delta, r.vram_peak) for r in rows]

    def clear(self) -> None:
        """Forget every figure."""
        with self.engine.begin() as conn:
            conn.execute(delete(N))
            conn.execute(delete(S))
