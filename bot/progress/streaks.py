"""Streaks: days in a row on which the learner practised (a finished role-play) or revised (a quiz answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.storage.models import CardReview, PracticeSession


@dataclass(frozen=True)
class Streak:
    """Days in a row with practice: the current run, the longest, and all active days."""

    current: int  # ends today, or yesterday (today is not over yet)
    longest: int
    active_days: int


def streak_from_days(days: set[date], today: date) -> Streak:
    """Count runs of consecutive days; the current run may end today or yesterday."""
    longest, run, previous = 0, 0, None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest, previous = max(longest, run), day
    current = 0
    cursor = today if today in days else today - timedelta(days=1)
    while cursor in days:
        current, cursor = current + 1, cursor - timedelta(days=1)
    return Streak(current, longest, len(days))


def learner_streak(session: DbSession, *, learner_id: str, now: datetime, tz: tzinfo) -> Streak:
    """The learner's streak, with days counted in the given time zone (the server's)."""
    moments = [*session.exec(select(PracticeSession.ended_at).where(
        PracticeSession.learner_id == learner_id, col(PracticeSession.ended_at).is_not(None))),
        *session.exec(select(CardReview.reviewed_at).where(CardReview.learner_id == learner_id))]
    return streak_from_days({m.astimezone(tz).date() for m in moments if m is not None}, now.astimezone(tz).date())
