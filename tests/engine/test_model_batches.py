"""Batches of model sessions in the worker: one load per checkpoint, a bad file fails only its session."""

from __future__ import annotations

from text_to_image_workflow import text_to_image

from nodeeditor.core.batch import Batch
from nodeeditor.engine.events import SessionCompleted
from nodeeditor.store.status import SessionStatus

from .conftest import axis_batch
from .test_worker import wait_for


def test_a_batch_of_three_prompts_by_two_seeds_loads_the_model_once(store, worker, tiny):
    batch = Batch.model_validate({"runs": 1, "data": [
        [{"node": "positive", "field": "prompt", "items": ["a red cube", "a blue ball", "a green cone"]}],
        [{"node": "noise", "field": "seed", "items": [1, 2]}, {"node": "denoise", "field": "seed", "items": [1, 2]}],
    ]})
    completed: list[SessionCompleted] = []
    worker.subscribe(lambda event: completed.append(event) if isinstance(event, SessionCompleted) else None)
    store.queue.enqueue(text_to_image(str(tiny.folder), steps=2), batch)
    assert worker.run_until_empty() == {"completed": 6, "failed": 0, "canceled": 0}
    wait_for(lambda: len(completed) == 6)  # events arrive on the hub's thread
    figures = [(e.stats["models"]["loads"], e.stats["models"]["hits"]) for e in completed]
    assert figures == [(1, 0)] + [(0, 1)] * 5  # the session process keeps it; one model, counted once a session
    assert completed[0].stats["models"]["load_s"] > 0 == completed[1].stats["models"]["load_s"]
    totals = store.stats.models()
    assert (totals.sessions, totals.loads, totals.hits) == (6, 1, 5)
    assert totals.load_s == completed[0].stats["models"]["load_s"]
    images = [item.summary["outputs"]["decode.image"] for item in store.queue.list_items()]
    assert len(set(images)) == 6
    by_type = {s.node_type: s for s in store.stats.by_node_type()}
    assert by_type["main_model_loader"].cache_hits == 5
    assert by_type["denoise_latents"].calls == 6


def test_a_missing_model_file_fails_only_its_session_and_names_the_file(store, worker, tiny, tmp_path):
    missing = tmp_path / "gone.safetensors"
    store.queue.enqueue(text_to_image(str(tiny.folder), steps=2),
                        axis_batch("loader", "model", [str(tiny.folder), str(missing), str(tiny.single_file)]))
    assert worker.run_until_empty() == {"completed": 2, "failed": 1, "canceled": 0}
    (failed,) = store.queue.list_items(status=SessionStatus.FAILED)
    assert failed.index == 1 and str(missing) in failed.error and "'loader'" in failed.error
