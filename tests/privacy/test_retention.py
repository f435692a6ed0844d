"""Retention: the server's policy, the daily purge across a moved clock and a restart, logs without content."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from privacy_world import HOSTILE, dump, populate, rows_about

from bot import jobs
from bot.clock import ManualClock
from bot.config import Settings
from bot.guild import SettingsError
from bot.paths import PROJECT_ROOT
from bot.privacy.retention import PURGE_JOB_ID, RetentionPurged, purge_expired, set_retention
from bot.services import build_services
from bot.storage.db import Database
from bot.storage.models import PracticeSession


def _services(url: str, clock: ManualClock):
    settings = Settings(database_url=url, scenarios_dir=PROJECT_ROOT / "scenarios", discord_token=None)
    return build_services(settings, clock=clock, db=Database(url))


@pytest.mark.parametrize("keep", [False, True])
def test_daily_purge_survives_a_restart_and_spares_evidence_by_policy(database_url, catalogue, caplog, keep):
    caplog.set_level(logging.INFO, logger="bot.privacy.retention")
    clock = ManualClock()
    first = _services(database_url, clock)
    zed, amy = populate(first.db, catalogue, clock, keep_signed_off=keep)
    with first.db.session() as s:
        set_retention(s, guild_id="G1", days=30, keep_signed_off=keep)
        terminal = PracticeSession(learner_id="local:term", scenario_id="faulty-kettle", status="ended",
                                   started_at=clock.now, ended_at=clock.now)  # terminal practice: no server policy
        s.add(terminal)
    early = [e for e in first.jobs.run_due(clock.advance(days=29)) if isinstance(e, RetentionPurged)]
    assert [e.sessions_by_guild for e in early] == [{}] and len(dump(first.db)["practice_session"]) == 7
    first.db.dispose()

    clock.advance(days=2)  # the process was down when the day came
    second = _services(database_url, clock)  # restart: the purge is still planned, once
    with second.db.session() as s:
        assert [j.id for j in jobs.pending(s, kind="retention-purge")] == [PURGE_JOB_ID]
    events = [e for e in second.jobs.run_due(clock.now) if isinstance(e, RetentionPurged)]
    assert len(events) == 1
    survivors = {r["id"] for r in dump(second.db)["practice_session"]}
    evidence = {zed.signed_off, amy.signed_off} if keep else set()
    assert survivors == {zed.active, amy.active, terminal.id} | evidence
    assert events[0].sessions_by_guild == {"G1": 4 - len(evidence)}
    left = rows_about(dump(second.db), zed)
    assert {r["session_id"] for r in left["turn"]} == {zed.active} | ({zed.signed_off} if keep else set())
    assert left["card_review"]  # retention is about role-plays; quiz history stays until erased
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "bot.privacy.retention")
    assert f"{4 - len(evidence)} session(s) in 1 server(s)" in logged
    assert HOSTILE not in logged and "learner-zed" not in logged and "sorry" not in logged
    with second.db.session() as s:
        planned = jobs.pending(s, kind="retention-purge")
    assert [j.fire_at for j in planned] == [clock.now.replace(hour=3, minute=0, second=0, microsecond=0)
                                            + timedelta(days=1 if clock.now.hour >= 3 else 0)]
    second.db.dispose()


def test_no_policy_purges_nothing_and_bad_days_are_refused(sqlite_database, catalogue):
    clock = ManualClock()
    populate(sqlite_database, catalogue, clock, keep_signed_off=False)
    before = dump(sqlite_database)
    with sqlite_database.session() as s:
        result = purge_expired(s, now=clock.advance(days=9999))
    after = dump(sqlite_database)
    assert result.sessions_by_guild == {} and after == {**before, "outbox_message": []}
    assert result.rows["outbox_message"] == len(before["outbox_message"]) > 0  # unsent for days: not worth sending
    for days in (-1, 3651):
        with pytest.raises(SettingsError, match="between 1 and 3650"), sqlite_database.session() as s:
            set_retention(s, guild_id="G1", days=days, keep_signed_off=True)
    with sqlite_database.session() as s:
        off = set_retention(s, guild_id="G1", days=0, keep_signed_off=True)
    assert off.retention_days is None and off.keep_signed_off


def test_a_session_is_kept_until_its_days_are_up(sqlite_database, catalogue):
    clock = ManualClock()
    populate(sqlite_database, catalogue, clock, keep_signed_off=False)
    with sqlite_database.session() as s:
        set_retention(s, guild_id="G1", days=7, keep_signed_off=False)
        assert purge_expired(s, now=clock.now + timedelta(days=7)).sessions_by_guild == {}
        assert purge_expired(s, now=clock.now + timedelta(days=7, seconds=1)).sessions_by_guild == {"G1": 4}
