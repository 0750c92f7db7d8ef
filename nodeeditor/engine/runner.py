"""Run one workflow in-process, node by node, reporting events and per-node figures.

Invalid graphs are refused (GraphValidationError) before any node runs. A failing node ends the
session with its id, message and traceback; the figures of the nodes that ran are kept.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import ValidationError

from nodeeditor.core.errors import Canceled, LocatedError, NodeExecutionError
from nodeeditor.core.fields import ImageField
from nodeeditor.core.node import validation_message
from nodeeditor.core.plan import ExecutionPlan, Instance, NodeCall
from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import Workflow

from .cache import OutputCache, cache_key
from .context import NodeContext
from .events import NodeCompleted, NodeFailed, NodeStarted
from .meter import Meter


@dataclass
class NodeStat:
    node_id: str
    instance_id: str
    node_type: str
    duration_s: float
    ram_delta: int = 0
    peak_rss: int = 0
    vram_peak: int | None = None
    cached: bool = False
    status: str = "completed"


@dataclass
class RunResult:
    status: str
    """completed, failed or canceled."""
    outputs: dict[str, dict[tuple[int, ...], dict[str, Any]]] = field(default_factory=dict)
    leaves: list[str] = field(default_factory=list)
    stats: list[NodeStat] = field(default_factory=list)
    error: NodeExecutionError | None = None
    duration_s: float = 0.0

    def leaf_outputs(self) -> dict[str, Any]:
        """Outputs of leaf nodes; iterated copies are keyed "node[i,j]"."""
        found: dict[str, Any] = {}
        for nid in self.leaves:
            for key, outs in sorted(self.outputs.get(nid, {}).items()):
                found[Instance(nid, key).id] = outs
        return found


def summarize(value: Any, limit: int = 80) -> str:
    if hasattr(value, "model_dump"):
        text = ", ".join(f"{k}={v}" for k, v in value.model_dump().items())
    elif isinstance(value, list):
        text = repr(value)
        if len(text) > limit:
            text = f"[{len(value)} items]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(exc: Exception) -> str:
    """A LocatedError already says where (which field); anything else also says what it is."""
    return str(exc) if isinstance(exc, LocatedError) else f"{type(exc).__name__}: {exc}"


def _images(outputs: dict[str, Any]) -> list[str]:
    names = []
    for value in outputs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ImageField):
                names.append(item.image_name)
    return names


def run_workflow(workflow: Workflow, registry: Registry, *, artifacts: Any,
                 overrides: dict[tuple[str, str], Any] | None = None,
                 on_event: Callable[[Any], None] | None = None,
                 cancel: threading.Event | None = None,
                 cache: OutputCache | None = None,
                 session_id: str | None = None,
                 field_values: dict[str, Any] | None = None,
                 file: str | None = None,
                 meter: Meter | None = None) -> RunResult:
    """`meter` lets a long-lived caller (the worker) reuse one sampler thread for every session."""
    plan = ExecutionPlan(workflow, registry, overrides, file=file)
    emit = on_event or (lambda _event: None)
    cancel = cancel or threading.Event()
    workflow_json = workflow.model_dump(mode="json")
    keys: dict[Instance, str] = {}
    result = RunResult(status="completed", leaves=plan.leaves())
    meter = meter or Meter()
    copies: dict[str, int] = {}

    def started(call: NodeCall) -> None:
        emit(NodeStarted(session_id=session_id, node_id=call.instance.node_id,
                         instance_id=call.instance.id, node_type=call.spec.type,
                         copies=copies.get(call.instance.node_id, 1)))

    def completed(call: NodeCall, outputs: dict[str, Any], stat: NodeStat) -> None:
        result.stats.append(stat)
        emit(NodeCompleted(session_id=session_id, node_id=stat.node_id, instance_id=stat.instance_id,
                           node_type=stat.node_type, duration_s=stat.duration_s,
                           ram_delta=stat.ram_delta, peak_rss=stat.peak_rss, cached=stat.cached,
                           outputs={k: summarize(v) for k, v in outputs.items()},
                           images=_images(outputs)))

    def before_node(node_id: str, count: int) -> None:
        copies[node_id] = count
        if cancel.is_set():
            raise Canceled("canceled")

    def notify(call: NodeCall, outputs: dict[str, Any]) -> None:
        if cache is not None:
            keys[call.instance] = cache_key(call, keys)
        started(call)
        completed(call, outputs, NodeStat(call.instance.node_id, call.instance.id, call.spec.type, 0.0))

    def execute(call: NodeCall) -> dict[str, Any]:
        if cancel.is_set():
            raise Canceled("canceled")
        key = hit = None
        if cache is not None:  # keys only serve the cache; without one they are not worth computing
            key = keys[call.instance] = cache_key(call, keys)
            hit = cache.get(key)
        started(call)
        if hit is not None:
            completed(call, hit, NodeStat(call.instance.node_id, call.instance.id, call.spec.type,
                                          0.0, cached=True))
            return hit
        context = NodeContext(node_id=call.instance.node_id, instance_id=call.instance.id,
                              session_id=session_id, artifacts=artifacts, workflow=workflow_json,
                              field_values=field_values or {}, cancel=cancel, emit=emit)
        reading = meter.start()
        try:
            try:
                node = call.spec.cls.model_validate(call.inputs)
            except ValidationError as exc:
                raise NodeExecutionError(call.instance.id, call.spec.type,
                                         f"invalid input: {validation_message(exc)}") from None
            output = node.invoke(context)
        except Canceled:
            stat = meter.stop(reading)
            result.stats.append(NodeStat(call.instance.node_id, call.instance.id, call.spec.type,
                                         stat.duration_s, stat.ram_delta, stat.peak_rss,
                                         stat.vram_peak, status="canceled"))
            raise
        except Exception as exc:
            stat = meter.stop(reading)
            result.stats.append(NodeStat(call.instance.node_id, call.instance.id, call.spec.type,
                                         stat.duration_s, stat.ram_delta, stat.peak_rss,
                                         stat.vram_peak, status="failed"))
            error = exc if isinstance(exc, NodeExecutionError) else NodeExecutionError(
                call.instance.id, call.spec.type, _message(exc), traceback.format_exc())
            emit(NodeFailed(session_id=session_id, node_id=call.instance.node_id,
                            instance_id=call.instance.id, node_type=call.spec.type,
                            error=error.message, traceback=error.traceback))
            raise error from exc
        stat = meter.stop(reading)
        outputs = {name: getattr(output, name) for name in call.spec.outputs}
        if key is not None and call.spec.cacheable:
            cache.put(key, outputs)
        completed(call, outputs, NodeStat(call.instance.node_id, call.instance.id, call.spec.type,
                                          stat.duration_s, stat.ram_delta, stat.peak_rss, stat.vram_peak))
        return outputs

    began = time.perf_counter()
    try:
        result.outputs = plan.run(execute, notify, before_node)
    except Canceled:
        result.status = "canceled"
    except NodeExecutionError as exc:
        result.status = "failed"
        result.error = exc
    result.duration_s = time.perf_counter() - began
    return result
