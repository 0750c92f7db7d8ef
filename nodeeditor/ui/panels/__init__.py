"""Dock panels of the main window: batch, queue, stats, gallery, inspector."""
