"""Workflows to start from, shipped in `resources/templates/`: File → New from Template lists them.

A template is a plain workflow file (its batch, if any, in `meta.batch`; a line for the menu in
`meta.description`). A file it uses sits beside it and is named relative to the template folder,
so `nodeeditor run` works from that folder and the app makes such paths absolute on opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nodeeditor.core.workflow import Workflow, load_workflow

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "resources" / "templates"


@dataclass(frozen=True)
class Template:
    path: Path
    name: str
    description: str


def list_templates(folder: Path = TEMPLATES_DIR) -> list[Template]:
    """Every template in `folder`, in file-name order (the numbers in the names set it)."""
    found = []
    for path in sorted(Path(folder).glob("*.json")):
        workflow = load_workflow(path)
        description = workflow.meta.get("description")
        found.append(Template(path, workflow.name or path.stem, description if isinstance(description, str) else ""))
    return found


def load_template(path: Path) -> Workflow:
    """The template's workflow, with inputs that name a file beside it made absolute."""
    workflow = load_workflow(path)
    folder = Path(path).resolve().parent
    for node in workflow.nodes:
        for field, value in list(node.inputs.items()):
            if isinstance(value, str) and value and not Path(value).is_absolute() and "\n" not in value \
                    and len(value) < 255 and (folder / value).is_file():
                node.inputs[field] = str(folder / value)
    return workflow
