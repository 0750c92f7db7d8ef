"""A workflow file carries its batch in meta["batch"], readable by the headless commands."""

from __future__ import annotations

import pytest

from nodeeditor.core.batch import Batch
from nodeeditor.core.batch_meta import (BATCH_KEY, EDITORS_KEY, batch_from_workflow, editors_from_workflow,
                                        store_batch_in)
from nodeeditor.core.errors import WorkflowError
from nodeeditor.core.workflow import load_workflow, save_workflow
from workflow_builder import build

BATCH = Batch.model_validate({"runs": 2, "data": [
    [{"node": "a", "field": "value", "items": [1, 2, 3]}],
    [{"node": "b", "field": "value", "items": ["x", "y"]}],
]})


def test_a_batch_round_trips_through_the_workflow_file(tmp_path):
    workflow = build({"a": "integer", "b": "string"})
    store_batch_in(workflow, BATCH, {"a.value": {"editor": "range", "start": 1, "stop": 4, "step": 1}})
    save_workflow(workflow, tmp_path / "w.json")
    reopened = load_workflow(tmp_path / "w.json")
    assert batch_from_workflow(reopened) == BATCH
    assert editors_from_workflow(reopened) == {"a.value": {"editor": "range", "start": 1, "stop": 4, "step": 1}}


def test_meta_batch_is_plain_batch_json():
    workflow = build({"a": "integer", "b": "string"})
    store_batch_in(workflow, BATCH)
    assert workflow.meta[BATCH_KEY] == {"runs": 2, "data": [
        [{"node": "a", "field": "value", "items": [1, 2, 3]}],
        [{"node": "b", "field": "value", "items": ["x", "y"]}],
    ]}
    assert EDITORS_KEY not in workflow.meta


def test_an_empty_batch_removes_what_was_saved():
    workflow = build({"a": "integer"})
    store_batch_in(workflow, BATCH, {"a.value": {"editor": "seeds"}})
    store_batch_in(workflow, Batch())
    assert BATCH_KEY not in workflow.meta and EDITORS_KEY not in workflow.meta
    assert batch_from_workflow(workflow) is None


def test_a_damaged_batch_names_the_file_and_meta_field():
    workflow = build({"a": "integer"}, meta={BATCH_KEY: {"runs": 1, "data": [[{"node": "a"}]]}})
    with pytest.raises(WorkflowError) as raised:
        batch_from_workflow(workflow, file="w.json")
    assert raised.value.file == "w.json"
    assert raised.value.field.startswith("meta.batch.data")


def test_malformed_editor_settings_read_as_none():
    assert editors_from_workflow(build({"a": "integer"}, meta={EDITORS_KEY: ["nope"]})) == {}
