"""The side bars shown inside a subgraph: its input ports on the left, its output ports on the right.

A person adds a port by dragging a link from an inner socket onto a bar (onto a row of the inputs
bar: that port feeds one more field), or with + and a pick from the inner fields not yet exposed;
double-click (or F2) renames, − or Delete removes. Every change is one undo step made by
`SubgraphPorts`. The bars are child widgets of the view's viewport, pinned to its top corners like
the minimap is to its bottom one, so they stay put while the canvas pans and zooms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMenu, QToolButton, QVBoxLayout)

from nodeeditor.core.ports import node_spec
from nodeeditor.core.workflow import SubgraphDef

from .node_rows import Row

if TYPE_CHECKING:
    from nodeeditor.ui.main_window import MainWindow

    from .subgraph_ports import SubgraphPorts

MARGIN = 12
WIDTH = 190
MAX_ROWS = 12
STYLE = """
PortBar { background: rgba(16, 17, 20, 215); border: 1px solid #3a3f4b; border-radius: 6px; }
QLabel { color: #e5e7eb; background: transparent; }
QListWidget { background: transparent; color: #e5e7eb; border: none; }
QListWidget::item { padding: 2px 4px; }
QListWidget::item:selected { background: #3b82f6; color: white; }
QToolButton { color: #e5e7eb; background: #2a2e37; border: 1px solid #3a3f4b; border-radius: 3px;
              min-width: 18px; }
QToolButton::menu-indicator { image: none; width: 0px; }
"""
"""Dark like the canvas and the minimap, so the bars read as part of the canvas, not of the window."""
NAME = Qt.ItemDataRole.UserRole


class PortBar(QFrame):
    """One side of the inside of a subgraph: the definition's input ports or its output ports."""

    def __init__(self, bars: "SubgraphBars", output: bool) -> None:
        super().__init__(bars.window.canvas.viewport())
        self.bars, self.output = bars, output
        self.setObjectName("subgraphOutputs" if output else "subgraphInputs")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(STYLE)
        self.setFixedWidth(WIDTH)
        self.title = QLabel("Outputs" if output else "Inputs")
        self.title.setStyleSheet("font-weight: 600")
        self.list = QListWidget()
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setToolTip("Double-click to rename; drop a link from an inner socket here to add a port")
        self.list.itemChanged.connect(self._renamed)
        self.list.installEventFilter(self)
        self.add_button = QToolButton(text="+", toolTip=f"Add an {'output' if output else 'input'} port")
        self.add_menu = QMenu(self.add_button)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.remove_button = QToolButton(text="−", toolTip="Remove the selected port")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.title)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        self._shown: tuple = ()

    @property
    def ports(self) -> "SubgraphPorts":
        return self.bars.ports

    def names(self) -> list[str]:
        return [self.list.item(i).data(NAME) for i in range(self.list.count())]

    def show_ports(self, definition: SubgraphDef) -> None:
        """List the ports (rebuilt only when they changed, so a rename in progress is left alone)."""
        if self.output:
            rows = tuple((p.name, f"{p.source.node}.{p.source.field}") for p in definition.outputs)
        else:
            rows = tuple((p.name, ", ".join(f"{t.node}.{t.field}" for t in p.targets)) for p in definition.inputs)
        if rows == self._shown:
            return
        self._shown = rows
        self.list.blockSignals(True)
        self.list.clear()
        for name, where in rows:
            item = QListWidgetItem(name)
            item.setData(NAME, name)
            item.setToolTip(f"{name} → {where}" if not self.output else f"{where} → {name}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
        self.list.blockSignals(False)
        row_h = self.list.sizeHintForRow(0) if rows else self.list.fontMetrics().height() + 4
        self.list.setFixedHeight(row_h * max(1, min(len(rows), MAX_ROWS)) + 4)
        self.adjustSize()

    def row_at(self, viewport_pos: QPoint) -> str | None:
        """The port under a point of the canvas viewport, if any."""
        item = self.list.itemAt(self.list.viewport().mapFrom(self.parentWidget(), viewport_pos))
        return item.data(NAME) if item is not None else None

    # -- edits --------------------------------------------------------------------------------
    def _renamed(self, item: QListWidgetItem) -> None:
        old, new = item.data(NAME), item.text().strip()
        if new != old and not self.ports.rename(self.bars.doc.definition_id(), old, new, self.output):
            self._shown = ()
            self.bars.refresh()

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.ports.remove_port(item.data(NAME), self.output)

    def _fill_add_menu(self) -> None:
        """Every inner field that can still become a port, by node."""
        self.add_menu.clear()
        for node_id, title, fields in self.bars.candidates(self.output):
            sub = self.add_menu.addMenu(title)
            for name, label in fields:
                sub.addAction(label, lambda n=node_id, f=name: self.bars.expose(n, f, self.output))
        if self.add_menu.isEmpty():
            self.add_menu.addAction("Every field is a port already").setEnabled(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.list and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
                and self.list.state() != QAbstractItemView.State.EditingState):
            if event.type() == QEvent.Type.ShortcutOverride:  # the key is the list's, not the canvas's Delete
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.remove_selected()
                return True
        return super().eventFilter(watched, event)


class SubgraphBars(QObject):
    """Shows the two bars while the canvas is inside a subgraph and takes links dropped on them."""

    def __init__(self, window: "MainWindow", ports: "SubgraphPorts") -> None:
        super().__init__(window)
        self.window, self.ports = window, ports
        self.doc = window.document
        self.inputs = PortBar(self, output=False)
        self.outputs = PortBar(self, output=True)
        viewport = window.canvas.viewport()
        viewport.installEventFilter(self)
        window.canvas.installEventFilter(self)
        for bar in (window.canvas.horizontalScrollBar(), window.canvas.verticalScrollBar()):
            bar.valueChanged.connect(self._place)  # scrolling the viewport moves its child widgets too
        window.editor.link_drop_hooks.append(self.drop_link)
        self.doc.level_changed.connect(self.refresh)
        self.doc.reset.connect(self.refresh)
        self.doc.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        definition = self.doc.definition()
        for bar in (self.inputs, self.outputs):
            bar.setVisible(definition is not None)
            if definition is not None:
                bar.show_ports(definition)
        self._place()

    def _place(self) -> None:
        area = self.window.canvas.viewport().rect()
        self.inputs.move(area.left() + MARGIN, area.top() + MARGIN)
        self.outputs.move(area.right() - self.outputs.width() - MARGIN, area.top() + MARGIN)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self._place)  # after the view has laid its viewport out
        return super().eventFilter(watched, event)

    def bar_at(self, viewport_pos: QPoint) -> PortBar | None:
        for bar in (self.inputs, self.outputs):
            if bar.isVisible() and bar.geometry().contains(viewport_pos):
                return bar
        return None

    # -- adding ports ---------------------------------------------------------------------------
    def drop_link(self, scene_pos: QPointF, node_id: str, row: Row) -> bool:
        """A link dragged from an inner socket and let go over a bar: an input socket on the inputs
        bar becomes a port (or, on a row, one more field that port feeds); an output on the outputs bar."""
        pos = self.window.canvas.mapFromScene(scene_pos)
        bar = self.bar_at(pos)
        if bar is None:
            return False
        if bar.output != row.output:
            self.window.statusBar().showMessage(
                f"Drop an {'output' if bar.output else 'input'} socket on the {bar.title.text()} bar", 5000)
            return True
        port = bar.row_at(pos) if not bar.output else None
        if port is not None:
            if self.ports.add_target(port, node_id, row.field):
                self.window.statusBar().showMessage(f"Port {port} feeds {node_id}.{row.field} too", 5000)
        else:
            name = self.expose(node_id, row.field, row.output)
            self.window.statusBar().showMessage(f"Added {'output' if row.output else 'input'} port {name}", 5000)
        return True

    def expose(self, node_id: str, field: str, output: bool) -> str:
        return self.ports.expose_output(node_id, field) if output else self.ports.expose_input(node_id, field)

    def candidates(self, output: bool) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(node id, its title, [(field, label)]) for the inner fields not yet exposed: inputs that
        no link or port feeds, or outputs not yet a port."""
        definition = self.doc.definition()
        if definition is None:
            return []
        if output:
            taken = {(p.source.node, p.source.field) for p in definition.outputs}
        else:
            taken = {(t.node, t.field) for p in definition.inputs for t in p.targets}
            taken |= {(e.destination.node, e.destination.field) for e in definition.edges}
        found = []
        for node in definition.nodes:
            spec = node_spec(self.doc.workflow, node, self.window.registry)
            if spec is None:
                continue
            fields = spec.outputs if output else spec.inputs
            free = [(name, f.title or name) for name, f in fields.items()
                    if (node.id, name) not in taken]
            if free:
                found.append((node.id, node.label or f"{spec.title} ({node.id})", free))
        return found
