"""`nodeeditor run WORKFLOW [--set NODE.FIELD=JSON ...] [--json]`: run a workflow once, headless."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from nodeeditor.core.errors import GraphValidationError, LocatedError
from nodeeditor.core.workflow import load_workflow
from nodeeditor.engine.quiet_gc import quiet_gc
from nodeeditor.engine.runner import run_workflow, summarize
from nodeeditor.paths import artifacts_dir
from nodeeditor.store.artifacts import FileArtifactStore

from . import EXIT_FAILED, EXIT_INVALID, EXIT_OK, add_common
from .common import fail, home_of, parse_sets, registry_for


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run a workflow once and print the outputs of its leaf nodes")
    parser.add_argument("workflow", help="workflow JSON file")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="NODE.FIELD=JSON",
                        help="override an input value (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--traceback", action="store_true",
                        help="print a failed node's Python traceback too")
    add_common(parser)
    parser.set_defaults(handler=handle)


def _jsonable(value):
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _dumps(payload: dict[str, Any]) -> str:
    """Like json.dumps(indent=2) at the top level, one line per timing row. Each part goes through
    the C encoder: with `indent` json falls back to its pure-Python encoder, which took longer than
    running a 10,000-node graph."""
    parts = []
    for key, value in payload.items():
        if key == "timings" and value:
            # One C call for every row: a raw NUL can only be a separator (json escapes it inside
            # strings), and one between rows is the only one that follows "}" (rows hold no objects).
            text = json.dumps(value, separators=("\0", ": "))[1:-1]
            rows = text.replace("}\0{", "},\n    {").replace("\0", ", ")
            parts.append(f'  "timings": [\n    {rows}\n  ]')
        else:
            parts.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


def handle(args: argparse.Namespace) -> int:
    with quiet_gc():  # loading a big file builds many objects that live to the end: no rescans
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    try:
        workflow = load_workflow(args.workflow)
        overrides = parse_sets(args.sets, args.workflow)
    except LocatedError as exc:
        return fail(str(exc), EXIT_INVALID)
    registry = registry_for(args)
    home = home_of(args)
    try:
        result = run_workflow(workflow, registry, artifacts=FileArtifactStore(artifacts_dir(home)),
                              overrides=overrides, session_id=uuid.uuid4().hex, file=args.workflow)
    except GraphValidationError as exc:
        for issue in exc.issues:
            print(f"error: {args.workflow}: {issue}", file=sys.stderr)
        return EXIT_INVALID
    timings = [{"node": s.instance_id, "type": s.node_type, "seconds": round(s.duration_s, 6),
                "cached": s.cached, "status": s.status} for s in result.stats]
    if args.json:
        payload = {"status": result.status, "outputs": _jsonable(result.leaf_outputs()),
                   "timings": timings, "duration_s": round(result.duration_s, 6)}
        if result.error is not None:
            payload["error"] = {"node": result.error.node_id, "type": result.error.node_type,
                                "message": result.error.message, "traceback": result.error.traceback}
        print(_dumps(payload))
    else:
        for instance_id, outputs in result.leaf_outputs().items():
            for name, value in outputs.items():
                print(f"{instance_id}.{name} = {summarize(value, 200)}")
        print("\ntimings:")
        for t in timings:
            mark = " (cached)" if t["cached"] else "" if t["status"] == "completed" else f" ({t['status']})"
            print(f"  {t['node']:<24} {t['type']:<22} {t['seconds'] * 1000:9.2f} ms{mark}")
        print(f"  total {result.duration_s * 1000:.2f} ms")
    if result.status == "failed":
        error = result.error
        print(f"error: {args.workflow}: node {error.node_id!r} ({error.node_type}) failed: {error.message}",
              file=sys.stderr)
        if args.traceback and error.traceback:
            print(error.traceback.rstrip("\n"), file=sys.stderr)
        return EXIT_FAILED
    if result.status == "canceled":
        return EXIT_FAILED
    return EXIT_OK
