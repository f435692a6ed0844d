"""What `forget_learner` and `delete_sessions` take, what they leave, and the counts they report.

Every kind of row about a learner, and look-alikes about someone else that must stay: another
learner's cards and timers, a timer whose id ends in the same number but is not about a session.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot import outbox
from bot.clock import ManualClock
from bot.quiz.daily import DAILY_KIND, ensure_daily
from bot.storage.db import Database
from bot.storage.forget import delete_sessions, forget_learner, jobs_about
from bot.storage.models import (
    AccessLogEntry,
    CardReview,
    CohortAnswer,
    CohortQuiz,
    LearnerCard,
    LearnerSettings,
    MentorFeedback,
    OutboxMessage,
    PracticeSession,
    Reflection,
    ScheduledJob,
    Turn,
)

ME, THEM = "111", "222"  # Discord ids: the daily quiz reminder is only planned for these


def _session(s: Session, learner: str, now: datetime) -> int:
    row = PracticeSession(learner_id=learner, scenario_id="faulty-kettle", started_at=now, status="ended")
    s.add(row)
    s.flush()
    assert row.id is not None
    s.add(Turn(session_id=row.id, position=0, speaker="customer", text="hello", created_at=now))
    s.add(Reflection(session_id=row.id, written_at=now))
    s.add(MentorFeedback(session_id=row.id, mentor_id="m", text="good", created_at=now))
    s.add(AccessLogEntry(session_id=row.id, learner_id=learner, actor_id="m", action="open", at=now))
    return row.id


def _job(s: Session, job_id: str, now: datetime, **payload: object) -> None:
    s.add(ScheduledJob(id=job_id, kind=job_id.rpartition(":")[0], fire_at=now, created_at=now, payload=payload))


def _learner_rows(s: Session, learner: str, quiz_id: int, now: datetime) -> None:
    s.add(LearnerCard(learner_id=learner, card_id="c1", due=now))
    s.add(CardReview(learner_id=learner, card_id="c1", rating=3, correct=True, answer_ms=900, reviewed_at=now))
    s.add(CohortAnswer(quiz_id=quiz_id, learner_id=learner, card_id="c1", choice="a", correct=True, answered_at=now))
    s.add(LearnerSettings(learner_id=learner, daily_dm=False))
    ensure_daily(s, learner_id=learner, now=now)
    outbox.store(s, kind=DAILY_KIND, learner_id=learner, payload={"due": 1}, now=now)


@pytest.fixture
def world(database: Database) -> dict[str, int]:
    """Two learners with two sessions each and every kind of row; timers in every shape."""
    now = ManualClock().now
    with database.session() as s:
        quiz = CohortQuiz(guild_id="g", channel_id="c", scheduled_for=now)
        s.add(quiz)
        s.flush()
        assert quiz.id is not None
        ids = {"mine": _session(s, ME, now), "evidence": _session(s, ME, now),
               "theirs": _session(s, THEM, now), "theirs2": _session(s, THEM, now)}
        for learner in (ME, THEM):
            _learner_rows(s, learner, quiz.id, now)
        _job(s, f"reflect-reminder:{ids['mine']}", now, session_id=ids["mine"])
        _job(s, f"reply-deadline:{ids['mine']}", now)  # no payload: the session is in the id
        _job(s, f"reply-deadline:{ids['theirs']}", now)
        _job(s, f"reflect-reminder:{ids['theirs']}", now, session_id=ids["theirs"])
        _job(s, f"cohort-open:{ids['mine']}", now)  # ends in my session's number, but is not about it
        _job(s, "retention-purge", now)
        _job(s, "export:x", now, learner_id=ME)
        _job(s, "nudge:y", now, session_id=ids["mine"])
        _job(s, f"nudge:{ME}", now)  # no payload: the learner is in the id
        _job(s, f"nudge:{THEM}", now)
    return ids


def _job_ids(s: Session) -> set[str]:
    return {j.id for j in s.exec(select(ScheduledJob))}


def test_forget_takes_every_row_and_timer_about_the_learner_and_counts_them(database: Database,
                                                                           world: dict[str, int]) -> None:
    with database.session() as s:
        counts = forget_learner(s, learner_id=ME)
    assert counts == {"sessions": 2, "turn": 2, "reflection": 2, "mentor_feedback": 2, "access_log": 2,
                      "scheduled_job": 6, "learner_card": 1, "card_review": 1, "cohort_answer": 1,
                      "learner_settings": 1, "outbox_message": 1}
    with database.session() as s:
        assert {r.id for r in s.exec(select(PracticeSession))} == {world["theirs"], world["theirs2"]}
        for model in (Turn, Reflection, MentorFeedback, AccessLogEntry):
            assert {r.session_id for r in s.exec(select(model))} == {world["theirs"], world["theirs2"]}, model
        for model in (LearnerCard, CardReview, CohortAnswer, LearnerSettings, OutboxMessage):
            assert {r.learner_id for r in s.exec(select(model))} == {THEM}, model
        assert _job_ids(s) == {f"reply-deadline:{world['theirs']}", f"reflect-reminder:{world['theirs']}",
                               f"cohort-open:{world['mine']}", "retention-purge", f"quiz-daily:{THEM}",
                               f"nudge:{THEM}"}


def test_forget_keeps_the_evidence_sessions_whole(database: Database, world: dict[str, int]) -> None:
    with database.session() as s:
        counts = forget_learner(s, learner_id=ME, keep_session_ids=[str(world["evidence"])])  # type: ignore[list-item]
    assert (counts["sessions"], counts["turn"], counts["reflection"]) == (1, 1, 1)
    with database.session() as s:
        kept = {r.id for r in s.exec(select(PracticeSession)) if r.learner_id == ME}
        assert kept == {world["evidence"]}
        for model in (Turn, Reflection, MentorFeedback, AccessLogEntry):
            assert world["evidence"] in {r.session_id for r in s.exec(select(model))}, model
        assert s.exec(select(LearnerCard).where(LearnerCard.learner_id == ME)).first() is None
        assert f"quiz-daily:{ME}" not in _job_ids(s)


def test_deleting_no_sessions_deletes_nothing(database: Database, world: dict[str, int]) -> None:
    with database.session() as s:
        before = _job_ids(s)
        assert delete_sessions(s, session_ids=[]) == {"sessions": 0}
    with database.session() as s:
        assert len(list(s.exec(select(PracticeSession)))) == 4
        assert _job_ids(s) == before


def test_deleting_sessions_takes_their_timers_only(database: Database, world: dict[str, int]) -> None:
    with database.session() as s:
        counts = delete_sessions(s, session_ids=[world["theirs"], world["theirs"]])
    assert counts == {"sessions": 1, "turn": 1, "reflection": 1, "mentor_feedback": 1, "access_log": 1,
                      "scheduled_job": 2}
    with database.session() as s:
        assert f"reply-deadline:{world['theirs']}" not in _job_ids(s)
        assert f"quiz-daily:{THEM}" in _job_ids(s)  # the learner's own timer is not a session's
        assert {r.learner_id for r in s.exec(select(LearnerCard))} == {ME, THEM}


def test_jobs_about_a_learner_or_sessions(database: Database, world: dict[str, int]) -> None:
    with database.session() as s:
        assert {j.id for j in jobs_about(s, learner_id=ME)} == {"export:x", f"quiz-daily:{ME}", f"nudge:{ME}"}
        assert {j.id for j in jobs_about(s, session_ids=[world["mine"]])} == {
            f"reflect-reminder:{world['mine']}", f"reply-deadline:{world['mine']}", "nudge:y"}
        assert jobs_about(s) == []


def test_forgetting_a_learner_with_no_sessions_counts_their_timers(database: Database) -> None:
    now = ManualClock().now
    with database.session() as s:
        ensure_daily(s, learner_id=ME, now=now)
    with database.session() as s:
        counts = forget_learner(s, learner_id=ME)
    assert (counts["sessions"], counts["scheduled_job"]) == (0, 1)
    with database.session() as s:
        assert _job_ids(s) == set()
