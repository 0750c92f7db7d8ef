"""Opening the store: pragmas on every connection, migrations that keep rows, artifact rows."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import text

from nodeeditor.paths import database_url
from nodeeditor.store import migrate
from nodeeditor.store.artifacts import ArtifactError
from nodeeditor.store.db import make_engine
from nodeeditor.store.status import SessionStatus

COMPLETED, PENDING = SessionStatus.COMPLETED, SessionStatus.PENDING
from nodeeditor.store.store import open_store

from .conftest import on, seeds

TESTS = Path(__file__).resolve().parents[1]


def test_every_connection_gets_wal_foreign_keys_and_a_busy_timeout(store):
    on(store, "sqlite")
    for _ in range(2):
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_opening_an_older_database_upgrades_it_and_keeps_its_rows(db_url, isolated_home, workflow):
    engine = make_engine(db_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO batches (id, name, workflow, data, count, priority, created, next_index, stop_index,"
            " end_index, open) VALUES (1, 'old', :wf, :data, 3, 0, 1.0, 1, 3, 3, :yes)"),
            {"wf": workflow.model_dump_json(), "data": seeds(3).model_dump_json(), "yes": True})
        conn.execute(text("INSERT INTO queue_items (batch_id, idx, status, priority, cancel_requested, created,"
                          " finished) VALUES (1, 0, 'completed', 0, :no, 1.0, 2.0)"), {"no": False})
        conn.execute(text("INSERT INTO artifacts (name, kind, size, dims, gallery, created)"
                          " VALUES ('img_old.png', 'image', 10, '[1, 1]', :no, 1.0)"), {"no": False})
    engine.dispose()
    old = make_engine(db_url)
    assert migrate.current_revision(old) == "0001"
    old.dispose()
    store = open_store(db_url, home=isolated_home)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision() != "0001"
        assert store.queue.counts() == {PENDING: 2, "in_progress": 0, COMPLETED: 1, "failed": 0, "canceled": 0}
        assert [a.name for a in store.artifact_index.list()] == ["img_old.png"]
        assert store.stats.by_node_type() == []
        assert store.queue.list_items()[0].attempt == 1 and store.workers.list() == []
    finally:
        store.close()


def test_upgrading_to_a_revision_this_version_does_not_ship_is_refused(store):
    from alembic.util import CommandError

    with pytest.raises(CommandError, match="0099"):
        migrate.upgrade(store.engine, "0099")
    assert migrate.current_revision(store.engine) == migrate.head_revision()


def test_saving_artifacts_writes_their_rows(store):
    image = store.artifacts.save_image(Image.new("RGB", (4, 3)), session_id="s1", node_id="n", gallery=True)
    tensor = store.artifacts.save_tensor(np.zeros((1, 4, 8, 8), dtype=np.float32), kind="latents", session_id="s1")
    rows = {r.name: r for r in store.artifact_index.list(session_id="s1")}
    assert (rows[image].kind, rows[image].dims, rows[image].gallery) == ("image", [4, 3], True)
    assert (rows[tensor].kind, rows[tensor].dims) == ("latents", [1, 4, 8, 8])
    assert rows[image].size == store.artifacts.path_of(image).stat().st_size


def test_artifacts_listed_by_kind_are_of_that_kind_only(store):
    image = store.artifacts.save_image(Image.new("RGB", (4, 3)), session_id="s1")
    latents = store.artifacts.save_tensor(np.zeros((1, 4, 8, 8), dtype=np.float32), kind="latents", session_id="s1")
    assert [a.name for a in store.artifact_index.list(kind="latents")] == [latents]
    assert [a.name for a in store.artifact_index.list(kind="image")] == [image]


@pytest.mark.parametrize("name", ["../escape.png", "/etc/passwd", "a/../../b.npy", "..", ""])
def test_an_artifact_name_pointing_outside_the_folder_is_refused(store, name):
    with pytest.raises(ArtifactError):
        store.artifacts.load_image(name)


CLAIMER = """
import sys, time
sys.path.insert(0, {tests!r})
import worker_nodes
from pathlib import Path
from nodeeditor.store.store import open_store
store = open_store({url!r}, home=Path({home!r}))
Path({home!r}, sys.argv[1] + ".ready").touch()
while not Path({home!r}, "go").exists():
    time.sleep(0.005)
while (claimed := store.queue.claim(sys.argv[1])) is not None:
    print(claimed.batch_id, claimed.index, flush=True)
    time.sleep(0.001)  # like a worker running the session: the claimers stay side by side
"""


def test_two_processes_claiming_at_once_never_share_a_session(store, db_url, workflow, isolated_home):
    store.queue.enqueue(workflow, seeds(2000))
    script = CLAIMER.format(tests=str(TESTS), home=str(isolated_home), url=db_url)
    procs = [subprocess.Popen([sys.executable, "-c", script, f"p{i}"], stdout=subprocess.PIPE, text=True)
             for i in range(2)]
    deadline = time.monotonic() + 60
    while not all((isolated_home / f"p{i}.ready").exists() for i in range(2)):
        assert time.monotonic() < deadline, "claimer processes did not start"
        time.sleep(0.01)
    (isolated_home / "go").touch()  # both are ready: they start claiming together
    outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    claimed = [tuple(map(int, line.split())) for out in outputs for line in out.splitlines()]
    assert sorted(claimed) == [(1, i) for i in range(2000)]
    assert all(out.strip() for out in outputs), "both processes should have claimed some sessions"
