"""The node palette: fuzzy search over title, type, category and tags, driven from the keyboard.

Opened by Tab, a double-click on empty canvas, Add Node in the context menu, or a link dropped
on empty canvas (then only nodes that can take or feed that link are listed).
"""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (QFrame, QLineEdit, QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QVBoxLayout, QWidget)

from nodeeditor.core.node import NodeSpec

SPEC_ROLE = Qt.ItemDataRole.UserRole
HEADER_TEXT = QColor("#1e3a8a")
HEADER_BACK = QColor("#e5e9f2")
DESCRIPTION_TEXT = QColor("#6b7280")
DESCRIPTION_TEXT_SELECTED = QColor("#dbe4ff")


class SpecDelegate(QStyledItemDelegate):
    """Paints a node's title, then its description in a dimmer colour in the room that is left."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        spec = index.data(SPEC_ROLE)
        if spec is None or not spec.description:
            super().paint(painter, option, index)
            return
        super().paint(painter, option, index)
        title_w = option.fontMetrics.horizontalAdvance(index.data(Qt.ItemDataRole.DisplayRole)) + 24
        rect = QRect(option.rect.left() + title_w, option.rect.top(), option.rect.width() - title_w - 6,
                     option.rect.height())
        if rect.width() < 30:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(DESCRIPTION_TEXT_SELECTED if selected else DESCRIPTION_TEXT)
        text = option.fontMetrics.elidedText(description_line(spec), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        painter.restore()


def description_line(spec: NodeSpec) -> str:
    """The first line of a node's description, as shown beside its title in the palette."""
    return spec.description.strip().splitlines()[0] if spec.description.strip() else ""


def _subsequence(query: str, text: str) -> float:
    """Score of `query` as a subsequence of `text`: prefix > word start > substring > scattered."""
    if not query:
        return 1.0
    if text.startswith(query):
        return 100.0 - len(text) * 0.1
    at = text.find(query)
    if at >= 0:
        boundary = at == 0 or not text[at - 1].isalnum()
        return (80.0 if boundary else 60.0) - at * 0.5
    score, pos, gaps = 0.0, 0, 0
    for ch in query:
        found = text.find(ch, pos)
        if found < 0:
            return 0.0
        gaps += found - pos
        pos = found + 1
        score += 1
    return max(1.0, 30.0 - gaps)


def fuzzy_score(query: str, spec: NodeSpec) -> float:
    """0 when some word of the query matches nothing; title hits weigh most, tags least."""
    words = query.lower().split()
    fields = [(spec.title.lower(), 1.0), (spec.type, 0.9), (spec.category.lower(), 0.5)]
    fields += [(tag.lower(), 0.6) for tag in spec.tags]
    total = 0.0
    for word in words:
        best = max(_subsequence(word, text) * weight for text, weight in fields)
        if best <= 0:
            return 0.0
        total += best
    return total


def search(specs: Iterable[NodeSpec], query: str) -> list[NodeSpec]:
    scored = [(fuzzy_score(query, s), s) for s in specs]
    return [s for score, s in sorted(scored, key=lambda p: (-p[0], p[1].title)) if score > 0]


class NodePalette(QFrame):
    """A floating search box with a list; `chosen` carries the picked NodeSpec."""

    chosen = Signal(object)

    def __init__(self, specs: Iterable[NodeSpec], parent: QWidget | None = None,
                 accepts: Callable[[NodeSpec], bool] | None = None) -> None:
        super().__init__(parent)
        self.specs = [s for s in specs if accepts is None or accepts(s)]
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("NodePalette")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet("#NodePalette { background: #26282c; border: 1px solid #555; border-radius: 4px; }")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search nodes…" if accepts is None else "Nodes that fit this link…")
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setItemDelegate(SpecDelegate(self.list))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(460, 380)
        self.search.textChanged.connect(self.refill)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        self.refill("")

    def refill(self, query: str) -> None:
        self.list.clear()
        if query.strip():
            for spec in search(self.specs, query):
                self._add_spec(spec, spec.title)
        else:
            by_category: dict[str, list[NodeSpec]] = {}
            for spec in self.specs:
                by_category.setdefault(spec.category, []).append(spec)
            for category in sorted(by_category):
                header = QListWidgetItem(category.upper())
                bold = QFont()
                bold.setBold(True)
                header.setFont(bold)
                header.setForeground(QBrush(HEADER_TEXT))  # not the washed-out grey of a disabled item
                header.setBackground(QBrush(HEADER_BACK))
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                self.list.addItem(header)
                for spec in sorted(by_category[category], key=lambda s: s.title):
                    self._add_spec(spec, "   " + spec.title)
        self._step(0)

    def _add_spec(self, spec: NodeSpec, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(SPEC_ROLE, spec)
        item.setToolTip(f"{spec.type} · {spec.category}\n{spec.description}")
        self.list.addItem(item)

    def visible_titles(self) -> list[str]:
        return [self.list.item(i).data(SPEC_ROLE).title for i in range(self.list.count())
                if self.list.item(i).data(SPEC_ROLE) is not None]

    def _step(self, delta: int) -> None:
        """Move the current row by `delta`, skipping category headers (0: first selectable)."""
        count = self.list.count()
        row = self.list.currentRow() if delta else -1
        step = delta or 1
        for _ in range(count):
            row += step
            if not 0 <= row < count:
                return
            if self.list.item(row).data(SPEC_ROLE) is not None:
                self.list.setCurrentRow(row)
                return

    def _activate(self, item: QListWidgetItem | None) -> None:
        spec = item.data(SPEC_ROLE) if item is not None else None
        if spec is not None:
            self.chosen.emit(spec)
            self.close()

    def open_at(self, x: int, y: int) -> None:
        parent = self.parentWidget()
        if parent is not None:
            x = max(0, min(x, parent.width() - self.width()))
            y = max(0, min(y, parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.search.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._step(1)
                return True
            if key == Qt.Key.Key_Up:
                self._step(-1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activate(self.list.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        if obj is self.search and event.type() == QEvent.Type.FocusOut and not self.list.underMouse():
            self.close()
        return super().eventFilter(obj, event)
