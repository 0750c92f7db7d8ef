"""The real `nodeeditor` in a subprocess, and a fingerprint of the database to prove it unchanged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def one_error_line(self) -> str:
        """The single `error:` line on stderr (and that there is no traceback)."""
        assert "Traceback" not in self.err, self.err
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: "), self.err
        return lines[0]


def cli(*argv: str, home: Path, timeout: float = 60, wrap: list[str] | None = None,
        preexec=None, env: dict[str, str] | None = None, stdin: bytes | None = None) -> Ran:
    """Run `python -m nodeeditor ARGV` with this checkout first on the path and `home` as data folder."""
    environment = {**os.environ, "NODEEDITOR_HOME": str(home),
                   "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"),
                                                  os.environ.get("PYTHONPATH", "")]),
                   **(env or {})}
    command = [*(wrap or []), sys.executable, "-m", "nodeeditor", *argv]
    done = subprocess.run(command, capture_output=True, timeout=timeout, env=environment,
                          preexec_fn=preexec, input=stdin)
    return Ran(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def fingerprint(database: Path) -> tuple[str, dict[str, int], int]:
    """integrity_check, rows per table and a hash of every row: equal before and after means untouched."""
    if not database.exists():
        return "absent", {}, 0
    # Read-write but only reading: the last connection to close removes the WAL files it made.
    with sqlite3.connect(database) as conn:
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
            rows = hash(tuple(conn.iterdump()))
        except sqlite3.DatabaseError as exc:
            integrity, counts, rows = f"unreadable: {exc}", {}, hash(database.read_bytes())
    conn.close()
    return integrity, counts, rows
