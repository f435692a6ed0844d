"""A mentor's actions write the access log in the same transaction: what was done is logged, and
what was refused is not (real SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select
from test_mentoring import ANSWERS, _ended_session

from bot import review_desk
from bot.clock import ManualClock
from bot.mentoring import ReviewError
from bot.reflection import save_reflection
from bot.review_desk import Actor
from bot.storage.models import AccessLogEntry, PracticeSession

MENTOR = Actor("M1", "Mo")


def log(db) -> list[tuple[int, str, str]]:
    with db.session() as s:
        return [(e.session_id, e.actor_id, e.action)
                for e in s.exec(select(AccessLogEntry).order_by(AccessLogEntry.id))]


def test_opening_a_session_logs_it_and_shows_the_access_before(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    record, previous = review_desk.open_session(database, session_id=sid, guild_id="G1", actor=MENTOR,
                                                action="open", now=clock.now)
    assert (record.row.id, previous) == (sid, None)
    clock.advance(hours=1)
    _, previous = review_desk.open_session(database, session_id=sid, guild_id="G1", actor=Actor("M2", "Ann"),
                                           action="watch", now=clock.now)
    assert previous is not None and (previous.actor_name, previous.action) == ("Mo", "open")
    assert log(database) == [(sid, "M1", "open"), (sid, "M2", "watch")]


def test_what_is_refused_is_not_logged(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    with pytest.raises(ReviewError, match="no session"):
        review_desk.open_session(database, session_id=sid, guild_id="another server", actor=MENTOR,
                                 action="open", now=clock.now)
    with pytest.raises(ReviewError, match="reflective log"):
        review_desk.sign_off_session(database, session_id=sid, guild_id="G1", actor=MENTOR, now=clock.now)
    with pytest.raises(ReviewError):
        review_desk.export_portfolio(database, learner_id="L1", guild_id="G1", actor=MENTOR, now=clock.now)
    assert log(database) == []
    with database.session() as s:
        assert s.get(PracticeSession, sid).signed_off_at is None


def test_a_sign_off_and_a_portfolio_export_are_logged_per_session(database):
    clock = ManualClock()
    first, second = _ended_session(database, clock), _ended_session(database, clock)
    with database.session() as s:
        save_reflection(s, session_id=first, learner_id="L1", answers=ANSWERS, now=clock.now)
    review_desk.sign_off_session(database, session_id=first, guild_id="G1", actor=MENTOR, now=clock.now)
    review_desk.sign_off_session(database, session_id=second, guild_id="G1", actor=MENTOR, now=clock.now,
                                 waive_reflection=True)
    records = review_desk.export_portfolio(database, learner_id="L1", guild_id="G1", actor=MENTOR, now=clock.now)
    assert sorted(r.row.id for r in records) == [first, second]
    assert sorted(log(database)) == sorted([(first, "M1", "signoff"), (second, "M1", "signoff"),
                                            (first, "M1", "export"), (second, "M1", "export")])


def test_a_learner_opening_their_own_session_is_not_logged_and_the_queue_shows_who_looked(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    review_desk.open_session(database, session_id=sid, guild_id="G1", actor=Actor("L1", "Lee"), action="open",
                             now=clock.now)
    assert log(database) == []
    review_desk.open_session(database, session_id=sid, guild_id="G1", actor=MENTOR, action="export", now=clock.now)
    waiting = review_desk.queue(database, guild_id="G1")
    assert [i.session_id for i in waiting.items] == [sid]
    assert waiting.last_seen[sid].actor_name == "Mo"
    review_desk.leave_feedback(database, session_id=sid, guild_id="G1", actor=MENTOR, text="Well done.",
                               now=clock.now)
    assert review_desk.queue(database, guild_id="G1").items[0].feedback_count == 1
