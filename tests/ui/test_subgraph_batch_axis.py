"""A subgraph node's port can be a batch axis in the Batch dock, typed after the field it feeds."""

from __future__ import annotations

from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.ui.panels import axis_items as ai
from nodeeditor.ui.panels.batch_panel import BatchPanel

WORKFLOW = {"version": 2, "nodes": [{"id": "g1", "type": "subgraph", "subgraph": "twice", "inputs": {"x": 1}}],
            "subgraphs": {"twice": {"name": "Add twice", "nodes": [
                {"id": "a", "type": "add", "inputs": {"b": 1}}, {"id": "b", "type": "add", "inputs": {"b": 3}}],
                "edges": [{"source": {"node": "a", "field": "value"}, "destination": {"node": "b", "field": "a"}}],
                "inputs": [{"name": "x", "targets": [{"node": "a", "field": "a"}]},
                           {"name": "step", "targets": [{"node": "b", "field": "b"}]}],
                "outputs": [{"name": "value", "source": {"node": "b", "field": "value"}}]}}}


def test_a_port_is_offered_and_queued_as_an_axis(qtbot):
    panel = BatchPanel(default_registry())
    qtbot.addWidget(panel)
    panel.set_workflow(parse_workflow(WORKFLOW))
    assert {(node_id, field.name) for node_id, field in panel.batchable_fields()} == {("g1", "x"), ("g1", "step")}
    axis = panel.add_axis("g1", "step")
    axis.use_editor(ai.LIST).text.setPlainText("10\n20\n30")
    assert panel.count() == 3 and panel.issues() == []
    assert panel.batch().values_at(2) == {("g1", "step"): 30}
