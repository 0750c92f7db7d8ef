"""Results painted in a node's body: what a Show Value node received, read from the run's output
summary (the engine's short text per output), and how tall that takes.

A summary is `repr(value)`, `[N items]` for a long list, or `k=v, …` for a model; colours come as
`r=…, g=…, b=…, a=…` and are shown as a swatch. Only ast.literal_eval reads it: nothing is run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from .. import theme

COLOR = re.compile(r"^r=(\d+), g=(\d+), b=(\d+), a=(\d+)$")
ITEMS = re.compile(r"^\[(\d+) items\]$")
MAX_LINES = 5
LINE_H = 14.0
SWATCH_H = 26.0
FONT_SIZE = 9.0


@dataclass(frozen=True)
class Shown:
    """What the body shows: a text, maybe a heading (a list's length), maybe a colour swatch."""

    text: str
    heading: str = ""
    color: QColor | None = None


def _items(count: int) -> str:
    return f"{count:,} item{'s' if count != 1 else ''}"


def shown_from_summary(summary: str) -> Shown:
    match = COLOR.match(summary)
    if match:
        r, g, b, a = (int(v) for v in match.groups())
        return Shown(f"#{r:02x}{g:02x}{b:02x}" + (f" α {a}" if a != 255 else ""), color=QColor(r, g, b, a))
    match = ITEMS.match(summary)
    if match:
        return Shown("", heading=_items(int(match.group(1))))
    try:
        value = ast.literal_eval(summary)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        if summary[:1] in ("'", '"'):  # a long string, cut by the summary
            return Shown(summary[1:])
        return Shown(summary)
    if isinstance(value, str):
        return Shown(value, heading="" if value.strip() else "(blank text)")
    if isinstance(value, (list, tuple)):
        return Shown(", ".join(repr(v) if isinstance(v, str) else str(v) for v in value), heading=_items(len(value)))
    if isinstance(value, float):
        return Shown(f"{value:.6g}")
    return Shown(str(value))


def _metrics() -> QFontMetricsF:
    return QFontMetricsF(theme.font(FONT_SIZE))


def text_rect(width: float) -> QRectF:
    return QRectF(0, 0, width - 2 * theme.PAD, LINE_H * MAX_LINES)


def height_of(shown: Shown, width: float) -> float:
    """Height of the area under the rows for `shown` in a node `width` wide."""
    height = theme.PAD
    if shown.color is not None:
        height += SWATCH_H + 4
    if shown.heading:
        height += LINE_H
    if shown.text:
        flags = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
        used = _metrics().boundingRect(text_rect(width), flags, shown.text).height()
        height += min(used, LINE_H * MAX_LINES)
    return height + theme.PAD / 2


def paint(painter: QPainter, top: float, width: float, shown: Shown) -> None:
    """Paint `shown` from `top` down, inside a node `width` wide."""
    x, y, inner = theme.PAD, top + theme.PAD / 2, width - 2 * theme.PAD
    painter.save()
    painter.setBrush(theme.FIELD_BG)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(x - 2, y, inner + 4, height_of(shown, width) - theme.PAD), 3, 3)
    y += 2
    if shown.color is not None:
        painter.setBrush(shown.color)
        painter.setPen(QPen(theme.TEXT_DIM, 1))
        painter.drawRoundedRect(QRectF(x + 2, y + 2, inner - 4, SWATCH_H), 3, 3)
        y += SWATCH_H + 4
    painter.setFont(theme.font(FONT_SIZE))
    if shown.heading:
        painter.setPen(theme.TEXT_DIM)
        painter.drawText(QRectF(x + 2, y, inner - 4, LINE_H), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         shown.heading)
        y += LINE_H
    if shown.text:
        painter.setPen(theme.TEXT)
        rect = QRectF(x + 2, y, inner - 4, LINE_H * MAX_LINES)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
            Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
        used = _metrics().boundingRect(text_rect(width), flags, shown.text).height()
        text = shown.text
        if used > LINE_H * MAX_LINES:  # cut what does not fit, with an ellipsis on the last line
            fitted = painter.fontMetrics().elidedText(text.replace("\n", " "), Qt.TextElideMode.ElideRight,
                                                      int((inner - 12) * MAX_LINES))
            text = fitted
        painter.drawText(rect, flags, text)
    painter.restore()
