"""Several processes on one PostgreSQL database share the timer work; none runs a job twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot import jobs
from bot.clock import ManualClock
from bot.jobs import JobRunner
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database
from bot.storage.models import ScheduledJob, Turn

pytestmark = pytest.mark.postgres
WAIT = 20  # seconds: only reached when the behaviour is broken


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks that skip: PostgreSQL only (SQLite has one runner)")
    return database_url


def plan_jobs(db: Database, clock: ManualClock, count: int) -> None:
    with db.session() as s:
        for n in range(count):
            jobs.schedule(s, job_id=f"work:{n}", kind="work", fire_at=clock.now, now=clock.now)


def done_markers(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(j.id for j in s.exec(select(ScheduledJob).where(ScheduledJob.kind == "done")))


def runner_that_marks(db: Database, name: str, ran: list[tuple[str, str]], on_job=None) -> JobRunner:
    """Each job leaves a marker job in the same transaction, so only committed runs count."""
    runner = JobRunner(db)

    def handle(session, job, now):
        if on_job is not None:
            on_job(session, job)
        ran.append((name, job.id))
        jobs.schedule(session, job_id=f"done:{job.id}", kind="done", fire_at=now + timedelta(days=99), now=now)
        return [job.id]

    runner.register("work", handle)
    return runner


def test_two_processes_share_the_due_jobs_and_none_runs_twice(pg_url):
    clock = ManualClock()
    first, second = Database(pg_url), Database(pg_url)
    try:
        plan_jobs(first, clock, 40)
        first_holds, second_ran_one = threading.Event(), threading.Event()
        ran: list[tuple[str, str]] = []
        waited_in_vain: list[bool] = []

        def hold_until_the_other_works(session, job):
            if not first_holds.is_set():  # the first job: keep its row locked until the other has worked
                first_holds.set()
                waited_in_vain.append(not second_ran_one.wait(WAIT))

        def note(session, job):
            second_ran_one.set()

        a = runner_that_marks(first, "first", ran, hold_until_the_other_works)
        b = runner_that_marks(second, "second", ran, note)
        thread = threading.Thread(target=a.run_due, args=(clock.now,))
        thread.start()
        assert first_holds.wait(WAIT)
        b.run_due(clock.now)
        thread.join(WAIT)
        assert waited_in_vain == [False], "the second process was blocked by the first's locked job"
        assert done_markers(first) == sorted(f"done:work:{n}" for n in range(40))
        assert {name for name, _ in ran} == {"first", "second"}
        assert len(ran) == 40
    finally:
        first.dispose()
        second.dispose()


def test_a_process_killed_mid_batch_leaves_its_job_to_the_other(pg_url):
    clock = ManualClock()
    doomed, survivor = Database(pg_url), Database(pg_url)
    try:
        plan_jobs(doomed, clock, 5)
        claimed, killed = threading.Event(), threading.Event()
        ran: list[tuple[str, str]] = []

        def die_on_the_third(session, job):
            if len(ran) == 2:
                claimed.pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
                claimed.set()
                assert killed.wait(WAIT)
                raise SystemExit  # the process is gone: no more work from it

        a = runner_that_marks(doomed, "doomed", ran, die_on_the_third)
        thread = threading.Thread(target=a.run_batch, args=(clock.now,))
        thread.start()
        assert claimed.wait(WAIT)
        with survivor.engine.connect() as conn:  # the process dies: its connection goes
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": claimed.pid})
        killed.set()
        thread.join(WAIT)
        b = runner_that_marks(survivor, "survivor", ran)
        b.run_due(clock.now)
        assert done_markers(survivor) == sorted(f"done:work:{n}" for n in range(5))
        assert [job for name, job in ran if name == "doomed"] == ["work:0", "work:1"]  # committed
        assert [job for name, job in ran if name == "survivor"] == ["work:2", "work:3", "work:4"]
    finally:
        doomed.dispose()
        survivor.dispose()


def test_two_processes_share_the_overdue_sessions(pg_url, catalogue):
    clock = ManualClock()
    first_db, second_db = Database(pg_url), Database(pg_url)
    try:
        first = RolePlayService(first_db, catalogue, clock)
        second = RolePlayService(second_db, catalogue, clock)
        sids = [first.start(learner_id=f"l{n}", scenario_id="faulty-kettle", guild_id="g", seed=n,
                            reply_seconds=60).session_id for n in range(30)]
        clock.advance(seconds=61)
        second_done = threading.Event()
        original = first._expire

        def slow_first(conn, session_id, now):
            result = original(conn, session_id, now)
            assert second_done.wait(WAIT), "the second process waited on the first's claimed session"
            return result

        first._expire = slow_first
        results: dict[str, list] = {}
        thread = threading.Thread(target=lambda: results.setdefault("first", first.expire_deadlines(clock.now)))
        thread.start()
        results["second"] = second.expire_deadlines(clock.now)
        second_done.set()
        thread.join(WAIT)
        answered = [r.session_id for r in results["first"] + results["second"]]
        assert sorted(answered) == sorted(sids) and results["first"] and results["second"]
        with first_db.session() as s:
            silences = s.exec(select(Turn).where(Turn.kind == "silence")).all()
        assert sorted(t.session_id for t in silences) == sorted(sids)  # one silence each, no more
    finally:
        first_db.dispose()
        second_db.dispose()
