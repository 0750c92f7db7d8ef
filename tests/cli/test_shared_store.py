"""Commands on a shared store: `--db` a PostgreSQL queue, `--artifacts` a folder many machines mount."""

from __future__ import annotations

import json
import socket

import pytest

from nodeeditor.cli import main
from nodeeditor.store.store import open_store

IMAGES = {"version": 1, "name": "tiles", "nodes": [
    {"id": "b", "type": "blank_image", "inputs": {"width": 4, "height": 3}},
    {"id": "s", "type": "save_image", "inputs": {}},
], "edges": [{"source": {"node": "b", "field": "image"}, "destination": {"node": "s", "field": "image"}}]}


@pytest.fixture
def shared(tmp_path, monkeypatch):
    monkeypatch.setenv("NODEEDITOR_ARTIFACTS", "")  # restored after the test: main() sets it for its children
    workflow = tmp_path / "tiles.json"
    workflow.write_text(json.dumps(IMAGES))
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"data": [[{"node": "b", "field": "width", "items": [4, 5, 6]}]]}))
    return workflow, batch, tmp_path / "shared-artifacts"


def test_enqueue_and_a_worker_on_postgresql_write_to_the_shared_artifact_folder(capsys, shared, pg_url, tmp_path):
    workflow, batch, folder = shared
    common = ["--db", pg_url, "--artifacts", str(folder)]
    assert main(["enqueue", str(workflow), "--batch", str(batch), *common]) == 0
    assert main(["worker", "--until-empty", *common]) == 0
    capsys.readouterr()
    assert main(["queue", "status", "--json", "--db", pg_url]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["completed"] == 3
    files = {path.name for path in (folder / "images").glob("*.png")}

    elsewhere = open_store(pg_url, home=tmp_path / "another-machine", artifacts=folder)
    try:
        rows = elsewhere.artifact_index.list(kind="image")
        assert {r.name for r in rows} == files and {r.host for r in rows} == {socket.gethostname()}
        assert len(elsewhere.artifact_index.list(gallery=True)) == 3, "one saved image per session"
        assert all(elsewhere.artifacts.path_of(r.name).is_file() for r in rows), "names are relative to the folder"
    finally:
        elsewhere.close()
