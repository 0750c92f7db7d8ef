"""Strings: join, split, replace (plain or regex), templates with named fields, lines, case.

Template placeholders are `{name}` (a letter or _, then letters, digits, _); `{{` and `}}` write
literal braces and any other brace is kept as it is. Values come from `values`, "key=value" lines
(a multi-line string or a string collection), and from the inputs `a`..`d`, which fill `{a}`..`{d}`
and win over a line of the same name. A placeholder without a value is an error naming it.
"""

from __future__ import annotations

import re
from enum import Enum

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.node import BaseNode, InputField, InputKind, Widget, node

from ._outputs import IntegerOutput, StringCollectionOutput, StringOutput


@node("join", title="Join Strings", category="strings", tags=("concatenate", "collection", "implode"))
class JoinInvocation(BaseNode):
    """The strings of a collection, in order, with `separator` between them."""

    collection: list[str] = InputField(default_factory=list, description="The strings to join")
    separator: str = InputField(", ", description="Put between two strings")

    def invoke(self, context: InvocationContext) -> StringOutput:
        return StringOutput(value=self.separator.join(self.collection))


@node("split", title="Split String", category="strings", tags=("explode", "tokenize", "collection"))
class SplitInvocation(BaseNode):
    """Cuts `text` at every `separator`; an empty separator cuts at runs of whitespace."""

    text: str = InputField("", description="The text to cut")
    separator: str = InputField(",", description="Where to cut; empty means any whitespace")
    strip: bool = InputField(True, description="Trim whitespace around each part")
    skip_empty: bool = InputField(False, description="Leave out empty parts")

    def invoke(self, context: InvocationContext) -> StringCollectionOutput:
        parts = self.text.split(self.separator) if self.separator else self.text.split()
        return StringCollectionOutput(collection=_tidy(parts, self.strip, self.skip_empty))


def _tidy(parts: list[str], strip: bool, skip_empty: bool) -> list[str]:
    if strip:
        parts = [p.strip() for p in parts]
    return [p for p in parts if p] if skip_empty else parts


@node("lines_to_collection", title="Lines to Collection", category="strings",
      tags=("split", "lines", "newline", "collection"))
class LinesToCollectionInvocation(BaseNode):
    """One string per line of `text` (\\n, \\r\\n or \\r end a line)."""

    text: str = InputField("", description="Text with one item per line")
    strip: bool = InputField(True, description="Trim whitespace around each line")
    skip_empty: bool = InputField(True, description="Leave out empty lines")

    def invoke(self, context: InvocationContext) -> StringCollectionOutput:
        return StringCollectionOutput(collection=_tidy(self.text.splitlines(), self.strip, self.skip_empty))


@node("replace", title="Replace", category="strings", tags=("substitute", "regex", "find"))
class ReplaceInvocation(BaseNode):
    """Replaces `pattern` in `text`; with `regex` the pattern is a regular expression and the
    replacement may name groups (\\1, \\g<name>)."""

    text: str = InputField("", description="The text to change")
    pattern: str = InputField("", description="What to find; empty changes nothing")
    replacement: str = InputField("", description="What to put instead")
    regex: bool = InputField(False, input=InputKind.DIRECT, description="Treat the pattern as a regular expression")
    ignore_case: bool = InputField(False, input=InputKind.DIRECT, description="Match upper and lower case alike")
    count: int = InputField(0, ge=0, description="Replace at most this many; 0 replaces all")

    def invoke(self, context: InvocationContext) -> StringOutput:
        if not self.pattern:
            return StringOutput(value=self.text)
        source = self.pattern if self.regex else re.escape(self.pattern)
        try:
            compiled = re.compile(source, re.IGNORECASE if self.ignore_case else 0)
        except re.error as exc:
            raise LocatedError(f"not a valid regular expression: {exc}", field="pattern") from None
        if self.regex:
            try:
                return StringOutput(value=compiled.sub(self.replacement, self.text, count=self.count))
            except (re.error, IndexError) as exc:
                raise LocatedError(f"not a valid replacement for this pattern: {exc}",
                                   field="replacement") from None
        return StringOutput(value=compiled.sub(lambda _m: self.replacement, self.text, count=self.count))


PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def parse_values(lines: list[str]) -> dict[str, str]:
    """Read key=value lines into a dict: blank lines are skipped, a later key wins, spaces around
    the key and the value are trimmed; a line without "=" raises a LocatedError on `values`."""
    found: dict[str, str] = {}
    number = 0
    for text in lines:
        for line in text.splitlines():
            number += 1
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise LocatedError(f"line {number} {line!r} is not key=value", field="values")
            found[key.strip()] = value.strip()
    return found


def fill_template(template: str, values: dict[str, str]) -> str:
    """Put each value in its `{name}`; raises a LocatedError on `template` for names without one."""
    missing = sorted({m.group(1) for m in PLACEHOLDER.finditer(template)
                      if m.group(1) is not None and m.group(1) not in values})
    if missing:
        known = ", ".join(sorted(values)) or "none"
        raise LocatedError(f"no value for {', '.join('{' + m + '}' for m in missing)} (values given: {known})",
                           field="template")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0)[0] if name is None else values[name]

    return PLACEHOLDER.sub(fill, template)


@node("template", title="Template", category="strings", tags=("format", "placeholder", "prompt", "fill"))
class TemplateInvocation(BaseNode):
    """Fills the `{name}` placeholders of `template` from key=value lines and from a..d."""

    template: str = InputField("", description="Text with {name} placeholders; {{ and }} for braces",
                               widget=Widget.MULTILINE)
    values: str | list[str] = InputField(default_factory=list,
                                         description="key=value lines: a text or a string collection",
                                         widget=Widget.MULTILINE)
    a: str | None = InputField(None, description="Fills {a}")
    b: str | None = InputField(None, description="Fills {b}")
    c: str | None = InputField(None, description="Fills {c}")
    d: str | None = InputField(None, description="Fills {d}")

    def invoke(self, context: InvocationContext) -> StringOutput:
        values = parse_values([self.values] if isinstance(self.values, str) else self.values)
        for name in ("a", "b", "c", "d"):
            slot = getattr(self, name)
            if slot is not None:
                values[name] = slot
        return StringOutput(value=fill_template(self.template, values))


@node("concatenate", title="Concatenate", category="strings", tags=("append", "join", "+"))
class ConcatenateInvocation(BaseNode):
    """a followed by b."""

    a: str = InputField("", description="First part")
    b: str = InputField("", description="Second part")

    def invoke(self, context: InvocationContext) -> StringOutput:
        return StringOutput(value=self.a + self.b)


@node("string_length", title="String Length", category="strings", tags=("count", "characters", "size"))
class StringLengthInvocation(BaseNode):
    """How many characters `text` has."""

    text: str = InputField("", description="The text to measure")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=len(self.text))


class Case(str, Enum):
    UPPER = "upper"
    LOWER = "lower"
    TITLE = "title"
    CAPITALIZE = "capitalize"


@node("string_case", title="Change Case", category="strings", tags=("upper", "lower", "title", "capitalize"))
class StringCaseInvocation(BaseNode):
    """UPPER, lower, Title Case or Capitalized first letter."""

    text: str = InputField("", description="The text to change")
    case: Case = InputField(Case.UPPER, input=InputKind.DIRECT, description="The case to use")

    def invoke(self, context: InvocationContext) -> StringOutput:
        return StringOutput(value=getattr(self.text, self.case.value)())
