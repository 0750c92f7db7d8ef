"""`nodeeditor stats [--batch ID] [--json]`: calls, time and memory per node type, and the model
cache's loads and hits under the table (the JSON stays the list of node type rows)."""

from __future__ import annotations

import argparse
import dataclasses
import json

from . import EXIT_OK, add_common
from .common import count, store_for

MB = 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stats", help="calls, time and memory per node type")
    parser.add_argument("--batch", type=count, help="only sessions of this batch")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_common(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    store = store_for(args, write=False)
    try:
        rows = store.stats.by_node_type(batch_id=args.batch)
        models = store.stats.models(batch_id=args.batch) if not args.json else None
    finally:
        store.close()
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return EXIT_OK
    header = f"{'node type':<24} {'calls':>7} {'total s':>10} {'mean ms':>9} {'peak RSS MB':>12} " \
             f"{'max +RAM MB':>12} {'VRAM MB':>8} {'cached':>7}"
    print(header)
    print("-" * len(header))
    for r in rows:
        vram = f"{r.vram_peak / MB:.1f}" if r.vram_peak is not None else "-"
        print(f"{r.node_type:<24} {r.calls:>7} {r.total_s:>10.3f} {r.mean_s * 1000:>9.2f} "
              f"{r.peak_rss / MB:>12.1f} {r.ram_delta / MB:>12.2f} {vram:>8} {r.cache_hits:>7}")
    if not rows:
        print("(no sessions have run)")
    if models is not None:
        print(f"\nmodel cache: {models.loads} load{'s' * (models.loads != 1)} ({models.load_s:.3f} s loading), "
              f"{models.hits} hit{'s' * (models.hits != 1)} over {models.sessions} session"
              f"{'s' * (models.sessions != 1)}")
    return EXIT_OK
