"""Help: keyboard shortcuts read from the window's actions (so the list is always true), a
reference of every installed node from the registry, and About."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from nodeeditor import __version__
from nodeeditor.core.registry import Registry

CANVAS_GESTURES = (
    ("Tab / Shift+A / double-click", "open the node search"),
    ("Drag from a socket", "link; drop on empty canvas to add a node that fits"),
    ("Ctrl + right-drag", "cut links"),
    ("Double-click a link", "add a reroute dot"),
    ("Middle-drag or Space + drag", "pan"),
    ("Wheel", "zoom to the cursor"),
    ("Click the minimap", "pan to that place"),
)


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every action with a shortcut, menu by menu, as the menus show them."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{path} › {_plain(action.text())}")
            elif action.shortcuts() and id(action) not in seen:
                seen.add(id(action))
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
                rows.append((path, _plain(action.text()), keys))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    for action in window.actions():
        if action.shortcuts() and id(action) not in seen and isinstance(action, QAction) and action.text():
            seen.add(id(action))
            keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
            rows.append(("Canvas", _plain(action.text()), keys))
    return rows


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcuts_html(window: QWidget) -> str:
    esc = html.escape
    rows = "".join(f"<tr><td style='color:#666'>{esc(menu)}</td><td>{esc(text)}</td><td><b>{esc(keys)}</b></td></tr>"
                   for menu, text, keys in shortcut_rows(window))
    gestures = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in CANVAS_GESTURES)
    return (f"<h3>Keyboard shortcuts</h3><table cellspacing=6>{rows}</table>"
            f"<h3>On the canvas</h3><table cellspacing=6>{gestures}</table>")


def node_reference_html(registry: Registry) -> str:
    """Every installed node by category: its description, inputs and outputs with their types."""
    esc = html.escape
    by_category: dict[str, list] = {}
    for spec in registry:
        by_category.setdefault(spec.category, []).append(spec)
    parts = ["<h2>Node reference</h2>"]
    parts.append("<p>" + " · ".join(f"<a href='#{esc(c)}'>{esc(c)}</a>" for c in sorted(by_category)) + "</p>")
    for category in sorted(by_category):
        parts.append(f"<h3><a name='{esc(category)}'></a>{esc(category)}</h3>")
        for spec in sorted(by_category[category], key=lambda s: s.title):
            inputs = "".join(f"<li><b>{esc(i.title)}</b> <code>{esc(str(i.type))}</code> — {esc(i.description or '')}</li>"
                             for i in spec.inputs.values())
            outputs = "".join(f"<li><b>{esc(o.title)}</b> <code>{esc(str(o.type))}</code></li>"
                              for o in spec.outputs.values())
            parts.append(f"<h4>{esc(spec.title)} <span style='color:#888'>({esc(spec.type)})</span></h4>"
                         f"<p>{esc(spec.description)}</p>"
                         + (f"<p>Inputs:</p><ul>{inputs}</ul>" if inputs else "")
                         + (f"<p>Outputs:</p><ul>{outputs}</ul>" if outputs else ""))
    return "".join(parts)


class HelpDialog(QDialog):
    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(lambda url: self.browser.scrollToAnchor(url.fragment()))
        self.browser.setHtml(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        self.resize(720, 640)


def build_help_menu(window: QWidget, registry: Registry) -> QMenu:
    menu = window.menuBar().addMenu("&Help")
    window.help_dialogs = []

    def show(title: str, body_of) -> HelpDialog:
        dialog = HelpDialog(title, body_of(), window)
        window.help_dialogs = [dialog]
        dialog.show()
        return dialog

    menu.addAction("&Keyboard Shortcuts", lambda: show("Keyboard shortcuts", lambda: shortcuts_html(window)))
    menu.addAction("&Node Reference", lambda: show("Node reference", lambda: node_reference_html(registry)))
    menu.addSeparator()
    menu.addAction("&About nodeeditor", lambda: QMessageBox.about(window, "About nodeeditor", about_text()))
    return menu


def about_text() -> str:
    return (f"<h3>nodeeditor {__version__}</h3><p>A node editor for typed dataflow graphs run in batches: "
            "a canvas, a queue, workers, and the same graphs headless from the command line.</p>"
            f"<p>Python {platform.python_version()} · PySide6 {pyside_version}</p>")
