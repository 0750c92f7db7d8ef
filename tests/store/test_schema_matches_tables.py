"""The tables the code queries (store/tables.py) are the tables the migrations make."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BigInteger, Integer

from nodeeditor.store import migrate
from nodeeditor.store.db import make_engine
from nodeeditor.store.tables import metadata


def _same_on_sqlite(difference) -> bool:
    """SQLite's INTEGER holds 64 bits: a column declared BigInteger (for PostgreSQL) is the same there."""
    return (isinstance(difference, list) and difference[0][0] == "modify_type"
            and isinstance(difference[0][5], Integer) and isinstance(difference[0][6], BigInteger))


def test_the_migrated_schema_has_every_table_column_type_and_length_tables_py_declares(db_url):
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    engine.dispose()
    if db_url.startswith("sqlite"):
        differences = [d for d in differences if not _same_on_sqlite(d)]
    # Alembic cannot compare indexes over expressions (`priority DESC`): such an index shows up
    # as removed and added under the same name. Anything else is a real difference.
    changed = [d for d in differences if d[0] in ("add_index", "remove_index")]
    names = {(d[0], d[1].name) for d in changed}
    rebuilt = {name for kind, name in names if ("add_index", name) in names and ("remove_index", name) in names}
    left = [d for d in differences if not (d[0] in ("add_index", "remove_index") and d[1].name in rebuilt)]
    assert left == []
