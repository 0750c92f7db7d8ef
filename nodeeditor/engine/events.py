"""Events the engine reports; small pydantic models so any thread or process can carry them."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field


class _Event(BaseModel):
    ts: float = Field(default_factory=time.time)


class SessionStarted(_Event):
    event: Literal["session_started"] = "session_started"
    session_id: str | None
    item_id: int | None = None
    batch_id: int | None = None
    nodes: int = 0


class NodeStarted(_Event):
    event: Literal["node_started"] = "node_started"
    session_id: str | None
    node_id: str
    instance_id: str
    node_type: str
    copies: int = 1


class NodeProgress(_Event):
    event: Literal["node_progress"] = "node_progress"
    session_id: str | None
    node_id: str
    instance_id: str
    fraction: float
    message: str | None = None
    preview: str | None = None


class NodeCompleted(_Event):
    event: Literal["node_completed"] = "node_completed"
    session_id: str | None
    node_id: str
    instance_id: str
    node_type: str
    duration_s: float
    ram_delta: int = 0
    peak_rss: int = 0
    cached: bool = False
    outputs: dict[str, str] = Field(default_factory=dict)
    """A short text per output, for tooltips and the CLI."""
    images: list[str] = Field(default_factory=list)
    """Names of image artifacts produced, for thumbnails on the node."""


class NodeFailed(_Event):
    event: Literal["node_failed"] = "node_failed"
    session_id: str | None
    node_id: str
    instance_id: str
    node_type: str
    error: str
    traceback: str = ""


class SessionCompleted(_Event):
    event: Literal["session_completed"] = "session_completed"
    session_id: str | None
    item_id: int | None = None
    batch_id: int | None = None
    status: Literal["completed", "failed", "canceled"]
    duration_s: float = 0.0
    error: str | None = None
    stats: dict[str, Any] = Field(default_factory=dict)


class QueueChanged(_Event):
    event: Literal["queue_changed"] = "queue_changed"
    counts: dict[str, int] = Field(default_factory=dict)


class MemorySample(_Event):
    event: Literal["memory_sample"] = "memory_sample"
    session_id: str | None = None
    rss: int
    vram: int | None = None


Event = Annotated[
    Union[SessionStarted, NodeStarted, NodeProgress, NodeCompleted, NodeFailed, SessionCompleted,
          QueueChanged, MemorySample],
    Field(discriminator="event"),
]
