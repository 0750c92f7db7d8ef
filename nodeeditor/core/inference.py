"""Types that flow: Iterate, Collect and Reroute outputs take the type of what is linked into them.

Iterate's `item` is the element type of the collection linked into it; Collect's `collection` is a
collection of what its links bring (they must all bring one kind); a reroute passes on the type it
receives. Declared, these outputs say `any`, so a string collection could reach an integer input
through an Iterate and fail only when the node ran; inferred, validation refuses that link and the
canvas dims the socket while a link is dragged. Inference walks the graph once, in topological
order, so chains of such nodes resolve in one pass (linear in nodes + links).
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from .types import Cardinality, Kind, SocketType

ITERATE, COLLECT, REROUTE = "iterate", "collect", "reroute"
FLOWING = {ITERATE: ("collection", "item"), COLLECT: ("item", "collection"), REROUTE: ("value", "value")}
"""Node type -> (the input whose links decide, the output that takes the type)."""

ANY = SocketType(Kind.ANY)
ANY_LIST = SocketType(Kind.ANY, Cardinality.COLLECTION)

OutputKey = tuple[str, str]


def element_of(source: SocketType) -> SocketType:
    """What Iterate gives per item of `source`."""
    if source.cardinality is Cardinality.SINGLE:
        return ANY  # a single value into a collection input: refused by the link rules anyway
    return SocketType(source.kind)


def collection_of(sources: list[SocketType]) -> SocketType:
    """What Collect gives from links of these types (any when they are unknown or disagree)."""
    kinds = {s.kind for s in sources}
    if len(kinds) != 1 or Kind.ANY in kinds or any(s.cardinality is not Cardinality.SINGLE for s in sources):
        return ANY_LIST
    return SocketType(kinds.pop(), Cardinality.COLLECTION)


def passed_on(node_type: str, sources: list[SocketType]) -> SocketType:
    """The output type of a flowing node fed by links of these types."""
    if node_type == ITERATE:
        return element_of(sources[0]) if sources else ANY
    if node_type == COLLECT:
        return collection_of(sources) if sources else ANY_LIST
    return sources[0] if sources else ANY


def mixed_kinds(sources: Iterable[tuple[str, SocketType]]) -> str | None:
    """Why Collect refuses links bringing different kinds ("integer (a.value) and string (b.value)")."""
    first: dict[str, str] = {}
    for where, socket in sources:
        if socket.kind != Kind.ANY:
            first.setdefault(str(socket), where)
    if len(first) < 2:
        return None
    named = [f"{kind} ({where})" for kind, where in first.items()]
    return "Collect gathers items of one type; it is fed " + ", ".join(named[:-1]) + " and " + named[-1]


Declared = Callable[[str, str], "SocketType | None"]


def infer(order: Iterable[str], node_types: Mapping[str, str | None], links_into: Mapping[str, list],
          declared: Declared) -> dict[OutputKey, SocketType]:
    """Inferred output types of the flowing nodes, keyed (node id, output field).

    `links_into[node]` holds the node's incoming edges (core.workflow.Edge); `declared(node, field)`
    gives any other output's type. Nodes are visited in `order` (topological where there is one).
    """
    inferred: dict[OutputKey, SocketType] = {}
    for nid in order:
        flow = FLOWING.get(node_types.get(nid) or "")
        if flow is None:
            continue
        field, output = flow
        sources = [type_of(e.source.node, e.source.field, inferred, declared)
                   for e in links_into.get(nid, ()) if e.destination.field == field]
        inferred[(nid, output)] = passed_on(node_types[nid] or "", sources)
    return inferred


def type_of(node: str, field: str, inferred: Mapping[OutputKey, SocketType], declared: Declared) -> SocketType:
    found = inferred.get((node, field))
    if found is None:
        found = declared(node, field)
    return found if found is not None else ANY
