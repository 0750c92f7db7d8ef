"""Seeds that move: an integer input named `seed` can change after each Invoke — stay fixed,
go up by one, or take a random value (ComfyUI's "control after generate").

The choice is part of the workflow, in `meta["seed_control"]` ({"node.field": "increment" |
"randomize"}; fixed is the absence of an entry), set through the node's context menu as an undo
step. After each Invoke the new values are one undo step too.
"""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtGui import QActionGroup, QUndoCommand

from nodeeditor.core.node import InputSpec
from nodeeditor.core.types import Kind

from .canvas.commands import CompositeCommand, EditValueCommand
from .canvas.model import UNSET, Document

KEY = "seed_control"
FIXED, INCREMENT, RANDOMIZE = "fixed", "increment", "randomize"
MODES = ((FIXED, "Fixed"), (INCREMENT, "Increment"), (RANDOMIZE, "Randomize"))
SEED_HIGH = 2**32 - 1


def is_seed(inp: InputSpec | None) -> bool:
    return inp is not None and inp.name == "seed" and inp.type.kind == Kind.INTEGER


def modes(doc: Document) -> dict[str, str]:
    value = doc.workflow.meta.get(KEY)
    return {k: v for k, v in value.items() if v in (INCREMENT, RANDOMIZE)} if isinstance(value, dict) else {}


class SeedModeCommand(QUndoCommand):
    def __init__(self, doc: Document, key: str, mode: str) -> None:
        super().__init__("Seed after each run")
        self.doc, self.before = doc, modes(doc)
        self.after = {k: v for k, v in self.before.items() if k != key} | ({key: mode} if mode != FIXED else {})

    def redo(self) -> None:
        self.doc.set_meta({KEY: self.after or UNSET})

    def undo(self) -> None:
        self.doc.set_meta({KEY: self.before or UNSET})


def _bounds(inp: InputSpec) -> tuple[int, int]:
    c = inp.constraints
    low = int(c.get("ge", c["gt"] + 1 if "gt" in c else 0))
    high = int(c.get("le", c["lt"] - 1 if "lt" in c else SEED_HIGH))
    return low, min(high, max(low, SEED_HIGH) if "le" not in c and "lt" not in c else high)


def next_value(mode: str, value: int, inp: InputSpec, rng: random.Random) -> int:
    low, high = _bounds(inp)
    if mode == INCREMENT:
        return value + 1 if value < high else low
    return rng.randint(low, high)


def add_menu(menu: Any, doc: Document, node_id: str, inp: InputSpec) -> None:
    """"After each run: Fixed / Increment / Randomize" for a seed input."""
    sub = menu.addMenu("Seed after each run")
    group = QActionGroup(sub)
    key = f"{node_id}.{inp.name}"
    current = modes(doc).get(key, FIXED)
    for mode, title in MODES:
        action = sub.addAction(title)
        action.setCheckable(True)
        action.setChecked(mode == current)
        group.addAction(action)
        action.triggered.connect(lambda _=False, m=mode: doc.undo_stack.push(SeedModeCommand(doc, key, m)))


def after_run(doc: Document, registry: Any, rng: random.Random | None = None) -> None:
    """Move every controlled seed that is typed on its node (a linked one gets its value elsewhere)."""
    rng = rng or random.Random()
    steps: list[QUndoCommand] = []
    for key, mode in modes(doc).items():
        node_id, _, field = key.rpartition(".")
        if not doc.has_node(node_id) or doc.edges_into(node_id, field):
            continue
        spec = registry.get(doc.node(node_id).type)
        inp = spec.inputs.get(field) if spec is not None else None
        if not is_seed(inp):
            continue
        value = doc.node(node_id).inputs.get(field, inp.default)
        steps.append(EditValueCommand(doc, node_id, field, next_value(mode, int(value or 0), inp, rng)))
    if steps:
        doc.undo_stack.push(CompositeCommand("Seeds after run", steps))
