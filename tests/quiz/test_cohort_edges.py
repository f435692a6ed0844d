"""Cohort quizzes at the edges: clock changes, long outages, restarts with a quiz open, cancelling.

The clock is moved by hand and the job runner asked what is due, as the bot's tick does; a
restart is a brand-new Database and JobRunner on the same store, with the handlers registered again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import jobs
from bot.jobs import JobRunner
from bot.quiz.cards import Deck
from bot.quiz.cohort import (
    CLOSE_KIND,
    OPEN_KIND,
    CohortError,
    CohortQuizClosed,
    CohortQuizOpened,
    CohortQuizSkipped,
    answer_cohort,
    cancel_schedule,
    create_schedule,
    list_schedules,
    make_handlers,
)
from bot.quiz.daily import DAILY_KIND, ensure_daily, next_morning, on_daily
from bot.storage.db import Database
from bot.storage.models import CohortAnswer, CohortQuiz, ScheduledJob

DECK = Deck.load([Path(__file__).resolve().parents[2] / "scenarios" / "cards"])
GRACE = timedelta(minutes=30)
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def boot(url: str) -> tuple[Database, JobRunner]:
    """Start (or restart) the bot's store and job runner."""
    db = Database(url)
    runner = JobRunner(db)
    on_open, on_close = make_handlers(DECK, GRACE)
    runner.register(OPEN_KIND, on_open)
    runner.register(CLOSE_KIND, on_close)
    runner.register(DAILY_KIND, on_daily)
    return db, runner


def schedule(db: Database, now: datetime, **overrides) -> int:
    args = {"guild_id": "G", "channel_id": "C", "rule": "0 18 * * *", "timezone": "UTC", "questions": 3,
            "window_minutes": 60, "created_by": "mentor", "now": now, "deck": DECK} | overrides
    with db.session() as s:
        row, _first = create_schedule(s, **args)
        return row.id


def of(kind: type, events: list) -> list:
    return [e for e in events if isinstance(e, kind)]


def test_the_guild_time_is_kept_across_the_clock_change(database_url):
    """18:00 in London is 18:00 UTC before 29 March 2026 and 17:00 UTC after it."""
    db, runner = boot(database_url)
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    schedule(db, friday, timezone="Europe/London", window_minutes=30)
    expected = [datetime(2026, 3, 27, 18, 0, tzinfo=UTC), datetime(2026, 3, 28, 18, 0, tzinfo=UTC),
                datetime(2026, 3, 29, 17, 0, tzinfo=UTC), datetime(2026, 3, 30, 17, 0, tzinfo=UTC)]
    for when in expected:
        assert runner.run_due(when - timedelta(minutes=1)) == []
        (opened,) = runner.run_due(when)
        assert isinstance(opened, CohortQuizOpened) and opened.late_by == timedelta(0)
        assert opened.closes_at == when + timedelta(minutes=30)
        assert of(CohortQuizClosed, runner.run_due(when + timedelta(minutes=31)))
    with db.session() as s:
        times = [q.scheduled_for for q in s.exec(select(CohortQuiz).order_by(CohortQuiz.id))]
    assert times == expected
    db.dispose()


def test_a_long_outage_skips_one_time_with_a_note_and_plans_the_next(database_url):
    db, _runner = boot(database_url)
    schedule(db, MONDAY)
    db.dispose()  # the bot goes down on Monday morning and comes back on Thursday at noon
    thursday_noon = MONDAY + timedelta(days=3, hours=3)
    db, runner = boot(database_url)
    events = runner.run_due(thursday_noon)
    assert len(events) == 1 and isinstance(events[0], CohortQuizSkipped)
    skipped = events[0]
    assert skipped.scheduled_for == MONDAY.replace(hour=18) and skipped.channel_id == "C"
    assert "skipped" in skipped.note and "offline" in skipped.note
    with db.session() as s:
        (_row, next_time), = list_schedules(s, guild_id="G")
        assert next_time == thursday_noon.replace(hour=18)  # Tuesday and Wednesday are not replayed
        rows = list(s.exec(select(CohortQuiz)))
        assert [(q.status, q.note) for q in rows] == [("skipped", skipped.note)]
    (opened,) = runner.run_due(thursday_noon.replace(hour=18))
    assert isinstance(opened, CohortQuizOpened)
    db.dispose()


def test_a_quiz_open_at_a_restart_still_closes_with_the_answers_given_before_it(database_url):
    db, runner = boot(database_url)
    schedule(db, MONDAY)
    (opened,) = runner.run_due(MONDAY.replace(hour=18))
    with db.session() as s:
        for i, q in enumerate(opened.questions):
            answer_cohort(s, quiz_id=opened.quiz_id, learner_id="ana", learner_name="Ana", card_id=q.card.id,
                          choice=q.correct, answer_ms=3000 + i, now=MONDAY.replace(hour=18, minute=10), deck=DECK)
    db.dispose()  # down at 18:20; the window closes at 19:00 while nobody is watching

    db, runner = boot(database_url)
    back = MONDAY.replace(hour=21)  # three hours later: far past the grace, but results are never dropped
    with db.session() as s, pytest.raises(CohortError, match="closed"):
        answer_cohort(s, quiz_id=opened.quiz_id, learner_id="ben", learner_name="Ben",
                      card_id=opened.questions[0].card.id, choice=opened.questions[0].correct, answer_ms=1,
                      now=back, deck=DECK)
    (closed,) = of(CohortQuizClosed, runner.run_due(back))
    assert closed.quiz_id == opened.quiz_id
    assert closed.leaderboard == (("Ana", 3, 3000 + 3001 + 3002),)
    assert [r.correct for r in closed.results] == [1, 1, 1] and closed.missed == ()
    with db.session() as s:
        quiz = s.get(CohortQuiz, opened.quiz_id)
        assert quiz.status == "closed" and quiz.closed_at == back
        assert len(list(s.exec(select(CohortAnswer)))) == 3
    db.dispose()


def test_cancelling_stops_future_quizzes_but_the_open_one_still_reports(database_url):
    db, runner = boot(database_url)
    schedule_id = schedule(db, MONDAY)
    (opened,) = runner.run_due(MONDAY.replace(hour=18))
    assert isinstance(opened, CohortQuizOpened)
    with db.session() as s:
        cancel_schedule(s, guild_id="G", schedule_id=schedule_id)
    assert of(CohortQuizClosed, runner.run_due(MONDAY.replace(hour=19)))
    with db.session() as s:
        assert jobs.pending(s, kind=OPEN_KIND) == [] and jobs.pending(s, kind=CLOSE_KIND) == []
        with pytest.raises(CohortError, match="no active cohort quiz schedule"):
            cancel_schedule(s, guild_id="G", schedule_id=schedule_id)
    assert runner.run_due(MONDAY.replace(hour=18) + timedelta(days=1)) == []
    db.dispose()


def test_ties_on_score_go_to_the_faster_learner_and_missed_questions_are_the_most_wrong(database_url):
    db, runner = boot(database_url)
    schedule(db, MONDAY)
    (opened,) = runner.run_due(MONDAY.replace(hour=18))
    first, *rest = opened.questions
    when = MONDAY.replace(hour=18, minute=5)
    with db.session() as s:
        for learner, ms in (("cat", 9000), ("dan", 4000)):
            for q in opened.questions:
                answer_cohort(s, quiz_id=opened.quiz_id, learner_id=learner, learner_name=learner.title(),
                              card_id=q.card.id, choice=q.correct, answer_ms=ms, now=when, deck=DECK)
        for q in opened.questions:  # Eve gets only the first right
            key = q.correct if q is first else next(c.key for c in q.choices if c.key != q.correct)
            answer_cohort(s, quiz_id=opened.quiz_id, learner_id="eve", learner_name="Eve", card_id=q.card.id,
                          choice=key, answer_ms=1000, now=when, deck=DECK)
    (closed,) = of(CohortQuizClosed, runner.run_due(MONDAY.replace(hour=19)))
    assert [entry[:2] for entry in closed.leaderboard] == [("Dan", 3), ("Cat", 3), ("Eve", 1)]
    assert {q.card_id for q in closed.missed} == {q.card.id for q in rest}
    assert all((q.correct, q.answered) == (2, 3) for q in closed.missed)
    db.dispose()


def test_a_topic_schedule_asks_only_that_topic(database_url):
    db, runner = boot(database_url)
    schedule(db, MONDAY, topic="model", questions=4)
    (opened,) = runner.run_due(MONDAY.replace(hour=18))
    assert len(opened.questions) == 4 and {q.card.topic for q in opened.questions} == {"model"}
    with db.session() as s, pytest.raises(CohortError, match="no cards on the topic"):
        create_schedule(s, guild_id="G", channel_id="C", rule="0 9 * * *", timezone="UTC", questions=3,
                        window_minutes=30, created_by="m", now=MONDAY, deck=DECK, topic="astrology")
    db.dispose()


def test_the_same_schedule_and_time_ask_the_same_cards_on_any_store(tmp_path):
    """Card choice depends only on the schedule and the time, so a replayed job asks the same questions."""
    asked = []
    for name in ("a", "b"):
        db, runner = boot(f"sqlite:///{tmp_path / name}.db")
        schedule(db, MONDAY)
        days = []
        for day in range(5):
            at = MONDAY.replace(hour=18) + timedelta(days=day)
            (opened,) = of(CohortQuizOpened, runner.run_due(at))
            days.append(tuple(q.card.id for q in opened.questions))
            runner.run_due(at + timedelta(hours=1))
        asked.append(days)
        db.dispose()
    assert asked[0] == asked[1]
    assert len(set(asked[0])) > 1  # but not the same cards every day


@pytest.mark.parametrize(("overrides", "message"), [
    ({"questions": 0}, "1 to 10 questions"), ({"questions": 11}, "1 to 10 questions"),
    ({"window_minutes": 2}, "between 5 minutes and 7 days"), ({"rule": "0 18 31 2 *"}, "never fires"),
])
def test_impossible_schedules_are_refused_and_nothing_is_stored(sqlite_database, overrides, message):
    with pytest.raises(CohortError, match=message):
        schedule(sqlite_database, MONDAY, **overrides)
    with sqlite_database.session() as s:
        assert list_schedules(s, guild_id="G") == [] and jobs.pending(s) == []


def test_the_daily_reminder_stays_quiet_when_nothing_is_due_and_keeps_its_place(database):
    runner = JobRunner(database)
    runner.register(DAILY_KIND, on_daily)
    with database.session() as s:
        ensure_daily(s, learner_id="L", now=MONDAY)
    assert runner.run_due(MONDAY + timedelta(days=1)) == []
    with database.session() as s:
        job = s.get(ScheduledJob, "quiz-daily:L")
        assert job is not None and job.fire_at == datetime(2026, 1, 7, 8, 0, tzinfo=UTC) + (
            next_morning(MONDAY, "L") - datetime(2026, 1, 6, 8, 0, tzinfo=UTC))  # the learner's place in the hour
