"""Real `nodeeditor worker` processes for tests: started with the test nodes as a plug-in,
their output kept, signalled and waited for like a service manager would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TEST_NODES = Path(__file__).resolve().parents[1] / "worker_nodes.py"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class WorkerProc:
    """One `nodeeditor worker` child; stdout and stderr go to files so a test can read them any time."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None) -> None:
        (home / "nodes").mkdir(exist_ok=True)
        if not (home / "nodes" / TEST_NODES.name).exists():
            shutil.copy(TEST_NODES, home / "nodes" / TEST_NODES.name)
        self.home = home
        name = args[args.index("--name") + 1] if "--name" in args else "w"
        self._out = home / f"{name}-{len(list(home.glob(f'{name}-*.out')))}.out"
        self._err = self._out.with_suffix(".err")
        merged = {**os.environ, "NODEEDITOR_HOME": str(home),
                  "PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")]),
                  **(env or {})}
        with open(self._out, "wb") as out, open(self._err, "wb") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "nodeeditor", "worker", *args],
                                            stdout=out, stderr=err, env=merged)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def out(self) -> str:
        return self._out.read_text()

    @property
    def err(self) -> str:
        return self._err.read_text()

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def wait(self, timeout: float = 30.0) -> int:
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
