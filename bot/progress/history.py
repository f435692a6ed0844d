"""A learner's finished role-plays as numbers: per session, how many replies earned each mark."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.assessment import CREDITED, PENALISED, REPLY_MARKS
from bot.storage.models import PracticeSession, Turn


@dataclass(frozen=True)
class SessionTally:
    """One finished session: replies written, replies carrying each reply mark, and its session marks."""

    session_id: int
    learner_id: str
    learner_name: str
    scenario_id: str
    ended_at: datetime
    replies: int
    reply_marks: Counter[str] = field(default_factory=Counter)
    session_marks: frozenset[str] = frozenset()
    signed_off: bool = False

    def rate(self, mark: str) -> float:
        """Share of this session's replies that carried the mark (0 when there were no replies)."""
        return self.reply_marks[mark] / self.replies if self.replies else 0.0

    def has(self, mark: str) -> bool:
        return self.reply_marks[mark] > 0 or mark in self.session_marks


def _tally(row: PracticeSession, turns: list[Turn]) -> SessionTally:
    replies = [t for t in turns if t.speaker == "learner" and t.kind == "line"]
    counts: Counter[str] = Counter()
    for turn in replies:
        counts.update(set(turn.marks))
    return SessionTally(row.id or 0, row.learner_id, row.learner_name, row.scenario_id,
                        row.ended_at or row.started_at, len(replies), counts,
                        frozenset(row.session_marks or ()), row.signed_off_at is not None)


def finished_sessions(session: DbSession, *, learner_id: str | None = None, guild_id: str | None = None,
                      since: datetime | None = None, until: datetime | None = None) -> list[SessionTally]:
    """Ended sessions (of one learner, or all in a server), oldest first, each tallied once."""
    query = select(PracticeSession).where(PracticeSession.status == "ended")
    if learner_id is not None:
        query = query.where(PracticeSession.learner_id == learner_id)
    if guild_id is not None:
        query = query.where(PracticeSession.guild_id == guild_id)
    if since is not None:
        query = query.where(col(PracticeSession.ended_at) >= since)
    if until is not None:
        query = query.where(col(PracticeSession.ended_at) < until)
    rows = list(session.exec(query.order_by(col(PracticeSession.ended_at), col(PracticeSession.id))))
    if not rows:
        return []
    by_session: dict[int, list[Turn]] = {r.id or 0: [] for r in rows}
    turns = session.exec(select(Turn).where(col(Turn.session_id).in_(list(by_session)))
                         .order_by(col(Turn.session_id), col(Turn.position)))
    for turn in turns:
        by_session[turn.session_id].append(turn)
    return [_tally(r, by_session[r.id or 0]) for r in rows]


def marks_seen(tallies: list[SessionTally]) -> tuple[list[str], list[str]]:
    """(credited, penalised) reply marks that occur at least once, in the marking points' order."""
    seen = {m for t in tallies for m, n in t.reply_marks.items() if n}
    return ([m for m in REPLY_MARKS if m in seen and m in CREDITED],
            [m for m in REPLY_MARKS if m in seen and m in PENALISED])
