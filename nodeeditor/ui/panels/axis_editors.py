"""One small widget per way of giving a batch axis its items: typed list, range, seeds, file, folder, choices.

Each editor owns only its inputs; axis_items computes and validates the items. An editor emits
`changed` after every edit, keeps its latest `Items`, and saves its settings as a small dict so a
workflow reopens with the same editor (see core/batch_meta.py).
"""

from __future__ import annotations

import random
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
                               QSpinBox, QToolButton, QWidget)

from nodeeditor.core.node import InputSpec
from nodeeditor.core.types import Kind

from . import axis_items as ai
from .axis_items import Items

INT_LIMIT = 2**31 - 1
"""QSpinBox holds 32-bit integers."""


class AxisEditor(QWidget):
    """Base: `items` after each edit, `state()` / `set_state()` for saving, `set_items()` for loading."""

    kind = ""
    changed = Signal()

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.items = Items(error="no items yet")

    def _recompute(self) -> None:
        self.items = self.compute()
        self.changed.emit()

    def compute(self) -> Items:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {"editor": self.kind}

    def set_state(self, state: dict[str, Any]) -> None:
        """Apply saved settings; editors whose items live in the batch itself have none."""

    def set_items(self, values: list[Any]) -> bool:
        """Show these items if this editor can; False when it cannot express them."""
        return False


def _form(widget: QWidget) -> QFormLayout:
    form = QFormLayout(widget)
    form.setContentsMargins(0, 0, 0, 0)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class ListEditor(AxisEditor):
    """Items typed one per line, each read as the field's type (JSON for anything not plain)."""

    kind = ai.LIST

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._parsed: dict[str, Any] = {}
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("one value per line")
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(110)
        self.text.textChanged.connect(self._recompute)
        _form(self).addRow(self.text)
        self.items = self.compute()

    def compute(self) -> Items:
        if len(self._parsed) > ai.MAX_AXIS_ITEMS:
            self._parsed.clear()
        items = ai.parse_lines(self.spec, self.text.toPlainText(), cache=self._parsed)
        if not items.values and items.error is None:
            items.error = "type the items, one per line"
        return items

    def set_items(self, values: list[Any]) -> bool:
        self.text.setPlainText("\n".join(ai.format_item(self.spec, v) for v in values))
        return True


class RangeEditor(AxisEditor):
    """start, start + step, ... before stop (stop excluded, like the Range node)."""

    kind = ai.RANGE

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        integer = ai.kind_of(spec) == Kind.INTEGER
        self.start, self.stop, self.step = (self._spin(integer) for _ in range(3))
        self.start.setValue(0)
        self.stop.setValue(10 if integer else 1.0)
        self.step.setValue(1 if integer else 0.1)
        form = _form(self)
        form.addRow("Start", self.start)
        form.addRow("Stop (excluded)", self.stop)
        form.addRow("Step", self.step)
        for spin in (self.start, self.stop, self.step):
            spin.valueChanged.connect(self._recompute)
        self.items = self.compute()

    @staticmethod
    def _spin(integer: bool) -> QSpinBox | QDoubleSpinBox:
        if integer:
            spin: QSpinBox | QDoubleSpinBox = QSpinBox()
            spin.setRange(-INT_LIMIT, INT_LIMIT)
        else:
            spin = QDoubleSpinBox()
            spin.setDecimals(4)
            spin.setRange(-1e12, 1e12)
        spin.setKeyboardTracking(True)
        return spin

    def compute(self) -> Items:
        return ai.numeric_range(self.spec, self.start.value(), self.stop.value(), self.step.value())

    def state(self) -> dict[str, Any]:
        return {"editor": self.kind, "start": self.start.value(), "stop": self.stop.value(),
                "step": self.step.value()}

    def set_state(self, state: dict[str, Any]) -> None:
        for name in ("start", "stop", "step"):
            if isinstance(state.get(name), (int, float)):
                getattr(self, name).setValue(state[name])


class SeedsEditor(AxisEditor):
    """`count` random seeds; the base seed makes them repeatable (New draws another base)."""

    kind = ai.SEEDS

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.count = QSpinBox()
        self.count.setRange(1, ai.MAX_AXIS_ITEMS)
        self.count.setValue(4)
        self.count.setKeyboardTracking(False)
        self.base = QSpinBox()
        self.base.setRange(0, INT_LIMIT)
        self.base.setValue(random.randrange(INT_LIMIT))
        self.base.setToolTip("The same base seed gives the same seeds")
        reroll = QToolButton(text="New")
        reroll.setToolTip("Draw a new base seed")
        reroll.clicked.connect(lambda: self.base.setValue(random.randrange(INT_LIMIT)))
        base_row = QHBoxLayout()
        base_row.addWidget(self.base, 1)
        base_row.addWidget(reroll)
        form = _form(self)
        form.addRow("Count", self.count)
        form.addRow("Base seed", base_row)
        self.count.valueChanged.connect(self._recompute)
        self.base.valueChanged.connect(self._recompute)
        self.items = self.compute()

    def compute(self) -> Items:
        return ai.seeds(self.spec, self.count.value(), self.base.value())

    def state(self) -> dict[str, Any]:
        return {"editor": self.kind, "count": self.count.value(), "base": self.base.value()}

    def set_state(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("count"), int):
            self.count.setValue(state["count"])
        if isinstance(state.get("base"), int):
            self.base.setValue(state["base"])


class _PathEditor(AxisEditor):
    """A path typed or browsed for; subclasses say what the path names and how to read it."""

    def __init__(self, spec: InputSpec | None, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.path = QLineEdit()
        self.path.setPlaceholderText(placeholder)
        self.path.editingFinished.connect(self._recompute)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        reload = QToolButton(text="Reload")
        reload.setToolTip("Read the file or folder again")
        reload.clicked.connect(self._recompute)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(reload)
        self.form = _form(self)
        self.form.addRow(row)

    def _browse(self) -> None:
        chosen = self.ask_path()
        if chosen:
            self.set_path(chosen)

    def ask_path(self) -> str:
        raise NotImplementedError

    def set_path(self, path: str) -> None:
        self.path.setText(path)
        self._recompute()

    def state(self) -> dict[str, Any]:
        return {"editor": self.kind, "path": self.path.text()}

    def set_state(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("path"), str):
            self.set_path(state["path"])


class FileLinesEditor(_PathEditor):
    """Each non-blank line of a text file is one item (prompts, sizes, names...)."""

    kind = ai.FILE_LINES

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, "a UTF-8 text file, one item per line", parent)
        self.items = self.compute()

    def ask_path(self) -> str:
        return QFileDialog.getOpenFileName(self, "Items from a text file", self.path.text(),
                                           "Text files (*.txt *.csv *.lst);;All files (*)")[0]

    def compute(self) -> Items:
        return ai.file_lines(self.spec, self.path.text().strip())


class FolderImagesEditor(_PathEditor):
    """The image files of a folder, as absolute paths: made for Load Image's `path` input."""

    kind = ai.FOLDER_IMAGES

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, "a folder of PNG, JPEG, WebP or TIFF files", parent)
        self.recursive = QCheckBox("Include subfolders")
        self.recursive.toggled.connect(self._recompute)
        self.form.addRow(self.recursive)
        self.items = self.compute()

    def ask_path(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Images from a folder", self.path.text())

    def compute(self) -> Items:
        return ai.folder_images(self.spec, self.path.text().strip(), self.recursive.isChecked())

    def state(self) -> dict[str, Any]:
        return {**super().state(), "recursive": self.recursive.isChecked()}

    def set_state(self, state: dict[str, Any]) -> None:
        self.recursive.setChecked(bool(state.get("recursive", False)))
        super().set_state(state)


class ChoicesEditor(AxisEditor):
    """Tick the values to run: the field's choices, or false/true for a boolean."""

    kind = ai.CHOICES

    def __init__(self, spec: InputSpec | None, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.choices = ai.choices_of(spec)
        self.list = QListWidget()
        for value in self.choices:
            item = QListWidgetItem(ai.format_item(spec, value).strip('"'))
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setMaximumHeight(min(110, 22 * len(self.choices) + 6))
        self.list.itemChanged.connect(lambda _item: self._recompute())
        _form(self).addRow(self.list)
        self.items = self.compute()

    def picked(self) -> list[Any]:
        return [value for row, value in enumerate(self.choices)
                if self.list.item(row).checkState() == Qt.CheckState.Checked]

    def compute(self) -> Items:
        return ai.chosen(self.spec, self.picked())

    def set_items(self, values: list[Any]) -> bool:
        if not all(v in self.choices for v in values) or len(set(map(repr, values))) != len(values):
            return False
        ordered = [v for v in self.choices if v in values]
        if ordered != values:
            return False
        self.list.blockSignals(True)
        for row, value in enumerate(self.choices):
            self.list.item(row).setCheckState(Qt.CheckState.Checked if value in values else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._recompute()
        return True


EDITORS: dict[str, Callable[[InputSpec | None], AxisEditor]] = {
    cls.kind: cls for cls in (ListEditor, RangeEditor, SeedsEditor, FileLinesEditor, FolderImagesEditor,
                              ChoicesEditor)
}
