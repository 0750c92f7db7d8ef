"""`nodeeditor queue status|list|cancel|retry|clear [--json]`: look at and act on the queue."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime

from nodeeditor.store.status import SHOWN

from . import EXIT_INVALID, EXIT_OK, add_common
from .common import count, fail, item_ref, session_key, store_for


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("queue", help="show, cancel, retry or clear queued sessions")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="sessions per status, and per batch")
    listing = actions.add_parser("list", help="one line per session")
    listing.add_argument("--status", choices=[s.value for s in SHOWN])
    listing.add_argument("--batch", type=count)
    listing.add_argument("--after", type=session_key,
                         help="key of the last row of the previous page (BATCH:INDEX)")
    listing.add_argument("--limit", type=count, default=200,
                         help="rows to print (default 200; read a page at a time)")
    cancel = actions.add_parser("cancel", help="cancel pending sessions (and ask running ones to stop)")
    retry = actions.add_parser("retry", help="make failed and canceled sessions pending again")
    for action in (cancel, retry):
        action.add_argument("--item", action="append", default=[], type=item_ref,
                            help="session key BATCH:INDEX, as listed (or a stored item id); repeatable")
        action.add_argument("--batch", type=count)
        action.add_argument("--all", action="store_true")
    clear = actions.add_parser("clear", help="remove finished sessions (their stats stay)")
    for action in (status, listing, cancel, retry, clear):
        action.add_argument("--json", action="store_true", help="print JSON")
        add_common(action)
        action.set_defaults(handler=handle)
    add_common(parser)


PAGE = 500
"""Rows read per query by `queue list`: memory stays flat whatever --limit says."""


def _time(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S") if ts else "-"


def _out(args: argparse.Namespace, payload: object, text: str) -> int:
    print(json.dumps(payload, indent=2, default=str) if args.json else text)
    return EXIT_OK


def _targets(args: argparse.Namespace) -> str | None:
    chosen = sum([bool(args.item), args.batch is not None, args.all])
    return None if chosen == 1 else f"queue {args.action} needs exactly one of --item, --batch or --all"


def handle(args: argparse.Namespace) -> int:
    if args.action in ("cancel", "retry") and (problem := _targets(args)):
        return fail(problem, EXIT_INVALID)
    store = store_for(args, write=args.action not in ("status", "list"))
    try:
        return _act(args, store.queue)
    except ValueError as exc:
        return fail(str(exc), EXIT_INVALID)
    finally:
        store.close()


def _pages(args: argparse.Namespace, queue):
    """Rows one page at a time, up to --limit in all."""
    after, left = args.after, args.limit
    while left > 0:
        rows = queue.list_items(status=args.status, batch_id=args.batch, after=after, limit=min(PAGE, left))
        yield from rows
        if len(rows) < min(PAGE, left):
            return
        left -= len(rows)
        after = rows[-1].key


def _line(r) -> str:
    return (f"{r.key:<12} {r.status:<11} item {r.item_id if r.item_id is not None else '-':<8} "
            f"started {_time(r.started)}  "
            f"{(f'{r.duration_s:.3f} s' if r.duration_s is not None else ''):<10} "
            f"{json.dumps(r.field_values)}{'  ' + r.error if r.error else ''}")


def _list(args: argparse.Namespace, queue) -> int:
    """Printed as it is read, so `--limit 1000000` needs no more memory than one page."""
    printed = 0
    if args.json:
        print("[")
    for row in _pages(args, queue):
        if args.json:
            print(("," if printed else "") + json.dumps(dataclasses.asdict(row), default=str))
        else:
            print(_line(row))
        printed += 1
    if args.json:
        print("]")
    elif not printed:
        print("(no sessions)")
    return EXIT_OK


def _act(args: argparse.Namespace, queue) -> int:
    if args.action == "status":
        counts = queue.counts()
        batches = queue.batches()
        payload = {"counts": counts, "batches": [dataclasses.asdict(b) for b in batches]}
        lines = ["  ".join(f"{s} {n}" for s, n in counts.items())]
        lines += [f"batch {b.batch_id} {b.name!r} priority {b.priority}: "
                  + "  ".join(f"{s} {n}" for s, n in b.counts.items() if n) for b in batches]
        return _out(args, payload, "\n".join(lines))
    if args.action == "list":
        return _list(args, queue)
    if args.action == "clear":
        cleared = queue.clear_finished()
        return _out(args, {"cleared": cleared}, f"cleared {cleared} finished sessions")
    if args.action == "cancel":
        if args.item:
            done = sum(queue.cancel_item(ref) for ref in args.item)
        elif args.batch is not None:
            done = queue.cancel_batch(args.batch)
        else:
            done = queue.cancel_pending()
        return _out(args, {"canceled": done}, f"canceled {done} sessions")
    if args.item:
        done = queue.retry(item_ids=args.item)
    else:
        done = queue.retry(batch_id=args.batch)
    return _out(args, {"retried": done}, f"{done} sessions pending again")
