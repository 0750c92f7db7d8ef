"""`nodeeditor worker [--until-empty]`: run queued sessions headless, with a progress bar on a terminal."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any, TextIO

from nodeeditor.engine.events import SessionCompleted
from nodeeditor.engine.worker import Worker

from . import EXIT_FAILED, EXIT_OK, add_common
from .common import registry_for, store_for

BAR_WIDTH = 30


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
            self.out.write(f"item {event.item_id} (batch {event.batch_id}) {event.status} "
                           f"in {event.duration_s:.3f} s{detail}\n")
        self.out.flush()

    def finish(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("worker", help="run queued sessions")
    parser.add_argument("--until-empty", action="store_true", help="exit when no session is pending")
    add_common(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    registry = registry_for(args)
    store = store_for(args)
    worker = Worker(store, registry)
    progress = Progress(store.queue.count_items("pending"), sys.stdout)
    worker.subscribe(progress)
    try:
        if args.until_empty:
            ended = worker.run_until_empty()
        else:
            stopped = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stopped.set())
            worker.start()
            try:
                stopped.wait()
            except KeyboardInterrupt:
                pass
            worker.stop()
            ended = progress.ended
        worker.hub.flush()
    finally:
        progress.finish()
        worker.hub.close()
        store.close()
    print(f"completed {ended['completed']}, failed {ended['failed']}, canceled {ended['canceled']}")
    return EXIT_FAILED if ended["failed"] else EXIT_OK
