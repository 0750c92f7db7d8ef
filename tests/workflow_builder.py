"""Test short-hands: workflows from a dict of nodes and "a.out -> b.in" links; one node run alone."""

from __future__ import annotations

from typing import Any

from nodeeditor.core.workflow import Workflow, parse_workflow


def build(nodes: dict[str, str | tuple[str, dict[str, Any]]], links: list[str] = (),
          **extra: Any) -> Workflow:
    """`nodes` maps id -> type or (type, inputs); each link reads "src.field -> dst.field"."""
    node_list = []
    for nid, spec in nodes.items():
        type_name, inputs = (spec, {}) if isinstance(spec, str) else spec
        node_list.append({"id": nid, "type": type_name, "inputs": inputs})
    edges = []
    for link in links:
        src, dst = (part.strip() for part in link.split("->"))
        (sn, sf), (dn, df) = src.split("."), dst.split(".")
        edges.append({"source": {"node": sn, "field": sf}, "destination": {"node": dn, "field": df}})
    return parse_workflow({"version": 1, "nodes": node_list, "edges": edges, **extra})


def invoke(type_name: str, **inputs: Any) -> Any:
    """Run one built-in node by type name, outside any graph; returns its output model."""
    from nodeeditor.core.registry import default_registry

    spec = default_registry().get(type_name)
    return spec.cls.model_validate(inputs).invoke(None)


def refused(type_name: str, field: str, **inputs: Any) -> str:
    """Run one node expecting a LocatedError on `field`; returns its message."""
    import pytest

    from nodeeditor.core.errors import LocatedError

    with pytest.raises(LocatedError) as caught:
        invoke(type_name, **inputs)
    assert caught.value.field == field
    return caught.value.message
