"""The canvas look in one place: colours per kind and category, sizes, fonts, zoom thresholds.

Painting code reads only from here, so the look can change without touching behaviour.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from PySide6.QtGui import QColor, QFont

KIND_COLORS: dict[str, str] = {
    "integer": "#4fc3f7",
    "float": "#81c784",
    "string": "#f06292",
    "boolean": "#ffb74d",
    "image": "#ba68c8",
    "latents": "#e57373",
    "conditioning": "#ffd54f",
    "color": "#4db6ac",
    "unet": "#7986cb",
    "clip": "#aed581",
    "vae": "#ff8a65",
    "any": "#b0bec5",
}
"""Socket and link colour per kind (the legend in the README)."""

CATEGORY_COLORS: dict[str, str] = {
    "primitives": "#4a5568",
    "math": "#2b6cb0",
    "strings": "#b83280",
    "collections": "#2f855a",
    "color": "#319795",
    "image": "#6b46c1",
    "latents": "#c53030",
    "conditioning": "#b7791f",
    "models": "#3949ab",
    "flow": "#555555",
}

BACKGROUND = QColor("#1e1f22")
GRID_DOT = QColor("#3a3c41")
NODE_BODY = QColor("#2b2d31")
NODE_OUTLINE = QColor("#111214")
NODE_SELECTED = QColor("#f0b429")
NODE_ERROR = QColor("#ff4d4f")
NODE_MISSING = QColor("#7a2e2e")
TEXT = QColor("#e6e6e6")
TEXT_DIM = QColor("#9a9ca3")
FIELD_BG = QColor("#1b1c1f")
AXIS_MARK = QColor("#7c3aed")
LINK_SELECTED = QColor("#ffffff")
CUT_LINE = QColor("#ff6b6b")
BADGE_COLORS = {"queued": QColor("#718096"), "running": QColor("#3182ce"),
                "done": QColor("#38a169"), "failed": QColor("#e53e3e"), "cached": QColor("#805ad5")}

GRID = 20
"""Grid spacing in scene units; snap-to-grid uses it too."""
NODE_WIDTH = 200
HEADER_H = 24
ROW_H = 22
PAD = 6
SOCKET_R = 5.5
CORNER = 5
THUMB_H = 120
PREVIEW_H = 200
"""A Preview Image node's picture: as wide as the node, up to this tall."""
LINK_WIDTH = 2.4
LOD_DETAIL = 0.4
"""Below this zoom nodes are plain boxes without text (the fit-all speed rule)."""
ZOOM_MIN, ZOOM_MAX = 0.05, 4.0


def _hashed(name: str, saturation: int, value: int) -> QColor:
    """A stable colour for a name nobody gave a colour to."""
    hue = int(hashlib.md5(name.encode()).hexdigest()[:4], 16) % 360
    return QColor.fromHsv(hue, saturation, value)


@lru_cache(maxsize=None)
def kind_color(kind: str) -> QColor:
    """Known kinds have fixed colours; any other kind gets a stable colour from its name."""
    return QColor(KIND_COLORS[kind]) if kind in KIND_COLORS else _hashed(kind, 140, 220)


@lru_cache(maxsize=None)
def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS[category]) if category in CATEGORY_COLORS else _hashed(category, 120, 140)


@lru_cache(maxsize=None)
def font(size: float = 9.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    return f
