"""The subgraph library: `<data dir>/subgraphs/NAME.json`, one reusable subgraph per file.

A library file is an ordinary workflow file (version 2, read with the same validation, never
executed) holding one subgraph node and every definition it uses. Inserting one embeds its
definitions in the open workflow, so a workflow stays self-contained. Each embedded definition
remembers the entry's name and save time in its `meta`; when the library's copy is newer, the
canvas offers "Update to library version".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import WorkflowError
from .workflow import SUBGRAPH, NodeData, SubgraphDef, Workflow, load_workflow, save_workflow

FOLDER = "subgraphs"


def library_dir(home: Path) -> Path:
    return Path(home) / FOLDER


@dataclass
class LibraryEntry:
    name: str
    path: Path
    workflow: Workflow
    definition_id: str
    saved_at: str

    @property
    def definition(self) -> SubgraphDef:
        return self.workflow.subgraphs[self.definition_id]


def _closure(subgraphs: dict[str, SubgraphDef], def_id: str) -> dict[str, SubgraphDef]:
    """The definition and every definition it uses, at any depth."""
    found: dict[str, SubgraphDef] = {}
    stack = [def_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found[current] = subgraphs[current]
        stack.extend(n.subgraph for n in subgraphs[current].nodes if n.subgraph is not None)
    return found


def file_name(name: str) -> str:
    return (re.sub(r"[^\w\- ]+", "_", name).strip(" ._") or "subgraph") + ".json"


def stamp(definition: SubgraphDef, name: str, saved_at: str) -> SubgraphDef:
    """The definition marked as the library entry `name` saved at `saved_at`."""
    return definition.model_copy(deep=True, update={
        "name": name, "meta": {**definition.meta, "library": name, "saved_at": saved_at}})


def save_to_library(home: Path, root: Workflow, def_id: str, name: str) -> LibraryEntry:
    """Write the definition `def_id` of `root` (with what it uses) as the library entry `name`."""
    saved_at = datetime.now(timezone.utc).isoformat()
    defs = _closure(root.subgraphs, def_id)
    defs[def_id] = stamp(defs[def_id], name, saved_at)
    workflow = Workflow(name=name, nodes=[NodeData(id="subgraph", type=SUBGRAPH, subgraph=def_id)],
                        subgraphs=defs, meta={"library": {"name": name, "saved_at": saved_at}})
    path = library_dir(home) / file_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workflow(workflow, path)
    return LibraryEntry(name, path, workflow, def_id, saved_at)


def read_entry(path: Path) -> LibraryEntry:
    """One library file, checked like a workflow; WorkflowError when it is not a library entry."""
    workflow = load_workflow(path)
    info = workflow.meta.get("library")
    groups = [n.subgraph for n in workflow.nodes if n.subgraph is not None]
    if not isinstance(info, dict) or len(groups) != 1 or not isinstance(info.get("name"), str):
        raise WorkflowError("not a library subgraph (one subgraph node and meta.library expected)", file=str(path))
    return LibraryEntry(info["name"], path, workflow, groups[0], str(info.get("saved_at", "")))


def load_library(home: Path) -> tuple[list[LibraryEntry], list[WorkflowError]]:
    """Every readable entry by name, and why the others were skipped."""
    entries, errors = [], []
    folder = library_dir(home)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            entries.append(read_entry(path))
        except WorkflowError as exc:
            errors.append(exc)
    return sorted(entries, key=lambda e: e.name.lower()), errors


def embed(existing: dict[str, SubgraphDef], entry: LibraryEntry,
          keep: str | None = None) -> tuple[str, dict[str, SubgraphDef]]:
    """The entry's definitions with ids that do not clash with `existing` (the entry's own
    definition takes the id `keep` when given: an update in place); returns its id and them all."""
    defs = _closure(entry.workflow.subgraphs, entry.definition_id)
    taken = set(existing)
    ids: dict[str, str] = {}
    for old in defs:
        if old == entry.definition_id and keep is not None:
            ids[old] = keep
            continue
        new, n = old, 1
        while new in taken or new in ids.values():
            n += 1
            new = f"{old}_{n}"
        ids[old] = new
        taken.add(new)
    renamed = {}
    for old, definition in defs.items():
        nodes = [n.model_copy(update={"subgraph": ids[n.subgraph]}) if n.subgraph else n for n in definition.nodes]
        renamed[ids[old]] = definition.model_copy(deep=True, update={"nodes": nodes})
    return ids[entry.definition_id], renamed


def newer_in_library(definition: SubgraphDef, entries: list[LibraryEntry]) -> LibraryEntry | None:
    """The library entry this definition came from, when the library holds a newer copy."""
    name = definition.meta.get("library")
    for entry in entries:
        if entry.name == name and entry.saved_at > str(definition.meta.get("saved_at", "")):
            return entry
    return None
