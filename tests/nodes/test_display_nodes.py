"""Show Value and Preview Image pass what they receive on unchanged, inside a graph too."""

import pytest

from nodeeditor.core.fields import ColorField, ImageField
from nodeeditor.core.registry import default_registry
from workflow_builder import invoke


@pytest.mark.parametrize("value", [3, 2.5, "a cat", [1, 2, 3], ColorField(r=1, g=2, b=3), None])
def test_show_value_passes_any_value_on(value):
    assert invoke("show_value", value=value).value == value


def test_preview_image_passes_the_image_on():
    image = ImageField(image_name="img_1.png")
    assert invoke("preview_image", image=image).image == image


def test_both_are_listed_as_display_nodes():
    registry = default_registry()
    for type_name, field in (("show_value", "value"), ("preview_image", "image")):
        spec = registry.get(type_name)
        assert spec.category == "display" and field in spec.inputs and field in spec.outputs
