"""Node versions: upgrade steps a node type declares, applied to workflows saved by older versions.

A node type names its semantic version in `@node(version=...)`. When a later major version renames,
drops or adds inputs, it declares `Upgrade("1.x", rename={...}, drop=(...), defaults={...})` so a
workflow saved with 1.x still opens: its values and links move to the new names. A workflow that
names a newer major version than the one installed is left as it is and reported, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import NodeDefinitionError

if TYPE_CHECKING:
    from .registry import Registry
    from .workflow import Edge, NodeData, Workflow

FROM_MAJOR = re.compile(r"^(0|[1-9]\d*)\.x$")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a semantic version, or None when `text` is not one."""
    match = re.match(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", text or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


@dataclass(frozen=True)
class Upgrade:
    """How inputs saved by the major version `from_version` ("1.x") become the next one's."""

    from_version: str
    rename: Mapping[str, str] = field(default_factory=dict)
    """Old input name -> new input name; typed values and links follow."""
    drop: tuple[str, ...] = ()
    """Inputs that no longer exist; their values and links are removed."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Values for new inputs, written where the old workflow had none."""

    @property
    def major(self) -> int:
        return int(self.from_version.split(".")[0])

    def apply(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = {self.rename.get(k, k): v for k, v in inputs.items() if k not in self.drop}
        for name, value in self.defaults.items():
            out.setdefault(name, value)
        return out

    def field_name(self, name: str) -> str | None:
        """Where a link into `name` goes after this step (None: dropped)."""
        return None if name in self.drop else self.rename.get(name, name)


def check_upgrades(where: str, version: str, upgrades: Iterable[Upgrade]) -> tuple[Upgrade, ...]:
    """Steps sorted by the major they start from; each must be older than `version`."""
    steps = tuple(sorted(upgrades, key=lambda u: FROM_MAJOR.match(u.from_version) and u.major or 0))
    current = parse_version(version)
    seen: set[int] = set()
    for step in steps:
        if not isinstance(step, Upgrade) or not FROM_MAJOR.match(step.from_version):
            raise NodeDefinitionError(f"{where}: upgrade steps are Upgrade('MAJOR.x', ...), got {step!r}")
        if current is None or step.major >= current[0]:
            raise NodeDefinitionError(f"{where}: upgrade from {step.from_version} is not older than {version}")
        if step.major in seen:
            raise NodeDefinitionError(f"{where}: two upgrade steps from {step.from_version}")
        seen.add(step.major)
    return steps


@dataclass(frozen=True)
class UpgradedNode:
    """A node a workflow named with an older version, now at the installed one."""

    node: str
    type: str
    from_version: str
    to_version: str

    def __str__(self) -> str:
        return f"{self.node} ({self.type} {self.from_version} → {self.to_version})"


def newer_major(saved: str | None, installed: str) -> bool:
    """Whether a workflow names a major version this installation does not know yet."""
    old, new = parse_version(saved or ""), parse_version(installed)
    return old is not None and new is not None and old[0] > new[0]


def needs_upgrade(nodes: Iterable["NodeData"], registry: "Registry") -> bool:
    """Whether a node names an older version than the installed one, or a newer major (to report)."""
    for node in nodes:
        if node.version is None:
            continue
        spec = registry.get(node.type)
        if spec is not None and node.version != spec.version:
            saved, installed = parse_version(node.version), parse_version(spec.version)
            if saved is None or installed is None or saved < installed or saved[0] > installed[0]:
                return True
    return False


def _renamed(moved: dict[str, list[Upgrade]], node: str, name: str) -> str | None:
    """Where a link or port aimed at `node.name` points after the node's upgrade steps."""
    for step in moved.get(node, ()):
        if name is None:
            return None
        name = step.field_name(name)
    return name


def _upgrade_nodes(nodes: list["NodeData"], registry: "Registry", prefix: str,
                   notes: list[UpgradedNode]) -> tuple[list["NodeData"], dict[str, list[Upgrade]]]:
    new_nodes: list[NodeData] = []
    moved: dict[str, list[Upgrade]] = {}
    for node in nodes:
        spec = registry.get(node.type)
        saved = parse_version(node.version or "")
        if spec is None or saved is None or saved >= parse_version(spec.version) or spec.version == node.version:
            new_nodes.append(node)  # current, newer (a newer major is reported, not guessed at), or unversioned
        else:
            steps = [s for s in spec.upgrades if s.major >= saved[0]]
            inputs = dict(node.inputs)
            for step in steps:
                inputs = step.apply(inputs)
            moved[node.id] = steps
            new_nodes.append(node.model_copy(update={"inputs": inputs, "version": spec.version}))
            notes.append(UpgradedNode(prefix + node.id, node.type, node.version, spec.version))
    return new_nodes, moved


def _moved_edges(edges: list["Edge"], moved: dict[str, list[Upgrade]]) -> list["Edge"]:
    from .workflow import Edge, Endpoint

    kept: list[Edge] = []
    for edge in edges:
        name = _renamed(moved, edge.destination.node, edge.destination.field)
        if name is None:
            continue
        if name != edge.destination.field:
            edge = Edge(source=edge.source, destination=Endpoint(node=edge.destination.node, field=name))
        kept.append(edge)
    return kept


def upgrade_workflow(workflow: "Workflow", registry: "Registry") -> tuple["Workflow", list[UpgradedNode]]:
    """The workflow with every node that names an older version at its installed one, and those
    nodes. A node without a version is taken as the installed one and left as it is. Definitions
    inside `subgraphs` are upgraded too, ports and all."""
    from .workflow import Endpoint

    notes: list[UpgradedNode] = []
    nodes, moved = _upgrade_nodes(workflow.nodes, registry, "", notes)
    subgraphs = {}
    for def_id, definition in workflow.subgraphs.items():
        inner, inner_moved = _upgrade_nodes(definition.nodes, registry, f"{def_id}:", notes)
        ports = []
        for port in definition.inputs:
            targets = [Endpoint(node=t.node, field=name) for t in port.targets
                       if (name := _renamed(inner_moved, t.node, t.field)) is not None]
            ports.append(port.model_copy(update={"targets": targets}))
        subgraphs[def_id] = definition.model_copy(update={
            "nodes": inner, "edges": _moved_edges(definition.edges, inner_moved), "inputs": ports})
    upgraded = workflow.model_copy(update={"nodes": nodes, "edges": _moved_edges(workflow.edges, moved),
                                           "subgraphs": subgraphs})
    return upgraded, notes
