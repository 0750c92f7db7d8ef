"""A seeded, uniform random sample of cosmic-ray mutants over nodeeditor/core and nodeeditor/store.

Every mutant cosmic-ray can make in those packages is listed (module, operator, occurrence) in a
fixed order, a seeded sample is drawn from the whole list, and each sampled mutant is applied to a
private copy of the tree and run against the tests of its layer (tests/core or tests/store, SQLite
only) with a time limit, niced. A full run over every mutant takes days on a shared machine; a
sample gives the score with a confidence interval instead.

    python tools/mutation_sample.py run [--seed 1130] [--sample 260] [--jobs 1]
    python tools/mutation_sample.py rerun       # the survivors again, after tests were added
    python tools/mutation_sample.py report      # prints one JSON object, writes tools/mutation/score.json

Touch /tmp/mutation-sample.stop to stop early: the mutants already started finish, the rest of the
sample is left out (a prefix of a random sample is itself a uniform random sample).

Needs cosmic-ray (a tool venv, e.g. `python -m venv --system-site-packages V; V/bin/pip install
cosmic-ray`); not a project dependency and not run in CI. Survivors judged equivalent (no
observable behaviour differs) are listed with the reason in tools/mutation/equivalent.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import parso.tree  # noqa: F401  (imported before cosmic_ray: its operator plugins import parso half-way)
from cosmic_ray.commands.init import _all_work_items
from cosmic_ray.mutating import use_mutation
from cosmic_ray.plugins import get_operator

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tools" / "mutation"
RESULTS = HERE / "results.json"
EQUIVALENT = HERE / "equivalent.json"
SCORE = HERE / "score.json"
STOP = Path(tempfile.gettempdir()) / "mutation-sample.stop"
COVERAGE = Path(tempfile.gettempdir()) / "mutation-sample-coverage.json"
PACKAGES = ("nodeeditor/core", "nodeeditor/store")
SOURCE_REV = os.environ.get("MUTATION_REV", "2f0b59a")
"""The commit whose core/ and store/ are mutated (fixed, so the sample and the figures can be redone)."""
NOT_MUTANTS = ("no-mutation", "incompetent")
"""Outcomes left out of the score: the operator changed nothing, or made code that does not compile."""
LAYER_TESTS = {"nodeeditor/core": ["tests/core"], "nodeeditor/store": ["tests/store"]}
PYTEST = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-k", "not postgresql", "-o", "timeout=500"]
"""Stop at the first failure; SQLite only; a test may take long on a loaded machine (niced)."""


def modules(root: Path) -> list[str]:
    """Every module of core/ and store/ (migration scripts are Alembic data, not logic)."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            if path.name != "__init__.py":
                found.append(path.relative_to(root).as_posix())
    return found


def all_mutants(root: Path) -> list[dict]:
    """Every mutant, in a fixed order (module, operator, occurrence), so a seed names a sample."""
    listed = []
    for module in modules(root):
        for item in _all_work_items([root / module], {}):
            spec = item.mutations[0]
            listed.append(
                {
                    "key": f"{module}:{spec.operator_name}:{spec.occurrence}",
                    "module": module,
                    "operator": spec.operator_name,
                    "occurrence": spec.occurrence,
                    "line": spec.start_pos[0],
                }
            )
    listed.sort(key=lambda m: (m["module"], m["operator"], m["occurrence"]))
    return listed


def copy_tree(into: Path, rev: str = "") -> Path:
    """The package as committed at `rev` (what the mutants are made from), with the tests,
    resources and files the tests read as they are in this checkout (tests added since count)."""
    rev = rev or SOURCE_REV
    tree = into / "tree"
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "nodeeditor"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".hypothesis", "*.pyc", ".mypy_cache")
    for name in ("tests", "resources"):
        shutil.copytree(ROOT / name, tree / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):  # the tests read both
        shutil.copy(ROOT / name, tree / name)
    return tree


def layer_tests(module: str) -> list[str]:
    return LAYER_TESTS[module.rsplit("/", 1)[0]]


def coverage_map() -> dict[str, dict[str, list[str]]]:
    """Which tests run each line of core/ and store/: one run of the layers' tests under
    coverage with per-test contexts, kept in the temp folder. A mutant then runs only the tests
    that reach its line; a line no test reaches needs no run at all (nothing can kill it)."""
    if COVERAGE.exists():
        return json.loads(COVERAGE.read_text())
    import coverage

    work = Path(tempfile.mkdtemp(prefix="mutation-cov-"))
    tree = copy_tree(work)
    tests = sorted({t for ts in LAYER_TESTS.values() for t in ts})
    command = [sys.executable, "-m", "pytest", *PYTEST[1:], "--cov=nodeeditor", "--cov-context=test",
               "--cov-report=", *tests]
    env = dict(os.environ, PYTHONPATH=str(tree), NODEEDITOR_HOME=str(work / "home"))
    baseline = subprocess.run(["nice", "-n", "19", *command], cwd=tree, env=env)
    if baseline.returncode != 0:  # a mutant "killed" by a test that fails anyway would be no kill
        print("warning: the unmutated tests failed (see above); rerun the failing ones before trusting kills",
              file=sys.stderr)
    mapped = _map_from(tree)
    COVERAGE.write_text(json.dumps(mapped))
    shutil.rmtree(work, ignore_errors=True)
    return mapped


def _map_from(tree: Path) -> dict[str, dict[str, list[str]]]:
    import coverage

    data = coverage.CoverageData(basename=str(tree / ".coverage"))
    data.read()
    mapped: dict[str, dict[str, list[str]]] = {}
    for filename in data.measured_files():
        relative = Path(filename).resolve().relative_to(tree.resolve()).as_posix()
        by_line = data.contexts_by_lineno(filename)
        mapped[relative] = {str(line): sorted({c.rsplit("|", 1)[0] for c in contexts})
                            for line, contexts in by_line.items()}
    return mapped


def tests_for(mutant: dict, mapped: dict) -> list[str] | None:
    """The tests that run the mutant's line inside a function; the whole layer for a line that
    runs when the module is imported (module level, class bodies, signatures: whichever test
    imported it first is the only one coverage names); None when nothing runs it."""
    contexts = set(mapped.get(mutant["module"], {}).get(str(mutant["line"]), ()))
    if not contexts:
        return None
    named = sorted(c for c in contexts if c)
    if named and "" not in contexts and mutant["line"] in _function_body_lines(mutant["module"]):
        return named
    return layer_tests(mutant["module"])


_BODIES: dict[str, set[int]] = {}


def _function_body_lines(module: str) -> set[int]:
    """Lines inside function bodies (not their signatures or decorators) of `module` at SOURCE_REV."""
    if module not in _BODIES:
        import ast

        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{SOURCE_REV}:{module}"], check=True,
                                capture_output=True, text=True).stdout
        lines: set[int] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                body = node.body if isinstance(node.body, list) else [node.body]
                lines.update(range(body[0].lineno, (node.end_lineno or body[-1].lineno) + 1))
        _BODIES[module] = lines
    return _BODIES[module]


def run_one(tree: Path, mutant: dict, timeout: float, tests: list[str] | None) -> dict:
    """Apply one mutant to `tree`, run the tests that reach it, put the module back."""
    operator = get_operator(mutant["operator"])()
    module = tree / mutant["module"]
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    env["NODEEDITOR_HOME"] = tempfile.mkdtemp(prefix="mut-home-")
    started = time.monotonic()
    with use_mutation(module, operator, mutant["occurrence"]) as (original, mutated):
        if mutated is None:
            return {**mutant, "outcome": "no-mutation", "seconds": 0.0}
        try:
            compile(mutated, str(module), "exec")
        except SyntaxError:  # not a program (e.g. `*` in a signature made `+`): no test to run
            return {**mutant, "outcome": "incompetent", "seconds": 0.0}
        command = ["nice", "-n", "19", sys.executable, "-m", "pytest", *PYTEST, *(tests or [])]
        try:
            if tests is None:
                raise LookupError("no test runs this line")
            done = subprocess.run(
                command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout
            )
            outcome = "survived" if done.returncode == 0 else "killed"
            broken_import = done.returncode == 4 and "while loading conftest" in done.stderr
            if done.returncode not in (0, 1):  # 2: a test module failed to import; 4: a conftest did
                outcome = "killed" if done.returncode == 2 or broken_import else f"error-{done.returncode}"
            tail = (done.stdout or done.stderr)[-600:]
        except subprocess.TimeoutExpired:
            outcome, tail = "timeout", ""
        except LookupError as exc:
            outcome, tail = "survived", str(exc)
        diff = diff_of(original, mutated, mutant["module"])
    shutil.rmtree(env["NODEEDITOR_HOME"], ignore_errors=True)
    result = {**mutant, "outcome": outcome, "seconds": round(time.monotonic() - started, 1),
              "tests": (tests.index("--deselect") if "--deselect" in tests else len(tests)) if tests else 0}
    if outcome != "killed":
        result["diff"] = diff
        result["tail"] = tail
    return result


def diff_of(original: str, mutated: str, name: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            original.splitlines(True), mutated.splitlines(True), name, name, n=0
        )
    )


def _without_annotations(code: str, fields_too: bool) -> str:
    import ast

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign) and fields_too:
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def annotation_only(mutant: dict) -> bool:
    """The mutant changes nothing but an annotation that is never evaluated, so no run can tell
    it apart: the module postpones annotations (`from __future__ import annotations`), and the
    change is in a function signature (nothing here calls `validate_call` or `get_type_hints`
    on functions), or in a variable annotation of a module with no pydantic model (whose field
    annotations pydantic does evaluate). Checked on the syntax trees, not guessed from the diff."""
    from cosmic_ray.mutating import mutate_code

    original = subprocess.run(["git", "-C", str(ROOT), "show", f"{SOURCE_REV}:{mutant['module']}"],
                              check=True, capture_output=True, text=True).stdout
    if "from __future__ import annotations" not in original or "validate_call" in original:
        return False
    if "def invoke" in original.splitlines()[mutant["line"] - 1]:  # node.py reads invoke's hints
        return False
    mutated = mutate_code(original, get_operator(mutant["operator"])(), mutant["occurrence"])
    if mutated is None:
        return False
    fields_too = "BaseModel" not in original
    try:
        return _without_annotations(original, fields_too) == _without_annotations(mutated, fields_too)
    except SyntaxError:  # an incompetent mutant: run_one says so
        return False


def load_results() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {"mutants": {}}


def changed_tests(module: str) -> list[str]:
    """Test files of the module's layer written or changed since SOURCE_REV (the coverage map
    predates them): what a rerun of the survivors runs."""
    found = subprocess.run(["git", "-C", str(ROOT), "diff", "--name-only", SOURCE_REV, "--", *layer_tests(module)],
                           check=True, capture_output=True, text=True).stdout.split()
    untracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard", "--",
                                *layer_tests(module)], check=True, capture_output=True, text=True).stdout.split()
    return sorted({f for f in found + untracked if f.endswith(".py") and Path(f).name.startswith("test_")})


def unmutated_failures(tree: Path, tests: list[str]) -> list[str]:
    """`--deselect` arguments for the tests that fail on the unmutated source: a test written for
    code added after SOURCE_REV would otherwise "kill" every mutant it runs against."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1",
               NODEEDITOR_HOME=tempfile.mkdtemp(prefix="mut-home-"))
    command = ["nice", "-n", "19", sys.executable, "-m", "pytest", *PYTEST[1:], "-rfE", *tests]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    failing = [line.split()[1] for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return [arg for test in failing for arg in ("--deselect", test.split(" - ")[0])]


def execute(todo: list[dict], header: dict, jobs: int, timeout: float, rerun: bool = False) -> None:
    mapped = coverage_map()
    state = load_results()
    state.update(header)
    lock = threading.Lock()
    work = tempfile.mkdtemp(prefix="mutation-")
    trees = [copy_tree(Path(work) / f"w{i}") for i in range(jobs)]
    free = list(trees)
    baseline: dict[tuple[str, ...], list[str]] = {}

    def job(mutant: dict) -> None:
        if STOP.exists():  # stopping early keeps a prefix of the sample: still a uniform sample
            return
        if annotation_only(mutant):  # provably the same program: no test can tell it apart
            result = {**mutant, "outcome": "survived", "seconds": 0.0, "tests": 0,
                      "tail": "annotation only: not run"}
            with lock:
                state["mutants"][mutant["key"]] = result
                RESULTS.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
            return
        with lock:
            tree = free.pop()
        try:
            # A survivor already passed the tests that reach it: only tests written since can kill it.
            tests = (changed_tests(mutant["module"]) or None) if rerun else tests_for(mutant, mapped)
            if rerun and tests:
                key = tuple(tests)
                with lock:
                    if key not in baseline:
                        baseline[key] = unmutated_failures(tree, tests)
                tests = tests + baseline[key]
            result = run_one(tree, mutant, timeout, tests)
        finally:
            with lock:
                free.append(tree)
        with lock:
            state["mutants"][mutant["key"]] = result
            HERE.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
            done = sum(1 for k in state["mutants"])
            print(f"[{done}] {result['outcome']:9} {result['seconds']:6}s {mutant['key']}", flush=True)

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for future in [pool.submit(job, m) for m in todo]:
            future.result()
    shutil.rmtree(work, ignore_errors=True)


def wilson(killed: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval for a proportion (the sample's score stands for all mutants')."""
    if total == 0:
        return (0.0, 0.0)
    p = killed / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (round(centre - half, 4), round(centre + half, 4))


def report() -> dict:
    state = load_results()
    equivalent = json.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
    mutants = state["mutants"]
    counted = {k: m for k, m in mutants.items() if m["outcome"] not in NOT_MUTANTS}
    killed = [k for k, m in counted.items() if m["outcome"] in ("killed", "timeout")]
    survived = [k for k, m in counted.items() if m["outcome"] == "survived"]
    for key in survived:
        if key not in equivalent and annotation_only(counted[key]):
            equivalent[key] = "annotation only (postponed annotations, never evaluated)"
    judged = [k for k in survived if k in equivalent]
    open_survivors = sorted(set(survived) - set(judged))
    scored = len(counted) - len(judged)
    figures = {
        "tool": "cosmic-ray (operators: all core/ without arguments)",
        "population": state.get("population"),
        "seed": state.get("seed"),
        "source_rev": state.get("source_rev"),
        "mutants_sampled": len(mutants),
        "not_applicable": len(mutants) - len(counted),
        "killed": len(killed),
        "timeouts_counted_as_killed": sum(1 for k in killed if counted[k]["outcome"] == "timeout"),
        "survived": len(survived),
        "equivalent": len(judged),
        "errors": len(counted) - len(killed) - len(survived),
        "score_raw": round(len(killed) / len(counted), 4) if counted else None,
        "score": round(len(killed) / scored, 4) if scored else None,
        "score_ci95": wilson(len(killed), scored),
        "surviving_not_equivalent": open_survivors,
        "equivalent_survivors": {k: equivalent[k] for k in sorted(judged)},
        "per_package": {
            package: {
                "sampled": sum(1 for m in counted.values() if m["module"].startswith(package)),
                "killed": sum(1 for k in killed if counted[k]["module"].startswith(package)),
                "equivalent": sum(1 for k in judged if counted[k]["module"].startswith(package)),
            }
            for package in PACKAGES
        },
    }
    SCORE.write_text(json.dumps(figures, indent=1) + "\n")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("list", "coverage", "run", "rerun", "report"))
    parser.add_argument("--seed", type=int, default=1130)
    parser.add_argument("--sample", type=int, default=260)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    if args.command == "report":
        print(json.dumps(report()))
        return
    if args.command == "coverage":
        mapped = coverage_map()
        print(json.dumps({"files": len(mapped), "lines": sum(len(v) for v in mapped.values())}))
        return
    if args.command == "rerun":
        state = load_results()
        equivalent = json.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
        todo = [m for m in state["mutants"].values()
                if m["outcome"] not in ("killed", *NOT_MUTANTS) and m["key"] not in equivalent]
        execute(todo, {}, args.jobs, args.timeout, rerun=True)
        print(json.dumps(report()))
        return
    snapshot = copy_tree(Path(tempfile.mkdtemp(prefix="mutation-list-")))
    population, module_count = all_mutants(snapshot), len(modules(snapshot))
    shutil.rmtree(snapshot.parent, ignore_errors=True)
    if args.command == "list":
        print(json.dumps({"population": len(population), "modules": module_count}))
        return
    sample = random.Random(args.seed).sample(population, args.sample)
    done = load_results()["mutants"]
    todo = [m for m in sample if m["key"] not in done]
    header = {"seed": args.seed, "population": len(population), "sample": args.sample, "source_rev": SOURCE_REV}
    execute(todo, header, args.jobs, args.timeout)
    print(json.dumps(report()))


if __name__ == "__main__":
    main()
