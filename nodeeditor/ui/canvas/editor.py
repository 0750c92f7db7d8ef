"""The canvas editor: every edit a person makes on the canvas, and the choice of gesture on a press.

The scene only keeps items in step with the document; this object turns intentions (add a node,
connect two sockets, insert an Iterate, type a value, drag a selection) into commands on the
document's undo stack, and starts the interaction a mouse press asks for. The scene hands it every
mouse event first; each handler says whether it took the event.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QGraphicsItem, QGraphicsProxyWidget, QGraphicsSceneMouseEvent, QMessageBox, QWidget

from nodeeditor.core.graph import link_error
from nodeeditor.core.node import NodeSpec
from nodeeditor.core.registry import Registry
from nodeeditor.core.workflow import Edge, Endpoint, Frame, NodeData

from .. import theme
from . import editors
from .commands import (AddItemsCommand, BypassCommand, CompositeCommand, ConnectCommand, DisconnectCommand,
                       EditValueCommand, MoveCommand, RemoveItemsCommand)
from .frame_item import FrameItem
from .interactions import CutLinksInteraction, Interaction, MoveInteraction, NewLinkInteraction
from .link_item import LinkItem
from .link_rules import PendingLink, iterate_fixes
from .model import Document
from .node_item import NodeItem
from .node_rows import REROUTE, Row
from .scene import CanvasScene

ITERATE = "iterate"


class CanvasEditor(QObject):
    status = Signal(str)
    """Text for the status bar (a refused link's reason, what a drop would connect)."""

    def __init__(self, scene: CanvasScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.document: Document = scene.document
        self.registry: Registry = scene.registry
        self.interaction: Interaction | None = None
        self.snap_to_grid = False
        self.palette_opener: Callable[[QPointF, PendingLink | None], None] | None = None
        self.ask_insert_iterate: Callable[[str], bool] = self._ask_insert_iterate
        self.link_drop_hooks: list[Callable[[QPointF, str, Row], bool]] = []
        """Asked, in turn, about a link let go where no socket is (scene point, node id, its row);
        True: the hook took it (a subgraph's side bar makes it a port)."""
        self._inline: QGraphicsProxyWidget | None = None
        self._front: str | None = None
        """The node pressed last: drawn over the others, so a node dragged onto another stays visible."""
        self._edit_sessions = itertools.count(1)
        scene.handler = self
        self.document.reset.connect(self._reset)
        self.document.nodes_removed.connect(lambda _ids: self.close_editor())

    def _reset(self) -> None:
        self.cancel_interaction()
        self.close_editor()

    def _ask_insert_iterate(self, reason: str) -> bool:
        views = self.scene.views()
        answer = QMessageBox.question(views[0] if views else None, "Insert Iterate?",
                                      f"{reason}.\n\nInsert an Iterate node between them?")
        return answer == QMessageBox.StandardButton.Yes

    # -- edits (each pushes one command) ----------------------------------------------------
    def push(self, command: QUndoCommand) -> None:
        self.document.undo_stack.push(command)

    def show_status(self, text: str) -> None:
        self.status.emit(text)

    def add_node(self, spec: NodeSpec, pos: QPointF) -> str:
        node_id = self.document.new_id(spec.type)
        self.push(AddItemsCommand(self.document, [self._new_node(spec, node_id, pos)], text=f"Add {spec.title}"))
        return node_id

    def _new_node(self, spec: NodeSpec, node_id: str, pos: QPointF) -> NodeData:
        x, y = pos.x(), pos.y()
        if self.snap_to_grid:
            x, y = round(x / theme.GRID) * theme.GRID, round(y / theme.GRID) * theme.GRID
        return NodeData(id=node_id, type=spec.type, position=(x, y), version=spec.version)

    def connect_edge(self, edge: Edge, detached: Edge | None = None) -> bool:
        """Connect, replacing what occupies a single input; refuse with the reason otherwise."""
        if edge in self.scene.link_items:
            return False
        reason = link_error(self.registry, self.document.graph(), edge)
        if reason:
            out = self.scene.node_items[edge.source.node].row(edge.source.field, True)
            inp = self.scene.node_items[edge.destination.node].row(edge.destination.field, False)
            if out and inp and iterate_fixes(out.type, inp.type) and self.registry.get(ITERATE):
                if self.ask_insert_iterate(reason):
                    self.insert_iterate(edge, detached)
                    return True
            self.show_status(f"Cannot connect: {reason}")
            return False
        replaces = self._occupants(edge)
        if detached is not None and detached not in replaces:
            replaces.append(detached)
        self.push(ConnectCommand(self.document, edge, replaces))
        return True

    def _occupants(self, edge: Edge) -> list[Edge]:
        row = self.scene.node_items[edge.destination.node].row(edge.destination.field, False)
        if row is not None and row.spec is not None and row.spec.multi:
            return []
        return self.document.edges_into(edge.destination.node, edge.destination.field)

    def insert_iterate(self, edge: Edge, detached: Edge | None = None) -> str:
        """Source collection -> new Iterate -> destination, as one undo step."""
        src, dst = self.scene.node_items[edge.source.node], self.scene.node_items[edge.destination.node]
        middle = (src.pos() + dst.pos()) / 2
        node_id = self.document.new_id(ITERATE)
        first = Edge(source=edge.source, destination=Endpoint(node=node_id, field="collection"))
        second = Edge(source=Endpoint(node=node_id, field="item"), destination=edge.destination)
        replaces = self._occupants(edge) + ([detached] if detached is not None else [])
        self.push(CompositeCommand("Insert Iterate", [
            AddItemsCommand(self.document, [self._new_node(self.registry.get(ITERATE), node_id, middle)], [first]),
            ConnectCommand(self.document, second, list(dict.fromkeys(replaces))),
        ]))
        return node_id

    def insert_reroute(self, edge: Edge, pos: QPointF) -> str:
        """Split a link with a reroute dot at `pos`, as one undo step."""
        node_id = self.document.new_id(REROUTE)
        node = NodeData(id=node_id, type=REROUTE, position=(pos.x(), pos.y()))
        here = Endpoint(node=node_id, field="value")
        self.push(CompositeCommand("Add reroute", [
            DisconnectCommand(self.document, [edge]),
            AddItemsCommand(self.document, [node], [Edge(source=edge.source, destination=here),
                                                    Edge(source=here, destination=edge.destination)]),
        ]))
        return node_id

    def disconnect(self, edges: list[Edge], text: str = "Disconnect") -> None:
        self.push(DisconnectCommand(self.document, edges, text))

    def request_palette_for_link(self, pos: QPointF, node_id: str, row: Row) -> None:
        if self.palette_opener is not None:
            self.palette_opener(pos, PendingLink(node_id, row))

    def add_node_for(self, spec: NodeSpec, pos: QPointF, pending: PendingLink | None) -> str:
        """Add a node from the palette; with a pending link, connect it in the same undo step."""
        if pending is None:
            return self.add_node(spec, pos)
        field = pending.fits(spec)
        node_id = self.document.new_id(spec.type)
        steps: list[QUndoCommand] = [AddItemsCommand(self.document, [self._new_node(spec, node_id, pos)])]
        if field is not None:
            here = Endpoint(node=node_id, field=field)
            there = Endpoint(node=pending.node_id, field=pending.row.field)
            edge = Edge(source=there, destination=here) if pending.row.output else Edge(source=here, destination=there)
            replaces = [] if pending.row.output else self._occupants(edge)
            steps.append(ConnectCommand(self.document, edge, replaces))
        self.push(CompositeCommand(f"Add {spec.title}", steps))
        return node_id

    def delete_selected(self) -> None:
        scene = self.scene
        nodes, edges, frames = scene.selected_node_ids(), scene.selected_edges(), scene.selected_frame_ids()
        if nodes or edges or frames:
            self.push(RemoveItemsCommand(self.document, nodes, edges, frames))

    def toggle_bypass(self) -> None:
        ids = self.scene.selected_node_ids()
        if ids:
            self.push(BypassCommand(self.document, ids, not all(self.document.node(i).bypassed for i in ids)))

    def frame_selection(self, title: str = "Frame") -> str | None:
        items = [self.scene.node_items[i] for i in self.scene.selected_node_ids()]
        if not items:
            return None
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        rect = rect.adjusted(-20, -40, 20, 20)
        frame = Frame(id=self.document.new_id("frame"), title=title,
                      rect=(rect.x(), rect.y(), rect.width(), rect.height()))
        self.push(AddItemsCommand(self.document, [], frames=[frame], text="Add frame"))
        return frame.id

    def commit_moves(self, items: list[QGraphicsItem], start: dict[int, QPointF]) -> None:
        nodes: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        frames: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {}
        for item in items:
            if self.snap_to_grid:
                x, y = round(item.pos().x() / theme.GRID) * theme.GRID, round(item.pos().y() / theme.GRID) * theme.GRID
                item.move_to(x, y) if isinstance(item, NodeItem) else item.setPos(x, y)
            old, new = start[id(item)], item.pos()
            if old == new:
                continue
            if isinstance(item, NodeItem) and item.node_id in self.scene.node_items:
                nodes[item.node_id] = ((old.x(), old.y()), (new.x(), new.y()))
            elif isinstance(item, FrameItem):
                _x, _y, w, h = item.frame.rect
                frames[item.frame_id] = ((old.x(), old.y(), w, h), (new.x(), new.y(), w, h))
        if nodes or frames:
            self.push(MoveCommand(self.document, nodes, frames))

    # -- inline editing ---------------------------------------------------------------------
    def start_edit(self, item: NodeItem, row: Row) -> None:
        """Bool toggles on click, colour and file open a dialog, the rest get a widget over the row."""
        self.close_editor()
        node = self.document.node(item.node_id)
        value = node.inputs.get(row.field, row.spec.default)
        session = next(self._edit_sessions)

        def commit(new: Any) -> None:
            if item.node_id in self.scene.node_items:
                self.push(EditValueCommand(self.document, item.node_id, row.field, new, session))

        views = self.scene.views()
        parent = views[0] if views else None
        if row.editor == "bool":
            commit(not value)
            return
        if row.editor == "color":
            chosen = editors.pick_color(value, parent)
            if chosen is not None:
                commit(chosen)
            return
        if row.editor == "file":
            path = editors.pick_file(row.spec, value, parent)
            if path is not None:
                commit(path)
            return
        widget = editors.open_editor(row.editor, row.spec, value, commit,
                                     lambda: QTimer.singleShot(0, self.close_editor))
        if widget is None:
            return
        self._show_editor(item, row, widget)

    def _show_editor(self, item: NodeItem, row: Row, widget: QWidget) -> None:
        rect = item.value_rect(row)
        height = rect.height() * (4 if row.editor == "multiline" else 1) + 4
        widget.setFixedSize(int(rect.width()), int(height))
        self._inline = self.scene.addWidget(widget)
        self._inline.setZValue(20)
        self._inline.setPos(item.mapToScene(rect.topLeft()) - QPointF(0, 2))
        widget.setFocus(Qt.FocusReason.MouseFocusReason)

    def close_editor(self) -> None:
        if self._inline is not None:
            proxy, self._inline = self._inline, None
            self.scene.removeItem(proxy)
            proxy.deleteLater()

    @property
    def inline_editor(self) -> QGraphicsProxyWidget | None:
        """The value editor open over a node's row, if any."""
        return self._inline

    # -- gestures: the scene hands every mouse event here first ------------------------------
    def cancel_interaction(self) -> None:
        if self.interaction is not None:
            self.interaction.cancel()
            self.interaction = None

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Start the gesture the press asks for; False leaves the event to Qt (widgets, other buttons)."""
        scene = self.scene
        if self._inline is not None and self._inline.contains(self._inline.mapFromScene(event.scenePos())):
            return False
        self.close_editor()
        if self.interaction is not None:
            return True
        pos = event.scenePos()
        mods = event.modifiers()
        if event.button() == Qt.MouseButton.RightButton and mods & Qt.KeyboardModifier.ControlModifier:
            self.interaction = CutLinksInteraction(self, pos)
            event.accept()
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        hit = scene.socket_at(pos)
        if hit is not None:
            self.interaction = NewLinkInteraction(self, hit[0], hit[1], pos)
            event.accept()
            return True
        node = scene.node_item_at(pos)
        if node is not None:
            row = node.editable_row_at(pos)
            if row is not None:
                self.start_edit(node, row)
                event.accept()
                return True
        if mods & Qt.KeyboardModifier.ShiftModifier:
            target = scene.itemAt(pos, scene.view_transform())
            if target is not None and target.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
                target.setSelected(True)
                event.accept()
                return True
        scene.default_press(event)  # Qt selects what was clicked; unaccepted on empty canvas: a rubber band
        grabber = scene.mouseGrabberItem()
        if isinstance(grabber, NodeItem):
            self._bring_to_front(grabber)
        if isinstance(grabber, (NodeItem, FrameItem)):
            self.interaction = MoveInteraction(self, self._moving_items(), pos)
        return True

    def _bring_to_front(self, item: NodeItem) -> None:
        """One node at a time stands above the rest (a z of 1 against 0): raising every selected
        node would touch thousands of items on Select All."""
        if self._front == item.node_id:
            return
        previous = self.scene.node_items.get(self._front) if self._front is not None else None
        if previous is not None:
            previous.setZValue(0.0)
        item.setZValue(1.0)
        self._front = item.node_id

    def _moving_items(self) -> list[QGraphicsItem]:
        """The selected nodes and frames, and the nodes inside those frames (found by the index)."""
        scene = self.scene
        moving: list[QGraphicsItem] = [i for i in scene.selectedItems() if isinstance(i, (NodeItem, FrameItem))]
        for frame in [i for i in moving if isinstance(i, FrameItem)]:
            moving += [n for n in scene.items(frame.sceneBoundingRect(), Qt.ItemSelectionMode.ContainsItemBoundingRect)
                       if isinstance(n, NodeItem)]
        return list(dict.fromkeys(moving))

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        return self.interaction is not None and self.interaction.move(event)

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        interaction, self.interaction = self.interaction, None
        return interaction is not None and interaction.release(event)

    def mouse_double_click(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        item = self.scene.itemAt(event.scenePos(), self.scene.view_transform())
        if item is None and self.palette_opener is not None:
            self.palette_opener(event.scenePos(), None)
            return True
        if isinstance(item, LinkItem) and self.registry.get(REROUTE):
            self.insert_reroute(item.edge, event.scenePos())
            return True
        return False
