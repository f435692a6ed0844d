"""Cohort quizzes: a mentor's cron-like schedule, opened and closed by jobs that survive restarts.

Times come from APScheduler's CronTrigger in the guild's time zone. A time missed while the bot
was down runs late if it is within the grace period, otherwise it is skipped with a note and
the next time is planned; either way the cohort channel is told.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot import jobs
from bot.quiz.cards import Deck, Question, present
from bot.storage.models import CohortAnswer, CohortQuiz, CohortSchedule, ScheduledJob

OPEN_KIND, CLOSE_KIND = "cohort-open", "cohort-close"
MAX_QUESTIONS, MAX_WINDOW_MINUTES = 10, 7 * 24 * 60


class CohortError(ValueError):
    """A schedule or answer that cannot be accepted; the message says why and what to do."""


@dataclass(frozen=True)
class CohortQuizOpened:
    """Event: a cohort quiz opened; a face posts its questions."""

    quiz_id: int
    guild_id: str
    channel_id: str
    questions: tuple[Question, ...]
    closes_at: datetime
    late_by: timedelta


@dataclass(frozen=True)
class QuestionResult:
    """How the cohort did on one question."""

    card_id: str
    prompt: str
    correct: int
    answered: int
    explanation: str


@dataclass(frozen=True)
class CohortQuizClosed:
    """Event: a cohort quiz closed; a face posts the results and the leaderboard."""

    quiz_id: int
    guild_id: str
    channel_id: str
    results: tuple[QuestionResult, ...]
    missed: tuple[QuestionResult, ...]
    leaderboard: tuple[tuple[str, int, int], ...]  # (name, correct, total answer ms)


@dataclass(frozen=True)
class CohortQuizSkipped:
    """Event: a cohort quiz was found too late to open; a face says so."""

    guild_id: str
    channel_id: str
    scheduled_for: datetime
    note: str


def parse_rule(rule: str, timezone: str) -> CronTrigger:
    """A crontab rule ('0 18 * * mon-fri') in an IANA time zone, or a CohortError saying what is wrong."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CohortError(f"{timezone!r} is not a time zone I know; use a name like Europe/London.") from None
    try:
        return CronTrigger.from_crontab(rule.strip(), timezone=zone)
    except ValueError as exc:
        raise CohortError(f"{rule!r} is not a valid schedule ({exc}). Use five fields: minute hour "
                          "day-of-month month day-of-week, e.g. '0 18 * * mon' for Mondays at 18:00.") from None


def next_time(schedule: CohortSchedule, after: datetime) -> datetime | None:
    """When the schedule next fires after `after`, or None when it never will."""
    trigger = parse_rule(schedule.rule, schedule.timezone)
    fire_at: datetime | None = trigger.get_next_fire_time(None, after)
    return fire_at


def _plan_next_open(session: DbSession, schedule: CohortSchedule, after: datetime, now: datetime) -> datetime | None:
    when = next_time(schedule, after + timedelta(seconds=1))
    if when is not None:
        jobs.schedule(session, job_id=f"{OPEN_KIND}:{schedule.id}", kind=OPEN_KIND, fire_at=when, now=now,
                      payload={"schedule_id": schedule.id})
    return when


def create_schedule(session: DbSession, *, guild_id: str, channel_id: str, rule: str, timezone: str,
                    questions: int, window_minutes: int, created_by: str, now: datetime, deck: Deck,
                    topic: str | None = None) -> tuple[CohortSchedule, datetime]:
    """Validate and store a schedule; returns it with its first time."""
    parse_rule(rule, timezone)
    if not 1 <= questions <= MAX_QUESTIONS:
        raise CohortError(f"A cohort quiz has 1 to {MAX_QUESTIONS} questions.")
    if not 5 <= window_minutes <= MAX_WINDOW_MINUTES:
        raise CohortError("The answering window must be between 5 minutes and 7 days.")
    if topic is not None and not deck.ids(topic):
        raise CohortError(f"There are no cards on the topic {topic!r}.")
    schedule = CohortSchedule(guild_id=guild_id, channel_id=channel_id, rule=rule.strip(), timezone=timezone,
                              questions=questions, window_minutes=window_minutes, topic=topic,
                              created_by=created_by, created_at=now)
    session.add(schedule)
    session.flush()
    first = _plan_next_open(session, schedule, now, now)
    if first is None:
        raise CohortError("That rule never fires.")
    return schedule, first


def list_schedules(session: DbSession, *, guild_id: str) -> list[tuple[CohortSchedule, datetime | None]]:
    """The server's active schedules, each with its next time."""
    rows = session.exec(select(CohortSchedule).where(CohortSchedule.guild_id == guild_id,
                                                     CohortSchedule.active).order_by(col(CohortSchedule.id)))
    result = []
    for row in rows:
        job = session.get(ScheduledJob, f"{OPEN_KIND}:{row.id}")
        result.append((row, job.fire_at if job else None))
    return result


def cancel_schedule(session: DbSession, *, guild_id: str, schedule_id: int) -> CohortSchedule:
    """Stop a schedule of this server and its planned quiz; CohortError if there is none."""
    row = session.get(CohortSchedule, schedule_id)
    if row is None or row.guild_id != guild_id or not row.active:
        raise CohortError(f"There is no active cohort quiz schedule {schedule_id} on this server.")
    row.active = False
    session.add(row)
    jobs.cancel(session, job_id=f"{OPEN_KIND}:{schedule_id}")
    return row


def _choose_cards(deck: Deck, schedule: CohortSchedule, when: datetime) -> list[str]:
    pool = deck.ids(schedule.topic)
    rng = random.Random(f"{schedule.id}:{when.isoformat()}")
    return rng.sample(pool, min(schedule.questions, len(pool)))


def make_handlers(deck: Deck, grace: timedelta) -> tuple[jobs.Handler, jobs.Handler]:
    """Job handlers bound to the deck and the grace period."""

    def on_open(session: DbSession, job: ScheduledJob, now: datetime
                ) -> list[CohortQuizOpened | CohortQuizSkipped]:
        schedule = session.get(CohortSchedule, int(job.payload["schedule_id"]))
        if schedule is None or not schedule.active:
            return []
        scheduled_for = job.fire_at
        _plan_next_open(session, schedule, max(scheduled_for, now), now)
        late = now - scheduled_for
        if late > grace:
            local = scheduled_for.astimezone(ZoneInfo(schedule.timezone))
            note = (f"The quiz planned for {local:%a %d %b at %H:%M} ({schedule.timezone}) was skipped: "
                    f"I was offline and found it {int(late.total_seconds() // 60)} minutes late (grace: "
                    f"{int(grace.total_seconds() // 60)} minutes).")
            session.add(CohortQuiz(schedule_id=schedule.id, guild_id=schedule.guild_id,
                                   channel_id=schedule.channel_id, scheduled_for=scheduled_for,
                                   status="skipped", note=note[:300]))
            return [CohortQuizSkipped(schedule.guild_id, schedule.channel_id, scheduled_for, note)]
        card_ids = _choose_cards(deck, schedule, scheduled_for)
        closes = now + timedelta(minutes=schedule.window_minutes)
        quiz = CohortQuiz(schedule_id=schedule.id, guild_id=schedule.guild_id, channel_id=schedule.channel_id,
                          card_ids=card_ids, scheduled_for=scheduled_for, opened_at=now, closes_at=closes,
                          status="open")
        session.add(quiz)
        session.flush()
        jobs.schedule(session, job_id=f"{CLOSE_KIND}:{quiz.id}", kind=CLOSE_KIND, fire_at=closes, now=now,
                      payload={"quiz_id": quiz.id})
        questions = tuple(present(deck.cards[c]) for c in card_ids if c in deck.cards)
        return [CohortQuizOpened(quiz.id or 0, quiz.guild_id, quiz.channel_id, questions, closes, late)]

    def on_close(session: DbSession, job: ScheduledJob, now: datetime) -> list[CohortQuizClosed]:
        quiz = session.get(CohortQuiz, int(job.payload["quiz_id"]))
        if quiz is None or quiz.status != "open":
            return []
        quiz.status, quiz.closed_at = "closed", now
        session.add(quiz)
        return [results(session, deck, quiz)]

    return on_open, on_close


def results(session: DbSession, deck: Deck, quiz: CohortQuiz) -> CohortQuizClosed:
    """Per-question results, the most-missed questions and the leaderboard."""
    answers = list(session.exec(select(CohortAnswer).where(CohortAnswer.quiz_id == quiz.id)))
    per_question = []
    for card_id in quiz.card_ids:
        card = deck.cards.get(card_id)
        given = [a for a in answers if a.card_id == card_id]
        per_question.append(QuestionResult(card_id, card.prompt if card else card_id,
                                           sum(a.correct for a in given), len(given),
                                           card.explanation if card else ""))
    missed = tuple(sorted((q for q in per_question if q.answered and q.correct < q.answered),
                          key=lambda q: q.correct / q.answered)[:3])
    names: dict[str, str] = {}
    right: Counter[str] = Counter()
    time_ms: Counter[str] = Counter()
    for a in answers:
        names.setdefault(a.learner_id, a.learner_name or a.learner_id)
        right[a.learner_id] += int(a.correct)
        time_ms[a.learner_id] += a.answer_ms
    board = tuple(sorted(((names[i], right[i], time_ms[i]) for i in names), key=lambda e: (-e[1], e[2], e[0])))
    return CohortQuizClosed(quiz.id or 0, quiz.guild_id, quiz.channel_id, tuple(per_question), missed, board)


def answer_cohort(session: DbSession, *, quiz_id: int, learner_id: str, learner_name: str, card_id: str,
                  choice: str, answer_ms: int, now: datetime, deck: Deck) -> tuple[bool, Question]:
    """Record a learner's first answer to one question of an open quiz."""
    quiz = session.get(CohortQuiz, quiz_id)
    if quiz is None or card_id not in quiz.card_ids or card_id not in deck.cards:
        raise CohortError("That quiz question no longer exists.")
    if quiz.status != "open" or (quiz.closes_at is not None and now >= quiz.closes_at):
        raise CohortError("This quiz has closed; the results are posted in the channel.")
    existing = session.exec(select(CohortAnswer).where(
        CohortAnswer.quiz_id == quiz_id, CohortAnswer.learner_id == learner_id,
        CohortAnswer.card_id == card_id)).first()
    if existing is not None:
        raise CohortError("You have already answered this question; your first answer counts.")
    question = present(deck.cards[card_id])
    correct = question.is_correct(choice)
    session.add(CohortAnswer(quiz_id=quiz_id, learner_id=learner_id, learner_name=learner_name[:100],
                             card_id=card_id, choice=choice[:200], correct=correct, answer_ms=max(0, answer_ms),
                             answered_at=now))
    try:
        session.flush()  # two quick clicks can both pass the check above; the unique key decides
    except IntegrityError:
        session.rollback()
        raise CohortError("You have already answered this question; your first answer counts.") from None
    return correct, question
