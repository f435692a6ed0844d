"""Storage: the migrations match the models on both databases; SQLite checkpoints run off the commit path."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event
from sqlmodel import SQLModel

import bot.storage.models  # noqa: F401  (registers the tables)
from bot.storage.checkpoint import BACKSTOP_PAGES, WalCheckpointer
from bot.storage.db import Database
from bot.storage.progress import Progress


def test_migrations_create_exactly_the_models(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_twice_is_harmless(database_url):
    Database(database_url).dispose()
    Database(database_url).dispose()



# --- SQLite checkpoints off the commit path ------------------------------------------------

def _fill(db: Database, commits: int, kb: int) -> None:
    """Write `commits` transactions of about `kb` KB each (a row in a scratch table)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (body TEXT)")
    for n in range(commits):
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO scratch (body) VALUES (?)", (f"{n}" + "x" * kb * 1024,))


def _frames_in_log(path: str) -> int:
    """How many frames the write-ahead log holds (a PASSIVE checkpoint reports it, and copies them)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_no_commit_runs_a_checkpoint_below_the_backstop(tmp_path):
    # SQLite's default copies the log back inside the commit that passes 1,000 pages, and the
    # next writer starts the log again; the bot's connections leave that to the thread (stopped here)
    path = str(tmp_path / "c.db")
    db = Database(f"sqlite:///{path}")
    assert db.checkpointer is not None
    db.checkpointer.stop()
    _fill(db, commits=12, kb=400)  # about 1,200 pages of 4 KB
    assert _frames_in_log(path) > 1_000  # while the pool is open: the last connection to close checkpoints
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES
    db.dispose()


def test_the_thread_copies_the_log_back_so_it_starts_again(tmp_path):
    path = str(tmp_path / "c.db")
    db = Database(f"sqlite:///{path}")
    db.checkpointer.stop()
    checkpointer = WalCheckpointer(path, every=0.01)
    _fill(db, commits=3, kb=400)
    runs = checkpointer.runs
    _wait_for(lambda: checkpointer.runs >= runs + 2)  # one whole checkpoint after the last write
    _fill(db, commits=1, kb=1)  # a writer after a full checkpoint starts the log from the top
    checkpointer.stop()
    assert not checkpointer.running
    assert _frames_in_log(path) < 20
    db.dispose()


def test_dispose_stops_the_thread_and_postgresql_has_none(database_url):
    db = Database(database_url)
    thread = db.checkpointer
    db.dispose()
    if database_url.startswith("sqlite"):
        assert thread is not None and not thread.running
    else:
        assert thread is None



def test_the_channel_lookup_holds_no_transaction_on_postgresql(database_url, tmp_path):
    """Every learner message starts with this lookup: a BEGIN and a ROLLBACK would be two more round trips."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite begins no transaction for a SELECT")
    db = Database(database_url)
    wire = tmp_path / "wire.txt"
    try:
        progress = Progress(db.engine)
        with wire.open("w") as out:
            def trace(dbapi, *_):
                dbapi.pgconn.trace(out.fileno())

            def untrace(dbapi, *_):
                dbapi.pgconn.untrace()

            event.listen(db.engine, "checkout", trace)
            event.listen(db.engine, "checkin", untrace)
            assert progress.active_in_channel("nowhere") is None
            event.remove(db.engine, "checkout", trace)
            event.remove(db.engine, "checkin", untrace)
        with progress.connection() as raw:  # handed out again as always: not in autocommit
            assert raw.driver_connection.autocommit is False
    finally:
        db.dispose()
    said = wire.read_text(encoding="utf-8")
    assert "practice_session" in said, "the trace caught no lookup"
    assert "BEGIN" not in said and "ROLLBACK" not in said, said
