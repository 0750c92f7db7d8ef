"""How each batch-axis editor turns what a person typed or picked into items (no Qt here).

Every item goes through the field's own InputSpec.validate and is stored as its JSON form, so a
batch holds exactly what a workflow file would. Errors are strings that say which line or setting
is wrong and why, ready for the panel to show.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from nodeeditor.core import safe_json

from nodeeditor.core.node import InputSpec, Widget, validation_message
from nodeeditor.core.types import Kind

MAX_AXIS_ITEMS = 1_000_000
"""A range, seed count or file longer than this is refused: a typo should not fill the memory."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff")
SEED_HIGH = 2**32 - 1
"""Seeds are drawn below this unless the field's own bounds are tighter."""

LIST, RANGE, SEEDS, FILE_LINES, FOLDER_IMAGES, CHOICES = (
    "list", "range", "seeds", "file_lines", "folder_images", "choices")
EDITOR_TITLES = {
    LIST: "Typed list", RANGE: "Range", SEEDS: "Random seeds", FILE_LINES: "Lines of a text file",
    FOLDER_IMAGES: "Images in a folder", CHOICES: "Choices",
}
_REFERENCES = {Kind.IMAGE: "image_name", Kind.LATENTS: "latents_name", Kind.CONDITIONING: "conditioning_name"}


@dataclass
class Items:
    """An editor's result: the items, or the first reason they cannot be used."""

    values: list[Any] = field(default_factory=list)
    error: str | None = None


def kind_of(spec: InputSpec | None) -> str:
    return spec.type.kind if spec is not None else Kind.ANY


def editor_kinds(spec: InputSpec | None) -> list[str]:
    """The editors that make sense for a field, the one to start with first."""
    kind = kind_of(spec)
    if spec is not None and spec.choices is not None:
        return [CHOICES, LIST, FILE_LINES]
    if kind == Kind.BOOLEAN:
        return [CHOICES, LIST]
    if kind == Kind.INTEGER:
        numeric = [SEEDS, RANGE, LIST] if "seed" in spec.name else [LIST, RANGE, SEEDS]
        return numeric + [FILE_LINES]
    if kind == Kind.FLOAT:
        return [LIST, RANGE, FILE_LINES]
    if kind == Kind.STRING:
        if spec is not None and spec.widget is Widget.FILE:
            return [FOLDER_IMAGES, LIST, FILE_LINES]
        return [LIST, FILE_LINES, FOLDER_IMAGES]
    return [LIST, FILE_LINES]


def choices_of(spec: InputSpec | None) -> list[Any]:
    if spec is not None and spec.choices is not None:
        return list(spec.choices)
    return [False, True]


def _decode(spec: InputSpec | None, text: str) -> Any:
    """The value a typed line means for this field's kind, before validation."""
    kind = kind_of(spec)
    if kind == Kind.STRING:
        if text[:1] in ('"', "["):
            try:
                return safe_json.loads(text)
            except ValueError:  # not JSON, or too deep / not storable: the line as typed
                return text
        return text
    if kind == Kind.COLOR and text.startswith("#") and len(text) in (7, 9):
        try:
            channels = [int(text[i:i + 2], 16) for i in range(1, len(text), 2)]
        except ValueError:
            return text
        return dict(zip("rgba", channels))
    if kind in _REFERENCES and not text.startswith("{"):
        return {_REFERENCES[kind]: text}
    try:
        return safe_json.loads(text)
    except safe_json.UnsafeValue as exc:
        raise ValueError(exc.message) from None
    except ValueError:
        return text


def checked(spec: InputSpec | None, value: Any) -> Any:
    """`value` validated by the field and turned into its JSON form; raises ValueError with the reason."""
    if spec is None:
        return value
    try:
        return spec.to_json(spec.validate(value))
    except ValidationError as exc:
        raise ValueError(validation_message(exc)) from None


def parse_lines(spec: InputSpec | None, text: str, *, source: str = "line",
                cache: dict[str, Any] | None = None) -> Items:
    """One item per non-blank line; the first bad line gives the error ("line 3: ...").

    `cache` (line -> value, for one field) lets an editor re-read only the lines that changed.
    """
    values: list[Any] = []
    cache = {} if cache is None else cache
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        if len(values) >= MAX_AXIS_ITEMS:
            return Items(values, f"more than {MAX_AXIS_ITEMS:,} items")
        if line in cache:
            values.append(cache[line])
            continue
        try:
            cache[line] = checked(spec, _decode(spec, line))
        except ValueError as exc:
            return Items(values, f"{source} {number}: {line!r} is not valid: {exc}")
        values.append(cache[line])
    return Items(values)


def format_item(spec: InputSpec | None, value: Any) -> str:
    """The line that parse_lines reads back as `value`."""
    kind = kind_of(spec)
    if kind == Kind.STRING and isinstance(value, str):
        plain = value == value.strip() and value.splitlines() == [value] and value[:1] not in ('"', "[")
        return value if plain else json.dumps(value, ensure_ascii=False)
    if kind in _REFERENCES and isinstance(value, dict) and set(value) == {_REFERENCES[kind]}:
        return str(value[_REFERENCES[kind]])
    if kind == Kind.COLOR and isinstance(value, dict) and set(value) <= set("rgba"):
        channels = [value.get(c, 255 if c == "a" else 0) for c in "rgba"]
        return "#" + "".join(f"{int(c):02x}" for c in channels)
    return json.dumps(value, ensure_ascii=False)


def numeric_range(spec: InputSpec | None, start: float, stop: float, step: float) -> Items:
    """start, start + step, ... up to but not including stop, like Python's range and the Range node."""
    if step == 0:
        return Items(error="step must not be 0")
    integer = kind_of(spec) == Kind.INTEGER
    span = (stop - start) / step
    count = max(0, math.ceil(span - 1e-9))
    if count == 0:
        return Items(error=f"the range from {start:g} to {stop:g} by {step:g} is empty")
    if count > MAX_AXIS_ITEMS:
        return Items(error=f"the range would hold {count:,} items, more than {MAX_AXIS_ITEMS:,}")
    if integer:
        raw = list(range(int(start), int(stop), int(step)))
    else:
        raw = [round(start + i * step, 12) for i in range(count)]
    return _validated(spec, raw)


def _validated(spec: InputSpec | None, raw: list[Any]) -> Items:
    if spec is None:
        return Items(raw)
    values = []
    for position, value in enumerate(raw):
        try:
            values.append(checked(spec, value))
        except ValueError as exc:
            return Items(values, f"item {position + 1} ({value!r}) is not valid: {exc}")
    return Items(values)


def seed_bounds(spec: InputSpec | None) -> tuple[int, int]:
    """The smallest and largest seed the field accepts (at most 0..2**32-1)."""
    constraints = spec.constraints if spec is not None else {}
    low = constraints.get("ge", constraints["gt"] + 1 if "gt" in constraints else 0)
    high = constraints.get("le", constraints["lt"] - 1 if "lt" in constraints else SEED_HIGH)
    return int(max(low, 0)), int(min(high, SEED_HIGH))


def seeds(spec: InputSpec | None, count: int, base: int) -> Items:
    """`count` seeds drawn from a generator seeded with `base`: the same base gives the same seeds."""
    if count < 1:
        return Items(error="count must be at least 1")
    if count > MAX_AXIS_ITEMS:
        return Items(error=f"count {count:,} is more than {MAX_AXIS_ITEMS:,}")
    low, high = seed_bounds(spec)
    if high < low:
        return Items(error=f"the field accepts no seed between {low} and {high}")
    return Items(np.random.default_rng(base).integers(low, high, size=count, endpoint=True).tolist())


def file_lines(spec: InputSpec | None, path: str) -> Items:
    """Each non-blank line of a UTF-8 text file, typed like the list editor's lines."""
    if not path:
        return Items(error="choose a text file")
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        return Items(error=f"{file}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return Items(error=f"{file}: not a UTF-8 text file")
    items = parse_lines(spec, text, source=f"{file.name} line")
    if not items.values and items.error is None:
        items.error = f"{file} has no lines"
    return items


def folder_images(spec: InputSpec | None, folder: str, recursive: bool = False) -> Items:
    """Absolute paths of the image files in a folder, sorted by name (for a Load Image `path`)."""
    if not folder:
        return Items(error="choose a folder of images")
    root = Path(folder).expanduser()
    if not root.is_dir():
        return Items(error=f"{root} is not a folder")
    pattern = "**/*" if recursive else "*"
    try:
        paths = sorted((p for p in root.glob(pattern) if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
                       key=lambda p: str(p.relative_to(root)).lower())
    except OSError as exc:
        return Items(error=f"{root}: cannot list: {exc.strerror or exc}")
    if not paths:
        return Items(error=f"{root} holds no {', '.join(s[1:] for s in IMAGE_SUFFIXES)} files")
    return _validated(spec, [os.fspath(p.resolve()) for p in paths][:MAX_AXIS_ITEMS])


def chosen(spec: InputSpec | None, picked: list[Any]) -> Items:
    if not picked:
        return Items(error="pick at least one value")
    return _validated(spec, picked)
