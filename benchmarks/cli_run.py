"""`nodeeditor run` as a person runs it: whole processes, start-up and imports included.

- run_json_10k_minus_1k_us_per_node: `nodeeditor run --json` of a 10,000-node chain minus a
  1,000-node chain, per extra node (loading, validating, running, printing); target <= 15 us.
- diamond_2020_run_s: `nodeeditor run` of a graph of diamonds (20 wide, 101 layers: 2,020 nodes,
  every node adds two of the layer above, so every path splits and rejoins); target <= 1 s.
- startup_s: `nodeeditor run` of a one-node graph (interpreter, imports, parse, print), and
  import_cli_s: `python -c "import nodeeditor.cli.run_cmd"` alone, for where the time goes.
Best of a few runs each, wall time; *_cpu_s beside them give the child's own CPU time (user +
system), which other processes on a shared machine do not inflate. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPEATS = 5


def chain(size: int) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"id": "n0", "type": "integer", "inputs": {"value": 0}}]
    nodes += [{"id": f"n{i}", "type": "add", "inputs": {"b": 1}} for i in range(1, size)]
    edges = [{"source": {"node": f"n{i - 1}", "field": "value"}, "destination": {"node": f"n{i}", "field": "a"}}
             for i in range(1, size)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def diamond(width: int = 20, layers: int = 101) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"id": f"n0_{j}", "type": "integer", "inputs": {"value": j}} for j in range(width)]
    edges = []
    for k in range(1, layers):
        for j in range(width):
            nodes.append({"id": f"n{k}_{j}", "type": "add", "inputs": {}})
            for src, field in ((f"n{k - 1}_{j}", "a"), (f"n{k - 1}_{(j + 1) % width}", "b")):
                edges.append({"source": {"node": src, "field": "value"}, "destination": {"node": f"n{k}_{j}", "field": field}})
    return {"version": 1, "nodes": nodes, "edges": edges}


CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_s(command: list[str], env: dict[str, str], label: str) -> float:
    best = cpu = float("inf")
    for _ in range(REPEATS):
        began, used = time.perf_counter(), _children_cpu()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - began
        assert done.returncode == 0, done.stderr.decode()
        best = min(best, elapsed)
        cpu = min(cpu, _children_cpu() - used)
    CPU[label] = cpu
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ, NODEEDITOR_HOME=str(folder / "home"))
        files = {}
        for name, workflow in (("one", chain(1)), ("c1k", chain(1000)), ("c10k", chain(10_000)), ("diamond", diamond())):
            files[name] = folder / f"{name}.json"
            files[name].write_text(json.dumps(workflow))
        assert len(diamond()["nodes"]) == 2020
        run = [sys.executable, "-m", "nodeeditor", "run"]
        startup = best_s(run + [str(files["one"])], env, "startup")
        importing = best_s([sys.executable, "-c", "import nodeeditor.cli.run_cmd"], env, "import")
        small = best_s(run + [str(files["c1k"]), "--json"], env, "small")
        big = best_s(run + [str(files["c10k"]), "--json"], env, "big")
        shape = best_s(run + [str(files["diamond"])], env, "diamond")
    print(json.dumps({
        "run_json_10k_minus_1k_us_per_node": round((big - small) / 9000 * 1e6, 2),
        "run_json_chain_1000_s": round(small, 3),
        "run_json_chain_10000_s": round(big, 3),
        "diamond_2020_run_s": round(shape, 3),
        "startup_s": round(startup, 3),
        "import_cli_s": round(importing, 3),
        "run_json_10k_minus_1k_cpu_us_per_node": round((CPU["big"] - CPU["small"]) / 9000 * 1e6, 2),
        "diamond_2020_run_cpu_s": round(CPU["diamond"], 3),
        "startup_cpu_s": round(CPU["startup"], 3),
        "import_cli_cpu_s": round(CPU["import"], 3),
    }))


if __name__ == "__main__":
    main()
