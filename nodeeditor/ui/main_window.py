"""The main window: canvas in the middle, dock areas around it, menus, files, settings, autosave.

Later features add docks with `add_dock`, actions to `run_menu`, and badges through `node_item`.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox

from nodeeditor.core.errors import WorkflowError
from nodeeditor.core.registry import Registry
from nodeeditor.core.files import atomic_write_text
from nodeeditor.core.versions import upgrade_workflow
from nodeeditor.core.workflow import Workflow, load_workflow, parse_workflow, save_workflow, with_values
from nodeeditor.nodes.image_metadata import read_png_workflow
from nodeeditor.paths import autosave_dir
from nodeeditor.templates import list_templates, load_template

from . import clipboard
from .canvas.model import Document
from .canvas.node_item import NodeItem
from .canvas.editor import CanvasEditor
from .canvas.scene import CanvasScene
from .canvas.subgraph_ui import SubgraphUI
from .canvas.view import CanvasView
from .canvas.collapse import CollapseSync, toggle_collapse
from .canvas.minimap import Minimap
from .canvas_hint import CanvasHint
from .help import build_help_menu
from .status_bar import StatusBar

AUTOSAVE_MS = 60_000
RECENT_MAX = 10
FILE_FILTER = "Workflows (*.json);;Output images (*.png);;All files (*)"


def read_workflow_file(path: Path) -> Workflow:
    """A workflow JSON, or the workflow a nodeeditor PNG carries; WorkflowError otherwise."""
    if path.suffix.lower() == ".png":
        data, values = read_png_workflow(path)
        if data is None:
            raise WorkflowError("no workflow in this image", file=str(path))
        return with_values(parse_workflow(data, file=str(path)), values)
    return load_workflow(path)


class MainWindow(QMainWindow):
    def __init__(self, home: Path, registry: Registry) -> None:
        super().__init__()
        self.home = Path(home)
        self.registry = registry
        self.settings = QSettings(str(self.home / "settings.ini"), QSettings.Format.IniFormat)
        self.document = Document(parent=self)
        self.scene = CanvasScene(self.document, registry, self)
        self.editor = CanvasEditor(self.scene, self)
        self.canvas = CanvasView(self.editor, self)
        self.setCentralWidget(self.canvas)
        self.canvas_hint = CanvasHint(self.canvas, self.document)
        self.minimap = Minimap(self.canvas)
        self.collapse_sync = CollapseSync(self.scene)
        self.setDockNestingEnabled(True)
        self.setObjectName("MainWindow")
        self.setStatusBar(StatusBar(self))
        self._build_menus()
        self.minimap_action.setChecked(self.settings.value("canvas/minimap", False, type=bool))
        self.minimap.setVisible(self.minimap_action.isChecked())
        self.subgraphs = SubgraphUI(self, self.edit_menu)
        self.zoom_label = QLabel("100 %")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.canvas.zoom_changed.connect(lambda zoom: self.zoom_label.setText(f"{zoom * 100:.0f} %"))
        self.editor.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.document.changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.canvas.files_dropped.connect(lambda paths: self.open_path(Path(paths[0])))
        self._close_hooks: list = []
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.resize(1400, 900)
        self._restore_layout()
        self._update_title()

    # -- public API for other features ------------------------------------------------------
    def node_item(self, node_id: str) -> NodeItem | None:
        return self.scene.node_items.get(node_id)

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> None:
        """Add a dock (give it an objectName so its place is remembered) and list it in Window."""
        self.addDockWidget(area, dock)
        self.window_menu.addAction(dock.toggleViewAction())
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def add_close_hook(self, hook) -> None:
        """Run `hook()` once the window has agreed to close (stop workers, close stores)."""
        self._close_hooks.append(hook)

    def add_run_action(self, action: QAction) -> None:
        """Put an action in the Run menu (hidden while it is empty)."""
        self.run_menu.addAction(action)
        self.addAction(action)
        self.run_menu.menuAction().setVisible(True)

    # -- menus ------------------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot, shortcut: QKeySequence | str | list | None = None) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        f = self.file_menu = bar.addMenu("&File")
        self._action(f, "&New", self.new_document, QKeySequence.StandardKey.New)
        self.template_menu = f.addMenu("New from &Template")
        for template in list_templates():
            action = self.template_menu.addAction(template.name, lambda p=template.path: self.new_from_template(p))
            action.setToolTip(template.description)
            action.setStatusTip(template.description)
        self.template_menu.setToolTipsVisible(True)
        self._action(f, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = f.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(f, "&Save", self.save, QKeySequence.StandardKey.Save)
        self._action(f, "Save &As…", self.save_as, QKeySequence("Ctrl+Shift+S"))
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        e = self.edit_menu = bar.addMenu("&Edit")
        stack = self.document.undo_stack
        undo = stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        e.addActions([undo, redo])
        self.addActions([undo, redo])
        e.addSeparator()
        self._action(e, "Cu&t", self.cut, QKeySequence.StandardKey.Cut)
        self._action(e, "&Copy", lambda: clipboard.copy_selection(self.scene), QKeySequence.StandardKey.Copy)
        self._action(e, "&Paste", lambda: clipboard.paste(self.scene), QKeySequence.StandardKey.Paste)
        self._action(e, "&Duplicate", lambda: clipboard.duplicate(self.scene), QKeySequence("Ctrl+D"))
        self._action(e, "De&lete", self.editor.delete_selected, [QKeySequence.StandardKey.Delete, QKeySequence("Backspace")])
        self._action(e, "Select &All", self.select_all, QKeySequence.StandardKey.SelectAll)
        e.addSeparator()
        self._action(e, "&Bypass / Enable", self.editor.toggle_bypass, [QKeySequence("Ctrl+B"), QKeySequence("M")])
        self._action(e, "Collapse / E&xpand", lambda: toggle_collapse(self.scene), QKeySequence("H"))
        self._action(e, "&Frame Selection", lambda: self.editor.frame_selection(), QKeySequence("Ctrl+G"))
        snap = self._action(e, "S&nap to Grid", self._set_snap)
        snap.setCheckable(True)
        snap.setChecked(self.settings.value("canvas/snap", False, type=bool))
        self.editor.snap_to_grid = snap.isChecked()

        v = bar.addMenu("&View")
        self._action(v, "&Frame Selected", self.canvas.frame_selected, QKeySequence("F"))
        self._action(v, "Fit &All", self.canvas.fit_all, QKeySequence("Home"))
        self._action(v, "Zoom &In", self.canvas.zoom_in, [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self._action(v, "Zoom &Out", self.canvas.zoom_out, QKeySequence("Ctrl+-"))
        v.addSeparator()
        self._action(v, "Add &Node…", self.add_node_at_cursor, QKeySequence("Shift+A"))
        self.minimap_action = self._action(v, "&Minimap", self._show_minimap, QKeySequence("Ctrl+Shift+M"))
        self.minimap_action.setCheckable(True)
        self.run_menu = bar.addMenu("&Run")
        self.run_menu.menuAction().setVisible(False)
        self.window_menu = bar.addMenu("&Window")
        self.help_menu = build_help_menu(self, self.registry)

    def add_node_at_cursor(self) -> None:
        """The node search at the pointer when it is over the canvas, else in the middle."""
        cursor = self.canvas.mapFromGlobal(QCursor.pos())
        if not self.canvas.viewport().rect().contains(cursor):
            cursor = self.canvas.viewport().rect().center()
        self.canvas.open_palette(self.canvas.mapToScene(cursor), None)

    def _show_minimap(self, on: bool) -> None:
        self.minimap.setVisible(on)
        self.minimap.schedule()
        self.settings.setValue("canvas/minimap", on)

    def _set_snap(self, on: bool) -> None:
        self.editor.snap_to_grid = on
        self.settings.setValue("canvas/snap", on)

    def select_all(self) -> None:
        self.scene.select_all()

    def cut(self) -> None:
        if clipboard.copy_selection(self.scene):
            self.editor.delete_selected()

    # -- title and settings -----------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.document.path.name if self.document.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — nodeeditor")
        self.setWindowModified(self.document.modified)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self.recent_files() if p != str(path.resolve())]
        self.settings.setValue("recent", recent[:RECENT_MAX])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for entry in self.recent_files():
            self.recent_menu.addAction(entry, lambda p=entry: self.open_path(Path(p)))
        if not self.recent_files():
            self.recent_menu.addAction("(none)").setEnabled(False)

    # -- files ------------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when it is fine to drop the open document (saved, discarded, or saved now)."""
        if not self.document.modified:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save changes to {self.document.path.name if self.document.path else 'Untitled'}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self) -> None:
        if self.confirm_discard():
            self.document.load(Workflow())

    def new_from_template(self, path: Path) -> bool:
        """Start an untitled document from a template (its batch included)."""
        if not self.confirm_discard():
            return False
        try:
            workflow = load_template(Path(path))
        except WorkflowError as exc:
            QMessageBox.warning(self, "Cannot open template", str(exc))
            return False
        self.document.load(workflow)
        self.canvas.fit_all()
        return True

    def open_dialog(self) -> None:
        if not self.confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open workflow", "", FILE_FILTER)
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a workflow JSON or an output PNG; an error is shown and the canvas is left alone."""
        if ask and not self.confirm_discard():
            return False
        try:
            workflow = read_workflow_file(Path(path))
        except WorkflowError as exc:
            QMessageBox.warning(self, "Cannot open", str(exc))
            return False
        workflow, upgraded = upgrade_workflow(workflow, self.registry)
        is_json = Path(path).suffix.lower() != ".png"
        self.document.load(workflow, Path(path) if is_json else None)
        if not is_json or upgraded:
            self.document.mark_unsaved()
        if upgraded:
            self.statusBar().showMessage(f"Upgraded {len(upgraded)} node(s) saved by older versions: "
                                         + ", ".join(map(str, upgraded)))
        self._remember(Path(path))
        self.canvas.fit_all()
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save workflow", str(self.document.path or "workflow.json"),
                                              "Workflows (*.json)")
        return self.save_to(Path(path)) if path else False

    def save_to(self, path: Path) -> bool:
        try:
            save_workflow(self.document.snapshot(), path)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"{path}: {exc.strerror or exc}")
            return False
        self.document.mark_saved(Path(path))
        self._remember(Path(path))
        self._autosave_file().unlink(missing_ok=True)
        return True

    # -- autosave and recovery --------------------------------------------------------------
    def _autosave_file(self) -> Path:
        return autosave_dir(self.home) / "autosave.json"

    def autosave(self) -> bool:
        """Write the open workflow (and where it came from) when it has unsaved changes."""
        if not self.document.modified:
            return False
        payload = {"path": str(self.document.path) if self.document.path else None,
                   "workflow": self.document.snapshot().model_dump(mode="json")}
        atomic_write_text(self._autosave_file(), json.dumps(payload))
        return True

    def offer_recovery(self) -> bool:
        """After a crash an autosave is left behind: offer to open it. Returns True if recovered."""
        file = self._autosave_file()
        if not file.exists():
            return False
        try:
            payload = json.loads(file.read_text(encoding="utf-8"))
            workflow = parse_workflow(payload["workflow"], file=str(file))
        except (ValueError, KeyError, TypeError, OSError, WorkflowError):
            file.unlink(missing_ok=True)
            return False
        answer = QMessageBox.question(self, "Recover work",
                                      "nodeeditor did not close cleanly. Recover the unsaved workflow?")
        if answer != QMessageBox.StandardButton.Yes:
            file.unlink(missing_ok=True)
            return False
        self.document.load(workflow, Path(payload["path"]) if payload.get("path") else None)
        self.document.mark_unsaved()
        self.canvas.fit_all()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.autosave_timer.stop()
        self._autosave_file().unlink(missing_ok=True)
        for hook in self._close_hooks:
            hook()
        self._close_hooks.clear()
        event.accept()
