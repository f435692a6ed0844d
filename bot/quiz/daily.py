"""The daily 'cards due' message: one job per learner, repeating, respecting their opt-out.

The message is stored in the outbox (bot/outbox.py) in the transaction that re-plans the job, so
one handed out is sent even if the bot stops before its turn in the paced queue.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session as DbSession
from sqlmodel import select

from bot import jobs, outbox
from bot.quiz.schedule import due_count
from bot.storage.models import LearnerSettings, OutboxMessage, ScheduledJob

DAILY_KIND = "quiz-daily"
EVERY = timedelta(days=1)
MORNING_HOUR_UTC = 8
TERMINAL_PREFIX = "local:"


@dataclass(frozen=True)
class DueReminder:
    """Event: a learner's reminder is in the outbox; a face wakes its sender."""

    learner_id: str
    due: int


def job_id(learner_id: str) -> str:
    """The id of a learner's daily reminder job."""
    return f"{DAILY_KIND}:{learner_id}"


def next_morning(now: datetime, learner_id: str = "") -> datetime:
    """The learner's time in the 08:00 UTC hour, next at least twelve hours away: one message a day.

    Each learner keeps the same second within the hour (from a hash of the id), so thousands of
    reminders spread over the hour instead of all falling due at 08:00:00.
    """
    spread = timedelta(seconds=zlib.crc32(learner_id.encode()) % 3600)
    when = now.replace(hour=MORNING_HOUR_UTC, minute=0, second=0, microsecond=0) + spread
    while when < now + timedelta(hours=12):
        when += EVERY
    return when


def reachable(learner_id: str) -> bool:
    """Only Discord users (snowflake ids) can be sent a reminder; terminal learners are `local:NAME`."""
    return not learner_id.startswith(TERMINAL_PREFIX)


def ensure_daily(session: DbSession, *, learner_id: str, now: datetime) -> None:
    """Start the daily reminder for a learner who has begun revising (once; later calls keep it)."""
    if reachable(learner_id) and session.get(ScheduledJob, job_id(learner_id)) is None:
        jobs.schedule(session, job_id=job_id(learner_id), kind=DAILY_KIND, fire_at=next_morning(now, learner_id),
                      now=now, payload={"learner_id": learner_id})


def opted_out(session: DbSession, learner_id: str) -> bool:
    """Whether the learner turned daily reminders off anywhere."""
    rows = session.exec(select(LearnerSettings).where(LearnerSettings.learner_id == learner_id))
    return any(not row.daily_dm for row in rows)


def still_wanted(session: DbSession, message: OutboxMessage) -> bool:
    """Outbox check: a stored reminder is sent only if the learner has not opted out since."""
    return not opted_out(session, message.learner_id)


def on_daily(session: DbSession, job: ScheduledJob, now: datetime) -> list[DueReminder]:
    """Job handler: store the message saying how many cards are due, unless none are or the learner opted out."""
    learner_id = job.payload["learner_id"]
    if not reachable(learner_id):
        return []  # a terminal learner's job (made before reminders were Discord-only): dropped
    jobs.schedule(session, job_id=job.id, kind=DAILY_KIND, fire_at=next_morning(now, learner_id), now=now,
                  payload=job.payload)
    if opted_out(session, learner_id):
        return []
    count = due_count(session, learner_id=learner_id, now=now)
    if not count:
        return []
    outbox.store(session, kind=DAILY_KIND, learner_id=learner_id, payload={"due": count}, now=now)
    return [DueReminder(learner_id, count)]
