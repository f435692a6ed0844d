"""Tables. The database is the source of truth for sessions, turns, timers and quiz schedules.

Ids of Discord things (users, guilds, channels) are stored as text so that terminal learners
("local:<name>") and Discord snowflakes share one column, and PostgreSQL never overflows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.storage.types import UTCDateTime


def _when(**kw: Any) -> Any:  # noqa: ANN401 - sqlmodel's Field takes and returns Any
    return Field(sa_type=UTCDateTime, **kw)


def _json(default_factory: Callable[[], object] = dict) -> Any:  # noqa: ANN401 - as Field returns
    return Field(default_factory=default_factory, sa_type=JSON)


# --- Role-plays -------------------------------------------------------------------------


class PracticeSession(SQLModel, table=True):
    """One role-play of one scenario by one learner."""

    __tablename__ = "practice_session"
    __table_args__ = (
        Index("ix_session_learner_status", "learner_id", "status"),
        # one active role-play per learner, kept by the database even when two starts race
        Index("uq_session_one_active", "learner_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(max_length=64)
    learner_name: str = Field(default="", max_length=100)
    guild_id: str | None = Field(default=None, max_length=32, index=True)
    channel_id: str | None = Field(default=None, max_length=32, index=True)
    scenario_id: str = Field(max_length=64)
    seed: int = 0
    reply_seconds: int = 120
    status: str = Field(default="active", max_length=16)  # active | ended
    outcome: str | None = Field(default=None, max_length=32)
    started_at: datetime = _when()
    ended_at: datetime | None = _when(default=None)
    session_marks: list[str] = _json(list)
    report: dict[str, Any] = _json(dict)
    reflection_waived: bool = False
    signed_off_by: str | None = Field(default=None, max_length=64)
    signed_off_at: datetime | None = _when(default=None)
    # kept in step with the turns so the hot paths read one row, not the conversation
    turn_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    reply_due_at: datetime | None = _when(default=None, index=True)  # set while the customer waits


class Turn(SQLModel, table=True):
    """One thing said (or a silence), written before anything reacts to it."""

    __tablename__ = "turn"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="practice_session.id", index=True)
    position: int
    speaker: str = Field(max_length=16)  # customer | learner
    kind: str = Field(default="line", max_length=16)  # line | silence | end
    text: str = Field(default="", sa_type=Text)
    marks: list[str] = _json(list)
    evidence: dict[str, str] = _json(dict)
    offered: list[str] = _json(list)  # money amounts offered in this reply, as decimal strings
    mood: int | None = None
    late: bool = False
    created_at: datetime = _when()
    deadline_at: datetime | None = _when(default=None)
    discord_message_id: str | None = Field(default=None, max_length=32)  # the learner's message


class Reflection(SQLModel, table=True):
    """The learner's reflective log for one session (Gibbs' cycle, in five fields to fit a modal)."""

    __tablename__ = "reflection"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="practice_session.id", unique=True)
    what_happened: str = Field(default="", sa_type=Text)
    feelings: str = Field(default="", sa_type=Text)
    evaluation: str = Field(default="", sa_type=Text)  # what went well and what went badly
    do_differently: str = Field(default="", sa_type=Text)
    action_plan: str = Field(default="", sa_type=Text)
    written_at: datetime = _when()


class MentorFeedback(SQLModel, table=True):
    """A mentor's written feedback on a session; several may accumulate."""

    __tablename__ = "mentor_feedback"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="practice_session.id", index=True)
    mentor_id: str = Field(max_length=64)
    mentor_name: str = Field(default="", max_length=100)
    text: str = Field(sa_type=Text)
    created_at: datetime = _when()


class AccessLogEntry(SQLModel, table=True):
    """Someone other than the learner opened, exported or signed off a session: who, what, when."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_session", "session_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int  # no foreign key: the entry is deleted with the session, explicitly
    learner_id: str = Field(max_length=64, index=True)
    guild_id: str | None = Field(default=None, max_length=32)
    actor_id: str = Field(max_length=64)
    actor_name: str = Field(default="", max_length=100)
    action: str = Field(max_length=16)  # open | export | signoff | feedback | watch
    at: datetime = _when()


# --- Settings ---------------------------------------------------------------------------


class GuildSettings(SQLModel, table=True):
    """What a server admin set with /setup."""

    __tablename__ = "guild_settings"

    guild_id: str = Field(primary_key=True, max_length=32)
    mentor_role_id: str | None = Field(default=None, max_length=32)
    cohort_channel_ids: list[str] = _json(list)
    timezone: str = Field(default="Europe/London", max_length=64)
    reply_seconds: int | None = None
    reminder_minutes: int | None = None
    retention_days: int | None = None  # finished sessions older than this are purged; None keeps them
    keep_signed_off: bool = False  # portfolio evidence survives retention and a learner's erasure request


class LearnerSettings(SQLModel, table=True):
    """Per-learner choices and accessibility adjustments."""

    __tablename__ = "learner_settings"

    learner_id: str = Field(primary_key=True, max_length=64)
    guild_id: str = Field(default="", primary_key=True, max_length=32)
    reply_seconds: int | None = None
    daily_dm: bool = True


# --- Timers -----------------------------------------------------------------------------


class ScheduledJob(SQLModel, table=True):
    """A timer that must survive restarts; id is deterministic, e.g. 'reflect-reminder:12'."""

    __tablename__ = "scheduled_job"

    id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(max_length=32, index=True)
    payload: dict[str, Any] = _json(dict)
    fire_at: datetime = _when(index=True)
    created_at: datetime = _when()
    attempts: int = 0  # failed runs so far; each failure waits longer before the next try
    last_error: str | None = Field(default=None, sa_type=Text)
    failed_at: datetime | None = _when(default=None)  # set after the last attempt: dead-lettered


class OutboxMessage(SQLModel, table=True):
    """A message a face must send (a daily reminder), stored with the decision to send it.

    Deleted once sent, refused or given up on; `available_at` is when it may next be claimed: a
    claim moves it a lease ahead (a process that dies leaves it to be claimed again), a failure
    by the backoff.
    """

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    learner_id: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = _json(dict)
    created_at: datetime = _when()
    available_at: datetime = _when(index=True)
    attempts: int = 0  # failed sends so far


# --- Quizzes ----------------------------------------------------------------------------


class LearnerCard(SQLModel, table=True):
    """One learner's FSRS memory state for one quiz card."""

    __tablename__ = "learner_card"
    __table_args__ = (Index("ix_learner_card_due", "learner_id", "due"),)

    learner_id: str = Field(primary_key=True, max_length=64)
    card_id: str = Field(primary_key=True, max_length=96)
    due: datetime = _when()
    state: int = 1
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = _when(default=None)
    reps: int = 0
    lapses: int = 0


class CardReview(SQLModel, table=True):
    """Every answer given, for history and analytics."""

    __tablename__ = "card_review"

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(max_length=64, index=True)
    card_id: str = Field(max_length=96)
    rating: int
    correct: bool
    answer_ms: int
    reviewed_at: datetime = _when()
    # the card's first answer, taken from the day's new-card allowance (a card a role-play brought due is not)
    new_card: bool = False


class CohortSchedule(SQLModel, table=True):
    """A mentor's recurring quiz for a cohort channel."""

    __tablename__ = "cohort_schedule"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: str = Field(max_length=32, index=True)
    channel_id: str = Field(max_length=32)
    rule: str = Field(max_length=120)  # crontab: "0 18 * * mon"
    timezone: str = Field(default="Europe/London", max_length=64)
    questions: int = 5
    window_minutes: int = 60
    topic: str | None = Field(default=None, max_length=64)
    created_by: str = Field(max_length=64)
    active: bool = True
    created_at: datetime = _when()


class CohortQuiz(SQLModel, table=True):
    """One sitting of a cohort quiz, opened at a scheduled time and closed after its window."""

    __tablename__ = "cohort_quiz"

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int | None = Field(default=None, foreign_key="cohort_schedule.id", index=True)
    guild_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    card_ids: list[str] = _json(list)
    scheduled_for: datetime = _when()
    opened_at: datetime | None = _when(default=None)
    closes_at: datetime | None = _when(default=None)
    closed_at: datetime | None = _when(default=None)
    status: str = Field(default="pending", max_length=16)  # pending | open | closed | skipped
    note: str = Field(default="", max_length=300)
    message_id: str | None = Field(default=None, max_length=32)


class CohortAnswer(SQLModel, table=True):
    """One learner's answer to one question of a cohort quiz; the first answer counts."""

    __tablename__ = "cohort_answer"
    __table_args__ = (UniqueConstraint("quiz_id", "learner_id", "card_id"),)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="cohort_quiz.id", index=True)
    learner_id: str = Field(max_length=64)
    learner_name: str = Field(default="", max_length=100)
    card_id: str = Field(max_length=96)
    choice: str = Field(max_length=200)
    correct: bool
    answer_ms: int = 0
    answered_at: datetime = _when()
