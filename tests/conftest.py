"""Shared test set-up: Qt runs offscreen, and every test gets its own data folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest_plugins = ["pg"]  # a real PostgreSQL server for the tests that ask for one (tests/pg.py)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """A fresh NODEEDITOR_HOME per test, so no test sees another's database or files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NODEEDITOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True, scope="session")
def _release_clipboard():
    """Empty the clipboard before Qt shuts down: data left in it is freed after the
    application object and the process crashes on exit (offscreen platform)."""
    yield
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        QApplication.clipboard().clear()


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
