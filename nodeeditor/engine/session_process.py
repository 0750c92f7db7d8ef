"""The worker's side of its session child: start it, hand it a job, read what comes back, kill it.

Policy (when to cancel, when to kill, what to record) belongs to the worker's loop; this class
only knows how to talk to one child and how to tell that it died. A killed or dead child is
replaced by the next `submit`, so a worker starts a process per crash, not per session.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from nodeeditor.core.registry import Registry

from .session_child import KEPT_WORKFLOWS, Job, NodeBoard, Setup

READY_TIMEOUT_S = 120.0
"""Importing the nodes (torch among them, for model nodes) can take a while on a busy machine."""

Message = tuple[str, Any]
LAUNCH = "import sys; from nodeeditor.engine.session_child import main; sys.exit(main())"
"""Not `-m`: the pickled classes must come from the module's own name, not `__main__`."""


class ChildDied(Exception):
    """The session child ended (a node killed it, or it was killed); the message says how."""


def setup_for(registry: Registry, artifacts_root: Path, nodes_dir: Path | None) -> Setup:
    """The registry as a recipe: the modules that defined its node types, and the nodes folder."""
    defined_in = {getattr(spec.cls, "__module__", "") for spec in registry}
    modules = sorted(m for m in defined_in if m and not m.startswith("nodeeditor_user_nodes."))
    return Setup(sys_path=list(sys.path), modules=modules,
                 nodes_dir=str(nodes_dir) if nodes_dir is not None else None,
                 artifacts_root=str(artifacts_root))


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the session process stopped answering"
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the session process was killed by {name}"
    return f"the session process exited with status {code}"


class SessionProcess:
    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._known: dict[str, Any] = {}
        """Workflows the child holds, by key, oldest first."""
        self._board: NodeBoard | None = None

    def running_node(self) -> str | None:
        """The node that started last in the current session (for a child that died in it)."""
        return self._board.read() if self._board is not None else None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def started(self) -> bool:
        """Started and not known to have ended (no system call: `alive` asks the kernel)."""
        return self._process is not None

    def start(self) -> None:
        """Start the child (if it is not running) and wait until it has loaded the nodes."""
        if self.alive:
            return
        self.kill()
        self._known = {}
        ours, theirs = multiprocessing.Pipe(duplex=True)
        board = NodeBoard.create()
        fds = (theirs.fileno(),) if board is None else (theirs.fileno(), board[1])
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, *map(str, fds)],
                pass_fds=fds, stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            theirs.close()
            if board is not None:
                os.close(board[1])  # the mapping stays
        self._board = board[0] if board is not None else None
        self._conn = ours
        ours.send(("init", self.setup))
        if not ours.poll(READY_TIMEOUT_S):
            self.kill()
            raise ChildDied("the session process did not start")
        try:
            tag, _pid = ours.recv()
        except (EOFError, OSError):
            code = self._process.wait() if self._process is not None else None
            self.kill()
            raise ChildDied(describe_exit(code)) from None
        assert tag == "ready"

    def submit(self, job: Job) -> None:
        """Hand the child a session; a workflow it was given before (the same object: a batch's,
        as the store keeps it) travels as its key only."""
        self.start()
        assert self._conn is not None
        if self._board is not None:
            self._board.clear()
        key = str(id(job.workflow))
        if self._known.get(key) is job.workflow:
            job = replace(job, workflow=None, workflow_key=key)
        else:
            job = replace(job, workflow_key=key)
            self._known.pop(key, None)
            self._known[key] = job.workflow  # held here, so its id stays its own
            while len(self._known) > KEPT_WORKFLOWS:  # what the child keeps, in the same order
                del self._known[next(iter(self._known))]
        try:
            self._conn.send(("run", job))
        except OSError as exc:
            self.kill()
            raise ChildDied(f"the session process could not take the session: {exc}") from None

    def cancel(self, session_id: str) -> None:
        """Ask the running node to stop (through its context); the caller decides when to kill."""
        if self._conn is not None:
            try:
                self._conn.send(("cancel", session_id))
            except OSError:
                pass

    def receive(self, timeout: float) -> list[Message]:
        """Messages that arrived within `timeout` (all of them once the first has come).

        Raises ChildDied when the child is gone and nothing more is left to read.
        """
        conn = self._conn
        if conn is None:
            raise ChildDied("the session process is not running")
        messages: list[Message] = []
        try:
            if conn.poll(timeout):
                while True:
                    message = conn.recv()
                    if message[0] == "many":
                        messages.extend(message[1])
                    else:
                        messages.append(message)
                    if messages[-1][0] == "done" or not conn.poll(0):
                        break
        except (EOFError, OSError):
            if messages:
                return messages
            code = self._process.wait(timeout=5) if self._process is not None else None
            self._forget()
            raise ChildDied(describe_exit(code)) from None
        return messages

    def kill(self) -> None:
        """End the child now (SIGKILL); the next submit starts a fresh one."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if process is not None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._forget()

    def close(self) -> None:
        """Let the child go: it exits when its pipe closes; killed if it does not within 2 s."""
        process = self._process
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if process is not None:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process = None

    def _forget(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._process = None
