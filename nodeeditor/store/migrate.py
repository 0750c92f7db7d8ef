"""Schema migrations shipped inside the package, run programmatically when a store opens."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .db import is_postgresql, writing

MIGRATION_LOCK = 0x6E6F6465  # any constant: PostgreSQL advisory lock held while migrating

SCRIPTS = Path(__file__).with_name("migrations")


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def known_revisions() -> set[str]:
    """Every revision this version ships (a database at any other was written by a newer one)."""
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default); rows are kept.

    Runs inside one write transaction (on PostgreSQL also under an advisory lock), so two
    processes opening a new database do not race; the second finds it done.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with writing(engine) as conn:
        if is_postgresql(conn):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            if revision == "head" and MigrationContext.configure(conn).get_current_revision() == head_revision():
                return
        command.upgrade(_config(conn), revision)
