"""Errors a person reads name their place: file, node and field, each given by keyword."""

import pytest

from nodeeditor.core.errors import LocatedError, WorkflowError


def test_a_located_error_names_file_node_and_field_before_its_message():
    error = LocatedError(message="cannot divide by zero", file="w.json", node="div", field="b")
    assert str(error) == "w.json, node 'div', field 'b': cannot divide by zero"
    assert (error.message, error.file, error.node, error.field) == ("cannot divide by zero", "w.json", "div", "b")
    assert str(WorkflowError(message="not a workflow")) == "not a workflow"


def test_a_place_given_by_position_is_refused_rather_than_taken_for_the_file():
    with pytest.raises(TypeError):
        LocatedError("cannot divide by zero", "b")  # a field name where the file would go
    with pytest.raises(TypeError):
        WorkflowError("bad file", "w.json")
