"""The engine, migrations on start, and one transaction per unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session as DbSession
from sqlmodel import create_engine

from bot.paths import CONTENT_ROOT
from bot.storage.checkpoint import BACKSTOP_PAGES, WalCheckpointer

MIGRATIONS_DIR = CONTENT_ROOT / "migrations"
P = ParamSpec("P")
T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout so two faces can share it."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection,
                            _record: ConnectionPoolEntry) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            # checkpoints run on a background thread (bot.storage.checkpoint); this is the backstop
            cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
            cur.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def sqlite_file(engine: Engine) -> str | None:
    """The path of the engine's SQLite file, or None (PostgreSQL, or SQLite in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


def alembic_config(engine: Engine) -> Config:
    """Build an Alembic config in code so migrations run from any working directory."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation: URL-encoded passwords and options must be escaped.
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest migration (run on every start)."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


class Database:
    """The engine plus the unit-of-work helper every face uses."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        path = sqlite_file(self.engine)
        self.checkpointer = WalCheckpointer(path, owner=self) if path else None

    @contextmanager
    def session(self) -> Iterator[DbSession]:
        """One transaction: committed on success, rolled back on error."""
        with DbSession(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def run(self, work: Callable[Concatenate[DbSession, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(session, ...)` in one transaction: one call a face can hand whole to a worker thread."""
        with self.session() as session:
            return work(session, *args, **kwargs)

    def dispose(self) -> None:
        """Close pooled connections (and stop the SQLite checkpoint thread)."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
