"""Plug-ins: files in the user's nodes folder and the `nodeeditor.nodes` entry points.

A plug-in that fails is reported in `load_errors` and skipped; the others still load.
"""

import importlib.metadata
import textwrap

import pytest

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node
from nodeeditor.core.registry import ENTRY_POINT_GROUP, REGISTRY, Registry, default_registry

PLUGIN = textwrap.dedent('''
    from nodeeditor.core.context import InvocationContext
    from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node


    class TwiceOutput(BaseOutput):
        value: int = OutputField()


    @node("{type}", title="Twice", category="user")
    class TwiceInvocation(BaseNode):
        """Doubles a number."""

        value: int = InputField(1)

        def invoke(self, context: InvocationContext) -> TwiceOutput:
            return TwiceOutput(value=self.value * 2)
''')


def write_plugin(folder, name, type_name):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(PLUGIN.format(type=type_name))


def test_a_file_in_the_nodes_folder_registers_its_nodes(tmp_path):
    registry = Registry()
    write_plugin(tmp_path / "nodes", "twice", "user_twice")
    registry.load_folder(tmp_path / "nodes")
    spec = registry.get("user_twice")
    assert spec is not None and spec.source == str(tmp_path / "nodes" / "twice.py")
    assert registry.load_errors == []
    assert "user_twice" not in REGISTRY


def test_a_broken_file_is_reported_and_skipped(tmp_path):
    registry = Registry()
    folder = tmp_path / "nodes"
    write_plugin(folder, "good", "user_good")
    (folder / "broken.py").write_text("import not_a_module_anywhere\n")
    (folder / "exits.py").write_text("raise SystemExit(3)\n")
    registry.load_folder(folder)
    assert "user_good" in registry
    assert [(e.source, e.message) for e in registry.load_errors] == [
        (str(folder / "broken.py"), "ModuleNotFoundError: No module named 'not_a_module_anywhere'"),
        (str(folder / "exits.py"), "SystemExit: 3"),
    ]
    assert "Traceback" in registry.load_errors[0].traceback


def test_a_plugin_redefining_a_builtin_type_is_reported(tmp_path):
    registry = default_registry()
    errors_before = len(registry.load_errors)
    write_plugin(tmp_path / "nodes", "clash", "add")
    registry.load_folder(tmp_path / "nodes")
    assert registry.get("add").source == "builtin"
    assert "already defined" in registry.load_errors[errors_before].message
    del registry.load_errors[errors_before:]


def test_a_missing_folder_loads_nothing(tmp_path):
    registry = Registry()
    registry.load_folder(tmp_path / "absent")
    assert len(registry) == 0 and registry.load_errors == []


class FakeEntryPoint:
    def __init__(self, name, target):
        self.name, self.value, self._target = name, f"plugin_pkg:{name}", target

    def load(self):
        return self._target()


class EchoOutput(BaseOutput):
    value: str = OutputField()


def register_echo(registry: Registry) -> None:
    @node("ep_echo", title="Echo", category="plugin", registry=registry)
    class EchoInvocation(BaseNode):
        text: str = InputField("hi")

        def invoke(self, context: InvocationContext) -> EchoOutput:
            return EchoOutput(value=self.text)


def fake_entry_points(monkeypatch, *points):
    def entry_points(*, group):
        return list(points) if group == ENTRY_POINT_GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def test_an_entry_point_plugin_loads(monkeypatch):
    fake_entry_points(monkeypatch, FakeEntryPoint("echo", lambda: register_echo))
    registry = Registry()
    registry.load_entry_points()
    assert registry.get("ep_echo").source == "entry point echo (plugin_pkg:echo)"
    assert registry.load_errors == []


def test_a_broken_entry_point_is_reported_and_the_others_load(monkeypatch):
    def broken():
        raise ImportError("plugin_pkg needs torch")

    fake_entry_points(monkeypatch, FakeEntryPoint("broken", broken), FakeEntryPoint("echo", lambda: register_echo))
    registry = Registry()
    registry.load_entry_points()
    assert "ep_echo" in registry
    assert [str(e) for e in registry.load_errors] == [
        "entry point broken (plugin_pkg:broken): ImportError: plugin_pkg needs torch"]


def test_each_plugin_loads_once(monkeypatch, tmp_path):
    calls = []
    fake_entry_points(monkeypatch, FakeEntryPoint("count", lambda: calls.append))
    registry = Registry()
    registry.load_entry_points()
    registry.load_entry_points()
    assert calls == [registry]


@pytest.mark.parametrize("type_name", ["integer", "float", "string", "boolean", "image", "latents",
                                       "conditioning", "color", "range", "range_of_size", "iterate",
                                       "collect", "add", "subtract", "multiply", "divide", "float_math",
                                       "random_int"])
def test_canonical_node_types_are_built_in(type_name):
    assert default_registry().get(type_name).source == "builtin"


@pytest.mark.parametrize("kind", ["integer", "float", "string", "boolean", "image", "latents",
                                  "conditioning", "color"])
def test_every_primitive_has_a_collection_node(kind):
    spec = default_registry().get(f"{kind}_collection")
    assert spec.inputs["collection"].type.is_collection and spec.outputs["collection"].type.is_collection
