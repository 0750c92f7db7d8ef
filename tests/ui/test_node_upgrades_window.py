"""Opening a workflow saved by older node versions: upgraded, said so, saved with the new version."""

import json

import pytest

from nodeeditor.core.workflow import load_workflow, save_workflow
from versioned_nodes import old_workflow, registry_with_scale

from .canvas_driver import window  # noqa: F401  (fixture)


@pytest.fixture
def registry():
    return registry_with_scale()


def test_opening_an_old_workflow_upgrades_it_and_says_which_nodes(window, tmp_path):
    path = tmp_path / "old.json"
    save_workflow(old_workflow("1.0.0", {"factor": 2, "mode": "x"}), path)
    assert window.open_path(path)
    message = window.statusBar().currentMessage()
    assert "Upgraded 1 node(s)" in message and "s (scale 1.0.0 → 3.1.0)" in message
    assert window.document.node("s").inputs == {"times": 2, "offset": 1}
    assert window.document.modified
    assert window.save_to(path)
    saved = json.loads(path.read_text())
    assert [n.get("version") for n in saved["nodes"]] == [None, "3.1.0"]
    assert load_workflow(path).edges[0].destination.field == "value"


def test_a_node_added_on_the_canvas_is_saved_with_its_version(window, tmp_path):
    from PySide6.QtCore import QPointF

    window.editor.add_node(window.registry.get("scale"), QPointF(0, 0))
    path = tmp_path / "new.json"
    assert window.save_to(path)
    assert json.loads(path.read_text())["nodes"][0]["version"] == "3.1.0"


def test_a_node_saved_by_a_newer_major_shows_as_a_placeholder_saying_so(window, tmp_path):
    path = tmp_path / "newer.json"
    save_workflow(old_workflow("4.2.0", {"times": 2}, field="value"), path)
    assert window.open_path(path)
    item = window.node_item("s")
    assert item.spec is None and item.title() == "Missing: scale 4.2.0"
    window.scene.validate()
    assert "a newer major version than the installed 3.1.0" in item.toolTip()
    assert window.save_to(path)
    assert json.loads(path.read_text())["nodes"][1]["version"] == "4.2.0"
