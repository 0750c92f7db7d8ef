"""enqueue, worker, queue and stats from the command line, on the test's own data folder."""

from __future__ import annotations

import json

import pytest

from nodeeditor.cli import main

WORKFLOW = {"version": 1, "name": "pair", "nodes": [
    {"id": "a", "type": "integer", "inputs": {"value": 1}},
    {"id": "s", "type": "string", "inputs": {"value": "x"}},
], "edges": []}


@pytest.fixture
def files(tmp_path):
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(WORKFLOW))
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"runs": 2, "data": [[{"node": "a", "field": "value", "items": [1, 2, 3]}]]}))
    return workflow, batch


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_enqueue_prints_the_batch_id_and_session_count(capsys, files):
    workflow, batch = files
    assert run(capsys, "enqueue", str(workflow), "--batch", str(batch))[:2] == (0, "batch 1: 6 sessions queued\n")
    assert run(capsys, "enqueue", str(workflow), "--front")[:2] == (0, "batch 2: 1 session queued at the front\n")
    code, out, _ = run(capsys, "enqueue", str(workflow), "--batch", str(batch), "--front", "--json")
    assert (code, json.loads(out)) == (0, {"batch_id": 3, "count": 6})


def test_enqueue_refuses_an_invalid_batch_naming_file_node_and_field(capsys, files, tmp_path):
    workflow, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"data": [[{"node": "a", "field": "value", "items": [1, "two"]}]]}))
    code, _, err = run(capsys, "enqueue", str(workflow), "--batch", str(bad))
    assert code == 2 and str(bad) in err and "node 'a'" in err and "field 'value'" in err


def test_worker_runs_the_queue_empty_and_status_lists_and_stats_report_it(capsys, files):
    workflow, batch = files
    run(capsys, "enqueue", str(workflow), "--batch", str(batch))
    code, out, _ = run(capsys, "worker", "--until-empty")
    assert code == 0 and out.count("completed in") == 6 and "completed 6, failed 0" in out
    finished = sorted(line.split()[1] for line in out.splitlines() if line.startswith("item "))
    assert finished == ["1:0", "1:1", "1:2", "1:3", "1:4", "1:5"]  # keys as `queue list` prints them
    status = json.loads(run(capsys, "queue", "status", "--json")[1])
    assert status["counts"]["completed"] == 6 and status["batches"][0]["name"] == "pair"
    rows = json.loads(run(capsys, "queue", "list", "--json", "--limit", "2")[1])
    assert [(r["key"], r["status"], r["field_values"]) for r in rows] == [
        ("1:0", "completed", {"a.value": 1}), ("1:1", "completed", {"a.value": 2})]
    stats = {r["node_type"]: r for r in json.loads(run(capsys, "stats", "--json", "--batch", "1")[1])}
    assert stats["integer"]["calls"] == 6 and stats["integer"]["cache_hits"] == 3
    assert "integer" in run(capsys, "stats")[1]


def test_queue_cancel_retry_and_clear(capsys, files):
    workflow, batch = files
    run(capsys, "enqueue", str(workflow), "--batch", str(batch))
    assert json.loads(run(capsys, "queue", "cancel", "--item", "1:0", "--json")[1]) == {"canceled": 1}
    assert json.loads(run(capsys, "queue", "cancel", "--batch", "1", "--json")[1]) == {"canceled": 5}
    assert json.loads(run(capsys, "queue", "retry", "--all", "--json")[1]) == {"retried": 6}
    run(capsys, "queue", "cancel", "--all")
    assert json.loads(run(capsys, "queue", "clear", "--json")[1]) == {"cleared": 6}
    assert json.loads(run(capsys, "queue", "status", "--json")[1])["batches"] == []


def test_cancel_without_a_target_is_invalid(capsys):
    code, _, err = run(capsys, "queue", "cancel")
    assert code == 2 and "--item, --batch or --all" in err
