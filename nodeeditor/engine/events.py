"""Events the engine reports: slots dataclasses, built without validation on the hot path.

A 10,000-node run builds two events per node; as pydantic models they cost more than the nodes.
Inside a process an event is a plain object handed from thread to thread. Where events cross a
process boundary they travel as JSON lines (`to_json`) and are validated there, once
(`from_json`, a pydantic TypeAdapter over the `Event` union).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import Field, TypeAdapter


@dataclass(slots=True, kw_only=True)
class _Event:
    ts: float = field(default_factory=time.time)

    def to_json(self) -> str:
        """One JSON object (a line on the process pipe); `from_json` reads it back."""
        return json.dumps({name: _plain(getattr(self, name)) for name in _names(type(self))},
                          separators=(",", ":"), default=str)

    model_dump_json = to_json
    """The name these events had as pydantic models; kept for callers that still use it."""


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    found = _NAMES.get(cls)
    if found is None:
        found = _NAMES[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    return found


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Summaries) else value


class Summaries(Mapping[str, str]):
    """A short text per output, made on first read: most listeners never show them, and
    summarizing every output of every node costs more than running a small node."""

    __slots__ = ("_values", "_texts", "_summarize")

    def __init__(self, values: Mapping[str, Any], summarize: Callable[[Any], str]) -> None:
        self._values = values
        self._summarize = summarize
        self._texts: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._texts is None:
            self._texts = {k: self._summarize(v) for k, v in self._values.items()}
            self._values = {}
        return self._texts

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._values) if self._texts is None else len(self._texts)

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (to another process) as the texts: the outputs themselves stay here."""
        return (dict, (self._all(),))


@dataclass(slots=True, kw_only=True)
class SessionStarted(_Event):
    event: Literal["session_started"] = "session_started"
    session_id: str | None
    item_id: int | None = None
    batch_id: int | None = None
    nodes: int = 0


@dataclass(slots=True, kw_only=True)
class NodeStarted(_Event):
    event: Literal["node_started"] = "node_started"
    session_id: str | None
    node_id: str
    instance_id: str
    node_type: str
    copies: int = 1


@dataclass(slots=True, kw_only=True)
class NodeProgress(_Event):
    event: Literal["node_progress"] = "node_progress"
    session_id: str | None
    node_id: str
    instance_id: str
    fraction: float
    message: str | None = None
    preview: str | None = None


@dataclass(slots=True, kw_only=True)
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
    outputs: Mapping[str, str] = field(default_factory=dict)
    """A short text per output, for tooltips and the CLI (a lazy `Summaries` from the runner)."""
    images: Sequence[str] = ()
    """Names of image artifacts produced, for thumbnails on the node."""


@dataclass(slots=True, kw_only=True)
class NodeFailed(_Event):
    event: Literal["node_failed"] = "node_failed"
    session_id: str | None
    node_id: str
    instance_id: str
    node_type: str
    error: str
    traceback: str = ""


@dataclass(slots=True, kw_only=True)
class SessionCompleted(_Event):
    event: Literal["session_completed"] = "session_completed"
    session_id: str | None
    item_id: int | None = None
    batch_id: int | None = None
    index: int | None = None
    status: Literal["completed", "failed", "canceled"]
    duration_s: float = 0.0
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class SessionReleased(_Event):
    """A claimed session left its worker unfinished: handed back (the worker stopped) or taken
    over by another worker (its lease ran out). It runs again; what it showed is void."""

    event: Literal["session_released"] = "session_released"
    session_id: str | None
    item_id: int | None = None
    batch_id: int | None = None
    reason: str = ""


@dataclass(slots=True, kw_only=True)
class QueueChanged(_Event):
    event: Literal["queue_changed"] = "queue_changed"
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class MemorySample(_Event):
    event: Literal["memory_sample"] = "memory_sample"
    session_id: str | None = None
    rss: int
    vram: int | None = None


Event = Annotated[
    Union[SessionStarted, NodeStarted, NodeProgress, NodeCompleted, NodeFailed, SessionCompleted,
          SessionReleased, QueueChanged, MemorySample],
    Field(discriminator="event"),
]


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter:
    return TypeAdapter(Event)


def from_json(data: str | bytes) -> Any:
    """Validate one JSON event from another process; raises ValueError (pydantic's) when it is not one."""
    return _adapter().validate_json(data)
