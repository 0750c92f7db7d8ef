"""Workflow v2 subgraphs: flattened when planned, ports typed and checked, paths in every message."""

import json

import pytest

from nodeeditor.cli import main
from nodeeditor.core.batch import parse_batch, validate_batch
from nodeeditor.core.errors import GraphValidationError, WorkflowError
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.registry import default_registry
from nodeeditor.core.ports import subgraph_spec
from nodeeditor.core.subgraph import flatten
from nodeeditor.core.workflow import load_workflow, parse_workflow, save_workflow
from nodeeditor.engine.runner import run_workflow

ADD_TWICE = {
    "name": "Add twice", "description": "x + 1 + step",
    "nodes": [{"id": "a1", "type": "add", "inputs": {"b": 1}}, {"id": "a2", "type": "add", "inputs": {"b": 3}}],
    "edges": [{"source": {"node": "a1", "field": "value"}, "destination": {"node": "a2", "field": "a"}}],
    "inputs": [{"name": "x", "targets": [{"node": "a1", "field": "a"}]},
               {"name": "step", "targets": [{"node": "a2", "field": "b"}]}],
    "outputs": [{"name": "value", "source": {"node": "a2", "field": "value"}}],
}


def link(src, dst):
    (sn, sf), (dn, df) = src.split("."), dst.split(".")
    return {"source": {"node": sn, "field": sf}, "destination": {"node": dn, "field": df}}


def workflow(nodes, edges=(), subgraphs=None):
    return parse_workflow({"version": 2, "nodes": nodes, "edges": list(edges),
                           "subgraphs": subgraphs or {"add2": ADD_TWICE}})


def run(wf, **kwargs):
    result = run_workflow(wf, default_registry(), artifacts=None, **kwargs)
    assert result.status == "completed", result.error
    return result


def test_a_subgraph_runs_like_the_nodes_it_stands_for():
    wf = workflow([{"id": "n", "type": "integer", "inputs": {"value": 5}},
                   {"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"step": 10}},
                   {"id": "m", "type": "multiply", "inputs": {"b": 2}}],
                  [link("n.value", "g1.x"), link("g1.value", "m.a")])
    result = run(wf)
    assert result.leaf_outputs() == {"m": {"value": (5 + 1 + 10) * 2}}
    assert [s.node_id for s in result.stats] == ["n", "g1/a1", "g1/a2", "m"]


def test_a_port_value_comes_from_the_node_then_the_default_then_the_inner_value():
    sub = {**ADD_TWICE, "inputs": [ADD_TWICE["inputs"][0], {**ADD_TWICE["inputs"][1], "default": 100}]}
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"x": 1}},
                   {"id": "g2", "type": "subgraph", "subgraph": "add2", "inputs": {"x": 1, "step": 7}}],
                  subgraphs={"add2": sub})
    assert run(wf).leaf_outputs() == {"g1/a2": {"value": 102}, "g2/a2": {"value": 9}}
    plain = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"x": 1}}])
    assert run(plain).leaf_outputs() == {"g1/a2": {"value": 1 + 1 + 3}}


def test_subgraphs_nest_two_deep_with_paths_for_every_level():
    outer = {"name": "Twice twice",
             "nodes": [{"id": "p", "type": "subgraph", "subgraph": "add2", "inputs": {"step": 0}},
                       {"id": "q", "type": "subgraph", "subgraph": "add2", "inputs": {"step": 0}}],
             "edges": [link("p.value", "q.x")],
             "inputs": [{"name": "start", "targets": [{"node": "p", "field": "x"}]}],
             "outputs": [{"name": "total", "source": {"node": "q", "field": "value"}}]}
    wf = workflow([{"id": "top", "type": "subgraph", "subgraph": "outer", "inputs": {"start": 2}},
                   {"id": "m", "type": "multiply", "inputs": {"b": 1}}],
                  [link("top.total", "m.a")], subgraphs={"add2": ADD_TWICE, "outer": outer})
    result = run(wf)
    assert result.leaf_outputs() == {"m": {"value": 2 + 1 + 1}}
    assert {s.node_id for s in result.stats} == {"top/p/a1", "top/p/a2", "top/q/a1", "top/q/a2", "m"}
    assert subgraph_spec(wf, "outer", default_registry()).inputs["start"].type.kind == "integer"


def test_iterate_into_a_subgraph_and_collect_after_it():
    wf = workflow([{"id": "r", "type": "range", "inputs": {"start": 0, "stop": 3}},
                   {"id": "it", "type": "iterate"},
                   {"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"step": 0}},
                   {"id": "c", "type": "collect"}],
                  [link("r.collection", "it.collection"), link("it.item", "g1.x"), link("g1.value", "c.item")])
    assert run(wf).leaf_outputs() == {"c": {"collection": [1, 2, 3]}}


def test_a_batch_axis_may_name_a_port_or_an_inner_node_by_path():
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"x": 0}}])
    batch = parse_batch({"data": [[{"node": "g1", "field": "step", "items": [10, 20]}],
                                  [{"node": "g1/a1", "field": "b", "items": [0, 5]}]]})
    assert validate_batch(batch, wf, default_registry()) == []
    outputs = [run(wf, overrides=batch.values_at(i)).leaf_outputs()["g1/a2"]["value"] for i in range(batch.count())]
    assert outputs == [10, 15, 20, 25]
    bad = parse_batch({"data": [[{"node": "g1", "field": "step", "items": ["many"]}]]})
    assert "batch item 0 ('many') is invalid" in str(validate_batch(bad, wf, default_registry())[0])


def test_a_definition_that_uses_itself_is_refused_naming_the_chain(tmp_path, capsys):
    a = {"name": "A", "nodes": [{"id": "x", "type": "subgraph", "subgraph": "b"}]}
    b = {"name": "B", "nodes": [{"id": "y", "type": "subgraph", "subgraph": "a"}]}
    data = {"version": 2, "nodes": [{"id": "g", "type": "subgraph", "subgraph": "a"}], "subgraphs": {"a": a, "b": b}}
    with pytest.raises(WorkflowError, match="a subgraph uses itself: a → b → a"):
        parse_workflow(data)
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["run", str(path), "--home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "a → b → a" in err and "Traceback" not in err


def test_a_link_of_the_wrong_type_into_a_port_is_refused_with_the_inner_path():
    wf = workflow([{"id": "s", "type": "string", "inputs": {"value": "x"}},
                   {"id": "g1", "type": "subgraph", "subgraph": "add2"}], [link("s.value", "g1.x")])
    issues = [str(i) for i in validate_graph(wf, default_registry())]
    assert issues == ["g1/a1.a: link from s.value: string cannot connect to integer"]
    with pytest.raises(GraphValidationError, match="g1/a1.a"):
        run_workflow(wf, default_registry(), artifacts=None)


def test_an_invalid_value_inside_names_the_path():
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"step": "lots"}}])
    assert [str(i).split(":")[0] for i in validate_graph(wf, default_registry())] == ["g1/a2.b"]


def test_port_targets_of_different_types_are_refused():
    sub = {**ADD_TWICE, "nodes": ADD_TWICE["nodes"] + [{"id": "s", "type": "string"}],
           "inputs": [{"name": "x", "targets": [{"node": "a1", "field": "a"}, {"node": "s", "field": "value"}]}]}
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2"}], subgraphs={"add2": sub})
    messages = [str(i) for i in validate_graph(wf, default_registry())]
    assert any("input port 'x' feeds fields of different types (a1.a is integer, s.value is string)" in m
               for m in messages)


def test_a_link_to_a_port_the_definition_lacks_is_refused():
    wf = workflow([{"id": "n", "type": "integer"}, {"id": "g1", "type": "subgraph", "subgraph": "add2"}],
                  [link("n.value", "g1.nope")])
    assert "subgraph has no input 'nope'" in str(validate_graph(wf, default_registry()))


def test_a_bypassed_subgraph_bypasses_its_nodes():
    wf = workflow([{"id": "n", "type": "integer", "inputs": {"value": 4}},
                   {"id": "g1", "type": "subgraph", "subgraph": "add2", "bypassed": True},
                   {"id": "m", "type": "multiply", "inputs": {"b": 1}}],
                  [link("n.value", "g1.x"), link("g1.value", "m.a")])
    assert run(wf).leaf_outputs() == {"m": {"value": 4}}


def test_flattening_names_the_top_level_owner_of_every_inner_node():
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2"}])
    flat = flatten(wf)
    assert [n.id for n in flat.workflow.nodes] == ["g1/a1", "g1/a2"]
    assert flat.owner() == {"g1/a1": "g1", "g1/a2": "g1"}


def test_a_version_1_file_loads_and_saves_as_version_2(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"version": 1, "nodes": [{"id": "a", "type": "integer"}], "edges": []}))
    save_workflow(load_workflow(path), path)
    saved = json.loads(path.read_text())
    assert saved["version"] == 2 and saved["subgraphs"] == {} and saved["nodes"][0]["id"] == "a"


def test_run_json_names_inner_results_by_path(tmp_path, capsys):
    path = tmp_path / "sub.json"
    save_workflow(workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2", "inputs": {"x": 1}}]), path)
    assert main(["run", str(path), "--json", "--home", str(tmp_path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["outputs"] == {"g1/a2": {"value": 5}}
    assert [t["node"] for t in payload["timings"]] == ["g1/a1", "g1/a2"]


def test_a_port_shows_the_inner_value_that_runs_when_the_node_sets_none():
    wf = workflow([{"id": "g1", "type": "subgraph", "subgraph": "add2"}])
    spec = subgraph_spec(wf, "add2", default_registry())
    assert spec.inputs["step"].default == 3 and not spec.inputs["step"].required  # a2.b is typed 3
    assert spec.inputs["x"].default == 0  # a1.a has no value typed: the field's own default
