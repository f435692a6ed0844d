"""The timer table and its runner on a real database: planning, replacing, order, batches, failures.

Written against mutation testing (`./composure mutants bot/jobs.py`); the PostgreSQL-only sharing
between processes is in `test_shared_timers.py`, back-off and dead letters in `test_session_safety.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot import jobs
from bot.jobs import BATCH, MAX_ATTEMPTS, JobRunner
from bot.storage.db import Database
from bot.storage.models import ScheduledJob

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def echo(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
    return [job.id]


def test_scheduling_an_id_again_moves_it_and_plans_it_afresh(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        job = jobs.schedule(s, job_id="x:1", kind="x", fire_at=NOW, now=NOW)
        assert (job.kind, job.fire_at, job.payload, job.created_at) == ("x", NOW, {}, NOW)
        job.attempts, job.last_error, job.failed_at = 3, "boom", NOW
    later = NOW + timedelta(hours=1)
    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="x:1", kind="y", fire_at=later, now=later, payload={"a": 1})
    with sqlite_database.session() as s:
        (job,) = jobs.pending(s)
        assert (job.id, job.kind, job.fire_at, job.payload) == ("x:1", "y", later, {"a": 1})
        assert (job.attempts, job.last_error, job.failed_at, job.created_at) == (0, None, None, NOW)
        jobs.schedule(s, job_id="x:1", kind="y", fire_at=later, now=later)
    with sqlite_database.session() as s:
        assert jobs.pending(s)[0].payload == {}


def test_pending_lists_soonest_first_then_by_id_and_filters_by_kind(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        for job_id, kind, minutes in (("b:2", "b", 5), ("a:9", "a", 5), ("c:1", "a", 1), ("z:0", "b", 9)):
            jobs.schedule(s, job_id=job_id, kind=kind, fire_at=NOW + timedelta(minutes=minutes), now=NOW)
    with sqlite_database.session() as s:
        assert [j.id for j in jobs.pending(s)] == ["c:1", "a:9", "b:2", "z:0"]
        assert [j.id for j in jobs.pending(s, kind="b")] == ["b:2", "z:0"]


def test_cancel_and_retry_say_whether_the_job_was_there(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="x:1", kind="x", fire_at=NOW, now=NOW)
        assert jobs.cancel(s, job_id="x:2") is False
        assert jobs.retry(s, job_id="x:2", now=NOW) is False
        assert jobs.cancel(s, job_id="x:1") is True
    with sqlite_database.session() as s:
        assert jobs.pending(s) == []


def test_backoff_doubles_from_one_minute() -> None:
    assert [jobs.backoff(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]


def test_one_tick_runs_every_due_job_in_order_across_batches(sqlite_database: Database) -> None:
    count = BATCH * 2 + 3
    with sqlite_database.session() as s:
        for n in reversed(range(count)):  # stored against id order: the order must come from the query
            jobs.schedule(s, job_id=f"w:{n:03}", kind="w", fire_at=NOW - timedelta(seconds=n % 3), now=NOW)
        jobs.schedule(s, job_id="w:late", kind="w", fire_at=NOW + timedelta(seconds=1), now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("w", echo)
    ran = runner.run_due(NOW)
    expected = sorted((f"w:{n:03}" for n in range(count)), key=lambda i: (-(int(i[2:]) % 3), i))
    assert ran == expected
    with sqlite_database.session() as s:
        assert [j.id for j in jobs.pending(s)] == ["w:late"]


def test_a_batch_claims_no_more_than_its_limit(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        for n in range(5):
            jobs.schedule(s, job_id=f"w:{n}", kind="w", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("w", echo)
    assert runner.run_batch(NOW, limit=3) == (["w:0", "w:1", "w:2"], 3)
    assert runner.run_batch(NOW, limit=3) == (["w:3", "w:4"], 2)
    assert runner.run_batch(NOW) == ([], 0)


def test_a_job_that_plans_itself_for_now_runs_once_per_tick(sqlite_database: Database) -> None:
    def again(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
        jobs.schedule(session, job_id=job.id, kind=job.kind, fire_at=now, now=now, payload=job.payload)
        return [job.id]

    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="again:1", kind="again", fire_at=NOW, now=NOW)
        jobs.schedule(s, job_id="w:1", kind="w", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("again", again)
    runner.register("w", echo)
    assert runner.run_due(NOW) == ["again:1", "w:1"]
    assert runner.run_due(NOW) == ["again:1"]  # the next tick runs it again


def test_a_job_that_plans_itself_for_now_runs_once_even_across_batches(sqlite_database: Database) -> None:
    def again(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
        jobs.schedule(session, job_id=job.id, kind=job.kind, fire_at=now, now=now)
        return [job.id]

    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="a:again", kind="again", fire_at=NOW - timedelta(minutes=1), now=NOW)
        for n in range(BATCH + 5):
            jobs.schedule(s, job_id=f"w:{n:03}", kind="w", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("again", again)
    runner.register("w", echo)
    ran = runner.run_due(NOW)
    assert ran.count("a:again") == 1 and len(ran) == BATCH + 6


def test_a_job_without_a_handler_is_dropped_and_the_rest_run(sqlite_database: Database,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="a:1", kind="unknown", fire_at=NOW, now=NOW)
        jobs.schedule(s, job_id="b:1", kind="w", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("w", echo)
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        assert runner.run_batch(NOW) == (["b:1"], 2)
    assert [r.getMessage() for r in caplog.records] == ["no handler for job a:1 (kind unknown); dropped"]
    with sqlite_database.session() as s:
        assert jobs.pending(s) == []


def test_a_failure_is_recorded_with_its_type_and_waits_a_minute(sqlite_database: Database,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    def boom(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
        raise ValueError("x" * 3000)

    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="boom:1", kind="boom", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("boom", boom)
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        assert runner.run_due(NOW) == []  # tried once in the tick, not again after its failure
    error = ("ValueError: " + "x" * 3000)[:2000]  # kept short enough to store and show
    (record,) = caplog.records
    assert record.getMessage() == (f"job boom:1 failed (attempt 1 of {MAX_ATTEMPTS}); next try at "
                                   f"{NOW + timedelta(minutes=1)}: {error}")
    with sqlite_database.session() as s:
        job = s.get(ScheduledJob, "boom:1")
        assert job is not None and job.attempts == 1 and job.failed_at is None
        assert job.fire_at == NOW + timedelta(minutes=1)
        assert job.last_error == error


class LostConnection(Exception):
    """What SQLAlchemy raises when the connection died under a statement."""

    connection_invalidated = True


def test_a_lost_connection_is_not_the_jobs_failure(sqlite_database: Database,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    def lost(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
        raise LostConnection("server closed the connection unexpectedly")

    with sqlite_database.session() as s:
        jobs.schedule(s, job_id="a:1", kind="lost", fire_at=NOW, now=NOW)
        jobs.schedule(s, job_id="b:1", kind="w", fire_at=NOW, now=NOW)
    runner = JobRunner(sqlite_database)
    runner.register("lost", lost)
    runner.register("w", echo)
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        assert runner.run_batch(NOW) == ([], 1)  # the batch stops: the connection is gone
    assert [r.getMessage() for r in caplog.records] == [
        "job a:1: the database connection was lost; left for the next run"]
    with sqlite_database.session() as s:
        job = s.get(ScheduledJob, "a:1")
        assert job is not None and (job.attempts, job.last_error, job.fire_at) == (0, None, NOW)
    runner.register("lost", echo)  # the database is back
    assert runner.run_due(NOW) == ["a:1", "b:1"]


def test_dead_letters_are_listed_oldest_failure_first(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        for job_id, failed in (("b:1", NOW), ("a:1", NOW), ("c:1", NOW - timedelta(hours=1)), ("d:1", None)):
            job = jobs.schedule(s, job_id=job_id, kind="x", fire_at=NOW, now=NOW)
            job.failed_at = failed
    with sqlite_database.session() as s:
        assert [j.id for j in jobs.dead_letters(s)] == ["c:1", "a:1", "b:1"]
    runner = JobRunner(sqlite_database)
    runner.register("x", echo)
    assert runner.run_due(NOW + timedelta(days=1)) == ["d:1"]  # the dead letters are due, but never run
    with sqlite_database.session() as s:
        job = s.get(ScheduledJob, "c:1")
        assert job is not None
        job.attempts, job.last_error = 5, "boom"
    with sqlite_database.session() as s:
        assert jobs.retry(s, job_id="c:1", now=NOW + timedelta(hours=2))
    with sqlite_database.session() as s:
        job = s.get(ScheduledJob, "c:1")
        assert job is not None
        assert (job.failed_at, job.fire_at, job.attempts, job.last_error) == (None, NOW + timedelta(hours=2), 0, None)


def test_the_last_failure_dead_letters_the_job_with_its_traceback_logged(sqlite_database: Database,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    def boom(session: Session, job: ScheduledJob, now: datetime) -> Sequence[str]:
        raise RuntimeError("unreachable")

    with sqlite_database.session() as s:
        job = jobs.schedule(s, job_id="boom:1", kind="boom", fire_at=NOW, now=NOW)
        job.attempts = MAX_ATTEMPTS - 1
    runner = JobRunner(sqlite_database)
    runner.register("boom", boom)
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        runner.run_due(NOW)
    (record,) = caplog.records
    assert record.getMessage() == (f"job boom:1 failed {MAX_ATTEMPTS} times; dead-lettered "
                                   "(composure jobs retry boom:1)")
    assert record.exc_info is not None and "unreachable" in str(record.exc_info[1])
    with sqlite_database.session() as s:
        (dead,) = jobs.dead_letters(s)
        assert (dead.id, dead.failed_at, dead.attempts) == ("boom:1", NOW, MAX_ATTEMPTS)


def test_a_store_that_cannot_be_read_ends_the_tick_with_a_log(sqlite_database: Database,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    with sqlite_database.engine.begin() as conn:
        conn.execute(text("DROP TABLE scheduled_job"))
    runner = JobRunner(sqlite_database)
    runner.register("w", echo)
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        assert runner.run_due(NOW) == []
    assert [r.getMessage() for r in caplog.records] == ["claiming a due job failed; trying again next tick"]
