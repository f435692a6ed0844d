"""A bot process claims its shards before it logs in, so two processes never answer one guild.

Claims are taken on the real store: advisory locks on a PostgreSQL server (each test has its own
schema, and the locks are keyed by it), an OS lock beside a SQLite file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.storage.claims import PgShardClaim, ShardsTaken, claim_for, shards_of
from bot.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg(database_url: str) -> Iterator[Database]:
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite's claim is tested below")
    db = Database(database_url)
    yield db
    db.dispose()


def claim(db: Database, count: int | None, ids: list[int] | None) -> PgShardClaim:
    held = claim_for(db.engine, count, ids)
    assert isinstance(held, PgShardClaim)
    return held


def test_what_a_process_runs() -> None:
    assert shards_of(None, None) == (1, (0,))
    assert shards_of(4, None) == (4, (0, 1, 2, 3))
    assert shards_of(4, [3, 1, 3]) == (4, (1, 3))


def test_a_shard_run_by_one_process_is_refused_to_another_and_a_refusal_keeps_nothing(pg: Database) -> None:
    first = claim(pg, 2, [0])
    first.hold()
    both = claim(pg, 2, [0, 1])
    with pytest.raises(ShardsTaken, match=r"shard\(s\) 0 of 2 are already run by another bot process"):
        both.hold()
    second = claim(pg, 2, [1])
    second.hold()  # the refused claim gave shard 1 back
    first.release()
    again = claim(pg, 2, [0])
    again.hold()  # released with the process's connection
    for held in (second, again):
        held.release()


def test_processes_must_divide_the_guilds_by_the_same_count(pg: Database) -> None:
    first = claim(pg, 2, [0])
    first.hold()
    with pytest.raises(ShardsTaken, match="SHARD_COUNT=2, this one with 4"):
        claim(pg, 4, [3]).hold()
    with pytest.raises(ShardsTaken, match=r"SHARD_COUNT=2, this one with 1 \(SHARD_COUNT unset: every guild\)"):
        claim(pg, None, None).hold()  # an unsharded bot runs every guild
    first.release()
    whole = claim(pg, None, None)
    whole.hold()
    with pytest.raises(ShardsTaken, match="already runs on this database; stop it first"):
        claim(pg, None, None).hold()
    whole.release()


def test_a_claim_whose_connection_was_lost_is_taken_again_unless_another_process_took_it(pg: Database) -> None:
    held = claim(pg, 2, [0, 1])
    held.hold()

    def kill_its_connection() -> None:
        assert held._conn is not None
        pid = held._conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(pg.engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        admin.dispose()

    kill_its_connection()
    held.keep()  # nobody took them meanwhile: held again
    with pytest.raises(ShardsTaken):
        claim(pg, 2, [1]).hold()
    kill_its_connection()
    thief = claim(pg, 2, [1])
    thief.hold()
    with pytest.raises(ShardsTaken, match=r"shard\(s\) 1 of 2"):
        held.keep()
    thief.release()


def test_one_bot_process_per_sqlite_file(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'composure.db'}")
    try:
        first, second = claim_for(db.engine, None, None), claim_for(db.engine, 2, [1])
        assert first is not None and second is not None
        first.hold()
        with pytest.raises(ShardsTaken, match="another bot process already runs on this SQLite file"):
            second.hold()
        first.release()
        second.hold()
        second.release()
    finally:
        db.dispose()


def test_run_refuses_to_start_beside_a_running_bot_and_says_why(tmp_path: Path) -> None:
    """Before logging in (the token here is never tried): exit 2 and one clear line, no traceback."""
    url = f"sqlite:///{tmp_path / 'composure.db'}"
    db = Database(url)
    running = claim_for(db.engine, None, None)
    assert running is not None
    running.hold()
    try:
        done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "DATABASE_URL": url, "DISCORD_TOKEN": "not-a-token",
                                                "REPORTS_DIR": str(tmp_path)})
    finally:
        running.release()
        db.dispose()
    assert done.returncode == 2, done.stderr
    assert "not started: another bot process already runs on this SQLite file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.asyncio
async def test_a_bot_whose_shards_another_process_took_stops_before_its_next_tick_does_any_work(
        pg: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.app import ComposureBot
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.services import build_services

    clock = ManualClock()
    services = build_services(Settings(database_url=str(pg.engine.url.render_as_string(hide_password=False)),
                                       reports_dir=tmp_path), clock=clock, db=pg)
    sid = services.roleplay.start(learner_id="1", scenario_id="faulty-kettle", guild_id="9", channel_id="10",
                                  seed=1, reply_seconds=60).session_id
    bot = ComposureBot(services, tick_seconds=None)
    held = claim(pg, None, None)
    held.hold()
    bot.shard_claim = held
    clock.advance(minutes=2)  # the reply deadline has passed
    assert held._conn is not None
    pid = held._conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with pg.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    thief = claim(pg, None, None)
    thief.hold()
    try:
        await bot.tick()
        assert bot.is_closed()
        assert any("stopping: another bot process already runs" in r.getMessage() for r in caplog.records)
        assert [t.kind for t in services.roleplay.turns(sid)] == ["line"]  # the overdue deadline left alone
        thief.release()
        rightful = ComposureBot(services, tick_seconds=None)  # a process whose claim holds does the work
        rightful.shard_claim = claim(pg, None, None)
        rightful.shard_claim.hold()
        await rightful.tick()
        assert not rightful.is_closed()
        assert [t.kind for t in services.roleplay.turns(sid)][:2] == ["line", "silence"]
        rightful.shard_claim.release()
        await rightful.close()
    finally:
        thief.release()
        held.release()
