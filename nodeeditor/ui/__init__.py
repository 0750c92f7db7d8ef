"""Everything PySide6: main window, canvas, panels, and the bridge from engine events to signals."""
