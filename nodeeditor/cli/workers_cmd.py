"""`nodeeditor workers [--json]`: the workers registered on the queue, on this machine or any other.

Reads only: a worker whose heartbeat is older than its lease shows as lost even before a claim
has marked it so.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime

from nodeeditor.engine.devices import describe
from nodeeditor.engine.worker_store import STORE_ERRORS, short_error

from . import EXIT_OK, add_common
from .common import fail, store_for

EXIT_STORE = 3


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("workers", help="list the workers on the queue and what they do")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_common(parser)
    parser.set_defaults(handler=handle)


def _line(row) -> str:
    current = f"item {row.current_item}" if row.current_item is not None else "-"
    started = datetime.fromtimestamp(row.started).strftime("%Y-%m-%d %H:%M:%S")
    return (f"{row.name:<20} {row.state.value:<9} {row.host}:{row.pid:<8} {current:<12} "
            f"done {row.sessions_done:<7} seen {row.seen_s_ago:5.1f} s ago  since {started}"
            f"  devices {describe(row.capabilities.get('devices'))}")


def handle(args: argparse.Namespace) -> int:
    try:
        store = store_for(args)
    except STORE_ERRORS as exc:
        return fail(f"the store cannot be used: {short_error(exc)}", EXIT_STORE)
    try:
        rows = store.workers.list()
    except STORE_ERRORS as exc:
        return fail(f"the store cannot be used: {short_error(exc)}", EXIT_STORE)
    finally:
        store.close()
    if args.json:
        print(json.dumps([{**dataclasses.asdict(r), "state": r.state.value} for r in rows], indent=2, default=str))
    elif not rows:
        print("no workers registered")
    else:
        print("\n".join(_line(r) for r in rows))
    return EXIT_OK
