"""From the batch panel to the gallery: the batch a person builds runs, and its images come back
carrying the workflow and the values of the session that made them."""

from __future__ import annotations

from nodeeditor.core.registry import default_registry
from nodeeditor.nodes.image_metadata import read_png_workflow
from nodeeditor.ui.panels.batch_panel import BatchPanel
from nodeeditor.ui.panels.gallery_panel import GalleryPanel
from workflow_builder import build


def test_an_enqueued_seed_axis_fills_the_gallery(qtbot, store, worker):
    workflow = build({"n": ("noise_image", {"width": 16, "height": 16}), "s": "save_image"},
                     ["n.image -> s.image"])
    batch_panel = BatchPanel(default_registry())
    gallery = GalleryPanel(store)
    qtbot.addWidget(batch_panel)
    qtbot.addWidget(gallery)
    batch_panel.set_workflow(workflow)
    seeds = batch_panel.add_axis("n", "seed")
    seeds.editor.count.setValue(2)
    batch_panel.enqueueRequested.connect(
        lambda batch, priority, front: store.queue.enqueue(workflow, batch, priority=priority, front=front))
    batch_panel.enqueue()

    assert worker.run_until_empty()["completed"] == 2
    assert gallery.model.pull_newest() == 2
    saved = [read_png_workflow(entry.path) for entry in gallery.model.entries]
    assert all(found == workflow.model_dump(mode="json") for found, _values in saved)
    assert sorted(values["n.seed"] for _found, values in saved) == sorted(seeds.values)
