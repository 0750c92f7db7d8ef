"""Ports of a subgraph: inside, expose an inner input or output as a port, add a target to an input
port, rename or remove one (from the side bars or the node menus); outside, rename a port. Each is
one undo step that also moves (or drops) the links and typed values of every node using the
definition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMenu

from nodeeditor.core.ports import node_spec, port_conflicts
from nodeeditor.core.subgraph_edit import replace_ports
from nodeeditor.core.workflow import Endpoint, InputPort, OutputPort

from .subgraph_commands import ReplaceRootCommand

if TYPE_CHECKING:
    from nodeeditor.ui.main_window import MainWindow


def _free(name: str, taken: set[str]) -> str:
    n, candidate = 1, name
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


class SubgraphPorts(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        window.canvas.node_menu_hooks.append(self._node_menu)

    def _change(self, def_id: str, inputs: list[InputPort], outputs: list[OutputPort], text: str,
                renamed: dict[str, str] | None = None) -> None:
        after = replace_ports(self.doc.root, def_id, inputs, outputs, renamed)
        self.window.editor.push(ReplaceRootCommand(self.doc, after, text))

    def expose_input(self, node_id: str, field: str) -> str:
        def_id, definition = self.doc.definition_id(), self.doc.definition()
        name = _free(field, {p.name for p in definition.inputs})
        port = InputPort(name=name, targets=[Endpoint(node=node_id, field=field)])
        self._change(def_id, [*definition.inputs, port], list(definition.outputs), f"Add input {name}")
        return name

    def expose_output(self, node_id: str, field: str) -> str:
        def_id, definition = self.doc.definition_id(), self.doc.definition()
        name = _free(field, {p.name for p in definition.outputs})
        port = OutputPort(name=name, source=Endpoint(node=node_id, field=field))
        self._change(def_id, list(definition.inputs), [*definition.outputs, port], f"Add output {name}")
        return name

    def remove_port(self, name: str, output: bool) -> None:
        def_id, definition = self.doc.definition_id(), self.doc.definition()
        inputs = [p for p in definition.inputs if output or p.name != name]
        outputs = [p for p in definition.outputs if not output or p.name != name]
        self._change(def_id, inputs, outputs, f"Remove port {name}")

    def add_target(self, name: str, node_id: str, field: str) -> bool:
        """One more inner input fed by input port `name`; refused when its type is not the port's."""
        def_id, definition = self.doc.definition_id(), self.doc.definition()
        inputs = [p.model_copy(update={"targets": [*p.targets, Endpoint(node=node_id, field=field)]})
                  if p.name == name else p for p in definition.inputs]
        after = replace_ports(self.doc.root, def_id, inputs, list(definition.outputs))
        problems = port_conflicts(after, def_id, self.window.registry)
        if problems:
            self.window.statusBar().showMessage(f"Not added: {problems[0]}", 8000)
            return False
        self.window.editor.push(ReplaceRootCommand(self.doc, after, f"Feed {node_id}.{field} from {name}"))
        return True

    def rename_port(self, node_id: str, old: str, new: str, output: bool) -> bool:
        """Rename a port of subgraph node `node_id` (from outside)."""
        return self.rename(self.doc.node(node_id).subgraph, old, new, output)

    def rename(self, def_id: str, old: str, new: str, output: bool) -> bool:
        definition = self.doc.root.subgraphs[def_id]
        ports = definition.outputs if output else definition.inputs
        if not new or new in {p.name for p in ports}:
            self.window.statusBar().showMessage(f"A port is already called {new!r}" if new else
                                                "A port needs a name", 5000)
            return False
        renamed = [p.model_copy(update={"name": new}) if p.name == old else p for p in ports]
        inputs, outputs = (definition.inputs, renamed) if output else (renamed, definition.outputs)
        self._change(def_id, list(inputs), list(outputs), f"Rename port {old}", {old: new})
        return True

    def _ask_rename(self, node_id: str, old: str, output: bool) -> None:
        new, ok = QInputDialog.getText(self.window, "Rename port", "Name:", text=old)
        if ok and new.strip() and new.strip() != old:
            self.rename_port(node_id, old, new.strip(), output)

    def _node_menu(self, menu: QMenu, node_id: str, field: str | None) -> None:
        node = self.doc.node(node_id)
        if node.subgraph is not None:
            definition = self.doc.root.subgraphs[node.subgraph]
            rename = menu.addMenu("Rename Port")
            for port, output in [*((p, False) for p in definition.inputs), *((p, True) for p in definition.outputs)]:
                rename.addAction(f"{'output' if output else 'input'} {port.name}…",
                                 lambda p=port.name, o=output: self._ask_rename(node_id, p, o))
        definition = self.doc.definition()
        if definition is None:
            return
        if field is not None:
            target = next((p.name for p in definition.inputs
                           if any((t.node, t.field) == (node_id, field) for t in p.targets)), None)
            if target is None:
                menu.addAction(f"Expose “{field}” as Subgraph Input", lambda: self.expose_input(node_id, field))
            else:
                menu.addAction(f"Remove Subgraph Input “{target}”", lambda: self.remove_port(target, False))
        spec = node_spec(self.doc.workflow, node, self.window.registry)
        for out in spec.outputs.values() if spec is not None else ():
            exposed = next((p.name for p in definition.outputs
                            if (p.source.node, p.source.field) == (node_id, out.name)), None)
            if exposed is None:
                menu.addAction(f"Expose output “{out.name}”", lambda o=out.name: self.expose_output(node_id, o))
            else:
                menu.addAction(f"Remove Subgraph Output “{exposed}”", lambda p=exposed: self.remove_port(p, True))
