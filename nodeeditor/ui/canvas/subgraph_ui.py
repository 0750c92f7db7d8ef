"""Subgraphs in the window: Convert to Subgraph and Unpack, going in (Tab or a double-click on the
header of a subgraph node) and out (Esc or the breadcrumb bar), the side bars of ports shown inside,
and the node menu entries for them.

The window creates one `SubgraphUI`; it adds its actions to the Edit menu, a breadcrumb bar above
the canvas, and watches the view's keys and the scene's double-clicks before their usual handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QToolBar

from nodeeditor.core.workflow import SUBGRAPH

from .. import theme
from .node_item import NodeItem
from .subgraph_bars import SubgraphBars
from .subgraph_commands import LevelCommand, convert_command, unpack_command
from .subgraph_library import SubgraphLibrary
from .subgraph_ports import SubgraphPorts

if TYPE_CHECKING:
    from nodeeditor.ui.main_window import MainWindow

SEPARATOR = " › "


class SubgraphUI(QObject):
    def __init__(self, window: "MainWindow", edit_menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.scene = window.scene
        self.editor = window.editor
        self.convert_action = self._action(edit_menu, "Convert to Sub&graph", self.convert_selection, "Ctrl+Shift+G")
        self.unpack_action = self._action(edit_menu, "&Unpack Subgraph", self.unpack_selection, "Ctrl+Alt+G")
        self.breadcrumb = QToolBar("Subgraph path", window)
        self.breadcrumb.setObjectName("SubgraphPath")
        self.breadcrumb.setMovable(False)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.breadcrumb)
        self.doc.level_changed.connect(self._show_path)
        self.doc.reset.connect(self._show_path)
        window.canvas.node_menu_hooks.append(self._node_menu)
        window.canvas.installEventFilter(self)
        self.scene.installEventFilter(self)
        self._show_path()
        self.library = SubgraphLibrary(window)
        self.ports = SubgraphPorts(window)
        self.bars = SubgraphBars(window, self.ports)

    def _action(self, menu: QMenu, text: str, slot, shortcut: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)
        return action

    # -- edits --------------------------------------------------------------------------------
    def convert_selection(self) -> bool:
        selected = self.scene.selected_node_ids()
        if not selected:
            self.window.statusBar().showMessage("Select the nodes to put into a subgraph", 5000)
            return False
        self.editor.push(convert_command(self.doc, selected))
        return True

    def _selected_subgraph(self) -> str | None:
        selected = self.scene.selected_node_ids()
        if len(selected) == 1 and self.doc.node(selected[0]).type == SUBGRAPH:
            return selected[0]
        return None

    def unpack_selection(self) -> bool:
        node_id = self._selected_subgraph()
        if node_id is None:
            self.window.statusBar().showMessage("Select one subgraph node to unpack", 5000)
            return False
        self.editor.push(unpack_command(self.doc, node_id))
        return True

    # -- levels -------------------------------------------------------------------------------
    def enter(self, node_id: str) -> None:
        name = self.doc.root.subgraphs[self.doc.node(node_id).subgraph].name
        self.editor.push(LevelCommand(self.doc, [*self.doc.level, node_id], f"Open {name}"))
        self.window.canvas.fit_all()

    def leave(self, depth: int | None = None) -> bool:
        """Back out to `depth` levels below the root (one level up when None)."""
        if not self.doc.level:
            return False
        depth = len(self.doc.level) - 1 if depth is None else depth
        self.editor.push(LevelCommand(self.doc, self.doc.level[:depth], "Leave subgraph"))
        self.window.canvas.fit_all()
        return True

    def _show_path(self) -> None:
        self.breadcrumb.clear()
        names = self.doc.level_names()
        for depth, name in enumerate(names):
            if depth:
                self.breadcrumb.addWidget(_separator())
            action = self.breadcrumb.addAction(name, lambda d=depth: self.leave(d))
            action.setEnabled(depth < len(names) - 1)
        self.breadcrumb.setVisible(len(names) > 1)

    def path_text(self) -> str:
        return SEPARATOR.join(self.doc.level_names())

    # -- gestures -----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window.canvas and event.type() == QEvent.Type.KeyPress and self._idle():
            if event.key() == Qt.Key.Key_Tab and self._selected_subgraph():
                self.enter(self._selected_subgraph())
                return True
            if event.key() == Qt.Key.Key_Escape and self.editor.interaction is None and self.leave():
                return True
        if watched is self.scene and event.type() == QEvent.Type.GraphicsSceneMouseDoubleClick:
            item = self.scene.node_item_at(event.scenePos())
            if (isinstance(item, NodeItem) and item.node.type == SUBGRAPH
                    and item.mapFromScene(event.scenePos()).y() <= theme.HEADER_H):
                self.enter(item.node_id)
                return True
        return False

    def _idle(self) -> bool:
        palette = self.window.canvas.palette
        return self.editor.inline_editor is None and (palette is None or not palette.isVisible())

    def _node_menu(self, menu: QMenu, node_id: str, field: str | None) -> None:
        if len(self.scene.selected_node_ids()) > 1 or self.doc.node(node_id).type != SUBGRAPH:
            menu.addAction("Convert to Subgraph", self.convert_selection)
        if self.doc.node(node_id).type == SUBGRAPH:
            menu.addAction("Open Subgraph", lambda: self.enter(node_id))
            menu.addAction("Unpack Subgraph", self.unpack_selection)


def _separator() -> QLabel:
    label = QLabel(SEPARATOR.strip())
    label.setContentsMargins(4, 0, 4, 0)
    return label
