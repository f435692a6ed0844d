"""What the database itself keeps safe: failing timers back off and are dead-lettered, two racing
starts open one session, two racing answers count once. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot import jobs
from bot.clock import ManualClock
from bot.jobs import MAX_ATTEMPTS, JobRunner
from bot.quiz.cards import Deck
from bot.quiz.cohort import CLOSE_KIND, OPEN_KIND, CohortError, answer_cohort, create_schedule, make_handlers
from bot.roleplay.service import AlreadyActive, RolePlayService
from bot.storage.db import Database
from bot.storage.models import CohortAnswer, PracticeSession, ScheduledJob

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DECK = Deck.load([Path(__file__).resolve().parents[1] / "scenarios" / "cards"])


def failing(session, job, now):
    raise RuntimeError("the cohort channel's guild is unreachable")


def test_a_failing_job_backs_off_then_is_dead_lettered_and_others_still_run(database):
    runner = JobRunner(database)
    runner.register("boom", failing)
    runner.register("fine", lambda session, job, now: [job.id])
    with database.session() as s:
        jobs.schedule(s, job_id="boom:1", kind="boom", fire_at=NOW, now=NOW)
        jobs.schedule(s, job_id="fine:1", kind="fine", fire_at=NOW, now=NOW)
    assert runner.run_due(NOW) == ["fine:1"]  # the failure stops nothing after it

    at, waits = NOW, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with database.session() as s:
            job = s.get(ScheduledJob, "boom:1")
            assert job.attempts == attempt and "unreachable" in job.last_error
            if attempt < MAX_ATTEMPTS:
                waits.append(job.fire_at - at)
                assert runner.run_due(job.fire_at - timedelta(seconds=1)) == []  # not before its time
                at = job.fire_at
                runner.run_due(at)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    with database.session() as s:
        (dead,) = jobs.dead_letters(s)
        assert dead.id == "boom:1" and dead.failed_at == at
    assert runner.run_due(at + timedelta(days=30)) == []  # dead-lettered: tried no more

    runner.register("boom", lambda session, job, now: ["recovered"])  # the cause is fixed
    with database.session() as s:
        assert jobs.retry(s, job_id="boom:1", now=at)
    assert runner.run_due(at) == ["recovered"]
    with database.session() as s:
        assert jobs.dead_letters(s) == [] and s.get(ScheduledJob, "boom:1") is None


@contextmanager
def racing(model: type, rival) -> Iterator[None]:
    """Run `rival()` (on its own connection, committed) just before the first INSERT of `model`:
    the moment between a check-then-insert's SELECT and its INSERT, made to happen every time."""
    fired = []

    def before_insert(mapper, connection, target):
        if not fired:
            fired.append(True)
            rival()

    event.listen(model, "before_insert", before_insert)
    try:
        yield
    finally:
        event.remove(model, "before_insert", before_insert)


def test_two_racing_starts_open_one_session(database_url, catalogue):
    first, second = Database(database_url), Database(database_url)
    try:
        clock = ManualClock(NOW)
        mine, rival = RolePlayService(first, catalogue, clock), RolePlayService(second, catalogue, clock)
        won = []
        with racing(PracticeSession, lambda: won.append(rival.start(learner_id="42", scenario_id="faulty-kettle"))), \
                pytest.raises(AlreadyActive) as refused:
            mine.start(learner_id="42", scenario_id="faulty-kettle")
        assert refused.value.session_id == won[0].session_id
        with first.session() as s:
            rows = list(s.exec(select(PracticeSession).where(PracticeSession.learner_id == "42")))
        assert [(r.id, r.status) for r in rows] == [(won[0].session_id, "active")]
        assert len(mine.turns(won[0].session_id)) == 1  # the winner's opening line, nothing of the loser's
    finally:
        first.dispose()
        second.dispose()


def test_the_database_refuses_a_second_active_session_but_not_ended_ones(database):
    with database.session() as s:
        for status in ("ended", "ended", "active"):
            s.add(PracticeSession(learner_id="7", scenario_id="x", status=status, started_at=NOW))
    with pytest.raises(IntegrityError, match=r"(?i)unique"), database.session() as s:
        s.add(PracticeSession(learner_id="7", scenario_id="x", status="active", started_at=NOW))


def test_two_racing_answers_to_a_cohort_question_count_once(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        runner = JobRunner(first)
        on_open, on_close = make_handlers(DECK, timedelta(minutes=30))
        runner.register(OPEN_KIND, on_open)
        runner.register(CLOSE_KIND, on_close)
        with first.session() as s:
            create_schedule(s, guild_id="G", channel_id="C", rule="0 18 * * *", timezone="UTC", questions=1,
                            window_minutes=60, created_by="mentor", now=NOW, deck=DECK)
        (opened,) = runner.run_due(NOW.replace(hour=18))
        question = opened.questions[0]
        at = NOW.replace(hour=18, minute=1)

        def answer(db: Database, choice: str) -> None:
            with db.session() as s:
                answer_cohort(s, quiz_id=opened.quiz_id, learner_id="ana", learner_name="Ana",
                              card_id=question.card.id, choice=choice, answer_ms=900, now=at, deck=DECK)

        with racing(CohortAnswer, lambda: answer(second, question.correct)), \
                pytest.raises(CohortError, match="first answer counts"):
            answer(first, "wrong-click")
        with first.session() as s:
            rows = list(s.exec(select(CohortAnswer)))
        assert [(r.learner_id, r.choice) for r in rows] == [("ana", question.correct)]
    finally:
        first.dispose()
        second.dispose()
