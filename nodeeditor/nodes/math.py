"""Integer and float arithmetic, seeded random numbers, and ranges of integers.

Integer division and modulo floor (Python's `//` and `%`: -7 // 2 == -4, -7 % 2 == 1). Inputs a
node cannot use (b = 0 for divide, a result too large to hold) fail with a LocatedError naming the
field. Random nodes take a seed (default 0) and are deterministic, so they are cacheable; fresh
randomness comes from `random_seed`, the one non-cacheable node here, wired into any seed input.
"""

from __future__ import annotations

import math
import random
from enum import Enum
from typing import Callable

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, node

from ._outputs import FloatOutput, IntegerCollectionOutput, IntegerOutput

MAX_RANGE_ITEMS = 1_000_000
"""A range longer than this is refused: a typo should not fill the memory."""
MAX_POWER_BITS = 65_536
"""An integer power whose result would need more bits than this is refused (it could run for hours)."""
SEED_BITS = 32


class _IntegerPair(BaseNode):
    a: int = InputField(0, description="First operand")
    b: int = InputField(0, description="Second operand")


def _nonzero(value: float, field: str, operation: str) -> None:
    if value == 0:
        raise LocatedError(f"cannot {operation} by zero", field=field)


@node("add", title="Add", category="math", tags=("integer", "plus", "sum", "+"))
class AddInvocation(_IntegerPair):
    """a + b."""

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=self.a + self.b)


@node("subtract", title="Subtract", category="math", tags=("integer", "minus", "difference", "-"))
class SubtractInvocation(_IntegerPair):
    """a - b."""

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=self.a - self.b)


@node("multiply", title="Multiply", category="math", tags=("integer", "times", "product", "*"))
class MultiplyInvocation(_IntegerPair):
    """a × b."""

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=self.a * self.b)


@node("divide", title="Divide", category="math", tags=("integer", "quotient", "floor", "/"))
class DivideInvocation(_IntegerPair):
    """a ÷ b rounded down (floor division); b = 0 is refused."""

    b: int = InputField(1, description="Divisor; must not be 0")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        _nonzero(self.b, "b", "divide")
        return IntegerOutput(value=self.a // self.b)


@node("modulo", title="Modulo", category="math", tags=("integer", "remainder", "mod", "%"))
class ModuloInvocation(_IntegerPair):
    """The remainder of a ÷ b, with the sign of b (it pairs with Divide's floor)."""

    b: int = InputField(1, description="Divisor; must not be 0")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        _nonzero(self.b, "b", "take a remainder")
        return IntegerOutput(value=self.a % self.b)


@node("power", title="Power", category="math", tags=("integer", "exponent", "pow", "^"))
class PowerInvocation(_IntegerPair):
    """a to the power b; b must be 0 or more (a negative power is not an integer: use Float Math)."""

    b: int = InputField(1, ge=0, description="Exponent, 0 or more")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        if abs(self.a) > 1 and self.b * abs(self.a).bit_length() > MAX_POWER_BITS:
            raise LocatedError(f"{self.a} ** {self.b} would need more than {MAX_POWER_BITS} bits",
                               field="b")
        return IntegerOutput(value=self.a ** self.b)


@node("min", title="Minimum", category="math", tags=("integer", "smaller", "least"))
class MinInvocation(_IntegerPair):
    """The smaller of a and b."""

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=min(self.a, self.b))


@node("max", title="Maximum", category="math", tags=("integer", "larger", "greatest"))
class MaxInvocation(_IntegerPair):
    """The larger of a and b."""

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=max(self.a, self.b))


@node("abs", title="Absolute Value", category="math", tags=("integer", "magnitude", "abs"))
class AbsInvocation(BaseNode):
    """|value|."""

    value: int = InputField(0, description="The integer")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=abs(self.value))


def _check_bounds(low: float, high: float) -> None:
    if low > high:
        raise LocatedError(f"high ({high}) is below low ({low})", field="high")


def _clamped(value: float, low: float, high: float) -> float:
    _check_bounds(low, high)
    return min(max(value, low), high)


@node("clamp", title="Clamp", category="math", tags=("integer", "limit", "bound"))
class ClampInvocation(BaseNode):
    """value limited to low..high (both included)."""

    value: int = InputField(0, description="The integer")
    low: int = InputField(0, description="Smallest result")
    high: int = InputField(100, description="Largest result")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        return IntegerOutput(value=_clamped(self.value, self.low, self.high))


class FloatOperation(str, Enum):
    ADD = "add"
    SUBTRACT = "subtract"
    MULTIPLY = "multiply"
    DIVIDE = "divide"
    POWER = "power"
    MODULO = "modulo"
    MIN = "min"
    MAX = "max"


def _divide(a: float, b: float) -> float:
    _nonzero(b, "b", "divide")
    return a / b


def _modulo(a: float, b: float) -> float:
    _nonzero(b, "b", "take a remainder")
    return a % b


def _power(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise LocatedError("cannot raise 0 to a negative power", field="b")
    try:
        return math.pow(a, b)
    except ValueError:
        raise LocatedError(f"{a} ** {b} is not a real number", field="b") from None
    except OverflowError:
        raise LocatedError(f"{a} ** {b} is too large for a float", field="b") from None


FLOAT_OPERATIONS: dict[FloatOperation, Callable[[float, float], float]] = {
    FloatOperation.ADD: lambda a, b: a + b,
    FloatOperation.SUBTRACT: lambda a, b: a - b,
    FloatOperation.MULTIPLY: lambda a, b: a * b,
    FloatOperation.DIVIDE: _divide,
    FloatOperation.POWER: _power,
    FloatOperation.MODULO: _modulo,
    FloatOperation.MIN: min,
    FloatOperation.MAX: max,
}


@node("float_math", title="Float Math", category="math",
      tags=("float", "add", "subtract", "multiply", "divide", "power", "modulo", "min", "max"))
class FloatMathInvocation(BaseNode):
    """One operation on two floats; modulo takes the sign of b, like Modulo."""

    operation: FloatOperation = InputField(FloatOperation.ADD, input=InputKind.DIRECT,
                                           description="What to do with a and b")
    a: float = InputField(0.0, description="First operand")
    b: float = InputField(0.0, description="Second operand")

    def invoke(self, context: InvocationContext) -> FloatOutput:
        return FloatOutput(value=FLOAT_OPERATIONS[self.operation](self.a, self.b))


@node("round", title="Round", category="math", tags=("float", "decimals", "nearest"))
class RoundInvocation(BaseNode):
    """value rounded to `decimals` places (halves go to the even neighbour, as in Python)."""

    value: float = InputField(0.0, description="The float")
    decimals: int = InputField(0, ge=-15, le=15, description="Places after the point (negative: tens, hundreds, ...)")

    def invoke(self, context: InvocationContext) -> FloatOutput:
        return FloatOutput(value=float(round(self.value, self.decimals)))


@node("float_clamp", title="Float Clamp", category="math", tags=("float", "limit", "bound"))
class FloatClampInvocation(BaseNode):
    """value limited to low..high (both included)."""

    value: float = InputField(0.0, description="The float")
    low: float = InputField(0.0, description="Smallest result")
    high: float = InputField(1.0, description="Largest result")

    def invoke(self, context: InvocationContext) -> FloatOutput:
        return FloatOutput(value=_clamped(self.value, self.low, self.high))


@node("float_abs", title="Float Absolute Value", category="math", tags=("float", "magnitude", "abs"))
class FloatAbsInvocation(BaseNode):
    """|value|."""

    value: float = InputField(0.0, description="The float")

    def invoke(self, context: InvocationContext) -> FloatOutput:
        return FloatOutput(value=abs(self.value))


class _Seeded(BaseNode):
    seed: int = InputField(0, ge=0, description="Same seed, same number; wire Random Seed for a fresh one")


@node("random_int", title="Random Integer", category="math", tags=("integer", "random", "seed"))
class RandomIntInvocation(_Seeded):
    """An integer drawn uniformly from low..high (both included), determined by the seed."""

    low: int = InputField(0, description="Smallest possible value")
    high: int = InputField(100, description="Largest possible value")

    def invoke(self, context: InvocationContext) -> IntegerOutput:
        _check_bounds(self.low, self.high)
        return IntegerOutput(value=random.Random(self.seed).randint(self.low, self.high))


@node("random_float", title="Random Float", category="math", tags=("float", "random", "seed"))
class RandomFloatInvocation(_Seeded):
    """A float drawn uniformly from low..high, determined by the seed."""

    low: float = InputField(0.0, description="Smallest possible value")
    high: float = InputField(1.0, description="Largest possible value")

    def invoke(self, context: InvocationContext) -> FloatOutput:
        _check_bounds(self.low, self.high)
        return FloatOutput(value=random.Random(self.seed).uniform(self.low, self.high))


class SeedOutput(BaseOutput):
    seed: int = OutputField(description=f"a fresh seed in 0..2^{SEED_BITS}-1")


@node("random_seed", title="Random Seed", category="math", tags=("random", "seed", "fresh"),
      cacheable=False)
class RandomSeedInvocation(BaseNode):
    """A different seed on every run, for any seed input; the only node here that is never cached."""

    def invoke(self, context: InvocationContext) -> SeedOutput:
        return SeedOutput(seed=random.SystemRandom().getrandbits(SEED_BITS))


def _checked_range(values: range, field: str) -> list[int]:
    if len(values) > MAX_RANGE_ITEMS:
        raise LocatedError(f"the range would hold {len(values):,} items, more than {MAX_RANGE_ITEMS:,}",
                           field=field)
    return list(values)


@node("range", title="Range", category="math", tags=("integer", "collection", "sequence", "count"))
class RangeInvocation(BaseNode):
    """start, start + step, ... up to but not including stop (like Python's range)."""

    start: int = InputField(0, description="First value")
    stop: int = InputField(10, description="The range ends before this value")
    step: int = InputField(1, description="Distance between values; negative counts down, not 0")

    def invoke(self, context: InvocationContext) -> IntegerCollectionOutput:
        _nonzero(self.step, "step", "step")
        return IntegerCollectionOutput(collection=_checked_range(range(self.start, self.stop, self.step), "stop"))


@node("range_of_size", title="Range of Size", category="math", tags=("integer", "collection", "sequence", "count"))
class RangeOfSizeInvocation(BaseNode):
    """`size` values: start, start + step, start + 2 × step, ..."""

    start: int = InputField(0, description="First value")
    size: int = InputField(10, ge=0, le=MAX_RANGE_ITEMS, description="How many values")
    step: int = InputField(1, description="Distance between values")

    def invoke(self, context: InvocationContext) -> IntegerCollectionOutput:
        return IntegerCollectionOutput(collection=[self.start + i * self.step for i in range(self.size)])
