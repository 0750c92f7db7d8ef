"""Which output may feed which input, and the reason a person reads when it may not."""

import pytest

from nodeeditor.core.types import Cardinality, Kind, SocketType, connection_error

S, L, P = Cardinality.SINGLE, Cardinality.COLLECTION, Cardinality.POLYMORPHIC


def t(kind: str, card: Cardinality = S) -> SocketType:
    return SocketType(kind, card)


@pytest.mark.parametrize("kind", Kind.PRIMITIVES)
def test_equal_kinds_connect(kind):
    assert connection_error(t(kind), t(kind)) is None
    assert connection_error(t(kind, L), t(kind, L)) is None


def test_integer_widens_to_float():
    assert connection_error(t(Kind.INTEGER), t(Kind.FLOAT)) is None
    assert connection_error(t(Kind.INTEGER, L), t(Kind.FLOAT, L)) is None


def test_float_does_not_narrow_to_integer():
    assert connection_error(t(Kind.FLOAT), t(Kind.INTEGER)) == "float cannot connect to integer"


@pytest.mark.parametrize("kind", [Kind.INTEGER, Kind.FLOAT])
def test_numbers_widen_to_string(kind):
    assert connection_error(t(kind), t(Kind.STRING)) is None


def test_string_does_not_become_a_number():
    assert connection_error(t(Kind.STRING), t(Kind.INTEGER)) == "string cannot connect to integer"


def test_different_kinds_are_refused_with_both_names():
    assert connection_error(t(Kind.LATENTS), t(Kind.IMAGE)) == "latents cannot connect to image"


@pytest.mark.parametrize("output", [t(Kind.IMAGE), t(Kind.INTEGER, L), t(Kind.COLOR, P), t("model")])
def test_anything_connects_to_a_single_any_input(output):
    assert connection_error(output, t(Kind.ANY)) is None


def test_any_output_connects_to_a_typed_input():
    assert connection_error(t(Kind.ANY), t(Kind.IMAGE)) is None
    assert connection_error(t(Kind.ANY), t(Kind.IMAGE, L)) is None


def test_single_connects_to_polymorphic_input():
    assert connection_error(t(Kind.STRING), t(Kind.STRING, P)) is None


def test_collection_connects_to_polymorphic_input():
    assert connection_error(t(Kind.STRING, L), t(Kind.STRING, P)) is None


def test_single_into_collection_input_is_refused_and_suggests_collect():
    reason = connection_error(t(Kind.INTEGER), t(Kind.INTEGER, L))
    assert reason == "a single integer cannot connect to list[integer]; use a Collect node"


def test_single_into_collection_of_any_is_refused_too():
    reason = connection_error(t(Kind.INTEGER), t(Kind.ANY, L))
    assert reason == "a single integer cannot connect to list[any]; use a Collect node"


def test_collection_into_collection_of_any_connects():
    assert connection_error(t(Kind.IMAGE, L), t(Kind.ANY, L)) is None


def test_collection_into_single_input_is_refused_and_suggests_iterate():
    reason = connection_error(t(Kind.INTEGER, L), t(Kind.INTEGER))
    assert reason == ("list[integer] cannot connect to the single input integer; "
                      "insert an Iterate node to run once per item")


def test_polymorphic_output_into_single_input_is_refused():
    reason = connection_error(t(Kind.STRING, P), t(Kind.STRING))
    assert reason == "string | list[string] may be a collection and cannot connect to the single input string"


def test_socket_types_print_as_people_write_them():
    assert [str(t(Kind.IMAGE)), str(t(Kind.IMAGE, L)), str(t(Kind.IMAGE, P))] == [
        "image", "list[image]", "image | list[image]"]
