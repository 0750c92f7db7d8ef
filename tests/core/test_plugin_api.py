"""nodeeditor.api is all a plug-in needs: the README's example plug-in loads and runs from it alone."""

import ast
import re
from pathlib import Path

from nodeeditor import api
from nodeeditor.core.registry import Registry
from nodeeditor.engine.runner import run_workflow
from workflow_builder import build

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_plugin() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- plugin-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "the README shows no plug-in example"
    return match.group(1)


def test_the_readme_plugin_imports_nothing_but_nodeeditor_api():
    tree = ast.parse(readme_plugin())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert modules == {"nodeeditor.api"}


def test_the_readme_plugin_loads_from_the_nodes_folder_and_runs(tmp_path):
    folder = tmp_path / "nodes"
    folder.mkdir()
    (folder / "repeat_text.py").write_text(readme_plugin(), encoding="utf-8")
    registry = Registry()
    registry.load_builtins()
    registry.load_folder(folder)
    assert registry.load_errors == []
    spec = registry.get("repeat_text")
    assert spec.source == str(folder / "repeat_text.py")
    assert spec.inputs["text"].widget is api.Widget.MULTILINE
    workflow = build({"r": ("repeat_text", {"text": "ab", "times": 3, "separator": "-"})})
    result = run_workflow(workflow, registry, artifacts=None)
    assert result.status == "completed"
    assert result.leaf_outputs() == {"r": {"value": "ab-ab-ab"}}


def test_the_api_names_every_public_piece_it_promises():
    for name in ("node", "BaseNode", "BaseOutput", "InputField", "OutputField", "InputKind", "Widget",
                 "InvocationContext", "ImageField", "LatentsField", "ConditioningField", "ColorField",
                 "LocatedError", "ImageOutput", "LatentsOutput", "ConditioningOutput", "IntegerOutput"):
        assert name in api.__all__ and hasattr(api, name)
