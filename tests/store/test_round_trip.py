"""What is validated is what is stored and what runs: workflow + batch -> store -> claimed session ->
the node's own inputs, compared exactly (1 is not 1.0, -0.0 is not 0.0), over hostile-ish values."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import worker_nodes
from nodeeditor.core.batch import Batch
from nodeeditor.core.errors import GraphValidationError, WorkflowError
from nodeeditor.core.workflow import Workflow
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build

HUGE = st.integers(min_value=-(10**4000), max_value=10**4000)
SCALARS = st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | HUGE | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def exact(value) -> str:
    """A spelling that tells 1 from 1.0 and -0.0 from 0.0 (== does not)."""
    return json.dumps(value, sort_keys=True)


def _flow(store, registry, inputs: dict, items: list, *, parsed: bool = True):
    worker_nodes.SEEN.clear()
    if parsed:
        workflow = build({"e": ("testq_echo", inputs)})
    else:  # as the window builds one: no file, no parse_workflow
        workflow = Workflow.model_validate({"version": 1, "nodes": [{"id": "e", "type": "testq_echo",
                                                                    "inputs": inputs}]})
    batch = Batch.model_validate({"runs": 1, "data": [[{"node": "e", "field": "value", "items": items}]]})
    store.queue.enqueue(workflow, batch, registry=registry)
    sessions = [store.queue.claim("w") for _ in items]
    assert store.queue.claim("w") is None
    return sessions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(value=VALUES, items=st.lists(VALUES, min_size=1, max_size=3),
       number=st.floats(allow_nan=False, allow_infinity=False), count=HUGE, text=st.text())
def test_values_round_trip_exactly_through_the_store_into_the_node(store, registry, value, items, number,
                                                                   count, text):
    inputs = {"value": value, "number": number, "count": count, "text": text}
    sessions = _flow(store, registry, inputs, items)
    for session, item in zip(sessions, items):
        assert exact(session.workflow.node("e").inputs) == exact(inputs)
        assert exact(session.overrides[("e", "value")]) == exact(item)
        result = run_workflow(session.workflow, registry, artifacts=None, overrides=session.overrides)
        assert result.status == "completed", result.error
    seen = worker_nodes.SEEN
    assert [exact(s["value"]) for s in seen] == [exact(i) for i in items]
    assert {exact(s["number"]) for s in seen} == {exact(float(number))}
    assert {(s["count"], s["text"]) for s in seen} == {(count, text)}


@pytest.mark.parametrize("field, bad", [("number", math.nan), ("number", math.inf), ("number", -math.inf),
                                        ("value", [1.0, math.nan]), ("value", {"k": math.inf}),
                                        ("text", "a\ud800"), ("value", "\udfff")])
def test_values_that_cannot_be_stored_exactly_are_refused(store, registry, field, bad):
    inputs = {"value": 1, field: bad}
    with pytest.raises(WorkflowError) as at_load:
        _flow(store, registry, inputs, [1])
    assert at_load.value.node == "e" and at_load.value.field.startswith(f"inputs.{field}")
    with pytest.raises(ValidationError, match="not allowed here|lone surrogate"):  # built in memory
        _flow(store, registry, inputs, [1], parsed=False)
    assert store.queue.counts()["pending"] == 0


@pytest.mark.parametrize("field, bad", [("number", math.nan), ("number", math.inf), ("text", "a\ud800")])
def test_a_field_refuses_what_json_cannot_keep(registry, field, bad):
    """The window's editors and batch axes validate through the field: the same refusal."""
    spec = registry.get("testq_echo").inputs[field]
    with pytest.raises(ValidationError, match="not allowed here|lone surrogate"):
        spec.validate(bad)


@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_non_finite_batch_item_is_refused_naming_the_item(store, registry, bad):
    with pytest.raises(GraphValidationError) as refused:
        _flow(store, registry, {"value": 1}, [1, bad])
    [issue] = refused.value.issues
    assert (issue.node, issue.field) == ("e", "value") and "batch item 1" in issue.message
