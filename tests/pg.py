"""A real PostgreSQL server for the tests, from Debian's `postgresql` package.

One server per test run (session fixture `pg_server`), in a temporary folder on a free port,
stopped and removed at the end; every test that asks for `pg_url` gets a fresh database of its
own. `initdb` refuses to run as root, so as root the server runs as the `postgres` user
(`runuser -u postgres --`). Without the binaries the PostgreSQL tests are skipped; `.ci/run`
installs the package so CI never skips them. Loaded as a plug-in by tests/conftest.py.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

START_TIMEOUT_S = 60
WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, folder, ctl = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(0.5)
subprocess.run(ctl + ["-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
shutil.rmtree(folder, ignore_errors=True)
"""
"""Stops the server if the test process dies without cleaning up (killed by a timeout, say)."""


def _bindir() -> Path | None:
    """The newest installed server's bin folder (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    port: int
    folder: Path
    _names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE template0")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class NoServer(Exception):
    """The PostgreSQL server binaries are not installed."""


@contextmanager
def running_server(durable: bool = False, checksums: bool = False) -> Iterator[PgServer]:
    """A throw-away server (the fixture's, and the benchmarks'). Tests skip fsync; `durable`
    keeps the server's defaults, for figures; `checksums` initialises the cluster with data
    checksums on."""
    bindir = _bindir()
    if bindir is None or not (bindir / "initdb").exists():
        raise NoServer("PostgreSQL server binaries are not installed (Debian package `postgresql`)")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="nodeeditor-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    data, log = folder / "data", folder / "server.log"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
              "--no-sync"] + (["--data-checksums"] if checksums else [])
    subprocess.run(as_postgres + initdb,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    ctl = as_postgres + [str(bindir / "pg_ctl"), "-D", str(data)]
    started = subprocess.run(ctl + ["-o", options, "-l", str(log), "-w", "-t", str(START_TIMEOUT_S), "start"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if started.returncode != 0:
        message = log.read_text() if log.exists() else started.stderr
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {message[-2000:]}")
    watchdog = subprocess.Popen([sys.executable, "-c", WATCHDOG, str(os.getpid()), str(folder), *ctl],
                                start_new_session=True)
    try:
        yield PgServer(port, folder)
    finally:
        watchdog.kill()
        watchdog.wait()
        subprocess.run(ctl + ["-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    try:
        with running_server() as server:
            yield server
    except NoServer as exc:
        pytest.skip(str(exc))


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the test server; dropped after the test."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)
