"""The one tested path that deletes everything stored about a learner (and what retention reuses).

Every table that holds something about a person is named here; `tests/privacy/test_erasure.py`
dumps every table in `SQLModel.metadata` before and after and fails when a new table is missed.
Nothing about a learner is kept in files: exports are built in memory and handed over.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlmodel import Session as DbSession
from sqlmodel import col, delete, select

from bot.storage.models import (
    AccessLogEntry,
    CardReview,
    CohortAnswer,
    LearnerCard,
    LearnerSettings,
    MentorFeedback,
    OutboxMessage,
    PracticeSession,
    Reflection,
    ScheduledJob,
    Turn,
)

SESSION_CHILDREN = (Turn, Reflection, MentorFeedback, AccessLogEntry)  # rows that hang off a session id
LEARNER_TABLES = (LearnerCard, CardReview, CohortAnswer, LearnerSettings, OutboxMessage)  # rows keyed by learner id
SESSION_JOB_KINDS = frozenset({"reflect-reminder", "reply-deadline"})  # job ids ending in a session id


def jobs_about(session: DbSession, *, session_ids: Collection[int] = (), learner_id: str | None = None,
               ) -> list[ScheduledJob]:
    """Timers that name one of these sessions or this learner, in their id or their payload."""
    wanted = {int(i) for i in session_ids}
    found = []
    for job in session.exec(select(ScheduledJob)):
        payload = job.payload or {}
        suffix = job.id.rpartition(":")[2]
        about_session = payload.get("session_id") in wanted or (
            job.kind in SESSION_JOB_KINDS and suffix.isdigit() and int(suffix) in wanted)
        about_learner = learner_id is not None and (payload.get("learner_id") == learner_id
                                                    or job.id == f"{job.kind}:{learner_id}")
        if about_session or about_learner:
            found.append(job)
    return found


def delete_sessions(session: DbSession, *, session_ids: Iterable[int]) -> dict[str, int]:
    """Delete sessions with their turns, reflections, feedback, access log and timers; counts per table."""
    ids = sorted({int(i) for i in session_ids})
    counts: dict[str, int] = {"sessions": len(ids)}
    if not ids:
        return counts
    for model in SESSION_CHILDREN:
        counts[model.__tablename__] = session.exec(
            delete(model).where(col(model.session_id).in_(ids))).rowcount
    jobs = jobs_about(session, session_ids=ids)
    for job in jobs:
        session.delete(job)
    counts["scheduled_job"] = len(jobs)
    session.flush()
    session.exec(delete(PracticeSession).where(col(PracticeSession.id).in_(ids)))
    return counts


def forget_learner(session: DbSession, *, learner_id: str, keep_session_ids: Collection[int] = ()
                   ) -> dict[str, int]:
    """Delete everything about a learner except the sessions named in keep_session_ids (evidence).

    Kept sessions keep what hangs off them (transcript, log, feedback, access log); everything
    else goes: other sessions, quiz cards and answers, settings, timers.
    """
    keep = {int(i) for i in keep_session_ids}
    ids = [i for i in session.exec(select(PracticeSession.id).where(PracticeSession.learner_id == learner_id))
           if i is not None and i not in keep]
    counts = delete_sessions(session, session_ids=ids)
    for model in LEARNER_TABLES:
        counts[model.__tablename__] = session.exec(
            delete(model).where(col(model.learner_id) == learner_id)).rowcount
    learner_jobs = jobs_about(session, learner_id=learner_id)
    for job in learner_jobs:
        session.delete(job)
    counts["scheduled_job"] = counts.get("scheduled_job", 0) + len(learner_jobs)
    return counts
