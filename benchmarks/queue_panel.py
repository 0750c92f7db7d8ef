"""Queue table reads at 100,000 sessions: what each store read of the queue panel costs.

The panel runs these reads on its reader thread, never on the GUI thread; this measures them on
an idle process, one at a time: the first page, the next page deep in the queue, a refresh of the
visible rows, the counts, the batch list, and a model reload (first page read and its 200 rows
of cells built). Prints one JSON object (milliseconds, medians of 20).

    python benchmarks/queue_panel.py [--sessions 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from nodeeditor.core.batch import Batch  # noqa: E402
from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import parse_workflow  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.ui.panels.queue_model import QueueTableModel  # noqa: E402

FINISHED = 2_000
"""Sessions run (claimed and completed) before measuring, so pages mix stored and lazy rows."""


def median_ms(call, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    registry = default_registry()
    store = open_store(home=Path(tempfile.mkdtemp(prefix="queue_panel_")), registry=registry)
    workflow = parse_workflow({"version": 1, "nodes": [{"id": "a", "type": "integer", "inputs": {"value": 0}}],
                               "edges": []})
    store.queue.enqueue(workflow, Batch.model_validate(
        {"runs": 1, "data": [[{"node": "a", "field": "value", "items": list(range(args.sessions))}]]}))
    for _ in range(FINISHED):
        claimed = store.queue.claim("bench")
        store.queue.complete(claimed.item_id, {})
    queue = store.queue
    model = QueueTableModel(queue)
    while model.rowCount() < 1000:
        model.fetchMore()
    deep = queue.list_items(limit=1, after=f"1:{args.sessions // 2}")[0].key
    print(json.dumps({
        "sessions": args.sessions,
        "first_page_ms": median_ms(lambda: queue.list_items(limit=model.page_size)),
        "page_deep_in_queue_ms": median_ms(lambda: queue.list_items(after=deep, limit=model.page_size)),
        "pending_page_ms": median_ms(lambda: queue.list_items(status="pending", limit=model.page_size)),
        "visible_refresh_ms": median_ms(lambda: model.refresh(500, 540)),
        "counts_ms": median_ms(queue.counts),
        "batches_ms": median_ms(queue.batches),
        "model_reload_ms": median_ms(model.reload),
    }))
    store.close()
    app.quit()


if __name__ == "__main__":
    main()
