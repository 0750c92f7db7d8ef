"""`nodeeditor render` and ui.render: the canvas drawing, fitted, without a window."""

from __future__ import annotations

import json

from PySide6.QtGui import QImage

from nodeeditor.cli import main
from nodeeditor.core.workflow import save_workflow
from nodeeditor.ui import theme
from nodeeditor.ui.render import render_workflow
from workflow_builder import build


def graph():
    return build({"i": ("integer", {"value": 3}), "s": ("add", {"b": 4})}, ["i.value -> s.a"])


def test_render_draws_nodes_in_their_header_colour(qapp):
    from nodeeditor.core.registry import default_registry

    image = render_workflow(graph(), default_registry(), 400, 250)
    assert (image.width(), image.height()) == (400, 250)
    colours = {image.pixelColor(x, y).name() for x in range(0, 400, 4) for y in range(0, 250, 4)}
    assert theme.category_color("math").name() in colours
    assert theme.BACKGROUND.name() in colours


def test_render_command_writes_a_png_of_the_asked_size(qapp, tmp_path, capsys):
    workflow = tmp_path / "g.json"
    save_workflow(graph(), workflow)
    out = tmp_path / "out" / "g.png"
    assert main(["render", str(workflow), "-o", str(out), "--width", "640", "--height", "360"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 360)
    assert "wrote" in capsys.readouterr().out


def test_render_command_exits_2_naming_the_file_for_an_invalid_workflow(qapp, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "nodes": [{"id": "a", "type": "integer", "position": "left"}]}))
    assert main(["render", str(bad), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "'a'" in err
    assert not (tmp_path / "x.png").exists()


def test_below_forty_percent_zoom_nodes_are_plain_boxes_without_text(qapp):
    from nodeeditor.core.registry import default_registry

    def text_pixels(width: int, height: int) -> int:
        image = render_workflow(graph(), default_registry(), width, height)
        return sum(image.pixelColor(x, y) == theme.TEXT for x in range(width) for y in range(height))

    assert text_pixels(400, 200) > 0  # about 100 %: titles and labels are drawn
    assert text_pixels(100, 50) == 0  # about 25 %: boxes only
