"""Copy, paste and duplicate as clipboard JSON; pasted nodes get new ids and keep the links between them."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from nodeeditor.core.workflow import EDGE, Edge, Endpoint, Frame, NodeData

from .canvas.commands import AddItemsCommand
from .canvas.model import Document
from .canvas.scene import CanvasScene

MIME = "application/x-nodeeditor-nodes"
FORMAT = "nodeeditor-clipboard"
OFFSET = 40.0


def selection_payload(doc: Document, node_ids: list[str], frame_ids: list[str] = ()) -> dict[str, Any]:
    """The selected nodes, the edges among them and the selected frames, as plain JSON."""
    chosen = set(node_ids)
    return {
        "format": FORMAT, "version": 1,
        "nodes": [doc.node(n).model_dump(mode="json") for n in node_ids],
        "edges": [EDGE.dump_python(e, mode="json") for e in doc.workflow.edges
                  if e.source.node in chosen and e.destination.node in chosen],
        "frames": [doc.frame(f).model_dump(mode="json") for f in frame_ids],
    }


def paste_command(doc: Document, payload: dict[str, Any], offset: float = OFFSET) -> AddItemsCommand | None:
    """Nodes, edges and frames from `payload` under fresh ids, moved by `offset`; None if nothing fits."""
    if payload.get("format") != FORMAT:
        return None
    renamed: dict[str, str] = {}
    nodes: list[NodeData] = []
    taken: set[str] = set()
    for raw in payload.get("nodes", []):
        node = NodeData.model_validate(raw)
        new_id = _fresh(doc, node.type, taken)
        renamed[node.id] = new_id
        nodes.append(node.model_copy(update={"id": new_id, "position": (node.position[0] + offset,
                                                                       node.position[1] + offset)}))
    edges = []
    for raw in payload.get("edges", []):
        edge = EDGE.validate_python(raw)
        if edge.source.node in renamed and edge.destination.node in renamed:
            edges.append(Edge(source=Endpoint(node=renamed[edge.source.node], field=edge.source.field),
                              destination=Endpoint(node=renamed[edge.destination.node], field=edge.destination.field)))
    frames = []
    for raw in payload.get("frames", []):
        frame = Frame.model_validate(raw)
        x, y, w, h = frame.rect
        frames.append(frame.model_copy(update={"id": _fresh(doc, "frame", taken),
                                               "rect": (x + offset, y + offset, w, h)}))
    if not nodes and not frames:
        return None
    return AddItemsCommand(doc, nodes, edges, frames, text=f"Paste {len(nodes)} node(s)")


def _fresh(doc: Document, stem: str, taken: set[str]) -> str:
    n = 0
    candidate = doc.new_id(stem)
    while candidate in taken:
        n += 1
        candidate = doc.new_id(f"{stem}_{n}")
    taken.add(candidate)
    return candidate


def copy_selection(scene: CanvasScene) -> bool:
    nodes, frames = scene.selected_node_ids(), scene.selected_frame_ids()
    if not nodes and not frames:
        return False
    text = json.dumps(selection_payload(scene.document, nodes, frames))
    data = QMimeData()
    data.setText(text)
    data.setData(MIME, text.encode())
    QApplication.clipboard().setMimeData(data)
    return True


def _select(scene: CanvasScene, command: AddItemsCommand) -> None:
    scene.clearSelection()
    for node in command.nodes:
        scene.node_items[node.id].setSelected(True)
    for frame in command.frames:
        scene.frame_items[frame.id].setSelected(True)


def paste(scene: CanvasScene) -> bool:
    data = QApplication.clipboard().mimeData()
    raw = bytes(data.data(MIME)).decode() if data.hasFormat(MIME) else data.text()
    try:
        payload = json.loads(raw)
    except ValueError:
        return False
    try:
        command = paste_command(scene.document, payload) if isinstance(payload, dict) else None
    except ValueError:
        return False
    if command is None:
        return False
    scene.document.undo_stack.push(command)
    _select(scene, command)
    return True


def duplicate(scene: CanvasScene) -> bool:
    """Copy and paste in one go, leaving the clipboard alone."""
    nodes, frames = scene.selected_node_ids(), scene.selected_frame_ids()
    command = paste_command(scene.document, selection_payload(scene.document, nodes, frames))
    if command is None:
        return False
    command.setText(f"Duplicate {len(command.nodes)} node(s)")
    scene.document.undo_stack.push(command)
    _select(scene, command)
    return True
