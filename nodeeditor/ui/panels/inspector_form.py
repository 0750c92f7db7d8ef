"""The inspector's editors: one per direct input of the selected node, the same widgets the node
body opens (editors.open_editor), committing through the same merging undo command.

The form is rebuilt only when another node is shown or the inputs changed from elsewhere, so
typing here is never interrupted by a repaint of the run state.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from nodeeditor.core.node import NodeSpec
from nodeeditor.core.workflow import NodeData

from ..canvas import editors

Commit = Callable[[str, str, Any, int], None]
"""(node id, field, value, editing session): edits of one session merge into one undo step."""
_sessions = itertools.count(-1, -1)  # apart from the canvas's sessions, which count up


class InputsForm(QWidget):
    def __init__(self, commit: Commit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.commit = commit
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.node_id: str | None = None
        self.fields: dict[str, QWidget] = {}
        self._inputs: dict[str, Any] = {}
        self._connected: frozenset[str] = frozenset()

    def show_node(self, node: NodeData | None, spec: NodeSpec | None, connected: set[str]) -> None:
        key_inputs = dict(node.inputs) if node is not None else {}
        if (node is not None and node.id == self.node_id and key_inputs == self._inputs
                and frozenset(connected) == self._connected):
            return
        self._clear()
        self.node_id = node.id if node is not None else None
        self._inputs, self._connected = key_inputs, frozenset(connected)
        if node is None or spec is None:
            return
        for inp in spec.inputs.values():
            kind = editors.editor_kind(inp)
            if kind is None:
                continue
            if inp.name in connected:
                widget: QWidget = QLabel("linked")
                widget.setEnabled(False)
            else:
                widget = self._editor(node, inp, kind)
            widget.setToolTip(inp.description or "")
            self.fields[inp.name] = widget
            self.layout_.addRow(inp.title, widget)

    def _clear(self) -> None:
        while self.layout_.rowCount():
            self.layout_.removeRow(0)
        self.fields = {}

    def _editor(self, node: NodeData, inp: Any, kind: str) -> QWidget:
        value = node.inputs.get(inp.name, inp.default)
        session = next(_sessions)
        node_id = node.id

        def commit(new: Any) -> None:
            self._inputs[inp.name] = new  # our own edit: no rebuild when the document echoes it
            self.commit(node_id, inp.name, new, session)

        if kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(commit)
            return box
        if kind == "color":
            button = QPushButton()
            self._paint_swatch(button, value)

            def pick() -> None:
                chosen = editors.pick_color(self._inputs.get(inp.name, value), self)
                if chosen is not None:
                    self._paint_swatch(button, chosen)
                    commit(chosen)
            button.clicked.connect(pick)
            return button
        if kind == "file":
            row = QWidget()
            line = QLineEdit(str(value or ""))
            line.editingFinished.connect(lambda: commit(line.text()))
            browse = QPushButton("Browse…")

            def choose() -> None:
                path = editors.pick_file(inp, line.text(), self)
                if path is not None:
                    line.setText(path)
                    commit(path)
            browse.clicked.connect(choose)
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(line, 1)
            box.addWidget(browse)
            return row
        widget = editors.open_editor(kind, inp, value, commit, lambda: None)
        if widget is None:
            return QLabel(editors.display_value(kind, value))
        if kind == "multiline":
            widget.setMaximumHeight(90)
        return widget

    @staticmethod
    def _paint_swatch(button: QPushButton, value: Any) -> None:
        color = editors.color_of(value)
        button.setText(color.name(QColor.NameFormat.HexArgb))
        button.setStyleSheet(f"background: {color.name()}; color: {'#000' if color.lightness() > 128 else '#fff'};")
