"""Batch edits are document edits: each one is an undo step that swaps the batch kept in meta.

The panel has already changed when the command is pushed, so its first redo only records; undo
and later redos hand the entries to `apply`, which puts them into meta and shows them in the panel. Edits that
follow each other within MERGE_S (typing items, spinning a count) merge into one step.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtGui import QUndoCommand

from nodeeditor.core.batch_meta import BATCH_KEY, EDITORS_KEY
from nodeeditor.core.workflow import Workflow

from ..canvas.model import UNSET, Document

BATCH_EDIT_ID = 2001
MERGE_S = 1.0
KEYS = (BATCH_KEY, EDITORS_KEY)


def batch_meta(workflow: Workflow) -> dict[str, Any]:
    """The batch entries of a workflow's meta (UNSET for an absent one)."""
    return {key: workflow.meta.get(key, UNSET) for key in KEYS}


class BatchEditCommand(QUndoCommand):
    def __init__(self, doc: Document, before: dict[str, Any], after: dict[str, Any],
                 apply: Callable[[dict[str, Any]], None], text: str = "Edit batch") -> None:
        super().__init__(text)
        self.doc, self.before, self.after, self.apply = doc, before, after, apply
        self.at = time.monotonic()
        self._first = True

    def id(self) -> int:
        return BATCH_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, BatchEditCommand) or other.at - self.at > MERGE_S:
            return False
        self.after, self.at = other.after, other.at
        return True

    def redo(self) -> None:
        if self._first:
            self.doc.set_meta(self.after)
            self._first = False
        else:
            self.apply(self.after)

    def undo(self) -> None:
        self.apply(self.before)
