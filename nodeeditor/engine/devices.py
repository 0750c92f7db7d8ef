"""The torch devices a worker offers (cpu, cuda:N with name and memory), for the workers registry.

Importing torch costs seconds of CPU and hundreds of MB, and the worker itself never needs it
(sessions load it in their own child when a model node runs). So the devices are found by a
short-lived process of their own, started in the background once the worker has registered;
the worker claims sessions meanwhile and adds the devices to its row when the answer comes.
Without torch there is nothing to probe and no devices entry.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("nodeeditor.worker")
DISABLE = "NODEEDITOR_DEVICE_PROBE"
"""Set to 0 to skip probing (test suites that start hundreds of workers)."""
TIMEOUT_S = 120.0

_PROBE = """
import json, os
try:
    os.nice(10)
except OSError:
    pass
try:
    import torch
except Exception:
    print("null")
    raise SystemExit(0)
found = [{"device": "cpu"}]
if torch.cuda.is_available():
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        found.append({"device": f"cuda:{i}", "name": p.name, "memory": int(p.total_memory)})
mps = getattr(torch.backends, "mps", None)
if mps is not None and mps.is_available():
    found.append({"device": "mps"})
print(json.dumps(found))
"""


def from_torch(torch: Any) -> list[dict[str, Any]]:
    """The devices of a torch already imported in this process (no probe needed)."""
    found: list[dict[str, Any]] = [{"device": "cpu"}]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            found.append({"device": f"cuda:{i}", "name": props.name, "memory": int(props.total_memory)})
    return found


def probe(env: dict[str, str] | None = None, timeout_s: float = TIMEOUT_S) -> list[dict[str, Any]] | None:
    """The devices torch sees, from a child process; None without torch or when the probe fails."""
    if env is None and importlib.util.find_spec("torch") is None:
        return None
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=timeout_s,
                              env=env, stdin=subprocess.DEVNULL)
        found = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
        log.warning("cannot list torch devices: %s", exc)
        return None
    return found if isinstance(found, list) else None


def describe(devices: Any) -> str:
    """One line for people: "cpu, cuda:0 NVIDIA H200 141 GiB"; "-" when none are known."""
    if not isinstance(devices, list) or not devices:
        return "-"
    parts = []
    for device in devices:
        if isinstance(device, str):
            parts.append(device)
            continue
        text = str(device.get("device", "?"))
        if device.get("name"):
            text += f" {device['name']}"
        if device.get("memory"):
            text += f" {device['memory'] / 2**30:.0f} GiB"
        parts.append(text)
    return ", ".join(parts)


class DeviceProbe:
    """Probes once per worker, in the background; `found` is what to merge into capabilities."""

    def __init__(self) -> None:
        self.found: dict[str, Any] = {}
        self._thread: threading.Thread | None = None

    def start(self, report: Callable[[dict[str, Any]], None]) -> None:
        """Probe (once) and call `report({"devices": [...]})` from the probe's thread."""
        if self._thread is not None or os.environ.get(DISABLE) == "0":
            return

        def run() -> None:
            devices = probe()
            if devices is not None:
                self.found = {"devices": devices}
                report(self.found)

        self._thread = threading.Thread(target=run, name="device-probe", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
