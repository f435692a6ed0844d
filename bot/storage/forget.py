"""The one tested path that deletes everything stored about a learner."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from bot.storage.models import (
    CardReview,
    CohortAnswer,
    LearnerCard,
    LearnerSettings,
    MentorFeedback,
    PracticeSession,
    Reflection,
    ScheduledJob,
    Turn,
)


def forget_learner(session: Session, *, learner_id: str) -> dict[str, int]:
    """Delete a learner's sessions (with turns, reflections, feedback), cards, answers and timers."""
    ids = list(session.exec(select(PracticeSession.id).where(PracticeSession.learner_id == learner_id)))
    counts: dict[str, int] = {"sessions": len(ids)}
    if ids:
        for model in (Turn, Reflection, MentorFeedback):
            counts[model.__tablename__] = session.exec(  # type: ignore[call-overload]
                delete(model).where(col(model.session_id).in_(ids))).rowcount
        for sid in ids:
            for prefix in ("reflect-reminder", "reply-deadline"):
                job = session.get(ScheduledJob, f"{prefix}:{sid}")
                if job is not None:
                    session.delete(job)
        session.exec(delete(PracticeSession).where(col(PracticeSession.id).in_(ids)))  # type: ignore[call-overload]
    for model in (LearnerCard, CardReview, CohortAnswer, LearnerSettings):
        counts[model.__tablename__] = session.exec(  # type: ignore[call-overload]
            delete(model).where(model.learner_id == learner_id)).rowcount
    job = session.get(ScheduledJob, f"quiz-daily:{learner_id}")
    if job is not None:
        session.delete(job)
    return counts
