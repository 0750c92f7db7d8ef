"""Any panel as a dock: titled, and named so the window can save and restore where it sits."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget


def panel_dock(panel: QWidget, title: str, object_name: str, parent: QWidget | None = None) -> QDockWidget:
    """A QDockWidget holding `panel` (get it back with `dock.widget()`)."""
    dock = QDockWidget(title, parent)
    dock.setObjectName(object_name)
    dock.setWidget(panel)
    return dock
