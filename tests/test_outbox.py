"""The outbox (bot/outbox.py) on a real database, SQLite and PostgreSQL: reminders stored with the
job's re-planning, claimed in order under a lease, settled once; across processes on PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot import jobs, outbox
from bot.clock import ManualClock
from bot.guild import set_daily_dm
from bot.jobs import JobRunner
from bot.outbox import LEASE, MAX_ATTEMPTS, STALE_AFTER, Outbox
from bot.privacy.retention import purge_expired
from bot.quiz.daily import DAILY_KIND, DueReminder, ensure_daily, on_daily, still_wanted
from bot.quiz.schedule import bring_due
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, ScheduledJob


def _outbox(db: Database) -> Outbox:
    box = Outbox(db)
    box.register(DAILY_KIND, still_wanted)
    return box


def _store(db: Database, clock: ManualClock, learners: list[str]) -> None:
    with db.session() as s:
        for learner in learners:
            outbox.store(s, kind=DAILY_KIND, learner_id=learner, payload={"due": 3}, now=clock.now)


def _left(db: Database) -> list[str]:
    with db.session() as s:
        return [r.learner_id for r in s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))]


def test_the_daily_job_stores_its_reminder_with_its_next_run_or_neither(database: Database) -> None:
    clock = ManualClock()
    runner = JobRunner(database)
    runner.register(DAILY_KIND, on_daily)
    with database.session() as s:
        ensure_daily(s, learner_id="101", now=clock.now)
        bring_due(s, learner_id="101", card_ids=["heat-order", "last-order"], now=clock.now)
    with pytest.raises(RuntimeError), database.session() as s:  # the job's transaction fails after the handler
        job = s.get(ScheduledJob, "quiz-daily:101")
        assert job is not None
        on_daily(s, job, clock.now + timedelta(days=1))
        raise RuntimeError("the transaction fails")
    assert _left(database) == []
    assert runner.run_due(clock.advance(days=1)) == [DueReminder("101", 2)]
    with database.session() as s:
        rows = list(s.exec(select(OutboxMessage)))
        assert [(r.kind, r.learner_id, r.payload, r.attempts) for r in rows] == [(DAILY_KIND, "101", {"due": 2}, 0)]
        assert jobs.pending(s, kind=DAILY_KIND)[0].fire_at > clock.now


def test_claims_come_in_order_under_a_lease_and_are_settled_once(database: Database) -> None:
    clock = ManualClock()
    box = _outbox(database)
    _store(database, clock, ["1", "2", "3"])
    first = box.claim(clock.now, limit=2)
    assert [(i.learner_id, i.payload) for i in first] == [("1", {"due": 3}), ("2", {"due": 3})]
    assert [i.learner_id for i in box.claim(clock.now)] == ["3"]
    assert box.claim(clock.now) == []  # all three are someone's
    box.sent(first[0])
    assert box.claim(clock.now + LEASE - timedelta(seconds=1)) == []
    again = box.claim(clock.now + LEASE)  # the claimer died: its unsettled ones come back
    assert [i.learner_id for i in again] == ["2", "3"]
    assert _left(database) == ["2", "3"]
    box.release([again[1].id], clock.now)
    assert [i.learner_id for i in box.claim(clock.now)] == ["3"]


def test_an_opt_out_after_storing_drops_the_reminder_and_the_next_goes(database: Database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.outbox")
    clock = ManualClock()
    box = _outbox(database)
    _store(database, clock, ["1", "2", "3", "4"])
    with database.session() as s:
        set_daily_dm(s, guild_id="G", learner_id="1", enabled=False)
    assert [i.learner_id for i in box.claim(clock.now, limit=2)] == ["2", "3"]  # the limit counts what is sent
    assert _left(database) == ["2", "3", "4"]
    with database.session() as s:
        assert outbox.waiting(s) == 3
    assert "quiz-daily for 1 dropped unsent: no longer wanted" in caplog.text


def test_a_stale_reminder_is_dropped(database: Database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.outbox")
    clock = ManualClock()
    box = _outbox(database)
    _store(database, clock, ["1"])
    clock.advance(seconds=STALE_AFTER.total_seconds() - 1)
    _store(database, clock, ["2"])
    assert [i.learner_id for i in box.claim(clock.advance(seconds=1), limit=1)] == ["1"]  # 12 hours: still sent
    assert [i.learner_id for i in box.claim(clock.advance(seconds=LEASE.total_seconds()))] == ["2"]
    assert "too old to send" in caplog.text and _left(database) == ["2"]


def test_refused_goes_at_once_and_failures_back_off_then_give_up(database: Database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.outbox")
    clock = ManualClock()
    box = _outbox(database)
    _store(database, clock, ["closed", "flaky"])
    closed, flaky = box.claim(clock.now)
    box.refused(closed, "403 Cannot send messages to this user")
    assert "quiz-daily for closed dropped, refused: 403" in caplog.text
    for attempt in range(1, MAX_ATTEMPTS):
        box.failed(flaky, "503 Service Unavailable", clock.now)
        assert (f"quiz-daily for flaky failed (attempt {attempt} of {MAX_ATTEMPTS}); next try at "
                f"{clock.now + jobs.backoff(attempt)}: 503 Service Unavailable") in caplog.text
        wait = jobs.backoff(attempt)
        assert box.claim(clock.now + wait - timedelta(seconds=1)) == []
        (flaky,) = box.claim(clock.advance(seconds=wait.total_seconds()))
        assert flaky.attempts == attempt
    assert _left(database) == ["flaky"]
    box.failed(flaky, "503 Service Unavailable", clock.now)
    assert _left(database) == []
    assert f"quiz-daily for flaky given up after {MAX_ATTEMPTS} failed sends: 503 Service Unavailable" in caplog.text


def test_a_sqlite_start_frees_a_dead_processs_claims_and_postgres_waits_for_the_lease(database: Database) -> None:
    clock = ManualClock()
    _store(database, clock, ["1"])
    assert len(_outbox(database).claim(clock.now)) == 1  # a process that then died
    fresh = _outbox(database)
    fresh.recover(clock.now)
    on_sqlite = database.engine.url.get_backend_name() == "sqlite"
    assert [i.learner_id for i in fresh.claim(clock.now)] == (["1"] if on_sqlite else [])


def test_processes_sharing_postgres_claim_different_reminders(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one bot process")
    one, two = Database(database_url), Database(database_url)
    try:
        clock = ManualClock()
        _store(one, clock, [str(n) for n in range(5)])
        with one.session() as s:  # process one is mid-claim: it holds the first two rows
            held = s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)).limit(2)
                          .with_for_update(skip_locked=True)).all()
            assert [r.learner_id for r in held] == ["0", "1"]
            assert [i.learner_id for i in _outbox(two).claim(clock.now)] == ["2", "3", "4"]  # not blocked
        assert [i.learner_id for i in _outbox(one).claim(clock.now)] == ["0", "1"]
        assert _outbox(two).claim(clock.now) == []
    finally:
        one.dispose()
        two.dispose()


def test_the_retention_purge_deletes_what_was_never_sent_in_time(database: Database) -> None:
    clock = ManualClock()
    _store(database, clock, ["old"])
    clock.advance(seconds=STALE_AFTER.total_seconds())
    _store(database, clock, ["fresh"])
    with database.session() as s:
        assert purge_expired(s, now=clock.now).rows["outbox_message"] == 0  # 12 hours exactly: kept
    with database.session() as s:
        assert purge_expired(s, now=clock.advance(seconds=1)).rows["outbox_message"] == 1
    assert _left(database) == ["fresh"]
