"""Canvas speed at 2,000 nodes / 4,000 links, offscreen: open, full render, pan/zoom steps.

Prints one JSON object: {"open_s", "full_render_ms", "pan_step_ms", ...}. `open_s` builds the
items and fits the view; `first_render_ms` is the first fit-all frame after it (item caches cold),
`full_render_ms` the median of the next fit-all frames; pan/zoom steps run at 100 % zoom.
Targets: open <= 1 s, full render <= 100 ms, pan step <= 16 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import Workflow, parse_workflow  # noqa: E402
from nodeeditor.ui.main_window import MainWindow  # noqa: E402

NODES, LINKS = 2_000, 4_000
COLUMNS = 40


def layered_workflow(nodes: int = NODES, links: int = LINKS, seed: int = 1) -> Workflow:
    """Columns of `random_int` (3 inputs) and `add` (2 inputs) nodes; every input takes a link from a
    nearby row of the column before (acyclic, local like a drawn graph) until `links` are made."""
    rng = random.Random(seed)
    per_column = nodes // COLUMNS
    node_list, edges = [], []
    for i in range(nodes):
        column, row = divmod(i, per_column)
        kind = "random_int" if i % 2 else "add"
        node_list.append({"id": f"n{i}", "type": kind, "position": [column * 280.0, row * 140.0]})
        if column == 0:
            continue
        for field in (("low", "high", "seed") if kind == "random_int" else ("a", "b")):
            if len(edges) < links:
                src_row = min(per_column - 1, max(0, row + rng.randint(-3, 3)))
                edges.append({"source": {"node": f"n{(column - 1) * per_column + src_row}", "field": "value"},
                              "destination": {"node": f"n{i}", "field": field}})
    return parse_workflow({"version": 1, "name": "bench", "nodes": node_list, "edges": edges})


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    registry = default_registry()
    workflow = layered_workflow()
    home = Path(tempfile.mkdtemp(prefix="canvas-bench-"))
    window = MainWindow(home, registry)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    view = window.canvas

    t0 = time.perf_counter()
    window.document.load(workflow)
    view.fit_all()
    open_s = time.perf_counter() - t0

    viewport = view.viewport()

    def frame_ms() -> float:
        start = time.perf_counter()
        viewport.repaint()
        return (time.perf_counter() - start) * 1000

    first = frame_ms()
    full = statistics.median(frame_ms() for _ in range(5))

    view.set_zoom(1.0 / view.zoom())
    view.centerOn(QPointF(2000, 2000))
    frame_ms()
    steps = []
    for i in range(20):
        start = time.perf_counter()
        if i % 5 == 4:
            view.set_zoom(1.05 if i % 10 == 4 else 1 / 1.05)
        else:
            view.pan_by(37, 23)
        viewport.repaint()
        steps.append((time.perf_counter() - start) * 1000)

    window.document.undo_stack.setClean()
    window.close()
    print(json.dumps({
        "nodes": len(workflow.nodes), "links": len(workflow.edges),
        "open_s": round(open_s, 3),
        "first_render_ms": round(first, 1),
        "full_render_ms": round(full, 1),
        "pan_step_ms": round(statistics.median(steps), 2),
        "pan_step_max_ms": round(max(steps), 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
