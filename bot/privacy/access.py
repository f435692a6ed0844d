"""The access log: who other than the learner opened, exported or signed off a session, and when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.storage.models import AccessLogEntry, PracticeSession

ACTIONS = frozenset({"open", "export", "signoff", "feedback", "watch"})


def record_access(session: DbSession, *, row: PracticeSession, actor_id: str, actor_name: str, action: str,
                  now: datetime) -> AccessLogEntry | None:
    """Write one entry; a learner looking at their own session is not logged."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    if actor_id == row.learner_id:
        return None
    entry = AccessLogEntry(session_id=row.id or 0, learner_id=row.learner_id, guild_id=row.guild_id,
                           actor_id=actor_id, actor_name=actor_name[:100], action=action, at=now)
    session.add(entry)
    return entry


def access_history(session: DbSession, *, session_id: int) -> list[AccessLogEntry]:
    """Every entry for one session, oldest first."""
    return list(session.exec(select(AccessLogEntry).where(AccessLogEntry.session_id == session_id)
                             .order_by(col(AccessLogEntry.at), col(AccessLogEntry.id))))


def last_access(session: DbSession, *, session_ids: Iterable[int]) -> dict[int, AccessLogEntry]:
    """The newest entry per session, for 'last reviewed by' in the mentor's queue."""
    ids = list(session_ids)
    if not ids:
        return {}
    newest: dict[int, AccessLogEntry] = {}
    query = select(AccessLogEntry).where(col(AccessLogEntry.session_id).in_(ids)).order_by(
        col(AccessLogEntry.at), col(AccessLogEntry.id))
    for entry in session.exec(query):
        newest[entry.session_id] = entry
    return newest
