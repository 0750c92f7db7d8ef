"""Node versions: older workflows are upgraded by the steps a node declares; newer majors are refused."""

import json

import pytest

from nodeeditor.api import BaseNode, InvocationContext, IntegerOutput, Upgrade, node
from nodeeditor.cli import main
from nodeeditor.core.errors import NodeDefinitionError
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.registry import Registry
from nodeeditor.core.versions import upgrade_workflow
from nodeeditor.core.workflow import parse_workflow
from nodeeditor.engine.runner import run_workflow
from versioned_nodes import old_workflow, registry_with_scale


def test_a_node_saved_by_an_older_major_is_upgraded_step_by_step():
    registry = registry_with_scale()
    workflow, notes = upgrade_workflow(old_workflow("1.2.0", {"mode": "fast", "factor": 3}), registry)
    scale = workflow.node("s")
    assert (scale.version, scale.inputs) == ("3.1.0", {"times": 3, "offset": 1})
    assert [(e.destination.node, e.destination.field) for e in workflow.edges] == [("s", "value")]
    assert [str(n) for n in notes] == ["s (scale 1.2.0 → 3.1.0)"]


def test_an_upgraded_workflow_runs_without_being_saved_first():
    result = run_workflow(old_workflow("2.0.0", {"factor": 3}, field="value"), registry_with_scale(), artifacts=None)
    assert result.leaf_outputs() == {"s": {"value": 4 * 3 + 1}}


def test_a_node_without_a_version_is_taken_as_the_installed_one():
    registry = registry_with_scale()
    workflow = parse_workflow({"version": 2, "nodes": [{"id": "s", "type": "scale", "inputs": {"times": 2}}]})
    upgraded, notes = upgrade_workflow(workflow, registry)
    assert notes == [] and upgraded == workflow
    assert "version" not in json.loads(upgraded.to_json())["nodes"][0]
    assert run_workflow(workflow, registry, artifacts=None).leaf_outputs() == {"s": {"value": 0}}


def test_a_newer_major_stays_as_saved_and_is_refused_naming_node_and_versions(tmp_path, capsys):
    registry = registry_with_scale()
    workflow = old_workflow("4.0.0", {"times": 2}, field="value")
    upgraded, notes = upgrade_workflow(workflow, registry)
    assert notes == [] and upgraded.node("s").version == "4.0.0"
    assert [str(i) for i in validate_graph(workflow, registry)] == [
        "node 's': saved with scale 4.0.0, a newer major version than the installed 3.1.0; "
        "update the package that provides it"]


def test_run_refuses_a_newer_major_with_exit_2(tmp_path, capsys):
    path = tmp_path / "new.json"
    path.write_text(json.dumps({"version": 2, "nodes": [{"id": "a", "type": "add", "version": "2.0.0"}]}))
    assert main(["run", str(path), "--home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "node 'a': saved with add 2.0.0, a newer major version than the installed 1.0.0" in err


def test_upgrade_steps_must_start_from_an_older_major():
    with pytest.raises(NodeDefinitionError, match="upgrade from 3.x is not older than 3.0.0"):
        @node("bad_steps", title="Bad", category="test", version="3.0.0", registry=Registry(),
              upgrades=[Upgrade("3.x")])
        class Bad(BaseNode):
            def invoke(self, context: InvocationContext) -> IntegerOutput:
                return IntegerOutput(value=0)
