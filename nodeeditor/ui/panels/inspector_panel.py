"""The inspector: the selected node's type and description, editors for its inputs (the node
body's own, with the same undo), and what happened to it in the last run.

A failed node's full traceback is read here; the canvas only shows the message on hover.
"""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import NodeData

from ..run_state import NodeRun
from .inspector_form import Commit, InputsForm
from ..units import format_bytes, format_duration


class InspectorPanel(QWidget):
    def __init__(self, registry: Registry, commit: Commit | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)
        self.form = InputsForm(commit or (lambda *_args: None))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.text)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self.show_node(None, None)

    def show_node(self, node: NodeData | None, run: NodeRun | None, connected: set[str] = frozenset()) -> None:
        """Show `node` (None: nothing selected); its linked inputs get no editor."""
        self.form.show_node(node, self.registry.get(node.type) if node is not None else None, set(connected))
        if node is None:
            self.text.setHtml("<p style='color:#888'>Select a node to see its inputs and its last run.</p>")
            return
        spec = self.registry.get(node.type)
        esc = html.escape
        parts = [f"<h3>{esc(node.label or (spec.title if spec else node.type))}</h3>",
                 f"<p><b>{esc(node.type)}</b> · id <code>{esc(node.id)}</code>"
                 + (f" · v{esc(spec.version)} · {esc(spec.category)}" if spec else " · <b>not installed</b>")
                 + ("" if not node.bypassed else " · <i>bypassed</i>") + "</p>"]
        if spec is not None and spec.description:
            parts.append(f"<p>{esc(spec.description)}</p>")
        if node.inputs and spec is None:  # a missing type: its values can only be read
            rows = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(json.dumps(v, default=str)[:200])}</code></td></tr>"
                           for k, v in node.inputs.items())
            parts.append(f"<h4>Inputs</h4><table cellspacing=4>{rows}</table>")
        if run is not None:
            parts.append("<h4>Last run</h4>")
            facts = [("status", run.status), ("calls", str(run.calls)),
                     ("cache hits", str(run.cache_hits)), ("time", format_duration(run.total_s, micro=True)),
                     ("peak RSS", format_bytes(run.peak_rss) if run.peak_rss else "–")]
            parts.append("<table cellspacing=4>" + "".join(
                f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in facts) + "</table>")
            if run.outputs:
                parts.append("<table cellspacing=4>" + "".join(
                    f"<tr><td>out {esc(k)}</td><td><code>{esc(v)}</code></td></tr>"
                    for k, v in run.outputs.items()) + "</table>")
            if run.error:
                parts.append(f"<p style='color:#e05555'><b>{esc(run.error)}</b></p>")
            if run.traceback:
                parts.append(f"<pre style='font-size:9pt'>{esc(run.traceback)}</pre>")
        self.text.setHtml("".join(parts))

    def plain_text(self) -> str:
        return self.text.toPlainText()
