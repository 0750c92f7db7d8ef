"""Batch and gallery panels under load, offscreen: big axes in the batch panel, a 10,000-image gallery.

Prints one JSON object:
- batch_keystroke_10k_lines_ms: one more character typed into a typed-list axis of 10,000 lines
  (re-parse with the line cache, recount, re-validate at once).
- batch_seeds_1m_edit_ms: a seeds axis set to 1,000,000 seeds (drawn, recounted; the check waits).
- batch_check_1m_items_ms: the deferred validate_batch of those 1,000,000 items.
- gallery_open_10k_ms: a gallery panel built over 10,000 artifact rows (first page read).
- gallery_show_ms: show() and the first layout and paint (placeholders).
- gallery_first_screen_ms: from showing it until every visible thumbnail was made and decoded.
- gallery_gui_max_block_ms: longest gap between 5 ms GUI-thread ticks while thumbnails load.
Targets: keystroke <= 50 ms, open <= 100 ms, GUI block <= 50 ms.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from nodeeditor.core.registry import default_registry  # noqa: E402
from nodeeditor.core.workflow import parse_workflow  # noqa: E402
from nodeeditor.store.db import writing  # noqa: E402
from nodeeditor.store.store import open_store  # noqa: E402
from nodeeditor.store.tables import artifacts  # noqa: E402
from nodeeditor.ui.panels.batch_panel import BatchPanel  # noqa: E402
from nodeeditor.ui.panels.gallery_panel import GalleryPanel  # noqa: E402

ROWS = 10_000
REAL_IMAGES = 60


def ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def batch_figures(app: QApplication) -> dict[str, float]:
    workflow = parse_workflow({"version": 1, "nodes": [
        {"id": "n", "type": "noise_image", "inputs": {"width": 64, "height": 64}},
        {"id": "t", "type": "text_to_conditioning", "inputs": {"text": "a"}}]})
    panel = BatchPanel(default_registry())
    panel.set_workflow(workflow)
    text = panel.add_axis("t", "text").editor.text
    text.setPlainText("\n".join(f"prompt {i}" for i in range(10_000)))
    start = time.perf_counter()
    text.insertPlainText("x")
    keystroke = ms(start)
    seeds = panel.add_axis("n", "seed")
    start = time.perf_counter()
    seeds.editor.count.setValue(1_000_000)
    seeds_edit = ms(start)
    start = time.perf_counter()
    assert panel.issues() == [], panel.issues()
    return {"batch_keystroke_10k_lines_ms": keystroke, "batch_seeds_1m_edit_ms": seeds_edit,
            "batch_check_1m_items_ms": ms(start)}


def gallery_figures(app: QApplication, home: Path) -> dict[str, float]:
    store = open_store(home=home)
    now = time.time()
    with writing(store.engine) as conn:
        conn.execute(insert(artifacts), [
            {"name": f"img_{i:032x}.png", "kind": "image", "size": 1, "dims": "[256, 256]", "session_id": None,
             "node_id": None, "gallery": True, "created": now - ROWS + i} for i in range(ROWS)])
    for i in range(REAL_IMAGES):
        store.artifacts.save_image(Image.new("RGB", (512, 512), (i * 4, 100, 200)), gallery=True)
    start = time.perf_counter()
    panel = GalleryPanel(store)
    panel.resize(900, 700)
    opened = ms(start)

    start = time.perf_counter()
    panel.show()
    app.processEvents()
    shown = ms(start)
    ticks: list[float] = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    visible = [panel.model.entries[i].name for i in range(panel.model.rowCount())
               if panel.view.visualRect(panel.model.index(i)).intersects(panel.view.viewport().rect())]
    while any(panel.model.thumbnail(name) is None for name in visible):
        app.processEvents()
        if time.perf_counter() - start > 30:
            raise SystemExit("thumbnails did not arrive within 30 s")
    first_screen = ms(start)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    panel.model.loader.close()
    store.close()
    return {"gallery_open_10k_ms": opened, "gallery_show_ms": shown, "gallery_first_screen_ms": first_screen,
            "gallery_visible_thumbnails": len(visible),
            "gallery_gui_max_block_ms": round(max(gaps, default=0) * 1000, 2)}


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    figures = batch_figures(app)
    with tempfile.TemporaryDirectory() as home:
        figures.update(gallery_figures(app, Path(home)))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
