"""A learner's erasure request: what will go, what each server's policy keeps and why, then doing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session as DbSession
from sqlmodel import SQLModel, col, func, select

from bot.storage.forget import LEARNER_TABLES, forget_learner
from bot.storage.models import GuildSettings, MentorFeedback, PracticeSession, Reflection, Turn


@dataclass(frozen=True)
class KeptSession:
    """A signed-off session kept as portfolio evidence because its server's policy says so."""

    session_id: int
    guild_id: str | None
    scenario_id: str
    signed_off_at: datetime | None


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure would do, counted per kind of data, before anything is deleted."""

    learner_id: str
    delete_session_ids: list[int]
    kept: list[KeptSession]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def nothing_stored(self) -> bool:
        """True when there is nothing to delete and nothing kept."""
        return not self.kept and not any(self.counts.values())


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure deleted, what it kept as evidence, and the counts shown to the learner."""

    deleted: dict[str, int]  # rows per table
    kept: list[KeptSession]
    summary: dict[str, int]  # the plan's counts, in the words shown to the learner


def _keeps_evidence(session: DbSession, guild_id: str | None, cache: dict[str | None, bool]) -> bool:
    if guild_id not in cache:
        settings = session.get(GuildSettings, guild_id) if guild_id else None
        cache[guild_id] = bool(settings and settings.keep_signed_off)
    return cache[guild_id]


def _count(session: DbSession, model: type[SQLModel], where: ColumnElement[bool]) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(where)).one())


def plan_erasure(session: DbSession, *, learner_id: str) -> ErasurePlan:
    """Sort a learner's sessions into those that go and those their server keeps as evidence."""
    rows = list(session.exec(select(PracticeSession).where(PracticeSession.learner_id == learner_id)
                             .order_by(col(PracticeSession.id))))
    cache: dict[str | None, bool] = {}
    kept = [KeptSession(r.id or 0, r.guild_id, r.scenario_id, r.signed_off_at) for r in rows
            if r.signed_off_at is not None and _keeps_evidence(session, r.guild_id, cache)]
    kept_ids = {k.session_id for k in kept}
    gone = [r.id or 0 for r in rows if r.id not in kept_ids]
    counts = {"sessions": len(gone)}
    if gone:
        counts["turns"] = _count(session, Turn, col(Turn.session_id).in_(gone))
        counts["reflections"] = _count(session, Reflection, col(Reflection.session_id).in_(gone))
        counts["mentor_feedback"] = _count(session, MentorFeedback, col(MentorFeedback.session_id).in_(gone))
    for model in LEARNER_TABLES:
        counts[model.__tablename__] = _count(session, model, col(model.learner_id) == learner_id)
    return ErasurePlan(learner_id, gone, kept, counts)


def erase_learner(session: DbSession, *, learner_id: str) -> ErasureResult:
    """Plan afresh (policies may have changed since the learner was asked) and delete."""
    plan = plan_erasure(session, learner_id=learner_id)
    deleted = forget_learner(session, learner_id=learner_id,
                             keep_session_ids=[k.session_id for k in plan.kept])
    return ErasureResult(deleted, plan.kept, plan.counts)
