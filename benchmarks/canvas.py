"""Canvas speed beside a bare PySide6 canvas, offscreen at 1600x1000: `python benchmarks/canvas.py --nodes N`.

Builds a layered graph of N nodes and 2N links (default 2,000) and measures, in one run, our
window's canvas and the reference in benchmarks/raw_canvas.py, each in its own process (so each
has its own memory figure). Prints one JSON object: {"nodes", "links", "ours": {...}, "raw": {...},
"ratio": {figure: ours / raw}}.

Each side runs `--runs` times (default 3), alternating, each in a fresh process; every figure is
the best of those runs (our edit figures also the best of `--repeats` rounds inside a run), and
`ratio_per_run` shows the ratios of each pair. Timed figures come with their CPU time (`*_cpu_*`,
time.process_time) beside the wall time: on a loaded machine that is what the code costs.

Figures: `open_s` loads the parsed workflow into the canvas and fits it; `full_render_ms` is the
median fit-all frame; `pan_step_ms` a pan (or zoom, every fifth step) plus its frame at 100 %;
`py_calls_per_pan_frame` the Python function calls during one pan frame, `item_calls_per_pan_frame`
those into item methods (boundingRect, paint, shape...), counted with sys.setprofile, not a clock;
`py_kb_per_node` the Python memory (tracemalloc) the canvas holds per node beyond the document's
workflow (`py_kb_per_node_far` with the far-out overview's lists made too). Ours only:
`validate_ms` one validation of the whole graph (the scene runs it on a timer after edits,
`after_undo_events_ms` is that wait), `drag_step_ms` / `drag500_step_ms` one mouse move of a drag of one node / 500
selected nodes plus its frame, `select_all_ms`, `rubber_band_ms` (selecting an area holding ~2,000
nodes), `delete_ms` + `undo_ms` = `delete_undo_ms` of everything, `open_file_s` and `save_s` of the
workflow file. `--view-only` measures open, render and pan alone (50,000 nodes: `--nodes 50000
--view-only --runs 1`). Targets at 10,000 nodes: pan step <= 1.5x raw, open <= 1.5x raw, full render <= 1x raw,
drag step <= 16 ms, select all <= 100 ms, delete + undo <= 2 s, <= 2 KB of Python objects per node.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QPainterPath  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsView  # noqa: E402

from nodeeditor.core.workflow import Workflow, parse_workflow  # noqa: E402

COLUMNS = 40
SIZE = (1600, 1000)
CENTER = QPointF(2000, 2000)
ITEM_CLASSES = ("NodeItem.", "LinkItem.", "FrameItem.", "RawNode.")


def layered_workflow(nodes: int = 2_000, links: int | None = None, seed: int = 1) -> Workflow:
    """Columns of `random_int` (3 inputs) and `add` (2 inputs) nodes; every input takes a link from a
    nearby row of the column before (acyclic, local like a drawn graph) until `links` are made."""
    links = 2 * nodes if links is None else links
    rng = random.Random(seed)
    per_column = max(1, nodes // COLUMNS)
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


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def timed_cpu(action: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of `action`: on a loaded machine the CPU time is what the code costs."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def best(figures: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's best (lowest) value over several runs; counts are the same in every run."""
    return {key: min(run[key] for run in figures) for key in figures[0]}


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def view_figures(view: QGraphicsView, pan: Callable[[int, int], None], zoom: Callable[[float], None],
                 fit: Callable[[], None]) -> dict[str, float]:
    """Fit-all frames, then pan/zoom steps at 100 % around CENTER, then Python calls per pan frame."""
    viewport = view.viewport()
    fit()
    first = timed(viewport.repaint)
    full = statistics.median(timed(viewport.repaint) for _ in range(5))
    zoom(1.0 / view.transform().m11())
    view.centerOn(CENTER)
    viewport.repaint()
    steps, cpu = [], []
    for i in range(30):
        wall, used = timed_cpu(lambda: (zoom(1.05 if i % 10 == 4 else 1 / 1.05) if i % 5 == 4 else pan(37, 23),
                                        viewport.repaint()))
        steps.append(wall)
        cpu.append(used)
    calls: dict[str, int] = {"all": 0, "items": 0}

    def profile(frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            calls["all"] += 1
            if frame.f_code.co_qualname.startswith(ITEM_CLASSES):
                calls["items"] += 1

    sys.setprofile(profile)
    for _ in range(5):
        pan(37, 23)
        viewport.repaint()
    sys.setprofile(None)
    return {"first_render_ms": ms(first), "full_render_ms": ms(full),
            "pan_step_ms": ms(statistics.median(steps)), "pan_step_mean_ms": ms(statistics.mean(steps)),
            "pan_step_cpu_ms": ms(statistics.median(cpu)),
            "pan_step_max_ms": ms(max(steps)),
            "py_calls_per_pan_frame": calls["all"] // 5, "item_calls_per_pan_frame": calls["items"] // 5}


def rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def py_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    """Python memory still held after `build()` (tracemalloc), and what it built."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, built


def scroll(view: QGraphicsView) -> Callable[[int, int], None]:
    def pan(dx: int, dy: int) -> None:
        view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + dx)
        view.verticalScrollBar().setValue(view.verticalScrollBar().value() + dy)
    return pan


def run_raw(workflow: Workflow, view_only: bool = False) -> dict[str, float]:
    import raw_canvas
    from nodeeditor.core.registry import default_registry

    registry = default_registry()
    fields = {}
    for node in workflow.nodes:
        spec = registry.get(node.type)
        if spec is not None and node.type not in fields:
            fields[node.type] = (list(spec.inputs), list(spec.outputs))
    holder: dict[str, Any] = {}
    view = raw_canvas.view_for(None)
    view.resize(*SIZE)
    view.show()
    QApplication.instance().processEvents()

    def open_canvas() -> None:
        holder["scene"] = raw_canvas.build(workflow, fields)
        view.setScene(holder["scene"])
        view.fitInView(holder["scene"].itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    wall, cpu = timed_cpu(open_canvas)
    figures: dict[str, float] = {"open_s": round(wall, 3), "open_cpu_s": round(cpu, 3)}
    figures.update(view_figures(view, scroll(view), lambda f: view.scale(f, f),
                                lambda: view.fitInView(holder["scene"].itemsBoundingRect(),
                                                       Qt.AspectRatioMode.KeepAspectRatio)))
    figures["rss_mb"] = rss_mb()
    if view_only:
        return figures
    held, _scene = py_bytes(lambda: raw_canvas.build(workflow, fields))
    figures["py_kb_per_node"] = round(held / len(workflow.nodes) / 1024, 2)
    return figures


def drag(view: QGraphicsView, start: QPoint, steps: int = 20) -> tuple[list[float], list[float]]:
    """Press at `start`, move in small steps (each followed by a frame), release; the step times
    (wall, CPU)."""
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    walls, cpus = [], []
    for i in range(1, steps + 1):
        point = start + QPoint(6 * i, 4 * i)
        wall, cpu = timed_cpu(lambda: (QTest.mouseMove(viewport, point), viewport.repaint()))
        walls.append(wall)
        cpus.append(cpu)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(6 * steps, 4 * steps))
    return walls, cpus


def edit_figures(window: Any, workflow: Workflow) -> dict[str, float]:
    """Drags, rubber band, select all, delete and undo once each (run_ours keeps the best of a few)."""
    app = QApplication.instance()
    view, scene, doc = window.canvas, window.scene, window.document
    figures: dict[str, float] = {}
    view.set_zoom(1.0 / view.zoom())
    view.centerOn(CENTER)
    app.processEvents()
    by_distance = sorted(scene.node_items.values(),
                         key=lambda item: (item.pos() - CENTER).manhattanLength())
    grip = QPointF(60, 10)
    walls, cpus = drag(view, view.mapFromScene(by_distance[0].pos() + grip))
    figures.update(drag_step_ms=ms(statistics.mean(walls)), drag_step_max_ms=ms(max(walls)),
                   drag_step_cpu_ms=ms(statistics.mean(cpus)))
    scene.clearSelection()
    for item in by_distance[:500]:
        item.setSelected(True)
    walls, cpus = drag(view, view.mapFromScene(by_distance[0].pos() + grip))
    figures.update(drag500_step_ms=ms(statistics.mean(walls)), drag500_step_max_ms=ms(max(walls)),
                   drag500_step_cpu_ms=ms(statistics.mean(cpus)))
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    scene.clearSelection()
    app.processEvents()

    per_column = max(1, len(workflow.nodes) // COLUMNS)
    columns = max(1, 2_000 // per_column)
    area = QPainterPath()
    area.addRect(QRectF(-50, -50, columns * 280.0 - 20, per_column * 140.0 + 100))
    wall, cpu = timed_cpu(lambda: (scene.setSelectionArea(area, Qt.ItemSelectionOperation.ReplaceSelection,
                                                          view.rubberBandSelectionMode()),
                                   view.viewport().repaint()))
    figures.update(rubber_band_ms=ms(wall), rubber_band_cpu_ms=ms(cpu),
                   rubber_band_nodes=len(scene.selected_node_ids()))
    scene.clearSelection()
    view.fit_all()
    view.viewport().repaint()
    wall, cpu = timed_cpu(lambda: (window.select_all(), view.viewport().repaint()))
    figures.update(select_all_ms=ms(wall), select_all_cpu_ms=ms(cpu))
    delete = timed_cpu(lambda: (window.editor.delete_selected(), view.viewport().repaint()))
    assert not doc.workflow.nodes
    undo = timed_cpu(lambda: (doc.undo_stack.undo(), view.viewport().repaint()))
    assert len(doc.workflow.nodes) == len(workflow.nodes) and len(doc.workflow.edges) == len(workflow.edges)
    figures.update(delete_ms=ms(delete[0]), undo_ms=ms(undo[0]), delete_undo_ms=ms(delete[0] + undo[0]),
                   delete_undo_cpu_ms=ms(delete[1] + undo[1]))
    settle = timed_cpu(app.processEvents)  # what waited for the event loop: the coalesced validation
    figures.update(after_undo_events_ms=ms(settle[0]), after_undo_events_cpu_ms=ms(settle[1]))
    return figures


def run_ours(workflow: Workflow, repeats: int = 3, view_only: bool = False) -> dict[str, float]:
    from nodeeditor.core.registry import default_registry
    from nodeeditor.ui.canvas.model import Document
    from nodeeditor.ui.canvas.scene import CanvasScene
    from nodeeditor.ui.main_window import MainWindow

    app = QApplication.instance()
    registry = default_registry()
    home = Path(tempfile.mkdtemp(prefix="canvas-bench-"))
    window = MainWindow(home, registry)
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    view, scene, doc = window.canvas, window.scene, window.document
    wall, cpu = timed_cpu(lambda: (doc.load(workflow), view.fit_all()))
    figures: dict[str, float] = {"open_s": round(wall, 3), "open_cpu_s": round(cpu, 3)}
    app.processEvents()
    wall, cpu = timed_cpu(scene.validate)
    figures.update(validate_ms=ms(wall), validate_cpu_ms=ms(cpu))
    figures.update(view_figures(view, view.pan_by, view.set_zoom, view.fit_all))
    if view_only:
        figures["rss_mb"] = rss_mb()
        window.close()
        return figures
    figures.update(best([edit_figures(window, workflow) for _ in range(repeats)]))
    path = home / "big.json"
    wall, cpu = timed_cpu(lambda: window.save_to(path))
    figures.update(save_s=round(wall, 3), save_cpu_s=round(cpu, 3))
    wall, cpu = timed_cpu(lambda: (window.open_path(path, ask=False), view.fit_all()))
    figures.update(open_file_s=round(wall, 3), open_file_cpu_s=round(cpu, 3))
    figures["rss_mb"] = rss_mb()
    window.close()

    document = Document(workflow)
    held, _scene = py_bytes(lambda: CanvasScene(document, registry))
    figures["py_kb_per_node"] = round(held / len(workflow.nodes) / 1024, 2)

    far_document = Document(workflow)  # its own: the first scene's document holds its graph already

    def far_scene() -> CanvasScene:
        built = CanvasScene(far_document, registry)
        built.overview.boxes()
        built.overview.lines()
        return built

    held, _scene = py_bytes(far_scene)
    figures["py_kb_per_node_far"] = round(held / len(workflow.nodes) / 1024, 2)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each side; each figure's best is kept")
    parser.add_argument("--repeats", type=int, default=3, help="edit figures (drags, select all, delete + undo) per run")
    parser.add_argument("--side", choices=("both", "ours", "raw"), default="both")
    parser.add_argument("--view-only", action="store_true",
                        help="open, render and pan only (for very big graphs, e.g. --nodes 50000)")
    args = parser.parse_args()
    if args.side != "both":
        QApplication.instance() or QApplication(sys.argv[:1])
        sys.path.insert(0, str(Path(__file__).parent))
        workflow = layered_workflow(args.nodes)
        figures = (run_ours(workflow, args.repeats, args.view_only) if args.side == "ours"
                   else run_raw(workflow, args.view_only))
        print(json.dumps(figures))
        return 0
    result: dict[str, Any] = {"nodes": args.nodes, "runs": args.runs, "load": [round(x, 2) for x in os.getloadavg()]}
    runs: dict[str, list[dict[str, float]]] = {"raw": [], "ours": []}
    for _ in range(args.runs):
        for side in ("raw", "ours"):
            out = subprocess.run([sys.executable, __file__, "--nodes", str(args.nodes), "--side", side,
                                  "--repeats", str(args.repeats), *(["--view-only"] if args.view_only else [])],
                                 capture_output=True, text=True, check=True).stdout
            runs[side].append(json.loads(out.strip().splitlines()[-1]))
    for side in ("raw", "ours"):
        result[side] = best(runs[side])
    result["links"] = len(layered_workflow(args.nodes).edges)
    result["ratio"] = {key: round(result["ours"][key] / result["raw"][key], 2)
                       for key in ("open_s", "open_cpu_s", "full_render_ms", "pan_step_ms", "pan_step_cpu_ms",
                                   "pan_step_mean_ms", "pan_step_max_ms", "py_calls_per_pan_frame", "rss_mb",
                                   "py_kb_per_node")
                       if result["raw"].get(key)}
    result["ratio_per_run"] = {key: [round(o[key] / r[key], 2) for o, r in zip(runs["ours"], runs["raw"])]
                               for key in ("open_s", "pan_step_ms", "pan_step_cpu_ms", "full_render_ms")}
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
