"""Inline editors for direct inputs, made only while a field is being edited (like a delegate).

The node item paints values itself; `open_editor` builds one widget over the row and reports
each new value through `commit`, which the scene turns into merging EditValueCommands.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QRegularExpression, Qt
from PySide6.QtGui import QColor, QRegularExpressionValidator
from PySide6.QtWidgets import (QColorDialog, QComboBox, QDoubleSpinBox, QFileDialog, QLineEdit,
                               QPlainTextEdit, QSpinBox, QWidget)

from nodeeditor.core.node import InputKind, InputSpec, Widget
from nodeeditor.core.types import Cardinality, Kind

Commit = Callable[[Any], None]


def editor_kind(inp: InputSpec) -> str | None:
    """Which editor a direct input gets, or None when it only takes links."""
    if inp.input_kind is InputKind.CONNECTION:
        return None
    if inp.widget is Widget.FILE:
        return "file"
    if inp.choices:
        return "choice"
    if inp.type.cardinality is Cardinality.COLLECTION:
        return "json" if inp.type.kind in (Kind.INTEGER, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN) else None
    if inp.widget is Widget.MULTILINE:
        return "multiline"
    return {Kind.BOOLEAN: "bool", Kind.INTEGER: "int", Kind.FLOAT: "float", Kind.STRING: "string",
            Kind.COLOR: "color"}.get(inp.type.kind)


WHITESPACE_GLYPHS = str.maketrans({" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"})


def display_value(kind: str, value: Any) -> str:
    """How a value reads inside its row; text that is only spaces or line breaks shows them (␣, ⏎)."""
    if value is None:
        return ""
    if isinstance(value, str) and value and not value.strip():
        return value.translate(WHITESPACE_GLYPHS)
    if kind == "float" and isinstance(value, (int, float)):
        return f"{value:.4g}"
    if kind == "file":
        return Path(str(value)).name
    if kind == "json":
        return json.dumps(value)
    if kind == "multiline":
        return str(value).replace("\n", " ⏎ ")
    return str(value)


def color_of(value: Any) -> QColor:
    if isinstance(value, QColor):
        return value
    if isinstance(value, dict):
        return QColor(value.get("r", 0), value.get("g", 0), value.get("b", 0), value.get("a", 255))
    if hasattr(value, "r"):
        return QColor(value.r, value.g, value.b, value.a)
    return QColor(0, 0, 0)


def _bounds(inp: InputSpec, integer: bool) -> tuple[float, float]:
    c = inp.constraints
    step = 1 if integer else 1e-9
    low = c["ge"] if "ge" in c else c["gt"] + step if "gt" in c else -(2 ** 31) if integer else -1e12
    high = c["le"] if "le" in c else c["lt"] - step if "lt" in c else 2 ** 31 - 1 if integer else 1e12
    return low, high


INT32 = (-(2 ** 31), 2 ** 31 - 1)


def _fits_spinbox(low: float, high: float) -> bool:
    """QSpinBox holds 32-bit ints; seeds go up to 2**32 - 1 or beyond."""
    return INT32[0] <= low and high <= INT32[1]


def _wide_int_editor(inp: InputSpec, value: Any, commit: Commit, done: Callable[[], None]) -> QWidget:
    """A line that takes any integer within the input's bounds (a seed, say)."""
    low, high = _bounds(inp, True)
    line = QLineEdit(str(int(value or 0)))
    line.setValidator(QRegularExpressionValidator(QRegularExpression(r"-?\d{0,20}"), line))

    def changed(text: str) -> None:
        try:
            number = int(text)
        except ValueError:
            return
        if low <= number <= high:
            line.setStyleSheet("")
            commit(number)
        else:
            line.setStyleSheet("color: #ff6b6b")

    line.textEdited.connect(changed)
    line.returnPressed.connect(done)
    return line


class _Closer(QObject):
    """Ends the edit when the editor loses focus or Escape/Enter is pressed."""

    def __init__(self, widget: QWidget, done: Callable[[], None]) -> None:
        super().__init__(widget)
        self.done = done

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.done()
        elif event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Escape,):
            self.done()
            return True
        return False


def pick_color(value: Any, parent: QWidget | None) -> dict[str, int] | None:
    color = QColorDialog.getColor(color_of(value), parent, "Colour",
                                  QColorDialog.ColorDialogOption.ShowAlphaChannel)
    if not color.isValid():
        return None
    return {"r": color.red(), "g": color.green(), "b": color.blue(), "a": color.alpha()}


def pick_file(inp: InputSpec, value: Any, parent: QWidget | None) -> str | None:
    start = str(Path(str(value)).parent) if value else ""
    path, _ = QFileDialog.getOpenFileName(parent, inp.title, start, inp.file_filter or "All files (*)")
    return path or None


def open_editor(kind: str, inp: InputSpec, value: Any, commit: Commit,
                done: Callable[[], None]) -> QWidget | None:
    """A widget editing `value`; None for kinds edited by a dialog or a click (bool, color, file)."""
    widget: QWidget
    if kind == "int" and not _fits_spinbox(*_bounds(inp, True)):
        widget = _wide_int_editor(inp, value, commit, done)
    elif kind == "int":
        spin = QSpinBox()
        low, high = _bounds(inp, True)
        spin.setRange(int(low), int(high))
        spin.setValue(int(value or 0))
        spin.valueChanged.connect(commit)
        spin.editingFinished.connect(done)
        widget = spin
    elif kind == "float":
        dspin = QDoubleSpinBox()
        low, high = _bounds(inp, False)
        dspin.setRange(low, high)
        dspin.setDecimals(4)
        number = float(value or 0.0)
        dspin.setValue(number if math.isfinite(number) else 0.0)
        dspin.setSingleStep(0.1)
        dspin.valueChanged.connect(commit)
        dspin.editingFinished.connect(done)
        widget = dspin
    elif kind == "choice":
        combo = QComboBox()
        for choice in inp.choices or []:
            combo.addItem(str(choice), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        combo.activated.connect(lambda i: (commit(combo.itemData(i)), done()))
        widget = combo
    elif kind == "multiline":
        text = QPlainTextEdit(str(value or ""))
        text.textChanged.connect(lambda: commit(text.toPlainText()))
        widget = text
    elif kind in ("string", "json"):
        line = QLineEdit(display_value(kind, value) if kind == "json" else str(value or ""))
        if kind == "json":
            def commit_json() -> None:
                try:
                    commit(json.loads(line.text()))
                except ValueError:
                    line.setStyleSheet("color: #ff6b6b")
            line.editingFinished.connect(commit_json)
        else:
            line.textEdited.connect(commit)
        line.returnPressed.connect(done)
        widget = line
    else:
        return None
    widget.installEventFilter(_Closer(widget, done))
    return widget
