"""A workflow file carries its batch: Batch JSON in `meta["batch"]`, editor settings in `meta["batch_editors"]`.

`meta["batch"]` is exactly the Batch JSON of the design (the file `nodeeditor enqueue --batch`
reads), so a saved workflow can be enqueued headless with the batch a person built in the GUI.
`meta["batch_editors"]` is optional and only for the GUI: {"node.field": {"editor": "range",
"start": 1, ...}}, so a seeds or range axis reopens as that editor instead of a list of numbers.
"""

from __future__ import annotations

from typing import Any

from .batch import Batch, parse_batch
from .errors import LocatedError, WorkflowError
from .workflow import Workflow

BATCH_KEY = "batch"
EDITORS_KEY = "batch_editors"


def is_empty(batch: Batch) -> bool:
    """A batch with no axes and one run is what running the workflow once means."""
    return not batch.data and batch.runs == 1


def store_batch_in(workflow: Workflow, batch: Batch, editors: dict[str, dict[str, Any]] | None = None) -> None:
    """Put `batch` (and the GUI's editor settings) into `workflow.meta`; an empty batch removes both."""
    if is_empty(batch):
        workflow.meta.pop(BATCH_KEY, None)
        workflow.meta.pop(EDITORS_KEY, None)
        return
    workflow.meta[BATCH_KEY] = batch.model_dump(mode="json")
    if editors:
        workflow.meta[EDITORS_KEY] = editors
    else:
        workflow.meta.pop(EDITORS_KEY, None)


def batch_from_workflow(workflow: Workflow, *, file: str | None = None) -> Batch | None:
    """The batch saved with `workflow`, or None; a damaged one raises WorkflowError naming meta.batch."""
    data = workflow.meta.get(BATCH_KEY)
    if data is None:
        return None
    try:
        return parse_batch(data, file=file)
    except LocatedError as exc:
        where = f"meta.{BATCH_KEY}" + (f".{exc.field}" if exc.field else "")
        raise WorkflowError(exc.message, file=file, field=where) from None


def editors_from_workflow(workflow: Workflow) -> dict[str, dict[str, Any]]:
    """Editor settings saved with the batch; anything malformed reads as none."""
    editors = workflow.meta.get(EDITORS_KEY)
    if not isinstance(editors, dict):
        return {}
    return {key: value for key, value in editors.items() if isinstance(key, str) and isinstance(value, dict)}
