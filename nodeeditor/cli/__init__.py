"""`nodeeditor`: the GUI by default, headless subcommands for everything else.

Each subcommand lives in its own module with `register(subparsers)`; handlers return the exit
code: 0 success, 1 a node or session failed, 2 the input was invalid, 3 the store cannot be used.
Whatever goes wrong, a person reads one `error:` line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

SUBCOMMANDS = ("nodes", "run", "enqueue", "worker", "workers", "queue", "stats", "db", "render")

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_STORE = 0, 1, 2, 3

DESCRIPTION = """Typed dataflow graphs, run in batches.

With no subcommand, `nodeeditor [FILE]` opens the editor window (on FILE, a workflow or a PNG
that carries one). The subcommands below run headless."""


class Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one `error:` line naming the command (exit 2), not usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def add_common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--home and --db, accepted before or after the subcommand."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--home", default=default,
                        help="data folder (default: $NODEEDITOR_HOME or the platform's)")
    parser.add_argument("--db", default=default,
                        help="database URL (default: SQLite in the data folder; a queue shared by many "
                             "machines: postgresql+psycopg://user:pass@host/dbname)")
    parser.add_argument("--artifacts", default=default, metavar="DIR",
                        help="folder for images and tensors (default: $NODEEDITOR_ARTIFACTS or the data "
                             "folder's); a folder every machine mounts lets all of them see the results")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand, or only `only` in full: each one imports what it needs (the store,
    SQLAlchemy, Qt) and `nodeeditor run` should not wait for the others' imports."""
    parser = Parser(prog="nodeeditor", description=DESCRIPTION,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        if only is not None and name != only:
            sub.add_parser(name).add_argument("rest", nargs=argparse.REMAINDER)
            continue
        try:
            module = importlib.import_module(f"nodeeditor.cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name != f"nodeeditor.cli.{name}_cmd":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opened = None
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        opened = argv.pop(0)  # `nodeeditor FILE` opens FILE in the GUI
    named = next((a for a in argv if a in SUBCOMMANDS), None)
    args = build_parser(named).parse_args(argv) if named else None
    if args is None or args.command != named:  # no subcommand, or an option's value looked like one
        args = build_parser().parse_args(argv)
    args.open = opened
    if getattr(args, "artifacts", None):
        # Through the environment, so worker processes started from here use the same folder.
        os.environ["NODEEDITOR_ARTIFACTS"] = str(Path(args.artifacts).expanduser().resolve())
    if args.command is None:
        from nodeeditor.ui.app import run_app

        return run_app(args)
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        problem = _store_problem(exc, args)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_STORE


def _store_problem(exc: Exception, args: argparse.Namespace) -> str | None:
    """The one line for a store fault (exit 3), or None when `exc` is not one."""
    from nodeeditor.core.errors import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    if "sqlalchemy" not in sys.modules and "sqlite3" not in sys.modules:
        return None
    from nodeeditor.store.health import explain

    return explain(exc, getattr(args, "db", None), getattr(args, "home", None))


def _reader_went_away() -> int:
    """`nodeeditor run ... | head -1`: the reader closed the pipe; stop quietly (Python docs recipe:
    point stdout at /dev/null so the flush at exit does not complain again)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
