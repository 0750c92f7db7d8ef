"""`nodeeditor db check|backup PATH`: is the store sound, and a copy of it taken while it is in use."""

from __future__ import annotations

import argparse
import json

from . import EXIT_OK, EXIT_STORE, add_common
from .common import home_of


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="check the database, or back it up")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="integrity (SQLite's integrity_check; PostgreSQL's amcheck where installed), "
                                                 "schema revision and row counts (reads only)")
    check.add_argument("--json", action="store_true", help="print JSON")
    backup = actions.add_parser("backup", help="copy the database to PATH, safe while workers run (SQLite's backup "
                                                   "API; pg_dump's custom format on PostgreSQL)")
    backup.add_argument("path", help="file to write the copy to")
    for action in (check, backup):
        add_common(action)
        action.set_defaults(handler=handle)
    add_common(parser)


def _url(args: argparse.Namespace) -> str:
    from nodeeditor.paths import database_url

    return getattr(args, "db", None) or database_url(home_of(args))


def handle(args: argparse.Namespace) -> int:
    from nodeeditor.store import health

    url = _url(args)
    if args.action == "backup":
        target = health.backup(url, args.path)
        print(f"backed up {health.describe(url)} to {target}")
        return EXIT_OK
    report = health.report(url)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"database  {report['database']}")
        print(f"schema    {report['schema']} (this version knows {report['knows']})")
        problems = report["problems"]
        plural = "s" if len(problems) != 1 else ""
        print(f"integrity {f'damaged ({len(problems)} problem{plural})' if problems else 'ok'}")
        for problem in problems[:10]:
            print(f"  {problem}")
        if len(problems) > 10:
            print(f"  ... and {len(problems) - 10} more")
        for line in report["checked"]:
            print(f"checked   {line}")
        for table, rows in report["rows"].items():
            print(f"  {table:<16} {rows:>10} rows")
    if report["problems"] or not report["schema_known"]:
        return EXIT_STORE
    return EXIT_OK
