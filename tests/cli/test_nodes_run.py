"""`nodeeditor nodes` and `nodeeditor run`: listings, leaf outputs, timings and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodeeditor.cli import main
from nodeeditor.core.registry import default_registry
from nodeeditor.core.workflow import save_workflow
from workflow_builder import build

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "workflows"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def doubles(tmp_path):
    path = tmp_path / "doubles.json"
    save_workflow(build({"r": ("range", {"stop": 10}), "it": "iterate", "m": ("multiply", {"b": 2}), "c": "collect"},
                        ["r.collection -> it.collection", "it.item -> m.a", "m.value -> c.item"]), path)
    return path


def test_nodes_json_lists_every_node_type_with_sockets_and_defaults(capsys):
    code, out, _ = run(capsys, "nodes", "--json")
    listed = {spec["type"]: spec for spec in json.loads(out)}
    assert code == 0
    assert set(listed) == {spec.type for spec in default_registry()}
    divide = listed["divide"]
    assert [(i["name"], i["kind"], i["cardinality"], i["default"]) for i in divide["inputs"]] == [
        ("a", "integer", "single", 0), ("b", "integer", "single", 1)]
    assert [(o["name"], o["kind"]) for o in divide["outputs"]] == [("value", "integer")]
    assert listed["iterate"]["inputs"][0]["cardinality"] == "collection"
    assert listed["float_math"]["inputs"][0]["choices"][:2] == ["add", "subtract"]


def test_nodes_lists_a_plugin_from_the_home_folder(capsys, tmp_path):
    home = tmp_path / "home2"
    (home / "nodes").mkdir(parents=True)
    (home / "nodes" / "shout.py").write_text(
        "from nodeeditor.api import BaseNode, BaseOutput, InputField, InvocationContext, OutputField, node\n"
        "class O(BaseOutput):\n    value: str = OutputField()\n"
        "@node('cli_shout', title='Shout', category='user')\n"
        "class Shout(BaseNode):\n    text: str = InputField('hi')\n"
        "    def invoke(self, context: InvocationContext) -> O:\n        return O(value=self.text.upper())\n")
    code, out, _ = run(capsys, "nodes", "--home", str(home))
    assert code == 0 and "cli_shout  (Shout, v1.0.0)" in out


def test_run_prints_leaf_outputs_and_timings(capsys, doubles):
    code, out, _ = run(capsys, "run", str(doubles))
    assert code == 0
    assert out.splitlines()[0] == "c.collection = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]"
    assert "timings:" in out and "m[9]" in out and "multiply" in out


def test_run_json_gives_outputs_and_a_timing_per_copy(capsys, doubles):
    code, out, _ = run(capsys, "run", str(doubles), "--json")
    payload = json.loads(out)
    assert (code, payload["status"]) == (0, "completed")
    assert payload["outputs"] == {"c": {"collection": [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]}}
    timed = [t["node"] for t in payload["timings"] if t["type"] == "multiply"]
    assert timed == [f"m[{i}]" for i in range(10)]
    assert all(t["seconds"] >= 0 for t in payload["timings"])


def test_set_overrides_a_field(capsys, doubles):
    code, out, _ = run(capsys, "run", str(doubles), "--set", "r.stop=3", "--set", "m.b=10", "--json")
    assert (code, json.loads(out)["outputs"]) == (0, {"c": {"collection": [0, 10, 20]}})


def test_a_failing_node_exits_1_with_its_id_and_message(capsys, tmp_path):
    path = tmp_path / "div.json"
    save_workflow(build({"n": ("integer", {"value": 7}), "div": ("divide", {"b": 0})}, ["n.value -> div.a"]), path)
    code, _, err = run(capsys, "run", str(path))
    assert code == 1
    assert err == f"error: {path}: node 'div' (divide) failed: field 'b': cannot divide by zero\n"
    code, _, err = run(capsys, "run", str(path), "--traceback")
    assert code == 1
    first, *rest = err.splitlines()
    assert first == f"error: {path}: node 'div' (divide) failed: field 'b': cannot divide by zero"
    assert rest[0] == "Traceback (most recent call last):"


def test_a_failing_node_in_json_mode_reports_the_error(capsys, tmp_path):
    path = tmp_path / "div.json"
    save_workflow(build({"div": ("divide", {"a": 1, "b": 0})}), path)
    code, out, _ = run(capsys, "run", str(path), "--json")
    payload = json.loads(out)
    assert (code, payload["status"], payload["error"]["node"]) == (1, "failed", "div")
    assert payload["error"]["message"] == "field 'b': cannot divide by zero"


def test_invalid_json_exits_2_naming_the_file(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{nope")
    code, _, err = run(capsys, "run", str(path))
    assert code == 2 and err.startswith(f"error: {path}: not valid JSON")


def test_unknown_node_type_exits_2_naming_file_and_node(capsys, tmp_path):
    path = tmp_path / "ghost.json"
    save_workflow(build({"g": ("ghost_node", {})}), path)
    code, _, err = run(capsys, "run", str(path))
    assert (code, err) == (2, f"error: {path}: node 'g': unknown node type 'ghost_node' (not installed)\n")


def test_bad_set_value_exits_2_naming_file_node_and_field(capsys, doubles):
    code, _, err = run(capsys, "run", str(doubles), "--set", "m.b=\"lots\"")
    assert code == 2
    assert err.startswith(f"error: {doubles}: node 'm', field 'b': invalid value 'lots'")


def test_set_on_a_missing_node_exits_2(capsys, doubles):
    code, _, err = run(capsys, "run", str(doubles), "--set", "zz.b=1")
    assert (code, err) == (2, f"error: {doubles}: node 'zz', field 'b': no node with this id\n")


def test_malformed_set_exits_2(capsys, doubles):
    code, _, err = run(capsys, "run", str(doubles), "--set", "just-a-word")
    assert code == 2 and "must look like NODE.FIELD=JSON" in err


@pytest.mark.parametrize("name", ["double_each_number.json", "prompt_grid.json", "color_gradient.json"])
def test_example_workflows_run(capsys, name):
    code, out, err = run(capsys, "run", str(EXAMPLES / name), "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "completed"


def test_the_example_outputs(capsys):
    outputs = {name: json.loads(run(capsys, "run", str(EXAMPLES / name), "--json")[1])["outputs"]
               for name in ("prompt_grid.json", "color_gradient.json")}
    assert outputs["color_gradient.json"] == {"palette": {"value": "#1d3557 #525956 #877c55 #bca054 #f1c453"}}
    assert outputs["prompt_grid.json"]["text"]["value"].splitlines()[:2] == [
        "a red fox, watercolor, highly detailed", "a red fox, woodcut, highly detailed"]


def test_the_installed_command_runs_a_workflow(doubles, tmp_path):
    env = dict(os.environ, NODEEDITOR_HOME=str(tmp_path / "sub_home"))
    done = subprocess.run([sys.executable, "-m", "nodeeditor", "run", str(doubles), "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outputs"] == {"c": {"collection": [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]}}
