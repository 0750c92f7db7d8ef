"""Hostile values through the real command line: exit 2, one `error:` line naming file, node and
field, no traceback, and the database exactly as it was."""

from __future__ import annotations

import json

import pytest

from .harness import cli, fingerprint

BIG = "9" * 5000
"""An integer past Python's 4,300-digit conversion limit."""
PAST_INT64 = str(2**63)

WORKFLOW = {"version": 1, "name": "hostile", "nodes": [
    {"id": "n", "type": "integer", "inputs": {"value": 1}},
    {"id": "f", "type": "float", "inputs": {"value": 1.5}},
    {"id": "s", "type": "string", "inputs": {"value": "ok"}},
], "edges": []}


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def workflow_text(**values: str) -> str:
    """The workflow as JSON text with raw JSON spliced in for some node's value (id=RAW)."""
    text = json.dumps(WORKFLOW)
    for node, raw in values.items():
        original = json.dumps(WORKFLOW["nodes"][["n", "f", "s"].index(node)]["inputs"]["value"])
        text = text.replace(f'"id": "{node}", "type": "{WORKFLOW["nodes"][["n", "f", "s"].index(node)]["type"]}", '
                            f'"inputs": {{"value": {original}}}',
                            f'"id": "{node}", "type": "{WORKFLOW["nodes"][["n", "f", "s"].index(node)]["type"]}", '
                            f'"inputs": {{"value": {raw}}}', 1)
    return text


def batch_text(node: str, field: str, items: str, runs: str = "1") -> str:
    return f'{{"runs": {runs}, "data": [[{{"node": "{node}", "field": "{field}", "items": {items}}}]]}}'


@pytest.fixture
def seeded(tmp_path, isolated_home):
    """A store holding one batch, and a good workflow file beside it."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(WORKFLOW))
    assert cli("enqueue", str(good), home=isolated_home).code == 0
    return tmp_path, isolated_home


def _file(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return str(path)


# Each case: (name, files {name: text}, argv with {file} placeholders, words the error must hold)
CASES = [
    ("NaN in a float field", {"w.json": workflow_text(f="NaN")}, ["enqueue", "{w.json}"],
     ["{w.json}", "node 'f'", "field 'inputs.value'", "NaN"]),
    ("Infinity in a float field", {"w.json": workflow_text(f="Infinity")}, ["run", "{w.json}"],
     ["{w.json}", "node 'f'", "field 'inputs.value'", "Infinity"]),
    ("-Infinity in a batch item", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("f", "value", "[1.0, -Infinity]")},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "node 'f'", "field 'value'", "batch item 1", "-Infinity"]),
    ("NaN in --set", {"w.json": json.dumps(WORKFLOW)}, ["run", "{w.json}", "--set", "f.value=NaN"],
     ["{w.json}", "node 'f'", "field 'value'", "NaN"]),
    ("a 5000-digit integer in a workflow", {"w.json": workflow_text(n=BIG)}, ["enqueue", "{w.json}"],
     ["{w.json}", "4300 digits", "line 1"]),
    ("a 5000-digit integer in --set", {"w.json": json.dumps(WORKFLOW)}, ["run", "{w.json}", "--set", f"n.value={BIG}"],
     ["{w.json}", "node 'n'", "field 'value'", "4300 digits"]),
    ("a 5000-digit batch runs", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("n", "value", "[1]", runs=BIG)},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "4300 digits"]),
    ("a 5000-digit batch item", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("n", "value", f"[1, {BIG}]")},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "4300 digits"]),
    ("batch runs past 2**63", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("n", "value", "[1]", runs=PAST_INT64)},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "field 'runs'"]),
    ("a batch of more than 2**63 sessions", {"w.json": json.dumps(WORKFLOW),
                                            "b.json": batch_text("n", "value", "[1, 2, 3, 4]", runs=str(2**62))},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "field 'runs'", "2**63-1 sessions"]),
    ("--priority past 2**63", {"w.json": json.dumps(WORKFLOW)}, ["enqueue", "{w.json}", "--priority", PAST_INT64],
     ["--priority", PAST_INT64]),
    ("--priority of 5000 digits", {"w.json": json.dumps(WORKFLOW)}, ["enqueue", "{w.json}", "--priority", BIG],
     ["--priority", "4300 digits"]),
    ("--item past 2**63", {}, ["queue", "cancel", "--item", f"1:{PAST_INT64}"], ["--item", "BATCH:INDEX"]),
    ("--item id past 2**63", {}, ["queue", "retry", "--item", PAST_INT64], ["--item", PAST_INT64]),
    ("--batch past 2**63", {}, ["queue", "cancel", "--batch", PAST_INT64], ["--batch", PAST_INT64]),
    ("--after past 2**63", {}, ["queue", "list", "--after", f"{PAST_INT64}:0"], ["--after", "BATCH:INDEX"]),
    ("stats --batch past 2**63", {}, ["stats", "--batch", PAST_INT64], ["--batch", PAST_INT64]),
    ("inputs nested 100 deep", {"w.json": workflow_text(s=nested(100))}, ["enqueue", "{w.json}"],
     ["{w.json}", "node 's'", "inputs.value", "nested more than 64 levels"]),
    ("meta nested 900 deep", {"w.json": json.dumps({**WORKFLOW, "meta": {"x": 1}}).replace('{"x": 1}', nested(900))},
     ["enqueue", "{w.json}"], ["{w.json}", "field 'meta", "nested more than 64 levels"]),
    ("a file nested 100,000 deep", {"w.json": nested(100_000)}, ["run", "{w.json}"],
     ["{w.json}", "nested more than 64 levels"]),
    ("batch items nested 100 deep", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("s", "value", nested(100))},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "node 's'", "field 'value'", "nested more than 64"]),
    ("batch nested 100,000 deep", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("s", "value", nested(100_000))},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "nested more than 64"]),
    ("--set nested 50,000 deep", {"w.json": json.dumps(WORKFLOW)}, ["run", "{w.json}", "--set", f"s.value={nested(50_000)}"],
     ["{w.json}", "node 's'", "field 'value'", "nested more than 64"]),
    ("a lone surrogate in a string", {"w.json": workflow_text(s='"a\\ud800b"')}, ["enqueue", "{w.json}"],
     ["{w.json}", "node 's'", "field 'inputs.value'", "lone surrogate"]),
    ("a lone surrogate in a batch item", {"w.json": json.dumps(WORKFLOW), "b.json": batch_text("s", "value", '["\\udfff"]')},
     ["enqueue", "{w.json}", "--batch", "{b.json}"], ["{b.json}", "node 's'", "field 'value'", "lone surrogate"]),
    ("a lone surrogate in a meta key", {"w.json": json.dumps({**WORKFLOW, "meta": {"k\\udc00": 1}}).replace("\\\\", "\\")},
     ["enqueue", "{w.json}"], ["{w.json}", "field 'meta'", "lone surrogate"]),
    ("bytes that are not UTF-8", {"w.json": b'{"version": 1, "name": "\xff\xfe"}'}, ["enqueue", "{w.json}"],
     ["{w.json}", "UTF-8"]),
    ("a workflow without version", {"w.json": json.dumps({k: v for k, v in WORKFLOW.items() if k != "version"})},
     ["enqueue", "{w.json}"], ["{w.json}", "field 'version'"]),
    ("--limit past 2**63", {}, ["queue", "list", "--limit", PAST_INT64], ["--limit", PAST_INT64]),
    ("a --set that names no field", {"w.json": json.dumps(WORKFLOW)}, ["run", "{w.json}", "--set", "nvalue=1"],
     ["{w.json}", "NODE.FIELD=JSON"]),
]


@pytest.mark.parametrize("name, files, argv, words", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_exits_2_with_one_line_and_leaves_the_store_alone(seeded, name, files, argv, words):
    tmp_path, home = seeded
    paths = {key: _file(tmp_path, key, text) for key, text in files.items()}

    def fill(text: str) -> str:
        for key, path in paths.items():
            text = text.replace("{" + key + "}", path)
        return text

    database = home / "nodeeditor.db"
    before = fingerprint(database)
    ran = cli(*[fill(a) for a in argv], home=home)
    line = ran.one_error_line()
    assert ran.code == 2, (ran.code, line)
    for word in words:
        assert fill(word) in line, (word, line)
    assert fingerprint(database) == before


# -- manners ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["run", "{w}"], ["run", "{w}", "--json"], ["nodes"], ["queue", "list"]],
                         ids=lambda a: " ".join(a))
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path, isolated_home, argv):
    """`nodeeditor run ... | head -1`: the pipe is closed before anything is written."""
    import os
    import subprocess
    import sys

    from .harness import ROOT
    (tmp_path / "w.json").write_text(json.dumps(WORKFLOW))
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "NODEEDITOR_HOME": str(isolated_home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "nodeeditor", *[a.replace("{w}", str(tmp_path / "w.json"))
                                                                   for a in argv]],
                          stdout=write, stderr=subprocess.PIPE, env=env, timeout=60)
    os.close(write)
    assert (done.returncode, done.stderr.decode()) == (0, "")


def test_help_says_that_no_subcommand_opens_the_editor(isolated_home):
    ran = cli("--help", home=isolated_home)
    assert ran.code == 0 and "`nodeeditor [FILE]` opens the editor window" in ran.out.replace("\n", " ")


def test_a_wrong_option_is_one_line_naming_the_command(isolated_home):
    ran = cli("queue", "list", "--limit", "many", home=isolated_home)
    assert ran.code == 2
    assert ran.one_error_line() == ("error: nodeeditor queue list: argument --limit: 'many' is not an integer "
                                    "(see nodeeditor queue list --help)")
