"""The child process that runs a worker's sessions, one at a time, and does nothing else.

It never opens the database: the supervising worker owns every store call, so nothing a node
does (sys.exit, KeyboardInterrupt, os._exit, a crash, a hang) can stop the loop that claims,
renews and records. It lives across sessions (starting one costs ~0.6 s of imports) and keeps
the output cache warm. Messages are pickled over one duplex pipe:

    parent -> child: ("init", Setup), ("run", Job), ("cancel", session_id)
    child -> parent: ("ready", pid), ("event", Event), ("artifact", ArtifactRecord), ("done", Outcome)

The pipe closing ends the child; on Linux so does its parent dying (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import importlib
import os
import queue
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal, cast

Ended = Literal["completed", "failed", "canceled"]

PR_SET_PDEATHSIG = 1


@dataclass
class Setup:
    """What the child needs to know the parent's node types and write artifacts."""

    sys_path: list[str]
    modules: list[str]
    """Modules that registered node types in the parent (plug-ins and tests' nodes among them)."""
    nodes_dir: str | None
    artifacts_root: str


@dataclass
class Job:
    session_id: str
    workflow: Any
    overrides: dict[tuple[str, str], Any]
    field_values: dict[str, Any]


@dataclass
class Outcome:
    """How a session ended, as the child (or, when it died, its parent) saw it."""

    status: Ended
    error: str | None = None
    traceback: str = ""
    stats: list[Any] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    models: dict[str, Any] = field(default_factory=dict)
    """This session's model figures (loads, hits, load_s: model_cache.session_models), empty when it used no model."""


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the child
        pass


def _load(setup: Setup) -> Any:
    for path in setup.sys_path:
        if path not in sys.path:
            sys.path.append(path)
    from nodeeditor.core.registry import default_registry

    for name in setup.modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the parent reports plug-in errors already
            print(f"warning: node module {name} not loaded in the session process: {exc}", file=sys.stderr)
    return default_registry(Path(setup.nodes_dir) if setup.nodes_dir else None)


class _Runner:
    """Runs jobs on the main thread; a listener thread takes commands off the pipe."""

    def __init__(self, conn: Connection, setup: Setup) -> None:
        from nodeeditor.store.artifacts import FileArtifactStore

        from .cache import OutputCache
        from .meter import Meter

        self.conn = conn
        self.registry = _load(setup)
        self.artifacts = FileArtifactStore(Path(setup.artifacts_root),
                                           on_saved=lambda record: self._send("artifact", record))
        self.cache = OutputCache()
        self.meter = Meter()
        self.jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self.cancel = threading.Event()
        self.session: str | None = None
        self._send_lock = threading.Lock()

    def _send(self, tag: str, payload: Any) -> None:
        with self._send_lock:
            self.conn.send((tag, payload))

    def listen(self) -> None:
        try:
            while True:
                tag, payload = self.conn.recv()
                if tag == "run":
                    self.jobs.put(payload)
                elif tag == "cancel" and payload == self.session:
                    self.cancel.set()
        except (EOFError, OSError):
            os._exit(0)

    def serve(self) -> None:
        self._send("ready", os.getpid())
        while True:
            job = self.jobs.get()
            self.cancel = threading.Event()
            self.session = job.session_id
            outcome = self.run(job)
            self.session = None
            self._send("done", outcome)

    def run(self, job: Job) -> Outcome:
        from nodeeditor.core.errors import GraphValidationError

        from . import model_cache
        from .events import NodeCompleted, NodeStarted
        from .runner import run_workflow, summarize

        images: list[str] = []
        running: list[str] = []

        def on_event(event: Any) -> None:
            if isinstance(event, NodeStarted):
                running[:] = [f"node {event.node_id!r} ({event.node_type})"]
            elif isinstance(event, NodeCompleted):
                event.outputs = dict(event.outputs)  # the texts, not the values they summarize, cross the pipe
                images.extend(event.images)
            self._send("event", event)

        began = time.perf_counter()
        model_cache.begin_session()
        try:
            result = run_workflow(job.workflow, self.registry, artifacts=self.artifacts,
                                  overrides=job.overrides, on_event=on_event, cancel=self.cancel,
                                  cache=self.cache, session_id=job.session_id,
                                  field_values=job.field_values, meter=self.meter)
        except GraphValidationError as exc:
            return Outcome("failed", str(exc), "", duration_s=time.perf_counter() - began)
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, ...: this session fails, no more
            where = f"{running[0]} raised " if running else ""
            return Outcome("failed", f"{where}{type(exc).__name__}: {exc}".rstrip(": "),
                           traceback.format_exc(), duration_s=time.perf_counter() - began)
        outcome = Outcome(cast(Ended, result.status), stats=result.stats, images=images,
                          duration_s=time.perf_counter() - began, models=model_cache.session_models())
        if result.error is not None:
            outcome.error, outcome.traceback = str(result.error), result.error.traceback or ""
        elif result.status == "completed":
            outcome.outputs = {f"{iid}.{name}": summarize(value)
                               for iid, outs in result.leaf_outputs().items() for name, value in outs.items()}
        return outcome


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides what a Ctrl-C means
    conn = Connection(int(argv[0]))
    tag, setup = conn.recv()
    if tag != "init":
        return 2
    runner = _Runner(conn, setup)
    threading.Thread(target=runner.listen, name="session-commands", daemon=True).start()
    runner.serve()
    return 0

