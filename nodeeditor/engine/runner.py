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

from nodeeditor.core.errors import Canceled, LocatedError, MissingExtraError, NodeExecutionError
from nodeeditor.core.fields import ImageField
from nodeeditor.core.node import validation_message
from nodeeditor.core.plan import ExecutionPlan, Instance, NodeCall
from nodeeditor.core.registry import Registry
from nodeeditor.core.types import Kind
from nodeeditor.core.workflow import Workflow

from .cache import OutputCache, cache_key
from .context import NodeContext, RunScope
from .events import NodeCompleted, NodeFailed, NodeStarted, Summaries
from .meter import Meter
from .quiet_gc import quiet_gc


@dataclass(slots=True)
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


_IMAGE_KINDS = frozenset({Kind.IMAGE, Kind.ANY})


def _may_hold_images(spec: Any) -> bool:
    """Whether any output of this node type can carry an image (asked once per type)."""
    known = _image_specs.get(id(spec))
    if known is None or known[0] is not spec:
        known = _image_specs[id(spec)] = (spec, any(o.type.kind in _IMAGE_KINDS for o in spec.outputs.values()))
    return known[1]


_image_specs: dict[int, tuple[Any, bool]] = {}


def _images(outputs: dict[str, Any]) -> list[str]:
    names = []
    for value in outputs.values():
        if isinstance(value, ImageField):
            names.append(value.image_name)
        elif isinstance(value, list):
            names.extend(item.image_name for item in value if isinstance(item, ImageField))
    return names


def run_workflow(workflow: Workflow, registry: Registry, *, artifacts: Any,
                 overrides: dict[tuple[str, str], Any] | None = None,
                 on_event: Callable[[Any], None] | None = None,
                 cancel: threading.Event | None = None,
                 cache: OutputCache | None = None,
                 session_id: str | None = None,
                 field_values: dict[str, Any] | None = None,
                 file: str | None = None,
                 meter: Meter | None = None,
                 plan: ExecutionPlan | None = None,
                 announce_after_s: float | None = None) -> RunResult:
    """`meter` lets a long-lived caller (the worker) reuse one sampler thread for every session.

    Events are built only when there is a listener; output summaries only when one reads them.
    `plan` is this workflow's plan already built (and validated) with the same overrides.
    `announce_after_s` (for listeners that allow it, ~1 ms) coalesces the events of short nodes:
    a node's NodeStarted is sent only once it has run that long (the meter's sampler sends it,
    within a sample interval, and always before the node's own progress); a node that ends sooner,
    a cache hit or a pass-through sends its NodeCompleted (or NodeFailed) alone, standing for both.
    """
    with quiet_gc():
        return _run(plan or ExecutionPlan(workflow, registry, overrides, file=file), workflow,
                    artifacts=artifacts, on_event=on_event, cancel=cancel, cache=cache,
                    session_id=session_id, field_values=field_values, meter=meter,
                    announce_after_s=announce_after_s)


def _run(plan: ExecutionPlan, workflow: Workflow, *, artifacts: Any, on_event: Callable[[Any], None] | None,
         cancel: threading.Event | None, cache: OutputCache | None, session_id: str | None,
         field_values: dict[str, Any] | None, meter: Meter | None, announce_after_s: float | None) -> RunResult:
    emit: Callable[[Any], None] = on_event if on_event is not None else _drop
    listening = on_event is not None
    cancel = cancel or threading.Event()
    is_canceled = cancel.is_set
    keys: dict[Instance, str] = {}
    result = RunResult(status="completed", leaves=plan.leaves())
    stats = result.stats
    meter = meter or Meter()
    copies: dict[str, int] = {}
    values = field_values or {}

    def before_node(node_id: str, count: int) -> None:
        if count != 1:
            copies[node_id] = count
        if is_canceled():
            raise Canceled("canceled")

    def notify(call: NodeCall, outputs: dict[str, Any]) -> None:
        """A pass-through (Iterate, Collect, bypassed): the plan made its outputs."""
        instance, spec = call.instance, call.spec
        if cache is not None:
            keys[instance] = cache_key(call, keys)
        node_id, iid = instance.node_id, instance.id
        stats.append(NodeStat(node_id, iid, spec.type, 0.0))
        if listening:
            if not deferring:
                emit(NodeStarted(ts=_now(), session_id=session_id, node_id=node_id, instance_id=iid,
                                 node_type=spec.type, copies=copies.get(node_id, 1)))
            _completed(emit, session_id, node_id, iid, spec, 0.0, 0, 0, False, outputs)

    def workflow_json() -> dict[str, Any]:
        """Made once, when the first node asks for it (only nodes that save images do)."""
        if not made:
            made.append(workflow.model_dump(mode="json"))
        return made[0]

    made: list[dict[str, Any]] = []

    deferring = listening and announce_after_s is not None
    after_s = announce_after_s or 0.0
    node_emit = emit
    if deferring:
        def node_emit(event: Any) -> None:  # a node's own events (progress) never precede its start
            meter.announce()
            emit(event)

    scope = RunScope(session_id, artifacts, workflow_json, values, cancel, node_emit)
    start, stop = meter.start, meter.stop

    def execute(call: NodeCall) -> dict[str, Any]:
        if is_canceled():
            raise Canceled("canceled")
        spec = call.spec
        instance = call.instance
        node_id = instance.node_id
        iid = instance.id if instance.key else node_id
        key = hit = None
        if cache is not None:  # keys only serve the cache; without one they are not worth computing
            key = keys[instance] = cache_key(call, keys)
            hit = cache.get(key)
        if listening and not deferring:
            emit(NodeStarted(ts=_now(), session_id=session_id, node_id=node_id, instance_id=iid,
                             node_type=spec.type, copies=copies.get(node_id, 1)))
        if hit is not None:
            stats.append(NodeStat(node_id, iid, spec.type, 0.0, cached=True))
            if listening:
                _completed(emit, session_id, node_id, iid, spec, 0.0, 0, 0, True, hit)
            return hit
        context = NodeContext(node_id, iid, scope)
        reading = start()
        if deferring:
            began_at = time.time()
            meter.defer(lambda: emit(NodeStarted(ts=began_at, session_id=session_id, node_id=node_id,
                                                 instance_id=iid, node_type=spec.type,
                                                 copies=copies.get(node_id, 1))), after_s)
        try:
            try:
                # model_validate, less its wrapper (pydantic sets the validator on each model class)
                node = spec.cls.__pydantic_validator__.validate_python(call.inputs)  # type: ignore[attr-defined]
            except ValidationError as exc:
                raise NodeExecutionError(iid, spec.type, f"invalid input: {validation_message(exc)}") from None
            output = node.invoke(context)
        except Canceled:
            stat = stop(reading)
            if deferring:
                meter.settle()
            stats.append(NodeStat(node_id, iid, spec.type, stat.duration_s, stat.ram_delta, stat.peak_rss,
                                  stat.vram_peak, status="canceled"))
            raise
        except Exception as exc:
            stat = stop(reading)
            if deferring:
                meter.settle()
            stats.append(NodeStat(node_id, iid, spec.type, stat.duration_s, stat.ram_delta, stat.peak_rss,
                                  stat.vram_peak, status="failed"))
            error = exc if isinstance(exc, NodeExecutionError) else NodeExecutionError(
                iid, spec.type, _message(exc), "" if isinstance(exc, MissingExtraError) else traceback.format_exc())
            if listening:
                emit(NodeFailed(session_id=session_id, node_id=node_id, instance_id=iid, node_type=spec.type,
                                error=error.message, traceback=error.traceback))
            raise error from exc
        except BaseException:  # SystemExit, KeyboardInterrupt: the caller decides; no late start event
            if deferring:
                meter.settle()
            raise
        stat = stop(reading)
        if deferring:
            meter.settle()
        fields = output.__dict__  # a pydantic model's own fields (extra ones are forbidden)
        outputs = fields if type(output) is spec.output_cls and len(fields) == len(spec.outputs) else {
            name: getattr(output, name) for name in spec.outputs}
        if key is not None and cache is not None and spec.cacheable:
            cache.put(key, outputs)
        duration_s, ram_delta, peak_rss = stat.duration_s, stat.ram_delta, stat.peak_rss
        stats.append(NodeStat(node_id, iid, spec.type, duration_s, ram_delta, peak_rss, stat.vram_peak))
        if listening:  # _completed, inlined: this is the path every node takes
            emit(NodeCompleted(ts=_now(), session_id=session_id, node_id=node_id, instance_id=iid,
                               node_type=spec.type, duration_s=duration_s, ram_delta=ram_delta,
                               peak_rss=peak_rss, outputs=Summaries(outputs, summarize),
                               images=_images(outputs) if _may_hold_images(spec) else _NO_IMAGES))
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


def _drop(_event: Any) -> None:
    pass


_now = time.time


def _completed(emit: Callable[[Any], None], session_id: str | None, node_id: str, iid: str, spec: Any,
               duration_s: float, ram_delta: int, peak_rss: int, cached: bool, outputs: dict[str, Any]) -> None:
    emit(NodeCompleted(ts=_now(), session_id=session_id, node_id=node_id, instance_id=iid, node_type=spec.type,
                       duration_s=duration_s, ram_delta=ram_delta, peak_rss=peak_rss, cached=cached,
                       outputs=Summaries(outputs, summarize),
                       images=_images(outputs) if _may_hold_images(spec) else _NO_IMAGES))


_NO_IMAGES: tuple[str, ...] = ()
"""Shared by the events of every node that cannot make images: one object, not a list per node."""
