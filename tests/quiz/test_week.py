"""A week of revision and scheduled cohort quizzes on a moved clock, with a restart mid-week.

Nothing sleeps: the clock is moved and the job runner is asked what is due, as the bot's
tick does. The restart is a brand-new Database and JobRunner on the same store.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.clock import ManualClock
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
from bot.quiz.daily import DAILY_KIND, DueReminder, on_daily
from bot.quiz.revision import answer, next_question
from bot.quiz.schedule import make_scheduler
from bot.storage.db import Database
from bot.storage.models import CardReview, CohortQuiz

DECK = Deck.load([Path(__file__).resolve().parents[2] / "scenarios" / "cards"])
GRACE = timedelta(minutes=30)


def boot(url: str) -> tuple[Database, JobRunner]:
    """What the bot does on start: open the store and register the handlers."""
    db = Database(url)
    runner = JobRunner(db)
    on_open, on_close = make_handlers(DECK, GRACE)
    runner.register(OPEN_KIND, on_open)
    runner.register(CLOSE_KIND, on_close)
    runner.register(DAILY_KIND, on_daily)
    return db, runner


def revise(db: Database, learner: str, clock: ManualClock, *, wrong_every: int) -> int:
    """A learner answers every due card; every n-th answer is wrong."""
    sched, answered = make_scheduler(), 0
    while True:
        question, _ = next_question(db, DECK, learner_id=learner, now=clock.now)
        if question is None:
            return answered
        answered += 1
        key = question.correct if answered % wrong_every else next(
            c.key for c in question.choices if c.key != question.correct)
        answer(db, DECK, sched, learner_id=learner, card_id=question.card.id, key=key, answer_ms=6000,
               now=clock.now)


def take_quiz(db: Database, event: CohortQuizOpened, clock: ManualClock) -> None:
    with db.session() as s:
        for i, q in enumerate(event.questions):
            answer_cohort(s, quiz_id=event.quiz_id, learner_id="ana", learner_name="Ana", card_id=q.card.id,
                          choice=q.correct, answer_ms=4000, now=clock.now, deck=DECK)
            wrong = q.correct if i == 0 else next(c.key for c in q.choices if c.key != q.correct)
            answer_cohort(s, quiz_id=event.quiz_id, learner_id="ben", learner_name="Ben", card_id=q.card.id,
                          choice=wrong, answer_ms=9000, now=clock.now, deck=DECK)


def test_a_week_of_reviews_and_cohort_quizzes_with_a_restart(database_url):
    clock = ManualClock()  # Monday 5 January 2026, 09:00 UTC (London is on UTC in January)
    db, runner = boot(database_url)
    with db.session() as s:
        _, first = create_schedule(s, guild_id="G", channel_id="C", rule="0 18 * * *",
                                          timezone="Europe/London", questions=3, window_minutes=60,
                                          created_by="mentor", now=clock.now, deck=DECK)
    assert first == clock.now.replace(hour=18)

    opened, closed, skipped, reminders, reviews = [], [], [], [], 0
    for day in range(7):
        morning = clock.now.replace(hour=10) if day == 0 else clock.now
        clock.now = morning
        reminders += [e for e in runner.run_due(clock.now) if isinstance(e, DueReminder)]
        reviews += revise(db, "ana", clock, wrong_every=4)

        if day == 2:  # Wednesday night: the bot restarts
            db.dispose()
            db, runner = boot(database_url)
        if day == 3:  # Thursday: down from 17:00 to 18:45, past the 30-minute grace
            clock.now = clock.now.replace(hour=18, minute=45)
        elif day == 4:  # Friday: back 20 minutes late, within the grace
            clock.now = clock.now.replace(hour=18, minute=20)
        else:
            clock.now = clock.now.replace(hour=18, minute=0)
        events = runner.run_due(clock.now)
        for event in events:
            if isinstance(event, CohortQuizOpened):
                opened.append(event)
                take_quiz(db, event, clock)
            elif isinstance(event, CohortQuizSkipped):
                skipped.append(event)
        clock.now += timedelta(hours=1, minutes=5)
        closed += [e for e in runner.run_due(clock.now) if isinstance(e, CohortQuizClosed)]
        clock.now = (clock.now + timedelta(days=1)).replace(hour=9, minute=0)

    assert len(opened) == 6 and len(closed) == 6 and len(skipped) == 1
    assert "skipped" in skipped[0].note and "45 minutes late" in skipped[0].note
    late = [e for e in opened if e.late_by > timedelta(0)]
    assert len(late) == 1 and late[0].late_by == timedelta(minutes=20)
    for result in closed:
        assert result.leaderboard[0][0] == "Ana" and result.leaderboard[0][1] == 3
        assert result.leaderboard[1][:2] == ("Ben", 1)
        assert len(result.missed) == 2 and all(q.correct == 1 and q.answered == 2 for q in result.missed)
    with db.session() as s:
        statuses = sorted(q.status for q in s.exec(select(CohortQuiz)))
        assert statuses == ["closed"] * 6 + ["skipped"]
        assert len(list(s.exec(select(CardReview)))) == reviews > 10
        upcoming = list_schedules(s, guild_id="G")
        assert upcoming[0][1] == clock.now.replace(hour=18)
    assert len(reminders) >= 3 and all(r.learner_id == "ana" and r.due > 0 for r in reminders)
    db.dispose()


def test_answers_count_once_and_not_after_closing(database_url):
    clock = ManualClock()
    db, runner = boot(database_url)
    with db.session() as s:
        create_schedule(s, guild_id="G", channel_id="C", rule="30 9 * * *", timezone="UTC", questions=2,
                        window_minutes=10, created_by="m", now=clock.now, deck=DECK)
    clock.advance(minutes=30)
    (event,) = runner.run_due(clock.now)
    q = event.questions[0]
    with db.session() as s:
        correct, _ = answer_cohort(s, quiz_id=event.quiz_id, learner_id="x", learner_name="X", card_id=q.card.id,
                                   choice=q.correct, answer_ms=1, now=clock.now, deck=DECK)
        assert correct
    with db.session() as s, pytest.raises(CohortError, match="first answer counts"):
        answer_cohort(s, quiz_id=event.quiz_id, learner_id="x", learner_name="X", card_id=q.card.id,
                      choice=q.correct, answer_ms=1, now=clock.now, deck=DECK)
    clock.advance(minutes=11)
    runner.run_due(clock.now)
    with db.session() as s, pytest.raises(CohortError, match="closed"):
        answer_cohort(s, quiz_id=event.quiz_id, learner_id="y", learner_name="Y", card_id=q.card.id,
                      choice=q.correct, answer_ms=1, now=clock.now, deck=DECK)
    db.dispose()


@pytest.mark.parametrize(("rule", "zone", "message"), [
    ("every day at six", "UTC", "not a valid schedule"), ("0 18 * * *", "Mars/Olympus", "not a time zone"),
    ("61 18 * * *", "UTC", "not a valid schedule"),
])
def test_bad_schedules_are_refused_clearly(database, rule, zone, message):
    with database.session() as s, pytest.raises(CohortError, match=message):
        create_schedule(s, guild_id="G", channel_id="C", rule=rule, timezone=zone, questions=3, window_minutes=30,
                        created_by="m", now=ManualClock().now, deck=DECK)


def test_time_zone_is_respected_and_cancel_stops_it(database):
    clock = ManualClock()  # 09:00 UTC = 18:00 in Tokyo
    with database.session() as s:
        schedule, first = create_schedule(s, guild_id="G", channel_id="C", rule="0 19 * * *", timezone="Asia/Tokyo",
                                          questions=1, window_minutes=30, created_by="m", now=clock.now, deck=DECK)
        assert first == clock.now + timedelta(hours=1)
    with database.session() as s:
        cancel_schedule(s, guild_id="G", schedule_id=schedule.id)
        assert list_schedules(s, guild_id="G") == []
        with pytest.raises(CohortError):
            cancel_schedule(s, guild_id="other", schedule_id=schedule.id)
