"""The child process that runs a worker's sessions, one at a time, and does nothing else.

It never opens the database: the supervising worker owns every store call, so nothing a node
does (sys.exit, KeyboardInterrupt, os._exit, a crash, a hang) can stop the loop that claims,
renews and records. It lives across sessions (starting one costs ~0.6 s of imports) and keeps
the output cache warm. Messages are pickled over one duplex pipe:

    parent -> child: ("init", Setup), ("run", Job), ("cancel", session_id)
    child -> parent: ("ready", pid), ("event", Event), ("artifact", ArtifactRecord), ("done", Outcome),
                     ("many", [(tag, payload), ...]): several of these in one message

Events and artifacts wait in an outbox for at most `FLUSH_S` (a person cannot tell) and leave
together, with the session's end when it comes first: a short session is one message, not one
per event. So that a parent whose child died can still say which node was running, the child
writes each node's id as it starts on a shared page (`NodeBoard`). A job names its batch's
workflow by key and carries it only the first time.

The pipe closing ends the child; on Linux so does its parent dying (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import importlib
import mmap
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


FLUSH_S = 0.02
"""How long an event may wait in the outbox for others to leave with it."""
KEPT_WORKFLOWS = 16
"""Workflows the child keeps by key (the batches it ran last)."""


@dataclass
class Job:
    session_id: str
    workflow: Any
    """None when the child has the workflow of `workflow_key` already."""
    overrides: dict[tuple[str, str], Any]
    field_values: dict[str, Any]
    workflow_key: str | None = None
    """The same for every session of a batch (whose workflow never changes)."""


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


class NodeBoard:
    """The id of the node running in the child, on a page both processes map: written by the
    child at every node's start, read by the parent once the child is gone (nothing is torn then)."""

    SIZE = 4096

    def __init__(self, fd: int) -> None:
        self._page = mmap.mmap(fd, self.SIZE)

    @classmethod
    def create(cls) -> "tuple[NodeBoard, int] | None":
        """A new board and its file descriptor (to pass to the child); None where memfd is missing."""
        if not hasattr(os, "memfd_create"):
            return None
        fd = os.memfd_create("nodeeditor-node-board")
        os.ftruncate(fd, cls.SIZE)
        return cls(fd), fd

    def write(self, node_id: str) -> None:
        data = node_id.encode("utf-8", "replace")[: self.SIZE - 2]
        self._page[2:2 + len(data)] = data
        self._page[0:2] = len(data).to_bytes(2, "little")

    def clear(self) -> None:
        self._page[0:2] = b"\0\0"

    def read(self) -> str | None:
        size = int.from_bytes(self._page[0:2], "little")
        return self._page[2:2 + size].decode("utf-8", "replace") if size else None


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

    def __init__(self, conn: Connection, setup: Setup, board: NodeBoard | None = None) -> None:
        from nodeeditor.store.artifacts import FileArtifactStore

        from .cache import OutputCache
        from .meter import Meter

        self.conn = conn
        self.board = board
        self.registry = _load(setup)
        self.artifacts = FileArtifactStore(Path(setup.artifacts_root),
                                           on_saved=lambda record: self._post("artifact", record))
        self.cache = OutputCache()
        self.meter = Meter()
        self.jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self.cancel = threading.Event()
        self.session: str | None = None
        self.workflows: dict[str, Any] = {}
        self._send_lock = threading.Lock()
        self._outbox: list[tuple[str, Any]] = []
        self._ticking = threading.Event()
        self._flusher_asleep = False
        threading.Thread(target=self._flush_now_and_then, name="session-outbox", daemon=True).start()

    def _send(self, tag: str, payload: Any) -> None:
        """Send now, after whatever waits in the outbox (in one message)."""
        with self._send_lock:
            waiting, self._outbox = self._outbox, []
            waiting.append((tag, payload))
            self.conn.send(("many", waiting) if len(waiting) > 1 else waiting[0])

    def _post(self, tag: str, payload: Any) -> None:
        """Send within FLUSH_S, with whatever else comes meanwhile."""
        with self._send_lock:
            self._outbox.append((tag, payload))

    def _flush_now_and_then(self) -> None:
        """Every FLUSH_S while sessions come (waking this thread for each session's first event
        would cost a short session more than the ticks cost); asleep once none has run for a second."""
        last_seen = time.monotonic()
        while True:
            time.sleep(FLUSH_S)
            if self.session is not None:
                last_seen = time.monotonic()
            elif time.monotonic() - last_seen > 1.0:
                self._ticking.clear()
                self._flusher_asleep = True
                if self.session is None:  # a session that started meanwhile has seen the flag, or runs
                    self._ticking.wait()
                last_seen = time.monotonic()
            if not self._outbox:
                continue
            with self._send_lock:
                waiting, self._outbox = self._outbox, []
                if waiting:
                    try:
                        self.conn.send(("many", waiting))
                    except OSError:  # the parent is gone: the listener ends this process
                        return

    def _workflow(self, job: Job) -> Any:
        if job.workflow_key is None:
            return job.workflow
        if job.workflow is not None:
            self.workflows.pop(job.workflow_key, None)
            self.workflows[job.workflow_key] = job.workflow
            while len(self.workflows) > KEPT_WORKFLOWS:
                del self.workflows[next(iter(self.workflows))]
        return self.workflows[job.workflow_key]

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
            if self._flusher_asleep:
                self._flusher_asleep = False
                self._ticking.set()
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
                if self.board is not None:
                    self.board.write(event.node_id)
            elif isinstance(event, NodeCompleted):
                event.outputs = dict(event.outputs)  # the texts, not the values they summarize, cross the pipe
                images.extend(event.images)
            self._post("event", event)

        began = time.perf_counter()
        model_cache.begin_session()
        try:
            result = run_workflow(self._workflow(job), self.registry, artifacts=self.artifacts,
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
    runner = _Runner(conn, setup, NodeBoard(int(argv[1])) if len(argv) > 1 else None)
    threading.Thread(target=runner.listen, name="session-commands", daemon=True).start()
    runner.serve()
    return 0

