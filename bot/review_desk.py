"""What a mentor does to sessions, each in one transaction that also writes the access log.

The access log is a privacy promise (who other than the learner opened, exported or signed off a
session), so it is written here, beside the action, rather than by each face. Every function takes
the database, not a transaction, so a face can run it off its event loop as one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.mentoring import QueueItem, SessionRecord, add_feedback, load_record, review_queue, sign_off
from bot.privacy.access import last_access, record_access
from bot.progress.portfolio import signed_off_records
from bot.storage.db import Database
from bot.storage.models import AccessLogEntry, MentorFeedback, PracticeSession


@dataclass(frozen=True)
class Actor:
    """The mentor acting, as the access log names them."""

    id: str
    name: str


@dataclass(frozen=True)
class Queue:
    """A server's review queue, with who last looked at each session."""

    items: list[QueueItem]
    last_seen: dict[int, AccessLogEntry]


def queue(db: Database, *, guild_id: str | None) -> Queue:
    """Reading the queue is not an access to any one session: nothing is logged."""
    with db.session() as s:
        items = review_queue(s, guild_id=guild_id)
        return Queue(items, last_access(s, session_ids=[i.session_id for i in items]))


def open_session(db: Database, *, session_id: int, guild_id: str | None, actor: Actor, action: str,
                 now: datetime) -> tuple[SessionRecord, AccessLogEntry | None]:
    """The session's record, logged as opened (or watched, exported...) by `actor`; with the access
    before this one, which the mentor is shown ("last reviewed by ...")."""
    with db.session() as s:
        previous = last_access(s, session_ids=[session_id]).get(session_id)
        record = load_record(s, session_id=session_id, guild_id=guild_id)
        record_access(s, row=record.row, actor_id=actor.id, actor_name=actor.name, action=action, now=now)
        return record, previous


def sign_off_session(db: Database, *, session_id: int, guild_id: str | None, actor: Actor, now: datetime,
                     waive_reflection: bool = False) -> PracticeSession:
    """Sign a session off as evidence (ReviewError says why not), logged with the sign-off."""
    with db.session() as s:
        row = sign_off(s, session_id=session_id, mentor_id=actor.id, now=now, guild_id=guild_id,
                       waive_reflection=waive_reflection)
        record_access(s, row=row, actor_id=actor.id, actor_name=actor.name, action="signoff", now=now)
        return row


def leave_feedback(db: Database, *, session_id: int, guild_id: str | None, actor: Actor, text: str,
                   now: datetime) -> MentorFeedback:
    """Save a mentor's feedback (opening the form was logged as the "feedback" access)."""
    with db.session() as s:
        return add_feedback(s, session_id=session_id, mentor_id=actor.id, mentor_name=actor.name, text=text,
                            now=now, guild_id=guild_id)


def export_portfolio(db: Database, *, learner_id: str, guild_id: str | None, actor: Actor,
                     now: datetime) -> list[SessionRecord]:
    """A learner's signed-off sessions (ReviewError when none); each is logged as exported."""
    with db.session() as s:
        records = signed_off_records(s, learner_id=learner_id, guild_id=guild_id)
        for record in records:
            record_access(s, row=record.row, actor_id=actor.id, actor_name=actor.name, action="export", now=now)
        return records
