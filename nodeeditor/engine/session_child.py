"""The child process that runs a worker's sessions, one at a time, and does nothing else.

It never opens the database: the supervising worker owns every store call, so nothing a node
does (sys.exit, KeyboardInterrupt, os._exit, a crash, a hang) can stop the loop that claims,
renews and records. It lives across sessions (starting one costs ~0.6 s of imports) and keeps
the output cache warm. Messages are pickled over one duplex pipe:

    parent -> child: ("init", Setup), ("run", [Job, ...]), ("cancel", session_id), ("halt", None)
    child -> parent: ("ready", pid), ("bundle", [message, ...])

A "run" hands over a block of sessions, run one after another. A bundle holds, in order,
("event", Event), ("artifact", ArtifactRecord), ("done", Outcome) and ("back", session_id) (a
session of the block not started because of a halt: the worker hands it back). A session's
outcome is sent, with whatever waits before it, the moment the session ends and before the next
one starts, so when the child dies the first session of the block without an outcome is the one
that was running. Other messages wait at most FLUSH_S (a long node's start, its progress).
Cancel of a session still waiting in the block ends it as canceled without running it; "halt"
(the worker pauses or stops) sends back every session of the block not yet started.

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
FLUSH_S = 0.01
"""Longest a message waits in the child before it is sent (outcomes never wait)."""


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
    alone: bool = True
    """The only session of its block: its messages are sent as they come (a long session's
    events, and a crash's node named exactly), not bundled."""


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
    session_id: str = ""


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


class _Outbox:
    """Messages to the parent, sent in bundles: a short session's events go with its outcome in
    one send; anything else waits at most FLUSH_S (the flusher thread sends it)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._items: list[tuple[str, Any]] = []
        self.immediate = False
        self._due = threading.Event()
        threading.Thread(target=self._flusher, name="session-outbox", daemon=True).start()

    def put(self, tag: str, payload: Any) -> None:
        with self._lock:
            self._items.append((tag, payload))
            first = len(self._items) == 1
        if self.immediate:
            self.flush()
        elif first:
            self._due.set()

    def flush(self) -> None:
        with self._lock:
            items, self._items = self._items, []
            if items:
                self.conn.send(("bundle", items))

    def _flusher(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            time.sleep(FLUSH_S)
            try:
                self.flush()
            except OSError:
                return


class _Runner:
    """Runs jobs on the main thread; a listener thread takes commands off the pipe."""

    def __init__(self, conn: Connection, setup: Setup) -> None:
        from nodeeditor.store.artifacts import FileArtifactStore

        from .cache import OutputCache
        from .meter import Meter

        self.conn = conn
        self.registry = _load(setup)
        self.outbox = _Outbox(conn)
        self.artifacts = FileArtifactStore(Path(setup.artifacts_root),
                                           on_saved=lambda record: self.outbox.put("artifact", record))
        self.cache = OutputCache()
        self.meter = Meter()
        self.jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self.cancel = threading.Event()
        self.session: str | None = None
        self._lock = threading.Lock()
        self._waiting: set[str] = set()
        """Sessions of the block not started yet."""
        self._skip: set[str] = set()
        """Waiting sessions canceled before they started."""
        self._back: set[str] = set()
        """Waiting sessions already sent back unrun (the worker halted the block): skipped."""

    def listen(self) -> None:
        try:
            while True:
                tag, payload = self.conn.recv()
                with self._lock:
                    if tag == "run":
                        self._waiting.update(job.session_id for job in payload)
                        for job in payload:
                            self.jobs.put(job)
                    elif tag == "cancel":
                        if payload == self.session:
                            self.cancel.set()
                        elif payload in self._waiting:
                            self._skip.add(payload)
                    elif tag == "halt":  # at once, not after the running session: others may take them
                        self._back.update(self._waiting)
                        for sid in self._waiting:
                            self.outbox.put("back", sid)
                        self._waiting.clear()
                        self.outbox.flush()
        except (EOFError, OSError):
            os._exit(0)

    def serve(self) -> None:
        self.conn.send(("ready", os.getpid()))
        while True:
            job = self.jobs.get()
            sid = job.session_id
            with self._lock:
                if sid in self._back:
                    self._back.discard(sid)
                    continue
                self._waiting.discard(sid)
                skip = sid in self._skip
                self._skip.discard(sid)
                self.cancel = threading.Event()
                self.session = None if skip else sid
                self.outbox.immediate = job.alone
            outcome = Outcome("canceled", error="canceled") if skip else self.run(job)
            outcome.session_id = sid
            self.session = None
            self.outbox.put("done", outcome)
            self.outbox.flush()

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
            self.outbox.put("event", event)

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

