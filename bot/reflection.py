"""Reflective logs and the reminders that follow a session until one is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session as DbSession
from sqlmodel import select

from bot import jobs
from bot.storage.models import PracticeSession, Reflection, ScheduledJob


@dataclass(frozen=True)
class ReflectionField:
    """One field of the reflective log, as the modal and the terminal ask it."""

    key: str
    label: str
    placeholder: str
    max_length: int = 1000
    required: bool = True


# Gibbs' reflective cycle; a Discord modal holds at most five inputs, so evaluation and analysis share one.
FIELDS: tuple[ReflectionField, ...] = (
    ReflectionField("what_happened", "What happened?", "Describe the conversation briefly."),
    ReflectionField("feelings", "What were you thinking and feeling?", "How did you feel as it went on?"),
    ReflectionField("evaluation", "What went well, and what went badly?", "Link it to the marking points."),
    ReflectionField("do_differently", "What would you do differently?", "Be specific: the words you'd use."),
    ReflectionField("action_plan", "Your action plan", "What will you practise next, and how?", 600),
)
REMINDER_KIND = "reflect-reminder"
REMINDER_REPEAT = timedelta(days=1)
MAX_REMINDERS = 7


class ReflectionError(ValueError):
    """A reflective log that cannot be saved; the message says why."""


@dataclass(frozen=True)
class ReflectionDue:
    """Announce: remind this learner to write the log for this session."""

    session_id: int
    learner_id: str
    guild_id: str | None
    channel_id: str | None
    scenario_id: str
    reminder_number: int


def reminder_id(session_id: int) -> str:
    """The id of a session's reflective-log reminder job."""
    return f"{REMINDER_KIND}:{session_id}"


def schedule_first_reminder(session: DbSession, *, row: PracticeSession, delay: timedelta,
                            now: datetime) -> None:
    """Called when a session ends: the first reminder after the configured delay."""
    jobs.schedule(session, job_id=reminder_id(row.id or 0), kind=REMINDER_KIND, fire_at=now + delay,
                  now=now, payload={"session_id": row.id, "number": 1})


def save_reflection(session: DbSession, *, session_id: int, learner_id: str,
                    answers: dict[str, str], now: datetime) -> Reflection:
    """Store (or replace) the log for a finished session of this learner and stop the reminders."""
    row = session.get(PracticeSession, session_id)
    if row is None or row.learner_id != learner_id:
        raise ReflectionError("That session is not one of yours.")
    if row.status != "ended":
        raise ReflectionError("Finish the role-play before writing its reflective log.")
    values: dict[str, str] = {}
    for field in FIELDS:
        value = "".join(ch for ch in (answers.get(field.key) or "") if ch != "\x00").strip()
        if field.required and not value:
            raise ReflectionError(f"Please fill in “{field.label}”.")
        if len(value) > field.max_length:
            raise ReflectionError(f"“{field.label}” is limited to {field.max_length} characters.")
        values[field.key] = value
    reflection = reflection_for(session, session_id=session_id)
    if reflection is None:
        reflection = Reflection(session_id=session_id, written_at=now)
    for key, value in values.items():
        setattr(reflection, key, value)
    reflection.written_at = now
    session.add(reflection)
    jobs.cancel(session, job_id=reminder_id(session_id))
    return reflection


def reflection_for(session: DbSession, *, session_id: int) -> Reflection | None:
    """The log written for a session, if any."""
    return session.exec(select(Reflection).where(Reflection.session_id == session_id)).first()


def on_reminder(session: DbSession, job: ScheduledJob, now: datetime) -> list[ReflectionDue]:
    """Job handler: remind, and plan the next reminder, until the log is written or waived."""
    session_id = int(job.payload["session_id"])
    number = int(job.payload.get("number", 1))
    row = session.get(PracticeSession, session_id)
    if row is None or row.reflection_waived or reflection_for(session, session_id=session_id):
        return []
    if number < MAX_REMINDERS:
        jobs.schedule(session, job_id=reminder_id(session_id), kind=REMINDER_KIND,
                      fire_at=now + REMINDER_REPEAT, now=now,
                      payload={"session_id": session_id, "number": number + 1})
    return [ReflectionDue(session_id, row.learner_id, row.guild_id, row.channel_id, row.scenario_id, number)]


def waive_reflection(session: DbSession, *, session_id: int) -> None:
    """No log is expected for this session (e.g. the learner abandoned it): no reminders either."""
    row = session.get(PracticeSession, session_id)
    if row is not None:
        row.reflection_waived = True
        session.add(row)
    jobs.cancel(session, job_id=reminder_id(session_id))
