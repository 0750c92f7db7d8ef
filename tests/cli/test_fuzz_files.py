"""Hostile workflow and batch files, generated, through the real command line: whatever the file
holds, the command ends with 0, 1 or 2 and never prints a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import cli

NODES = [
    {"id": "n", "type": "integer", "inputs": {"value": 1}},
    {"id": "f", "type": "float", "inputs": {"value": 0.5}},
    {"id": "s", "type": "string", "inputs": {"value": "x"}},
    {"id": "a", "type": "add", "inputs": {"b": 2}},
]
EDGES = [{"source": {"node": "n", "field": "value"}, "destination": {"node": "a", "field": "a"}}]

RAW = st.sampled_from([
    "NaN", "Infinity", "-Infinity", "9" * 5000, str(2**63), str(-(2**63) - 1), "1e999", "-0.0",
    '"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', "[" * 80 + "]" * 80, "[" * 5000 + "]" * 5000,
    '{"a":' * 70 + "1" + "}" * 70, "null", "true", '"🙂"', "[]", "{}", '"' + "x" * 10_000 + '"', "1.5",
])
"""JSON (or not quite JSON) tokens that have broken parsers before, spliced in as raw text."""
PLACES = st.sampled_from(["n.value", "f.value", "s.value", "a.b", "a.z", "meta", "name", "version", "position"])


def _workflow_text(place: str, token: str, drop: str | None) -> str:
    data = {"version": 1, "name": "fuzz", "nodes": json.loads(json.dumps(NODES)), "edges": EDGES}
    marker = "__HOSTILE__"
    if place in ("meta", "name", "version"):
        data[place] = marker
    elif place == "position":
        data["nodes"][0]["position"] = [marker, 0]
    else:
        node, field = place.split(".")
        next(n for n in data["nodes"] if n["id"] == node)["inputs"][field] = marker
    if drop and drop != place:
        data.pop(drop, None)
    return json.dumps(data).replace(f'"{marker}"', token)


def _batch_text(token: str, runs: str, node: str, shape: int) -> str:
    items = ["[1, " + token + "]", "[" + token + "]", token][shape]
    return f'{{"runs": {runs}, "data": [[{{"node": "{node}", "field": "value", "items": {items}}}]]}}'


@pytest.mark.timeout(900)  # each example starts a process: seconds apiece on a loaded machine
@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(place=PLACES, token=RAW, drop=st.sampled_from([None, None, "version", "nodes"]),
       batch_token=RAW, runs=st.sampled_from(["1", "0", "-1", "3", str(2**63), "1.5", '"2"', "9" * 5000]),
       batch_node=st.sampled_from(["n", "f", "s", "ghost"]), shape=st.integers(0, 2),
       command=st.sampled_from(["run", "enqueue", "enqueue-batch"]),
       cut=st.sampled_from([None, None, None, 0.5, 0.9]))
def test_hostile_files_end_in_0_1_or_2_and_never_a_traceback(tmp_path, isolated_home, place, token, drop,
                                                             batch_token, runs, batch_node, shape, command, cut):
    text = _workflow_text(place, token, drop)
    if cut is not None:
        text = text[: int(len(text) * cut)]
    workflow = tmp_path / "w.json"
    workflow.write_text(text, encoding="utf-8")
    argv = [command, str(workflow)] if command != "enqueue-batch" else ["enqueue", str(workflow)]
    if command == "enqueue-batch":
        batch = tmp_path / "b.json"
        batch.write_text(_batch_text(batch_token, runs, batch_node, shape), encoding="utf-8")
        argv += ["--batch", str(batch)]
    ran = cli(*argv, home=isolated_home, timeout=120)
    assert ran.code in (0, 1, 2), (ran.code, ran.err)
    assert "Traceback" not in ran.err and "Traceback" not in ran.out, ran.err
    if ran.code == 2:
        assert ran.err.startswith("error: ") and str(tmp_path) in ran.err, ran.err
