"""The heat overlay's colour: a node's share of the run's time (or peak memory), cold to hot."""

from __future__ import annotations

from PySide6.QtGui import QColor

HEAT_COLD = QColor(40, 90, 200)
HEAT_HOT = QColor(230, 60, 40)


def heat_color(share: float) -> QColor:
    """Blue (cold) to red (hot), translucent, for the overlay."""
    t = max(0.0, min(1.0, share))
    color = QColor(
        int(HEAT_COLD.red() + (HEAT_HOT.red() - HEAT_COLD.red()) * t),
        int(HEAT_COLD.green() + (HEAT_HOT.green() - HEAT_COLD.green()) * t),
        int(HEAT_COLD.blue() + (HEAT_HOT.blue() - HEAT_COLD.blue()) * t),
    )
    color.setAlpha(70 + int(110 * t))
    return color
