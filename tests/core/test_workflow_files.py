"""Workflow JSON files (v1 read, v2 written): exact round trips, placeholders for missing types, located errors, schema."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodeeditor.core.errors import WorkflowError
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import (Workflow, load_workflow, loads_workflow, parse_workflow,
                                      save_workflow, workflow_schema)

SAMPLE = {
    "version": 1,
    "name": "Doubles — ünïcode",
    "nodes": [
        {"id": "r", "type": "range", "position": [0.0, 10.5], "inputs": {"start": 0, "stop": 10},
         "label": "Numbers", "bypassed": False},
        {"id": "it", "type": "iterate", "position": [200.0, 0.0], "inputs": {}, "label": None,
         "bypassed": False},
        {"id": "m", "type": "multiply", "position": [400.0, 0.0], "inputs": {"b": 2}, "label": None,
         "bypassed": True},
        {"id": "c", "type": "collect", "position": [600.0, 0.0], "inputs": {}, "label": None,
         "bypassed": False},
    ],
    "edges": [
        {"source": {"node": "r", "field": "collection"}, "destination": {"node": "it", "field": "collection"}},
        {"source": {"node": "it", "field": "item"}, "destination": {"node": "m", "field": "a"}},
        {"source": {"node": "m", "field": "value"}, "destination": {"node": "c", "field": "item"}},
    ],
    "frames": [{"id": "f1", "title": "Loop", "rect": [-10.0, -10.0, 700.0, 120.0], "color": "#224466"}],
    "meta": {"author": "me", "nested": {"list": [1, 2.5, None, "x"]}},
}


def test_a_saved_file_loads_and_saves_back_byte_for_byte(tmp_path):
    path = tmp_path / "w.json"
    save_workflow(parse_workflow(SAMPLE), path)
    first = path.read_bytes()
    save_workflow(load_workflow(path), path)
    assert path.read_bytes() == first


def test_loading_keeps_every_value(tmp_path):
    path = tmp_path / "w.json"
    save_workflow(parse_workflow(SAMPLE), path)
    assert json.loads(path.read_text(encoding="utf-8")) == {**SAMPLE, "version": 2, "subgraphs": {}}


def test_a_minimal_file_gets_the_defaults():
    workflow = parse_workflow({"version": 1, "nodes": [{"id": "a", "type": "integer"}]})
    node = workflow.nodes[0]
    assert (workflow.name, node.position, node.inputs, node.label, node.bypassed) == (
        "Untitled", (0.0, 0.0), {}, None, False)


def test_unknown_types_load_as_placeholders_and_save_back_unchanged(tmp_path):
    data = json.loads(json.dumps(SAMPLE))
    data["nodes"].append({"id": "up", "type": "upscale_model_x4", "position": [800.0, 0.0],
                          "inputs": {"model": "esrgan", "scale": 4, "tile": {"w": 512}},
                          "label": "Upscale", "bypassed": False})
    data["edges"].append({"source": {"node": "c", "field": "collection"},
                          "destination": {"node": "up", "field": "images"}})
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    workflow = load_workflow(path)
    assert workflow.node("up").type == "upscale_model_x4"
    save_workflow(workflow, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {**data, "version": 2, "subgraphs": {}}


def test_a_placeholder_says_which_type_is_missing():
    workflow = parse_workflow({"version": 1, "nodes": [{"id": "up", "type": "upscale_model_x4"}]})
    [issue] = validate_graph(workflow, default_registry())
    assert (issue.node, issue.message) == ("up", "unknown node type 'upscale_model_x4' (not installed)")


def test_invalid_json_names_the_file_and_the_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1,\n "nodes": [}', encoding="utf-8")
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    assert str(caught.value) == f"{path}: not valid JSON: Expecting value at line 2, column 12"


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(WorkflowError, match="absent.json: cannot read"):
        load_workflow(tmp_path / "absent.json")


def test_a_bad_node_field_names_file_node_and_field():
    data = json.loads(json.dumps(SAMPLE))
    data["nodes"][2]["position"] = "left"
    with pytest.raises(WorkflowError) as caught:
        parse_workflow(data, file="w.json")
    assert (caught.value.file, caught.value.node, caught.value.field) == ("w.json", "m", "position")
    assert str(caught.value).startswith("w.json, node 'm', field 'position': ")


def test_an_unknown_key_on_a_node_is_refused():
    data = json.loads(json.dumps(SAMPLE))
    data["nodes"][0]["colour"] = "red"
    with pytest.raises(WorkflowError) as caught:
        parse_workflow(data, file="w.json")
    assert (caught.value.node, caught.value.field) == ("r", "colour")


def test_an_edge_to_a_missing_node_is_refused():
    data = json.loads(json.dumps(SAMPLE))
    data["edges"][0]["destination"]["node"] = "ghost"
    with pytest.raises(WorkflowError, match="names unknown node 'ghost'"):
        parse_workflow(data, file="w.json")


def test_node_ids_are_unique():
    data = json.loads(json.dumps(SAMPLE))
    data["nodes"][1]["id"] = "r"
    with pytest.raises(WorkflowError, match="node id 'r' is used twice"):
        parse_workflow(data)


def test_another_version_is_refused_by_name():
    with pytest.raises(WorkflowError) as caught:
        parse_workflow({"version": 3, "nodes": []}, file="new.json")
    assert caught.value.field == "version" and "reads versions 1 and 2" in caught.value.message


def test_deep_nesting_is_a_workflow_error():
    with pytest.raises(WorkflowError, match="nested more than 64 levels deep"):
        loads_workflow("[" * 100_000 + "]" * 100_000)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
NODE = st.fixed_dictionaries({}, optional={"id": JSON | st.text(max_size=3), "type": JSON | st.just("add"),
                                           "position": JSON, "inputs": JSON, "label": JSON,
                                           "bypassed": JSON})
WORKFLOWISH = st.fixed_dictionaries({}, optional={
    "version": st.just(1) | JSON, "name": JSON, "nodes": st.lists(NODE | JSON, max_size=3) | JSON,
    "edges": JSON, "frames": JSON, "meta": JSON})


@settings(max_examples=300, deadline=None)
@given(WORKFLOWISH | JSON)
def test_random_json_gives_a_workflow_or_a_workflow_error(data):
    try:
        workflow = loads_workflow(json.dumps(data), file="random.json")
    except WorkflowError as exc:
        assert exc.file == "random.json"
    else:
        assert isinstance(workflow, Workflow)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_random_text_gives_a_workflow_or_a_workflow_error(text):
    try:
        loads_workflow(text)
    except WorkflowError:
        pass


def check(instance, schema, root, path="$"):
    """A small JSON-schema check: $ref, type, const, enum, properties, required, additionalProperties,
    items, prefixItems, minItems/maxItems, minLength and anyOf are what the workflow schema uses."""
    if "$ref" in schema:
        return check(instance, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root, path)
    if "anyOf" in schema:
        errors = [check(instance, option, root, path) for option in schema["anyOf"]]
        return [] if any(not e for e in errors) else [f"{path}: matches no option"]
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
             "integer": int, "number": (int, float)}
    kind = schema.get("type")
    if kind and (not isinstance(instance, types[kind]) or (kind in ("integer", "number") and isinstance(instance, bool))):
        return [f"{path}: not {kind}"]
    if "const" in schema and instance != schema["const"]:
        return [f"{path}: not {schema['const']!r}"]
    if "enum" in schema and instance not in schema["enum"]:
        return [f"{path}: not " + " or ".join(map(repr, schema["enum"]))]
    errors = []
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        errors += [f"{path}.{k}: required" for k in schema.get("required", ()) if k not in instance]
        if schema.get("additionalProperties") is False:
            errors += [f"{path}.{k}: not allowed" for k in instance if k not in props]
        for key, value in instance.items():
            if key in props:
                errors += check(value, props[key], root, f"{path}.{key}")
    if isinstance(instance, list):
        if not schema.get("minItems", 0) <= len(instance) <= schema.get("maxItems", len(instance)):
            errors.append(f"{path}: wrong length")
        for i, item in enumerate(instance):
            sub = (schema.get("prefixItems") or [])[i:i + 1] or [schema.get("items", {})]
            errors += check(item, sub[0], root, f"{path}[{i}]")
    if isinstance(instance, str) and len(instance) < schema.get("minLength", 0):
        errors.append(f"{path}: too short")
    return errors


def test_the_schema_accepts_a_saved_workflow():
    schema = workflow_schema()
    assert schema["title"] == "nodeeditor workflow v2"
    assert check(json.loads(parse_workflow(SAMPLE).to_json()), schema, schema) == []


def test_the_schema_rejects_what_the_loader_rejects():
    schema = workflow_schema()
    bad = json.loads(json.dumps(SAMPLE))
    bad["nodes"][0]["position"] = [1.0]
    bad["edges"][0]["source"].pop("field")
    bad["version"] = 3
    assert check(bad, schema, schema) == ["$.version: not 1 or 2", "$.nodes[0].position: wrong length",
                                          "$.edges[0].source.field: required"]


def test_with_values_puts_session_values_into_typed_inputs():
    from nodeeditor.core.workflow import parse_workflow, with_values

    workflow = parse_workflow({"version": 1, "nodes": [{"id": "a.b", "type": "integer", "inputs": {"value": 1}},
                                                       {"id": "s", "type": "string"}], "edges": []})
    restored = with_values(workflow, {"a.b.value": 7, "s.value": "x", "gone.value": 3})
    assert restored.node("a.b").inputs == {"value": 7}
    assert restored.node("s").inputs == {"value": "x"}
    assert workflow.node("a.b").inputs == {"value": 1}
