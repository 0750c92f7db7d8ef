"""Model nodes from the command line: the template runs, bad model files exit 1 naming the file,
a missing extra says how to install it, and start-up never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from text_to_image_workflow import text_to_image

from nodeeditor.cli import main
from nodeeditor.core.workflow import save_workflow

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "resources" / "templates" / "07_text_to_image.json"
HEAVY = ("torch", "diffusers", "transformers")
BLOCK_EXTRA = "import sys; sys.modules.update(dict.fromkeys(['torch', 'diffusers', 'transformers']));"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def python(code: str, *, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NODEEDITOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_the_text_to_image_template_runs_on_the_model_of_the_settings(capsys, tiny, models, isolated_home):
    (isolated_home / "settings.ini").write_text(f"[models]\ndefault_model = {tiny.folder}\n")
    code, out, err = run(capsys, "run", str(TEMPLATE), "--set", "denoise.steps=2", "--set", "noise.width=64",
                         "--set", "noise.height=64", "--json")
    assert code == 0, err
    saved = json.loads(out)["outputs"]["save"]["image"]["image_name"]
    assert (isolated_home / "artifacts" / "images" / saved).is_file()


@pytest.mark.parametrize("content", [None, b"PK\x03\x04 this is not a checkpoint"])
def test_a_missing_or_damaged_model_file_exits_1_naming_the_file(capsys, tmp_path, models, content):
    model = tmp_path / "sd15.ckpt"
    if content is not None:
        model.write_bytes(content)
    flow = tmp_path / "flow.json"
    save_workflow(text_to_image(str(model)), flow)
    code, _, err = run(capsys, "run", str(flow))
    assert code == 1
    assert "node 'loader' (main_model_loader) failed: field 'model': model" in err and str(model) in err


def test_without_the_extra_a_model_node_says_how_to_install_it_without_a_traceback(tmp_path, tiny):
    flow = tmp_path / "flow.json"
    save_workflow(text_to_image(str(tiny.folder)), flow)
    done = python(f"{BLOCK_EXTRA} from nodeeditor.cli import main; sys.exit(main(['run', {str(flow)!r}]))",
                  home=tmp_path / "home")
    assert done.returncode == 1
    assert 'pip install "nodeeditor[models]"' in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_without_the_extra_the_palette_descriptions_say_how_to_install_it(tmp_path):
    done = python(f"{BLOCK_EXTRA} from nodeeditor.cli import main; sys.exit(main(['nodes', '--json']))",
                  home=tmp_path / "home")
    listed = {spec["type"]: spec for spec in json.loads(done.stdout)}
    for name in ("main_model_loader", "prompt_to_conditioning", "denoise_latents"):
        assert 'pip install "nodeeditor[models]"' in listed[name]["description"]
    assert "pip install" not in listed["noise_latents"]["description"]


def test_listing_and_validating_model_workflows_never_imports_torch(tmp_path):
    done = python(f"import sys; from nodeeditor.cli import main; main(['nodes']); "
                  f"main(['render', {str(TEMPLATE)!r}, '-o', {str(tmp_path / 'out.png')!r}]); "
                  f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))", home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_window_starts_and_opens_the_template_without_importing_torch(tmp_path):
    code = (f"import sys, os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            f"from PySide6.QtWidgets import QApplication\n"
            f"from pathlib import Path\n"
            f"app = QApplication([])\n"
            f"from nodeeditor.core.registry import default_registry\n"
            f"from nodeeditor.ui.main_window import MainWindow\n"
            f"window = MainWindow(Path({str(tmp_path / 'home')!r}), default_registry())\n"
            f"window.show(); app.processEvents()\n"
            f"assert window.open_path(Path({str(TEMPLATE)!r}))\n"
            f"app.processEvents()\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
            f"window.close(); app.clipboard().clear()\n")
    done = python(code, home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
