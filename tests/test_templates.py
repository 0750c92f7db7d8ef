"""The templates shipped in resources/templates: each runs headless, and its batch enqueues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodeeditor.core.batch_meta import batch_from_workflow
from nodeeditor.templates import TEMPLATES_DIR, list_templates, load_template

TEMPLATES = list_templates()
MODEL_FREE = [t for t in TEMPLATES if '"main_model_loader"' not in t.path.read_text()]
"""Templates that need a diffusion model run in tests/cli/test_model_commands.py, on a tiny one."""
ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NODEEDITOR_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "nodeeditor", *args], cwd=TEMPLATES_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_at_least_six_templates_each_named_and_described():
    assert len(TEMPLATES) >= 6
    assert all(t.name and t.description for t in TEMPLATES)
    names = " ".join(t.name.lower() for t in TEMPLATES)
    for wanted in ("gallery", "prompt", "latents", "iterate", "colour", "blur"):
        assert wanted in names


@pytest.mark.parametrize("template", MODEL_FREE, ids=lambda t: t.path.stem)
def test_each_template_runs_with_nodeeditor_run(template, tmp_path):
    done = cli("run", template.path.name, "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)


@pytest.mark.parametrize("template", [t for t in TEMPLATES if batch_from_workflow(load_template(t.path))],
                         ids=lambda t: t.path.stem)
def test_each_templates_batch_enqueues_all_its_sessions(template, tmp_path):
    batch = batch_from_workflow(load_template(template.path))
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(batch.model_dump_json())
    done = cli("enqueue", template.path.name, "--batch", str(batch_file), "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == batch.count() > 1


def test_a_file_beside_a_template_is_found_wherever_the_app_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    workflow = load_template(TEMPLATES_DIR / "06_load_blur_save.json")
    path = Path(workflow.node("load").inputs["path"])
    assert path.is_absolute() and path.is_file()
