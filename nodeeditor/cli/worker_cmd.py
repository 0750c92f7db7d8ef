"""`nodeeditor worker`: run queued sessions headless, supervised, until stopped (or the queue is empty).

SIGTERM / SIGINT: claim nothing more, give the running session 5 s, then hand it back (pending,
same attempt) and exit 0; a second signal hands it back at once. A store that stays unusable for
`--give-up-after` seconds ends the worker with status 3 and the reason.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from contextlib import contextmanager
from typing import Any, Iterator, TextIO

from nodeeditor.engine.events import SessionCompleted
from nodeeditor.engine.worker import Worker
from nodeeditor.engine.worker_store import STORE_ERRORS, StoreUnusable, short_error

from . import EXIT_FAILED, EXIT_OK, add_common
from .common import fail, registry_for, store_for

BAR_WIDTH = 30
STOP_GRACE_S = 5.0
EXIT_STORE = 3


class Progress:
    """A one-line bar on a terminal; one line per finished session otherwise."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.out = out
        self.tty = out.isatty()
        self.ended = {"completed": 0, "failed": 0, "canceled": 0}

    def __call__(self, event: Any) -> None:
        if not isinstance(event, SessionCompleted):
            return
        self.ended[event.status] += 1
        done = sum(self.ended.values())
        self.total = max(self.total, done)
        if self.tty:
            filled = BAR_WIDTH * done // max(self.total, 1)
            self.out.write(f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{self.total}  "
                           f"completed {self.ended['completed']}  failed {self.ended['failed']}  "
                           f"canceled {self.ended['canceled']}")
        else:
            detail = f": {event.error}" if event.error else ""
            self.out.write(f"item {event.batch_id}:{event.index} {event.status} "
                           f"in {event.duration_s:.3f} s{detail}\n")
        self.out.flush()

    def finish(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def attempts(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("worker", help="run queued sessions")
    parser.add_argument("--until-empty", action="store_true", help="exit when no session is pending")
    parser.add_argument("--name", help="this worker's name in `nodeeditor workers` (default: HOST-PID)")
    parser.add_argument("--lease", type=positive, default=30.0, metavar="S",
                        help="seconds a claimed session stays this worker's without renewal (default 30)")
    parser.add_argument("--max-attempts", type=attempts, default=3, metavar="N",
                        help="a session whose worker is lost this often fails (default 3)")
    parser.add_argument("--give-up-after", type=positive, default=300.0, metavar="S",
                        help="exit with status 3 after the store failed this long (default 300)")
    add_common(parser)
    parser.set_defaults(handler=handle)


@contextmanager
def _service(worker: Worker) -> Iterator[None]:
    """While the worker serves: its log lines on stderr, and the signals of a service manager.

    First SIGTERM/SIGINT: stop claiming and give the session 5 s; a second: hand it back now.
    """
    said = logging.getLogger("nodeeditor.worker")
    handler = logging.StreamHandler(sys.stderr)
    said.addHandler(handler)
    level, said.level = said.level, logging.INFO
    received = []

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signum)
        first = len(received) == 1
        said.warning("worker %s: %s, %s", worker.name, signal.Signals(signum).name,
                     f"stopping (the running session has {STOP_GRACE_S:.0f} s, then goes back to the queue)"
                     if first else "handing the running session back now")
        worker.request_stop(STOP_GRACE_S if first else 0.0)

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, was in previous.items():
            signal.signal(signum, was)
        said.removeHandler(handler)
        said.level = level


def handle(args: argparse.Namespace) -> int:
    registry = registry_for(args)
    try:
        store = store_for(args)
        pending = store.queue.count_items("pending")
    except STORE_ERRORS as exc:
        from nodeeditor.store.health import explain  # names the database and the cause

        cause = explain(exc, getattr(args, "db", None), getattr(args, "home", None))
        return fail(cause or f"the store cannot be used: {short_error(exc)}", EXIT_STORE)
    worker = Worker(store, registry, name=args.name, lease_s=args.lease, max_attempts=args.max_attempts,
                    give_up_after_s=args.give_up_after)
    progress = Progress(pending, sys.stdout)
    worker.subscribe(progress)
    try:
        with _service(worker):
            worker.serve(until_empty=args.until_empty)
        worker.hub.flush()
    except StoreUnusable as exc:
        progress.finish()
        return fail(str(exc), EXIT_STORE)
    finally:
        worker.hub.close()
        store.close()
    progress.finish()
    ended = worker.ended
    line = f"completed {ended['completed']}, failed {ended['failed']}, canceled {ended['canceled']}"
    if ended["handed_back"]:
        line += f", handed back {ended['handed_back']}"
    if ended["dropped"]:
        line += f", dropped {ended['dropped']} (taken over by another worker)"
    print(line)
    return EXIT_FAILED if args.until_empty and ended["failed"] else EXIT_OK
