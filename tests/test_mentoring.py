"""Reflective logs, reminders and mentor review on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import jobs
from bot.clock import ManualClock
from bot.jobs import JobRunner
from bot.mentoring import (
    ReviewError,
    add_feedback,
    export_html,
    export_markdown,
    load_record,
    review_queue,
    sign_off,
)
from bot.reflection import (
    FIELDS,
    ReflectionDue,
    ReflectionError,
    on_reminder,
    reminder_id,
    save_reflection,
    schedule_first_reminder,
)
from bot.storage.models import PracticeSession, Turn

ANSWERS = {f.key: f"My answer to {f.label}" for f in FIELDS}


def _ended_session(db, clock, *, learner="L1", guild="G1", status="ended") -> int:
    with db.session() as s:
        row = PracticeSession(learner_id=learner, learner_name="Lee <b>", guild_id=guild, channel_id="T1",
                              scenario_id="faulty-kettle", started_at=clock.now, status=status,
                              outcome="resolved" if status == "ended" else None,
                              ended_at=clock.now if status == "ended" else None,
                              report={"title": "Faulty kettle", "persona": "Dana", "outcome_text": "Resolved",
                                      "session_marks": [], "credited": [], "penalised": []})
        s.add(row)
        s.flush()
        s.add(Turn(session_id=row.id, position=0, speaker="customer", text="It's broken!", created_at=clock.now))
        s.add(Turn(session_id=row.id, position=1, speaker="learner", text="I'm sorry <script>", marks=["apology"],
                   created_at=clock.now))
        return row.id


def test_reflection_requires_every_field_and_the_owner(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    with database.session() as s, pytest.raises(ReflectionError, match="not one of yours"):
        save_reflection(s, session_id=sid, learner_id="someone", answers=ANSWERS, now=clock.now)
    with database.session() as s, pytest.raises(ReflectionError, match="fill in"):
        save_reflection(s, session_id=sid, learner_id="L1", answers={**ANSWERS, "feelings": "  "}, now=clock.now)
    with database.session() as s:
        saved = save_reflection(s, session_id=sid, learner_id="L1", answers=ANSWERS, now=clock.now)
        assert saved.action_plan == ANSWERS["action_plan"]


def test_reflection_refused_while_the_roleplay_runs(database):
    clock = ManualClock()
    sid = _ended_session(database, clock, status="active")
    with database.session() as s, pytest.raises(ReflectionError, match="Finish the role-play"):
        save_reflection(s, session_id=sid, learner_id="L1", answers=ANSWERS, now=clock.now)


def test_reminders_repeat_until_written_and_survive_a_restart(database_url):
    from bot.storage.db import Database

    clock = ManualClock()
    db = Database(database_url)
    sid = _ended_session(db, clock)
    with db.session() as s:
        row = s.get(PracticeSession, sid)
        schedule_first_reminder(s, row=row, delay=timedelta(minutes=30), now=clock.now)
    runner = JobRunner(db)
    runner.register("reflect-reminder", on_reminder)
    assert runner.run_due(clock.advance(minutes=29)) == []
    events = runner.run_due(clock.advance(minutes=2))
    assert events == [ReflectionDue(sid, "L1", "G1", "T1", "faulty-kettle", 1)]
    db.dispose()

    db2 = Database(database_url)  # restart: a new process, same store
    runner2 = JobRunner(db2)
    runner2.register("reflect-reminder", on_reminder)
    assert runner2.run_due(clock.advance(hours=23)) == []
    events = runner2.run_due(clock.advance(hours=2))
    assert [e.reminder_number for e in events] == [2]
    with db2.session() as s:
        assert [j.id for j in jobs.pending(s)] == [reminder_id(sid)]
        save_reflection(s, session_id=sid, learner_id="L1", answers=ANSWERS, now=clock.now)
        assert jobs.pending(s) == []
    assert runner2.run_due(clock.advance(days=3)) == []
    db2.dispose()


def test_queue_feedback_signoff_and_export(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    other_guild = _ended_session(database, clock, learner="L2", guild="G2")
    with database.session() as s:
        queue = review_queue(s, guild_id="G1")
        assert [q.session_id for q in queue] == [sid]
        assert queue[0].has_reflection is False
        with pytest.raises(ReviewError, match="reflective log"):
            sign_off(s, session_id=sid, mentor_id="M1", now=clock.now, guild_id="G1")
        with pytest.raises(ReviewError, match="no session"):
            load_record(s, session_id=other_guild, guild_id="G1")
        with pytest.raises(ReviewError, match="empty"):
            add_feedback(s, session_id=sid, mentor_id="M1", mentor_name="Mo", text="  ", now=clock.now)
        add_feedback(s, session_id=sid, mentor_id="M1", mentor_name="Mo", text="Great apology.", now=clock.now)
        save_reflection(s, session_id=sid, learner_id="L1", answers=ANSWERS, now=clock.now)
    with database.session() as s:
        with pytest.raises(ReviewError, match="own session"):
            sign_off(s, session_id=sid, mentor_id="L1", now=clock.now, guild_id="G1")
        sign_off(s, session_id=sid, mentor_id="M1", now=clock.now, guild_id="G1")
    with database.session() as s:
        assert review_queue(s, guild_id="G1") == []
        with pytest.raises(ReviewError, match="already signed off"):
            sign_off(s, session_id=sid, mentor_id="M1", now=clock.now, guild_id="G1")
        record = load_record(s, session_id=sid, guild_id="G1")
    md = export_markdown(record)
    assert "Great apology." in md and ANSWERS["feelings"] in md and "Signed off:" in md
    assert "I'm sorry <script>" in md and "(Sincere apology)" in md
    page = export_html(record)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_signoff_with_waived_reflection(database):
    clock = ManualClock()
    sid = _ended_session(database, clock)
    with database.session() as s:
        row = sign_off(s, session_id=sid, mentor_id="M1", now=clock.now, guild_id="G1", waive_reflection=True)
        assert row.reflection_waived is True
    with database.session() as s:
        assert "Waived by the mentor" in export_markdown(load_record(s, session_id=sid))
