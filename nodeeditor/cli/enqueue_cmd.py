"""`nodeeditor enqueue WORKFLOW --batch BATCH.json [--priority N] [--front]`: queue a batch of sessions."""

from __future__ import annotations

import argparse
import json
import sys

from nodeeditor.core.batch import Batch, load_batch
from nodeeditor.core.errors import GraphValidationError, LocatedError
from nodeeditor.core.workflow import load_workflow

from . import EXIT_INVALID, EXIT_OK, add_common
from .common import fail, int64, registry_for, store_for


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("enqueue", help="queue every session of a batch (or one session) of a workflow")
    parser.add_argument("workflow", help="workflow JSON file")
    parser.add_argument("--batch", help="batch JSON file (default: one session)")
    parser.add_argument("--priority", type=int64, default=0, help="higher runs first (default 0)")
    parser.add_argument("--front", action="store_true", help="run before everything already pending")
    parser.add_argument("--name", help="batch name shown in the queue (default: the workflow's)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_common(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        workflow = load_workflow(args.workflow)
        batch = load_batch(args.batch) if args.batch else Batch()
    except LocatedError as exc:
        return fail(str(exc), EXIT_INVALID)
    registry = registry_for(args)
    store = store_for(args)
    try:
        result = store.queue.enqueue(workflow, batch, priority=args.priority, front=args.front,
                                     name=args.name, registry=registry)
    except GraphValidationError as exc:
        source = args.batch or args.workflow
        for issue in exc.issues:
            print(f"error: {source}: {issue}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        store.close()
    where = " at the front" if args.front else (f" with priority {args.priority}" if args.priority else "")
    if args.json:
        print(json.dumps({"batch_id": result.batch_id, "count": result.count}))
    else:
        print(f"batch {result.batch_id}: {result.count} session{'s' if result.count != 1 else ''} "
              f"queued{where}")
    return EXIT_OK
