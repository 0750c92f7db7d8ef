"""The batch dock: turn inputs into axes, zip or multiply them, see the session count, enqueue.

The panel edits a core Batch: each box is a group whose axes are zipped (equal lengths), and
groups multiply. The count is computed from the lengths, never by building sessions, and the
core's validate_batch decides what is refused; Enqueue stays disabled while anything is wrong.
The main window saves the batch with the workflow through `store_in` / `restore_from`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QHBoxLayout, QLabel, QMenu,
                               QPushButton, QScrollArea, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from nodeeditor.core.batch import Batch, BatchAxis, validate_batch
from nodeeditor.core.batch_meta import batch_from_workflow, editors_from_workflow, store_batch_in
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.graph import Graph
from nodeeditor.core.node import InputKind, InputSpec
from nodeeditor.core.ports import node_spec
from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import Workflow

from . import axis_items as ai
from .batch_axis import ERROR_STYLE, AxisWidget, GroupBox

MAX_RUNS = 1_000_000
PRIORITY_RANGE = (-1000, 1000)
IMMEDIATE_CHECK_ITEMS = 20_000
"""Up to this many items in all, every edit re-validates the batch at once (a few ms)."""
CHECK_DELAY_MS = 150
"""Above it, validation waits until edits pause this long (1,000,000 items take ~0.5 s)."""


class BatchPanel(QWidget):
    """Edits the batch of the open workflow; `enqueueRequested(batch, priority, front)` asks to queue it."""

    enqueueRequested = Signal(object, int, bool)
    changed = Signal()

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.workflow: Workflow | None = None
        self.groups: list[GroupBox] = []
        self._loading = False
        self._issues: list[str] = []
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._validate)

        self.add_button = QToolButton(text="Add axis")
        self.add_button.setToolTip("Vary one input of a node across the batch")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.add_button.setMenu(self.add_menu)
        clear = QToolButton(text="Clear")
        clear.setToolTip("Remove every axis")
        clear.clicked.connect(lambda: self.set_batch(Batch(runs=self.runs.value())))
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addStretch(1)
        top.addWidget(clear)

        self.placeholder = QLabel("No axes: each run executes the workflow once. Right-click an input "
                                  "on the canvas and choose “Use as batch axis”, or use Add axis.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(mid);")
        self.container = QWidget()
        self.groups_layout = QVBoxLayout(self.container)
        self.groups_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.container)

        self.runs = QSpinBox()
        self.runs.setRange(1, MAX_RUNS)
        self.runs.setToolTip("Repeat the whole batch this many times")
        self.runs.valueChanged.connect(self._update)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-weight: bold;")
        self.issues_label = QLabel()
        self.issues_label.setWordWrap(True)
        self.issues_label.setStyleSheet(ERROR_STYLE)
        self.issues_label.setTextFormat(Qt.TextFormat.PlainText)

        self.priority = QSpinBox()
        self.priority.setRange(*PRIORITY_RANGE)
        self.priority.setToolTip("Higher priority runs first")
        self.front = QCheckBox("At the front")
        self.front.setToolTip("Run before everything already waiting")
        self.enqueue_button = QPushButton("Enqueue")
        self.enqueue_button.setDefault(True)
        self.enqueue_button.clicked.connect(self.enqueue)
        form = QFormLayout()
        form.addRow("Runs", self.runs)
        form.addRow("Priority", self.priority)
        bottom = QHBoxLayout()
        bottom.addWidget(self.front)
        bottom.addStretch(1)
        bottom.addWidget(self.enqueue_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(form)
        layout.addWidget(self.count_label)
        layout.addWidget(self.issues_label)
        layout.addLayout(bottom)
        self._rebuild()

    # --- the workflow and its fields -------------------------------------------------------

    def set_workflow(self, workflow: Workflow | None) -> None:
        """The workflow the batch is for: node titles, field types and links come from it."""
        self.workflow = workflow
        for axis in self.axes():
            axis.set_title(self._axis_title(axis.node_id, axis.field))
        self._update()

    def _spec(self, node_id: str, field: str) -> InputSpec | None:
        if self.workflow is None:
            return None
        node = next((n for n in self.workflow.nodes if n.id == node_id), None)
        spec = node_spec(self.workflow, node, self.registry) if node is not None else None
        return spec.inputs.get(field) if spec is not None else None

    def _node_title(self, node_id: str) -> str:
        node = next((n for n in self.workflow.nodes if n.id == node_id), None) if self.workflow else None
        if node is None:
            return node_id
        spec = node_spec(self.workflow, node, self.registry)
        return f"{node.label or (spec.title if spec else node.type)} ({node_id})"

    def _axis_title(self, node_id: str, field: str) -> str:
        spec = self._spec(node_id, field)
        return f"{self._node_title(node_id)} › {spec.title if spec else field}"

    def batchable_fields(self) -> list[tuple[str, InputSpec]]:
        """(node id, input) pairs a person may turn into an axis: direct inputs without a link."""
        if self.workflow is None:
            return []
        graph = Graph(self.workflow)
        found = []
        for node in self.workflow.nodes:
            spec = node_spec(self.workflow, node, self.registry)  # a subgraph node: its ports
            for field in spec.inputs.values() if spec else ():
                if field.input_kind is not InputKind.CONNECTION and not graph.links_into(node.id, field.name):
                    found.append((node.id, field))
        return found

    def _fill_add_menu(self) -> None:
        self.add_menu.clear()
        taken = {axis.key for axis in self.axes()}
        menus: dict[str, QMenu] = {}
        for node_id, field in self.batchable_fields():
            if node_id not in menus:
                menus[node_id] = self.add_menu.addMenu(self._node_title(node_id))
            action = menus[node_id].addAction(f"{field.title}  ({field.type})",
                                              lambda n=node_id, f=field.name: self.add_axis(n, f))
            action.setEnabled(f"{node_id}.{field.name}" not in taken)
        if not menus:
            self.add_menu.addAction("The workflow has no inputs to vary").setEnabled(False)

    # --- axes and groups ---------------------------------------------------------------------

    def axes(self) -> list[AxisWidget]:
        return [axis for group in self.groups for axis in group.axes]

    def axis(self, node_id: str, field: str) -> AxisWidget | None:
        return next((a for a in self.axes() if (a.node_id, a.field) == (node_id, field)), None)

    def add_axis(self, node_id: str, field: str) -> AxisWidget:
        """Vary `node_id.field` in a group of its own, starting from the value on the node."""
        existing = self.axis(node_id, field)
        if existing is not None:
            self.scroll.ensureWidgetVisible(existing)
            return existing
        if self.workflow is None:
            raise LocatedError("open a workflow before adding batch axes", node=node_id, field=field)
        try:
            node = self.workflow.node(node_id)
        except KeyError:
            raise LocatedError("the workflow has no such node", node=node_id, field=field) from None
        spec = self._spec(node_id, field)
        if spec is None:
            raise LocatedError(f"{node.type} has no input {field!r}", node=node_id, field=field)
        axis = self._new_axis(node_id, field, spec)
        current = node.inputs.get(field, spec.default)
        if current is not None:
            axis.editor.set_items([current])
        self._place(axis, -1)
        self.scroll.ensureWidgetVisible(axis)
        return axis

    def _new_axis(self, node_id: str, field: str, spec: InputSpec | None) -> AxisWidget:
        axis = AxisWidget(node_id, field, spec, self._axis_title(node_id, field))
        axis.changed.connect(self._update)
        axis.moveRequested.connect(self.move_axis)
        axis.removeRequested.connect(self.remove_axis)
        return axis

    def _place(self, axis: AxisWidget, group: int) -> None:
        if group < 0 or group >= len(self.groups):
            self.groups.append(GroupBox())
            group = len(self.groups) - 1
        self.groups[group].add(axis)
        self._rebuild()

    def move_axis(self, axis: AxisWidget, group: int) -> None:
        """Zip `axis` into group `group` (0-based), or -1 to multiply it in a group of its own."""
        source = self._group_of(axis)
        if source is None or group == source:
            return
        target = self.groups[group] if 0 <= group < len(self.groups) else None
        self.groups[source].take(axis)
        if target is None:
            self.groups.append(GroupBox())
            target = self.groups[-1]
        target.add(axis)
        self._drop_empty_groups()
        self._rebuild()

    def remove_axis(self, axis: AxisWidget) -> None:
        source = self._group_of(axis)
        if source is None:
            return
        self.groups[source].take(axis)
        axis.deleteLater()
        self._drop_empty_groups()
        self._rebuild()

    def _group_of(self, axis: AxisWidget) -> int | None:
        return next((i for i, g in enumerate(self.groups) if axis in g.axes), None)

    def _drop_empty_groups(self) -> None:
        for group in [g for g in self.groups if not g.axes]:
            self.groups.remove(group)
            group.hide()
            group.deleteLater()

    def _rebuild(self) -> None:
        """Lay the group boxes out again, with a "×" between groups, then recount."""
        while self.groups_layout.count():
            widget = self.groups_layout.takeAt(0).widget()
            if widget is not None and not isinstance(widget, GroupBox):
                widget.hide()
                widget.deleteLater()
        for number, group in enumerate(self.groups):
            if number:
                times = QLabel("× multiplied by")
                times.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.groups_layout.addWidget(times)
            self.groups_layout.addWidget(group)
        self.groups_layout.addStretch(1)
        self.placeholder.setVisible(not self.groups)
        self._update()

    # --- the batch ------------------------------------------------------------------------

    def batch(self) -> Batch:
        """The batch as edited (built without re-validating items the editors already checked)."""
        return Batch.model_construct(runs=self.runs.value(), data=[
            [BatchAxis.model_construct(node=a.node_id, field=a.field, items=list(a.values)) for a in group.axes]
            for group in self.groups])

    def editor_states(self) -> dict[str, dict[str, Any]]:
        """Settings of the editors that are not plain lists, keyed "node.field" (saved with the batch)."""
        return {a.key: a.editor.state() for a in self.axes() if a.editor.kind != ai.LIST}

    def set_batch(self, batch: Batch, editors: dict[str, dict[str, Any]] | None = None) -> None:
        """Show `batch`; `editors` (from editor_states) reopens range, seeds, file and folder axes as such."""
        self._loading = True
        try:
            for group in self.groups:
                group.hide()  # deletion waits for the event loop; never show the old box meanwhile
                group.deleteLater()
            self.groups = []
            for axes in batch.data:
                group = GroupBox()
                for saved in axes:
                    axis = self._new_axis(saved.node, saved.field, self._spec(saved.node, saved.field))
                    axis.set_items(saved.items, (editors or {}).get(f"{saved.node}.{saved.field}"))
                    group.add(axis)
                self.groups.append(group)
            self.runs.setValue(max(1, batch.runs))
        finally:
            self._loading = False
        self._rebuild()

    def store_in(self, workflow: Workflow) -> None:
        """Save the batch (and its editors' settings) into `workflow.meta`."""
        store_batch_in(workflow, self.batch(), self.editor_states())

    def restore_from(self, workflow: Workflow) -> None:
        """Show `workflow` and the batch saved with it (an empty batch when it has none)."""
        self.set_workflow(workflow)
        self.set_batch(batch_from_workflow(workflow) or Batch(), editors_from_workflow(workflow))

    def count(self) -> int:
        return self.batch().count()

    def issues(self) -> list[str]:
        """Why the batch cannot be queued now; empty when Enqueue is enabled."""
        if self._check_timer.isActive():
            self._validate()
        return list(self._issues)

    def _collect_issues(self, batch: Batch) -> list[str]:
        issues = [f"{self._axis_title(a.node_id, a.field)}: {a.error}" for a in self.axes() if a.error]
        if self.workflow is None:
            return issues + ["no workflow is open"]
        broken = {(a.node_id, a.field) for a in self.axes() if a.error}
        for issue in validate_batch(batch, self.workflow, self.registry):
            if (issue.node, issue.field) in broken:
                continue
            if issue.node is not None and issue.field is not None:
                issues.append(f"{self._axis_title(issue.node, issue.field)}: {issue.message}")
            else:
                issues.append(issue.message)
        return issues

    def _update(self) -> None:
        """Recount at once; validate at once too unless the items are many (then just after typing stops)."""
        if self._loading:
            return
        batch = self.batch()
        for number, group in enumerate(self.groups, start=1):
            group.update_heading(number)
            for axis in group.axes:
                axis.fill_move_menu(len(self.groups), number - 1)
        sizes = batch.group_sizes()
        count = batch.count()
        factors = " × ".join(f"{n:,}" for n in sizes)
        runs = f"{batch.runs:,} run{'s' if batch.runs != 1 else ''}"
        detail = f" = {factors} × {runs}" if sizes else f" ({runs})"
        self.count_label.setText(f"{count:,} session{'s' if count != 1 else ''}{detail}")
        if sum(len(axis.items) for axis in batch.axes()) <= IMMEDIATE_CHECK_ITEMS:
            self._validate(batch)
        else:
            self.enqueue_button.setEnabled(False)
            self.enqueue_button.setToolTip("Checking the items…")
            self._check_timer.start()
        self.changed.emit()

    def _validate(self, batch: Batch | None = None) -> None:
        self._check_timer.stop()
        batch = batch or self.batch()
        self._issues = self._collect_issues(batch)
        self.issues_label.setText("\n".join(self._issues))
        self.issues_label.setVisible(bool(self._issues))
        count = batch.count()
        self.enqueue_button.setEnabled(not self._issues and count > 0)
        self.enqueue_button.setToolTip(self._issues[0] if self._issues else f"Queue {count:,} sessions")

    def enqueue(self) -> None:
        if self.issues() or not self.enqueue_button.isEnabled():
            return
        self.enqueueRequested.emit(self.batch(), self.priority.value(), self.front.isChecked())

