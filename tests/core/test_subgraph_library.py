"""The subgraph library: entries are workflow files, read with the same checks, embedded on insert."""

import json

from nodeeditor.core.library import embed, load_library, newer_in_library, save_to_library, stamp
from nodeeditor.core.workflow import parse_workflow

INNER = {"name": "Inner", "nodes": [{"id": "a", "type": "add", "inputs": {"b": 1}}],
         "inputs": [{"name": "x", "targets": [{"node": "a", "field": "a"}]}],
         "outputs": [{"name": "value", "source": {"node": "a", "field": "value"}}]}
OUTER = {"name": "Outer", "nodes": [{"id": "i", "type": "subgraph", "subgraph": "inner"}],
         "inputs": [{"name": "x", "targets": [{"node": "i", "field": "x"}]}],
         "outputs": [{"name": "value", "source": {"node": "i", "field": "value"}}]}


def root():
    return parse_workflow({"version": 2, "nodes": [{"id": "g", "type": "subgraph", "subgraph": "outer"}],
                           "subgraphs": {"outer": OUTER, "inner": INNER, "unused": {**INNER, "name": "Unused"}}})


def test_saving_writes_the_definition_and_what_it_uses_as_a_workflow_file(tmp_path):
    entry = save_to_library(tmp_path, root(), "outer", "Add one/twice")
    assert entry.path == tmp_path / "subgraphs" / "Add one_twice.json"
    data = json.loads(entry.path.read_text())
    assert data["version"] == 2 and set(data["subgraphs"]) == {"outer", "inner"}
    assert data["subgraphs"]["outer"]["meta"]["library"] == "Add one/twice"
    entries, errors = load_library(tmp_path)
    assert [e.name for e in entries] == ["Add one/twice"] and errors == []


def test_editing_the_workflow_after_saving_leaves_the_library_entry_as_saved(tmp_path):
    workflow = root()
    entry = save_to_library(tmp_path, workflow, "inner", "Add one")
    stamped = stamp(workflow.subgraphs["inner"], "Add one", entry.saved_at)
    workflow.subgraphs["inner"].nodes[0].inputs["b"] = 5  # the canvas edits nodes in place
    workflow.subgraphs["inner"].nodes[0].position = (40.0, 0.0)
    assert entry.definition.nodes[0].inputs == {"b": 1} and entry.definition.nodes[0].position == (0.0, 0.0)
    assert stamped.nodes[0].inputs == {"b": 1} and stamped.nodes[0].position == (0.0, 0.0)
    assert load_library(tmp_path)[0][0].definition.nodes[0].inputs == {"b": 1}


def test_a_file_that_is_not_a_valid_entry_is_skipped_with_its_reason(tmp_path):
    save_to_library(tmp_path, root(), "outer", "Good")
    folder = tmp_path / "subgraphs"
    (folder / "broken.json").write_text('{"version": 2, "nodes": [{"id": "a/b", "type": "add"}]}')
    (folder / "plain.json").write_text('{"version": 2, "nodes": []}')
    entries, errors = load_library(tmp_path)
    assert [e.name for e in entries] == ["Good"]
    assert len(errors) == 2 and all(str(folder) in str(e) for e in errors)


def test_inserting_renames_definitions_that_clash_with_the_workflows_own(tmp_path):
    entry = save_to_library(tmp_path, root(), "outer", "Outer")
    top, defs = embed({"outer": root().subgraphs["outer"], "inner": root().subgraphs["inner"]}, entry)
    assert top == "outer_2" and set(defs) == {"outer_2", "inner_2"}
    assert defs["outer_2"].nodes[0].subgraph == "inner_2"


def test_a_newer_library_copy_is_found_by_name_and_time(tmp_path):
    first = save_to_library(tmp_path, root(), "outer", "Outer")
    embedded = first.definition
    assert newer_in_library(embedded, load_library(tmp_path)[0]) is None
    save_to_library(tmp_path, root(), "outer", "Outer")
    newer = newer_in_library(embedded, load_library(tmp_path)[0])
    assert newer is not None and newer.saved_at > first.saved_at


def test_a_file_with_two_subgraph_nodes_is_not_an_entry(tmp_path):
    entry = save_to_library(tmp_path, root(), "outer", "Twice")
    data = json.loads(entry.path.read_text())
    data["nodes"].append({"id": "subgraph_2", "type": "subgraph", "subgraph": "outer"})
    entry.path.write_text(json.dumps(data))
    entries, errors = load_library(tmp_path)
    assert entries == [] and len(errors) == 1
    assert "one subgraph node and meta.library expected" in str(errors[0]) and str(entry.path) in str(errors[0])


def test_a_definition_using_an_unknown_subgraph_is_refused_naming_both():
    import pytest

    from nodeeditor.core.errors import WorkflowError

    broken = {**OUTER, "nodes": [{"id": "i", "type": "subgraph", "subgraph": "missing"}]}
    with pytest.raises(WorkflowError, match=r"subgraph 'outer': node 'i' uses unknown subgraph 'missing'"):
        parse_workflow({"version": 2, "nodes": [{"id": "g", "type": "subgraph", "subgraph": "outer"}],
                        "subgraphs": {"outer": broken, "inner": INNER}})


def test_converting_a_selection_makes_ports_for_the_links_that_cross_it():
    from nodeeditor.core.subgraph_edit import convert

    flat = parse_workflow({"version": 2, "nodes": [
        {"id": "x", "type": "integer", "inputs": {"value": 2}, "position": [0, 0]},
        {"id": "a", "type": "add", "inputs": {"b": 1}, "position": [100, 0]},
        {"id": "y", "type": "integer", "position": [200, 0]}],
        "edges": [{"source": {"node": "x", "field": "value"}, "destination": {"node": "a", "field": "a"}},
                  {"source": {"node": "a", "field": "value"}, "destination": {"node": "y", "field": "value"}}]})
    change = convert(flat.nodes, flat.edges, ["a"], node_id="g", definition_id="d", name="Add")
    [port_in], [port_out] = change.definition.inputs, change.definition.outputs
    assert [(t.node, t.field) for t in port_in.targets] == [("a", "a")]
    assert (port_out.source.node, port_out.source.field) == ("a", "value")
    assert sorted(((e.source.node, e.source.field), (e.destination.node, e.destination.field))
                  for e in change.add_edges) == [(("g", port_out.name), ("y", "value")), (("x", "value"), ("g", port_in.name))]


def test_a_definitions_ports_take_the_types_of_what_they_feed_and_come_from():
    from nodeeditor.core.ports import subgraph_spec
    from nodeeditor.core.registry import default_registry
    from nodeeditor.core.types import Kind

    for def_id in ("inner", "outer"):  # the outer one through its nested subgraph node
        spec = subgraph_spec(root(), def_id, default_registry())
        assert (spec.inputs["x"].type.kind, spec.outputs["value"].type.kind) == (Kind.INTEGER, Kind.INTEGER)
