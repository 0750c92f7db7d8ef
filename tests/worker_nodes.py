"""Small nodes for queue and worker tests: count their calls, sleep (checking cancel), or fail.

Registered into the global REGISTRY under names no built-in uses; a worker subprocess imports
this module too, so its sessions can run them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from typing import Any

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, OutputField, node

CALLS: Counter[str] = Counter()
"""Calls per node id, made in this process."""


class IntOutput(BaseOutput):
    value: int = OutputField()


@node("testq_count", title="Counted Add", category="tests")
class CountedAdd(BaseNode):
    """Adds `extra` to `value` and counts each real call by node id."""

    value: int = InputField(0)
    extra: int = InputField(0)

    def invoke(self, context: InvocationContext) -> IntOutput:
        CALLS[context.node_id] += 1
        return IntOutput(value=self.value + self.extra)


@node("testq_sleep", title="Sleepy", category="tests", cacheable=False)
class Sleepy(BaseNode):
    """Waits `seconds` in small steps, reporting progress (so a cancel reaches it)."""

    value: int = InputField(0)
    seconds: float = InputField(0.0, ge=0)

    def invoke(self, context: InvocationContext) -> IntOutput:
        steps = max(1, int(self.seconds / 0.01))
        for step in range(steps):
            context.progress(step / steps)
            time.sleep(self.seconds / steps)
        return IntOutput(value=self.value)


@node("testq_fail", title="Fails on request", category="tests", cacheable=False)
class FailOn(BaseNode):
    """Raises when `value` equals `bad`."""

    value: int = InputField(0)
    bad: int = InputField(-1)

    def invoke(self, context: InvocationContext) -> IntOutput:
        if self.value == self.bad:
            raise RuntimeError(f"value {self.value} is bad")
        return IntOutput(value=self.value)


@node("testq_hostile", title="Hostile", category="tests", cacheable=False)
class Hostile(BaseNode):
    """Misbehaves the way real nodes do when `value` equals `bad`: `how` says which way."""

    value: int = InputField(0)
    bad: int = InputField(-1)
    how: str = InputField("exit")
    """exit (sys.exit(3)), interrupt (KeyboardInterrupt), hang (never returns, never checks
    its context), die (kills its own process)."""

    def invoke(self, context: InvocationContext) -> IntOutput:
        if self.value == self.bad:
            if self.how == "exit":
                sys.exit(3)
            if self.how == "interrupt":
                raise KeyboardInterrupt
            if self.how == "hang":
                while True:
                    time.sleep(0.05)
            if self.how == "die":
                os.kill(os.getpid(), signal.SIGKILL)
        return IntOutput(value=self.value)


SEEN: list[dict] = []
"""What testq_echo received, call by call (this process)."""


class EchoOutput(BaseOutput):
    value: Any = OutputField()


@node("testq_echo", title="Echo", category="tests", cacheable=False)
class Echo(BaseNode):
    """Passes its values on and records exactly what it received."""

    value: Any = InputField(None)
    number: float = InputField(0.0)
    count: int = InputField(0)
    text: str = InputField("")

    def invoke(self, context: InvocationContext) -> EchoOutput:
        SEEN.append({"value": self.value, "number": self.number, "count": self.count, "text": self.text})
        return EchoOutput(value=self.value)
