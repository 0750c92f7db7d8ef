"""The gallery dock on a real store: newest first, thumbnails made lazily off the GUI thread,
viewer on double-click, file URLs when dragged, restore and reveal from the context menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QUrl, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from nodeeditor.core.registry import default_registry
from nodeeditor.engine.worker import Worker
from nodeeditor.nodes.image_metadata import read_png_workflow, workflow_chunks
from nodeeditor.store.store import open_store
from nodeeditor.ui.panels.batch_panel import BatchPanel
from nodeeditor.ui.panels import gallery_model
from nodeeditor.ui.panels.gallery_panel import GalleryPanel

from workflow_builder import build


def save(store, count: int, *, gallery: bool = True, workflow: bool = True) -> list[str]:
    """`count` small distinct PNGs in the store, oldest first."""
    made_by = build({"a": ("integer", {"value": 1})}).model_dump(mode="json")
    chunks = workflow_chunks(made_by, {"a.value": 1}, "s") if workflow else None
    return [store.artifacts.save_image(Image.new("RGB", (64, 40), (i * 20 % 256, 80, 160)), gallery=gallery,
                                       metadata=chunks)
            for i in range(count)]


@pytest.fixture
def store(isolated_home):
    opened = open_store(home=isolated_home, registry=default_registry())
    yield opened
    opened.close()


@pytest.fixture
def make_panel(qtbot, store):
    def make() -> GalleryPanel:
        panel = GalleryPanel(store)
        qtbot.addWidget(panel)
        panel.resize(420, 300)
        return panel

    return make


def names(panel: GalleryPanel) -> list[str]:
    return [entry.name for entry in panel.model.entries]


def test_gallery_images_are_listed_newest_first(store, make_panel):
    saved = save(store, 5)
    save(store, 2, gallery=False)
    panel = make_panel()
    assert names(panel) == saved[::-1]
    assert panel.summary.text() == "5 images"


def test_all_images_adds_the_intermediate_ones(store, make_panel):
    saved = save(store, 2)
    intermediate = save(store, 3, gallery=False)
    panel = make_panel()
    panel.all_images.setChecked(True)
    assert names(panel) == (saved + intermediate)[::-1]


def test_thumbnails_are_made_only_when_asked_and_arrive_later(qtbot, store, make_panel):
    saved = save(store, 6)
    panel = make_panel()
    model = panel.model
    first = model.index(0)
    assert model.thumbnail(saved[-1]) is None
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        placeholder = model.data(first, Qt.ItemDataRole.DecorationRole)
        assert placeholder.width() == gallery_model.THUMBNAIL
    thumb = model.data(first, Qt.ItemDataRole.DecorationRole)
    assert (thumb.width(), thumb.height()) == (64, 40)
    assert thumb is not placeholder
    assert model.thumbnail(saved[0]) is None


def test_a_hidden_gallery_decodes_nothing(qtbot, store, make_panel):
    saved = save(store, 4)
    hidden = make_panel()
    assert not (store.artifacts.root / "thumbnails").exists()
    shown = make_panel()  # made later: once its thumbnails are in, the hidden one had every chance
    shown.show()
    qtbot.waitUntil(lambda: all(shown.model.thumbnail(name) is not None for name in saved), timeout=5000)
    assert hidden.model.loader.close()  # whatever it might have started has ended ...
    QApplication.processEvents()  # ... and what it sent back has been delivered
    assert all(hidden.model.thumbnail(name) is None for name in names(hidden))


def test_a_shown_gallery_fills_in_visible_thumbnails(qtbot, store, make_panel):
    saved = save(store, 3)
    panel = make_panel()
    panel.show()
    qtbot.waitUntil(lambda: all(panel.model.thumbnail(name) is not None for name in saved), timeout=5000)


def test_a_broken_image_shows_why_in_its_tooltip(qtbot, store, make_panel):
    name = save(store, 1)[0]
    store.artifacts.path_of(name).write_bytes(b"not a png")
    panel = make_panel()
    index = panel.model.index(0)
    with qtbot.waitSignal(panel.model.dataChanged, timeout=5000):
        panel.model.data(index, Qt.ItemDataRole.DecorationRole)
    assert "cannot be read" in panel.model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_a_new_image_goes_first(store, make_panel):
    old = save(store, 2)
    panel = make_panel()
    new = save(store, 1)[0]
    panel.add_image(new)
    panel.add_image(new)
    assert names(panel) == [new, *old[::-1]]
    assert panel.summary.text() == "3 images"


def test_long_galleries_load_a_page_at_a_time(store, make_panel, monkeypatch):
    monkeypatch.setattr(gallery_model, "PAGE", 4)
    saved = save(store, 10)
    panel = make_panel()
    assert len(names(panel)) == 4 and panel.model.canFetchMore()
    while panel.model.canFetchMore():
        panel.model.fetchMore()
    assert names(panel) == saved[::-1]


def test_double_click_opens_the_viewer_with_the_full_image(qtbot, store, make_panel):
    saved = save(store, 2)
    panel = make_panel()
    panel.show()
    qtbot.waitExposed(panel)
    rect = panel.view.visualRect(panel.model.index(0))
    # an item view takes a double click only after the press that starts it, as with a real mouse
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    viewer = panel.viewer
    assert viewer is not None and viewer.isVisible()
    assert viewer.path == store.artifacts.path_of(saved[-1])
    qtbot.waitUntil(viewer.image_loaded, timeout=5000)
    assert viewer.status.text().startswith("64 × 40 px")
    assert "a.value = 1" in viewer.values.text()
    assert viewer.open_workflow.isEnabled()


def test_the_viewer_zooms_and_fits(qtbot, store, make_panel):
    save(store, 1)
    panel = make_panel()
    viewer = panel.open_viewer(panel.model.index(0))
    qtbot.waitUntil(viewer.image_loaded, timeout=5000)
    viewer.view.actual_size()
    viewer.view.zoom_by(2.0)
    assert viewer.view.zoom() == pytest.approx(2.0)
    assert viewer.status.text().endswith("200 %")
    viewer.view.fit()
    assert viewer.view.zoom() != pytest.approx(2.0)


def test_open_workflow_from_the_viewer_asks_to_restore(qtbot, store, make_panel):
    save(store, 1)
    panel = make_panel()
    viewer = panel.open_viewer(panel.model.index(0))
    qtbot.waitUntil(viewer.image_loaded, timeout=5000)
    with qtbot.waitSignal(panel.restoreRequested, timeout=1000) as signal:
        qtbot.mouseClick(viewer.open_workflow, Qt.MouseButton.LeftButton)
    assert signal.args == [panel.model.entries[0].path]


def test_a_dragged_image_carries_its_file_url(store, make_panel):
    saved = save(store, 3)
    panel = make_panel()
    model = panel.model
    assert panel.view.dragEnabled()
    assert model.flags(model.index(1)) & Qt.ItemFlag.ItemIsDragEnabled
    mime = model.mimeData([model.index(1)])
    assert mime.hasUrls()
    assert [Path(url.toLocalFile()) for url in mime.urls()] == [store.artifacts.path_of(saved[1])]
    assert "text/uri-list" in model.mimeTypes()


def action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_context_menu_open_workflow_emits_the_png_path(qtbot, store, make_panel):
    save(store, 1)
    panel = make_panel()
    menu = panel.context_menu(panel.model.index(0))
    with qtbot.waitSignal(panel.restoreRequested, timeout=1000) as signal:
        action(menu, "Open workflow").trigger()
    assert signal.args == [panel.model.entries[0].path]


def test_open_workflow_is_disabled_for_an_image_without_one(store, make_panel):
    save(store, 1, workflow=False)
    panel = make_panel()
    assert not action(panel.context_menu(panel.model.index(0)), "Open workflow").isEnabled()


def test_reveal_opens_the_images_folder(store, make_panel, monkeypatch):
    save(store, 1)
    panel = make_panel()
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    action(panel.context_menu(panel.model.index(0)), "Reveal in file manager").trigger()
    assert [Path(u.toLocalFile()) for u in opened] == [panel.model.entries[0].path.parent]


def test_watching_a_worker_shows_images_saved_by_completed_sessions(qtbot, store, make_panel):
    from nodeeditor.engine.events import SessionCompleted
    from nodeeditor.ui.bridge import EngineBridge

    old = save(store, 1)
    panel = make_panel()
    bridge = EngineBridge()
    panel.watch(bridge)
    new = save(store, 2)
    bridge.push(SessionCompleted(session_id="s", status="completed"))
    bridge.push(SessionCompleted(session_id="t", status="completed"))
    bridge.flush()
    qtbot.waitUntil(lambda: len(panel.model.entries) == 3, timeout=2000)
    assert names(panel) == [*new[::-1], *old]


def test_a_gallery_shut_down_reads_its_store_no_more(qtbot, store, make_panel, monkeypatch):
    """The window moved to another queue (or closed): a session ending on the old bridge, or a
    pull already due, must not query a store that may be gone."""
    from nodeeditor.engine.events import SessionCompleted
    from nodeeditor.ui.bridge import EngineBridge

    closed, open_ = make_panel(), make_panel()
    bridge = EngineBridge()
    queries: dict[str, list[int]] = {"closed": [], "open": []}
    for name, panel in (("closed", closed), ("open", open_)):
        panel.watch(bridge)
        monkeypatch.setattr(panel.model, "_query", lambda limit, seen=queries[name]: seen.append(limit) or [])
    bridge.push(SessionCompleted(session_id="s", status="completed"))
    bridge.flush()
    qtbot.waitUntil(lambda: closed._pull_timer.isActive(), timeout=2000)
    closed.shutdown()  # a pull was due
    bridge.push(SessionCompleted(session_id="t", status="completed"))
    bridge.flush()
    qtbot.waitUntil(lambda: len(queries["open"]) >= 1, timeout=5000)  # the panel still open pulled
    assert queries["closed"] == [] and not closed._pull_timer.isActive()


def test_an_enqueued_seed_axis_comes_back_as_gallery_pngs(qtbot, store, make_panel):
    workflow = build({"n": ("noise_image", {"width": 16, "height": 16}), "s": "save_image"},
                     ["n.image -> s.image"])
    batch_panel = BatchPanel(default_registry())
    qtbot.addWidget(batch_panel)
    batch_panel.set_workflow(workflow)
    seeds = batch_panel.add_axis("n", "seed")
    seeds.editor.count.setValue(2)
    batch_panel.enqueueRequested.connect(
        lambda batch, priority, front: store.queue.enqueue(workflow, batch, priority=priority, front=front))
    batch_panel.enqueue()
    gallery = make_panel()
    worker = Worker(store, default_registry())
    try:
        assert worker.run_until_empty()["completed"] == 2
    finally:
        worker.stop()
        worker.hub.close()

    assert gallery.model.pull_newest() == 2
    saved = [read_png_workflow(entry.path) for entry in gallery.model.entries]
    assert all(found == workflow.model_dump(mode="json") for found, _values in saved)
    assert sorted(values["n.seed"] for _found, values in saved) == sorted(seeds.values)
