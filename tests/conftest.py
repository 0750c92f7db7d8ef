"""Shared test set-up: Qt runs offscreen, and every test gets its own data folder."""

import gc
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NODEEDITOR_DEVICE_PROBE", "0")  # a torch import per worker start; tests/engine/test_devices.py probes

import pytest  # noqa: E402

pytest_plugins = ["pg"]  # a real PostgreSQL server for the tests that ask for one (tests/pg.py)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """A fresh NODEEDITOR_HOME per test, so no test sees another's database or files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NODEEDITOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _garbage_freed_on_the_main_thread():
    """Once Qt is loaded, cyclic garbage is collected here, on the main thread, after each test
    (as the window does from a timer): a collection that Python starts on a background thread
    (a store reader, a sampler) would destroy widgets of earlier tests there, and that deadlocks
    against the main thread — seen as a run that never exits after its summary. Frozen after each
    collection, what survives is not scanned again."""
    if "PySide6.QtCore" in sys.modules:
        gc.disable()
    yield
    if "PySide6.QtCore" in sys.modules:
        gc.disable()  # for good: between tests too
        gc.collect()
        gc.freeze()


EXIT_WATCHDOG_S = 120
"""Longest the process may take to exit once the tests are done."""


@pytest.fixture(autouse=True, scope="session")
def _release_clipboard():
    """Empty the clipboard before Qt shuts down: data left in it is freed after the
    application object and the process crashes on exit (offscreen platform). What the tests
    left is then collected here, on the main thread (see `_garbage_freed_on_the_main_thread`)."""
    yield
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        QApplication.clipboard().clear()
    gc.collect()


def pytest_unconfigure(config):
    """Whatever still hangs on the way out is bounded: every thread's stack is printed and the
    process ends with status 1 (faulthandler's own thread, which runs while Qt waits in C++)."""
    import faulthandler
    import sys

    faulthandler.dump_traceback_later(EXIT_WATCHDOG_S, exit=True, file=sys.__stderr__)


def pytest_sessionfinish(session, exitstatus):
    """A test that passes only when run again is a failure: fail the run if anything was rerun
    (pytest-rerunfailures, if someone passes --reruns)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reran = len(reporter.stats.get("rerun", [])) if reporter is not None else 0
    if reran and exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"{reran} test(s) passed only when rerun: failing the run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A tiny real diffusion model (tests/tiny_model.py), built once per run."""
    from tiny_model import build

    return build(tmp_path_factory.mktemp("models"))


@pytest.fixture
def models():
    """The process's model cache, emptied so that each test counts its own loads."""
    from nodeeditor.engine import model_cache

    cache = model_cache.shared()
    cache.clear()
    cache.figures = model_cache.CacheFigures()
    yield cache
    cache.clear()
