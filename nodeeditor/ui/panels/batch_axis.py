"""One batch axis (a node's field and the editor giving its items) and the box of a zipped group.

An axis keeps every editor a person opened, so switching from Range to Typed list and back does
not lose the range. Moving an axis between groups is a menu on the axis: the panel does the move.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QMenu, QStackedWidget,
                               QToolButton, QVBoxLayout, QWidget)

from nodeeditor.core.node import InputSpec

from . import axis_items as ai
from ..elided_label import ElidedLabel
from .axis_editors import EDITORS, AxisEditor

PREVIEW_ITEMS = 4
ERROR_STYLE = "color: #d9534f;"


class AxisWidget(QFrame):
    """Title, editor picker, the editor, and a one-line summary of the items (or what is wrong)."""

    changed = Signal()
    moveRequested = Signal(object, int)
    """(axis, group index); -1 asks for a new group of its own."""
    removeRequested = Signal(object)

    def __init__(self, node_id: str, field: str, spec: InputSpec | None, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.field = field
        self.spec = spec
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("batch_axis")

        self.title = ElidedLabel()
        self.set_title(title)
        self.picker = QComboBox()
        for kind in ai.editor_kinds(spec):
            self.picker.addItem(ai.EDITOR_TITLES[kind], kind)
        self.move_button = QToolButton(text="Group")
        self.move_button.setToolTip("Zip this axis with another group, or give it a group of its own")
        self.move_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.move_menu = QMenu(self.move_button)
        self.move_button.setMenu(self.move_menu)
        remove = QToolButton(text="✕")
        remove.setToolTip("Remove this axis")
        remove.clicked.connect(lambda: self.removeRequested.emit(self))
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.picker)
        header.addWidget(self.move_button)
        header.addWidget(remove)

        self.stack = QStackedWidget()
        self.editors: dict[str, AxisEditor] = {}
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.stack)
        layout.addWidget(self.summary)
        self.picker.currentIndexChanged.connect(lambda _i: self._show(self.picker.currentData()))
        self._show(self.picker.currentData())

    @property
    def key(self) -> str:
        return f"{self.node_id}.{self.field}"

    def set_title(self, title: str) -> None:
        self.title.setText(title)
        self.title.setToolTip(f"{title}\n{self.key}" + (f"\n{self.spec.description}" if self.spec and self.spec.description else ""))

    @property
    def editor(self) -> AxisEditor:
        return self.editors[self.picker.currentData()]

    def editor_for(self, kind: str) -> AxisEditor:
        if kind not in self.editors:
            editor = EDITORS[kind](self.spec)
            editor.changed.connect(self._editor_changed)
            self.editors[kind] = editor
            self.stack.addWidget(editor)
        return self.editors[kind]

    def use_editor(self, kind: str) -> AxisEditor | None:
        """Switch to the editor of `kind` if this field offers it."""
        index = self.picker.findData(kind)
        if index < 0:
            return None
        self.picker.setCurrentIndex(index)
        return self.editor_for(kind)

    def _show(self, kind: str) -> None:
        self.stack.setCurrentWidget(self.editor_for(kind))
        self._editor_changed()

    def _editor_changed(self) -> None:
        self.summary.setText(self.describe())
        self.summary.setStyleSheet(ERROR_STYLE if self.error else "")
        self.changed.emit()

    @property
    def values(self) -> list[Any]:
        return self.editor.items.values

    @property
    def error(self) -> str | None:
        return self.editor.items.error

    def describe(self) -> str:
        if self.error:
            return self.error
        values = self.values
        shown = ", ".join(ai.format_item(self.spec, v) for v in values[:PREVIEW_ITEMS])
        more = ", …" if len(values) > PREVIEW_ITEMS else ""
        return f"{len(values):,} item{'s' if len(values) != 1 else ''}: {shown}{more}"

    def set_items(self, values: list[Any], state: dict[str, Any] | None = None) -> None:
        """Load an axis from a saved batch: the saved editor and its settings when known (a file or
        folder is read again), else the first editor that can show these items."""
        if state and (editor := self.use_editor(str(state.get("editor")))) is not None:
            editor.set_state(state)
            editor.set_items(values)
            return
        for kind in ai.editor_kinds(self.spec):
            if self.editor_for(kind).set_items(values):
                self.use_editor(kind)
                return
        self.use_editor(ai.LIST)
        self.editor_for(ai.LIST).set_items(values)

    def fill_move_menu(self, groups: int, current: int) -> None:
        self.move_menu.clear()
        for index in range(groups):
            if index != current:
                self.move_menu.addAction(f"Zip with group {index + 1}",
                                         lambda i=index: self.moveRequested.emit(self, i))
        action = self.move_menu.addAction("Own group (multiply)", lambda: self.moveRequested.emit(self, -1))
        action.setEnabled(groups > 1 or current < 0)


class GroupBox(QFrame):
    """A zipped group: its axes advance together, so they must have the same number of items."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.Box)
        self.setObjectName("batch_group")
        self.axes: list[AxisWidget] = []
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(6, 6, 6, 6)
        self.body.addWidget(self.heading)

    def add(self, axis: AxisWidget) -> None:
        self.axes.append(axis)
        self.body.addWidget(axis)

    def take(self, axis: AxisWidget) -> None:
        self.axes.remove(axis)
        self.body.removeWidget(axis)

    def update_heading(self, number: int) -> None:
        lengths = sorted({len(axis.values) for axis in self.axes})
        size = f"{lengths[0]:,} items" if len(lengths) == 1 else "lengths differ: " + " vs ".join(f"{n:,}" for n in lengths)
        zipped = "zipped, " if len(self.axes) > 1 else ""
        self.heading.setText(f"Group {number} · {zipped}{size}")
        self.heading.setStyleSheet("font-weight: bold;" + (ERROR_STYLE if len(lengths) > 1 else ""))
