"""`nodeeditor nodes [--json]`: every node type with its inputs and outputs."""

from __future__ import annotations

import argparse
import json

from . import add_common
from .common import registry_for


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("nodes", help="list node types with their inputs and outputs")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_common(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    registry = registry_for(args)
    if args.json:
        print(json.dumps([spec.describe() for spec in registry], indent=2))
        return 0
    category = None
    for spec in registry:
        if spec.category != category:
            category = spec.category
            print(f"\n[{category}]")
        print(f"  {spec.type}  ({spec.title}, v{spec.version})")
        for inp in spec.inputs.values():
            default = "required" if inp.required else f"default {json.dumps(inp.to_json(inp.default))}"
            print(f"      in  {inp.name}: {inp.type}  [{inp.input_kind.value}, {default}]")
        for out in spec.outputs.values():
            print(f"      out {out.name}: {out.type}")
    return 0
