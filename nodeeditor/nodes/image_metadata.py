"""The workflow and field values a saved PNG carries, so a dropped PNG restores its graph.

Chunks (PNG iTXt, UTF-8 JSON): "nodeeditor_workflow" is the workflow JSON of the session,
"nodeeditor_values" the session's batch values ("node.field" -> value), "nodeeditor_node" the id
of the node that saved the image. Reading never executes anything; damaged chunks read as absent.
"""

from __future__ import annotations

import json
import os
from typing import Any

from PIL import Image

from nodeeditor.core import safe_json

WORKFLOW_KEY = "nodeeditor_workflow"
VALUES_KEY = "nodeeditor_values"
NODE_KEY = "nodeeditor_node"


def workflow_chunks(workflow: dict[str, Any], values: dict[str, Any], node_id: str) -> dict[str, str]:
    """The text chunks save_image writes."""
    return {
        WORKFLOW_KEY: json.dumps(workflow, separators=(",", ":"), ensure_ascii=False),
        VALUES_KEY: json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=_jsonable),
        NODE_KEY: node_id,
        "Software": "nodeeditor",
    }


def _jsonable(value: Any) -> Any:
    """Field values may be references (ImageField, ...): store them as their JSON form."""
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else str(value)


def _json_chunk(text: dict[str, Any], key: str) -> Any:
    raw = text.get(key)
    if not isinstance(raw, str):
        return None
    try:
        return safe_json.loads(raw)
    except ValueError:  # not JSON, or hostile (deep, NaN, huge integers, lone surrogates)
        return None


def read_png_workflow(path: str | os.PathLike[str]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(workflow dict or None, field values) embedded in a PNG; (None, {}) for any other file."""
    try:
        with Image.open(path) as image:
            text = dict(getattr(image, "text", None) or {})
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, {}
    workflow = _json_chunk(text, WORKFLOW_KEY)
    values = _json_chunk(text, VALUES_KEY)
    return (workflow if isinstance(workflow, dict) else None,
            values if isinstance(values, dict) else {})
