"""JSON values that came from a person's file or command line, checked before anything trusts them.

Python's `json` accepts what later stages cannot keep or survive: `NaN`/`Infinity` (not JSON;
pydantic writes them back as `null`), lone surrogates (cannot be encoded as UTF-8, so they fail at
storage time), integers longer than Python's digit limit (`ValueError` deep inside a parser) and
nesting deep enough that pydantic or the serializer recurses past its limit. Each of these is
refused here, at load, with the path of the offending value, so a caller can name node and field.
The walk is iterative: it cannot itself run out of stack.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from typing import Any

MAX_DEPTH = 64
"""Containers nested deeper than this are refused (workflow inputs/meta, batch items, --set)."""
INT_DIGITS = 4300
"""Python's default limit for int <-> str conversion (sys.get_int_max_str_digits)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
Path = tuple[Any, ...]


class UnsafeValue(ValueError):
    """A value that parses but must not be trusted; `path` says where it sits (keys and indices)."""

    def __init__(self, message: str, path: Path = ()) -> None:
        self.message = message
        self.path = tuple(path)
        self.data: Any = None  # the parsed document, when there is one, to name what `path` is in
        super().__init__(message)


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def _finite_float(text: str) -> float:
    """A number with a fraction or exponent; 1e999 would become Infinity."""
    number = float(text)
    if number - number != 0.0:  # inf - inf is nan
        raise _Constant(text)
    return number


def loads(text: str) -> Any:
    """Parse JSON text strictly. Raises json.JSONDecodeError for text that is not JSON at all and
    UnsafeValue for JSON that is hostile (deep, NaN/Infinity, huge integers, lone surrogates).

    The common case costs a scan of the text, not a walk of the parsed values (a 300,000-node
    workflow: scans in C instead of a walk of every value): the parser refuses non-finite numbers and long integers
    itself, text read as UTF-8 can hold a surrogate only as a \\u escape, and the nesting depth is
    counted on the text. Only when one of these finds something is the document walked, to say
    where the problem is."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _Constant as exc:
        # Rare: parse again keeping the constants, only to say where the first one is.
        _checked(json.loads(text))
        raise UnsafeValue(f"{exc.name} is not a JSON number") from None
    except RecursionError:
        raise UnsafeValue(f"nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int longer than the digit limit
        if "digits" in str(exc):
            raise UnsafeValue(f"an integer has more than {_digit_limit()} digits{_where_digits(text)}") from None
        raise
    if _SURROGATE_ESCAPE.search(text) is None and not _deeper_than(text, MAX_DEPTH):
        return data
    return _checked(data)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


_BRACKETS = bytes.maketrans(b"[]{}", b"()()")
"""Both kinds of bracket as one: in valid JSON they pair up the same way."""
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{}')))


def _deeper_than(text: str, most: int) -> bool:
    """Whether the brackets of valid JSON text nest deeper than `most`, outside its strings.

    Every step runs in C over bytes: escaped backslashes and quotes are dropped (JSON escapes pair
    from the left, so what remains of a string is quote, text, quote), then everything but quotes
    and brackets, then what lies between quotes; each round then removes the innermost pairs, one
    level a round. (A walk of the parsed values, or a regex over the text, cost more than parsing it.)"""
    raw = text.encode("utf-8", "surrogatepass")
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = raw.translate(_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")  # strings without brackets
    if b'"' in brackets:  # removing adjacent quotes left each bracket inside or outside as it was
        brackets = b"".join(brackets.split(b'"')[::2])
    for _ in range(most):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return bool(brackets)


def _checked(data: Any) -> Any:
    try:
        check(data)
    except UnsafeValue as exc:
        exc.data = data
        raise
    return data


def _where_digits(text: str) -> str:
    found = re.search(r"\d{%d,}" % (_digit_limit() + 1), text)
    if found is None:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    return f" (line {line}, column {column})"


@functools.lru_cache(maxsize=4)
def _ten_to(digits: int) -> int:
    return 10**digits


def _digit_limit() -> int:
    getter = getattr(sys, "get_int_max_str_digits", None)
    return getter() if getter else INT_DIGITS


def describe_path(path: Path, most: int = 6) -> str:
    """("inputs", "value", 0) -> "inputs.value[0]"; long paths end in "…"."""
    text = ""
    for part in path[:most]:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text + ("…" if len(path) > most else "")


def check_many(values: Any) -> None:
    """check() for large plain data (a batch axis of a million items): json.dumps in C refuses
    NaN, Infinity and long integers, UTF-8 encoding refuses lone surrogates and the depth is
    counted on the text; only when something is found (or the data is not plain JSON) is it
    walked, to say where."""
    try:
        text = json.dumps(values, allow_nan=False, ensure_ascii=False, check_circular=False)
        text.encode("utf-8")
        if not _deeper_than(text, MAX_DEPTH):
            return
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        pass
    check(values)


def _constant(number: float) -> str:
    return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")


def check(value: Any, *, max_depth: int = MAX_DEPTH, path: Path = ()) -> None:
    """Raise UnsafeValue for the first hostile value inside `value` (walked without recursion)."""
    limit = _digit_limit()
    stack: list[tuple[Any, Path, int]] = [(value, tuple(path), 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise UnsafeValue("text holds a lone surrogate (\\ud800-\\udfff), not valid Unicode", where)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise UnsafeValue(f"{_constant(item)} is not allowed here (only finite numbers)", where)
        elif isinstance(item, int):
            if limit and item.bit_length() > limit * 3 and abs(item) >= _ten_to(limit):  # > limit digits
                raise UnsafeValue(f"an integer has more than {limit} digits", where)
        elif isinstance(item, (dict, list, tuple)):
            if depth >= max_depth:
                raise UnsafeValue(f"nested more than {max_depth} levels deep", where)
            if isinstance(item, dict):
                for key, sub in reversed(item.items()):
                    if isinstance(key, str) and _SURROGATE.search(key):
                        raise UnsafeValue("a key holds a lone surrogate, not valid Unicode", where)
                    stack.append((sub, (*where, key), depth + 1))
            else:
                for index in range(len(item) - 1, -1, -1):
                    sub = item[index]
                    stack.append((sub, (*where, index), depth + 1))
