"""`nodeeditor render WORKFLOW -o OUT.png [--width W --height H]`: the canvas drawing, offscreen."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from nodeeditor.core.errors import LocatedError

from . import EXIT_FAILED, EXIT_INVALID, EXIT_OK, add_common
from .common import fail, registry_for


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("render", help="draw a workflow as the canvas shows it, fitted, to a PNG")
    parser.add_argument("workflow", help="workflow JSON file (or a PNG that carries one)")
    parser.add_argument("-o", "--output", required=True, help="PNG file to write")
    parser.add_argument("--width", type=int, default=1600, help="image width in pixels (default 1600)")
    parser.add_argument("--height", type=int, default=1000, help="image height in pixels (default 1000)")
    add_common(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not (16 <= args.width <= 16384 and 16 <= args.height <= 16384):
        return fail("--width and --height must be between 16 and 16384", EXIT_INVALID)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nodeeditor.ui.main_window import read_workflow_file
    from nodeeditor.ui.render import render_workflow

    try:
        workflow = read_workflow_file(Path(args.workflow))
    except LocatedError as exc:
        return fail(str(exc), EXIT_INVALID)
    app = QApplication.instance() or QApplication(["nodeeditor"])
    image = render_workflow(workflow, registry_for(args), args.width, args.height)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(output), "PNG"):
        return fail(f"cannot write {output}", EXIT_FAILED)
    del app
    print(f"wrote {output} ({args.width}x{args.height}, {len(workflow.nodes)} nodes)")
    return EXIT_OK
