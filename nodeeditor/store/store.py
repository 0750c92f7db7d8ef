"""The store a process opens once: database (migrated), queue, workers registry, stats and artifacts.

Artifacts live under the data folder unless `artifacts` / NODEEDITOR_ARTIFACTS names another
folder (a shared mount, for workers on many machines): rows keep names relative to that root
and the host that wrote them, so a window on another machine with the same folder finds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from nodeeditor.core.registry import Registry
from nodeeditor.paths import artifacts_dir, data_dir, database_url

from . import health, migrate
from .artifacts import ArtifactRecord, FileArtifactStore
from .db import make_engine, writing
from .queue import QueueRepo
from .workers import HOST, WorkerRegistry
from .stats import StatsRepo
from .tables import artifacts as A


@dataclass
class ArtifactRow:
    name: str
    kind: str
    size: int
    dims: list[int]
    session_id: str | None
    node_id: str | None
    gallery: bool
    created: float
    host: str | None = None
    """The machine whose worker wrote it."""


class ArtifactIndex:
    """One row per artifact file, written when the file is saved."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, record: ArtifactRecord) -> None:
        with writing(self.engine) as conn:
            conn.execute(insert(A).values(
                name=record.name, kind=record.kind, size=record.size, dims=json.dumps(record.dims),
                session_id=record.session_id, node_id=record.node_id, gallery=record.gallery,
                created=record.created.timestamp(), host=HOST))

    def list(self, *, session_id: str | None = None, kind: str | None = None, gallery: bool | None = None,
             limit: int = 500) -> list[ArtifactRow]:
        """Newest first."""
        query = select(A)
        if session_id is not None:
            query = query.where(A.c.session_id == session_id)
        if kind is not None:
            query = query.where(A.c.kind == kind)
        if gallery is not None:
            query = query.where(A.c.gallery.is_(gallery))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(A.c.id.desc()).limit(limit)).all()
        return [ArtifactRow(r.name, r.kind, r.size, json.loads(r.dims), r.session_id, r.node_id,
                            bool(r.gallery), r.created, r.host) for r in rows]


class Store:
    def __init__(self, engine: Engine, home: Path, registry: Registry | None = None,
                 artifacts: Path | None = None) -> None:
        self.engine = engine
        self.home = home
        self.queue = QueueRepo(engine, registry)
        self.workers = WorkerRegistry(engine)
        self.stats = StatsRepo(engine)
        self.artifact_index = ArtifactIndex(engine)
        self.artifacts = FileArtifactStore(artifacts_dir(home, artifacts), on_saved=self.artifact_index.record)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _has_content(path: Path) -> bool:
    """An empty file (`touch queue.db`) is a new database to a reader too, not a read-only one."""
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def open_store(url: str | None = None, home: Path | None = None, *, registry: Registry | None = None,
               recover: bool = True, artifacts: Path | str | None = None, write: bool = True) -> Store:
    """Open the database, refusing a damaged or newer one (StoreError) before writing anything.

    A writer's database is created and migrated as needed (a backup first) and, with `recover`,
    the sessions of workers that are gone are taken back at once (see QueueRepo.take_back).
    A reader (`write=False`) opens an existing SQLite file read-only and never migrates or
    recovers unless the schema is older than this version's.
    """
    home = data_dir(home)
    url = url or database_url(home)
    folder = Path(artifacts) if artifacts is not None else None
    head = migrate.head_revision()
    path = health.sqlite_path(url)
    if not write and (path is None or _has_content(path)):
        engine = make_engine(health.read_only_url(url))
        try:
            if health.check_open(engine, url) == head:
                return Store(engine, home, registry, folder)
        except BaseException:
            engine.dispose()
            raise
        engine.dispose()
    health.check_writable(url)
    engine = make_engine(url)
    try:
        revision = health.check_open(engine, url)
        if revision is not None and revision != head:
            health.backup_before_migration(url, revision)
        migrate.upgrade(engine)
        store = Store(engine, home, registry, folder)
        if recover:
            store.queue.take_back()
    except BaseException:
        engine.dispose()
        raise
    return store
