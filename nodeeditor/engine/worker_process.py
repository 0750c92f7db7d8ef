"""The queue Worker in a child process, behind the same interface as `Worker`.

A worker thread in the GUI process competes with the GUI thread for the GIL: every paint, model
read and timer slot that calls into Python waits behind the running node (measured: p99 timer
lateness 89-205 ms). In a child process the GUI keeps the interpreter to itself. Events come back
as JSON lines on a private pipe (the node's own prints go to stderr), commands go down stdin;
cancel requests also travel through the store, so they reach the child either way. If the child
dies, its running item is failed as interrupted and a new child takes over the queue.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from nodeeditor.store.status import WorkerState

from .events import SessionCompleted, SessionStarted, from_json
from .worker_base import WorkerBase

COMMANDS = ("start", "pause", "resume", "wake", "cancel_current", "stop")


class ProcessWorker(WorkerBase):
    """Runs sessions in a child `python -m nodeeditor.engine.worker_process`."""

    def __init__(self, *, home: Path, url: str | None = None, restart: bool = True) -> None:
        self.home = Path(home)
        self.url = url
        self.restart = restart
        super().__init__("worker-process-events")
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._paused = False
        self._stopping = False

    # -- the Worker interface ------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return
            self._stopping = False
            self._spawn()
        if self._paused:
            self._send("pause")
        self._send("start")
        self._state = WorkerState.PAUSED if self._paused else WorkerState.IDLE

    def pause(self) -> None:
        self._paused = True
        self._send("pause")
        if self._current is None:
            self._state = WorkerState.PAUSED

    def resume(self) -> None:
        self._paused = False
        self._send("resume")
        self._state = WorkerState.RUNNING if self._current is not None else WorkerState.IDLE

    def wake(self) -> None:
        self._send("wake")

    def cancel_current(self) -> bool:
        if self._current is None:
            return False
        self._send("cancel_current")
        return True

    def stop(self, wait: bool = True, timeout: float = 30.0) -> None:
        self._stopping = True
        process = self._process
        if process is None:
            self._state = WorkerState.STOPPED
            return
        self._send("stop")
        if wait:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if self._reader is not None and self._reader is not threading.current_thread():
                self._reader.join(timeout=5)
        self._state = WorkerState.STOPPED

    def close(self) -> None:
        self.stop()
        self.hub.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "nodeeditor.engine.worker_process", "--home", str(self.home)]
        if self.url:
            command += ["--db", self.url]
        read_fd, write_fd = os.pipe()
        self._process = subprocess.Popen(
            command + ["--events-fd", str(write_fd)], stdin=subprocess.PIPE, pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL if os.environ.get("NODEEDITOR_QUIET_WORKER") else None)
        os.close(write_fd)
        self._reader = threading.Thread(target=self._read, args=(self._process, read_fd),
                                        name="worker-process-reader", daemon=True)
        self._reader.start()

    def _send(self, command: str) -> None:
        process = self._process
        if process is None or process.poll() is not None or process.stdin is None:
            return
        try:
            process.stdin.write(f"{command}\n".encode())
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def _read(self, process: subprocess.Popen, fd: int) -> None:
        with os.fdopen(fd, "rb") as stream:
            for line in stream:
                try:
                    event = from_json(line)
                except ValueError:
                    continue
                if isinstance(event, SessionStarted):
                    self._current = event.item_id
                    self._state = WorkerState.RUNNING
                elif isinstance(event, SessionCompleted):
                    self._current = None
                    self._state = WorkerState.PAUSED if self._paused else WorkerState.IDLE
                self.hub.publish(event)
        process.wait()
        self._current = None
        if not self._stopping and self.restart:
            self._recover_after_crash()
            self._process = None
            self.start()
        else:
            self._state = WorkerState.STOPPED

    def _recover_after_crash(self) -> None:
        from nodeeditor.store.store import open_store

        store = open_store(self.url, self.home, recover=True)
        store.close()


def serve(argv: list[str] | None = None) -> int:
    """Child side: run a Worker on the store, write events to the events pipe, obey stdin."""
    parser = argparse.ArgumentParser(prog="nodeeditor-worker-process")
    parser.add_argument("--home", required=True)
    parser.add_argument("--db")
    parser.add_argument("--events-fd", type=int, required=True)
    args = parser.parse_args(argv)

    from nodeeditor.core.registry import default_registry
    from nodeeditor.paths import data_dir, user_nodes_dir
    from nodeeditor.store.store import open_store

    from .worker import Worker

    events = os.fdopen(args.events_fd, "wb")
    sys.stdout = sys.stderr  # a node's print() must never reach the events pipe
    home = data_dir(args.home)
    registry = default_registry(user_nodes_dir(home))
    store = open_store(args.db, home, registry=registry, recover=False)
    worker = Worker(store, registry)
    lock = threading.Lock()

    def emit(event: Any) -> None:
        with lock:
            try:
                events.write(event.to_json().encode() + b"\n")
                events.flush()
            except (BrokenPipeError, OSError):
                pass

    worker.subscribe(emit)
    for line in sys.stdin:
        command = line.strip()
        if command == "stop":
            break
        if command in COMMANDS:
            getattr(worker, command)()
    worker.close()
    store.close()
    events.close()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
