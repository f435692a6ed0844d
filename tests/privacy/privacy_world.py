"""Two learners with something in every personal table, and a whole-database dump to compare."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ForeignKey
from sqlmodel import SQLModel

from bot import outbox
from bot.clock import ManualClock
from bot.guild import set_daily_dm
from bot.mentoring import add_feedback, sign_off
from bot.privacy.access import record_access
from bot.quiz.daily import DAILY_KIND, ensure_daily
from bot.quiz.schedule import make_scheduler, record_answer
from bot.reflection import FIELDS, save_reflection, schedule_first_reminder
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database
from bot.storage.models import CohortAnswer, CohortQuiz, CohortSchedule, GuildSettings, PracticeSession

# Tables that hold nothing about a person: server settings and the cohort quiz timetable.
NOT_PERSONAL = {"guild_settings", "cohort_schedule", "cohort_quiz"}
CARD = "mp-identify-behaviour-type"
HOSTILE = "@everyone <@&42> **bold** <script>alert('x')</script> & </html>"


@dataclass
class Learner:
    learner_id: str
    sessions: list[int]
    signed_off: int
    active: int


def make_learner(db: Database, svc: RolePlayService, clock: ManualClock, *, learner_id: str, guild: str,
                 quiz_id: int) -> Learner:
    """A learner with ended, signed-off and active sessions, logs, feedback, access, quiz data, timers
    and a reminder waiting to be sent."""
    ended: list[int] = []
    for n in range(2):
        sid = svc.start(learner_id=learner_id, learner_name=f"{learner_id} {HOSTILE}", scenario_id="faulty-kettle",
                        guild_id=guild, channel_id=f"thread-{learner_id}-{n}", seed=n).session_id
        svc.reply(sid, f"I'm so sorry, {learner_id} here. {HOSTILE}", learner_id=learner_id)
        svc.end(sid, learner_id=learner_id)
        ended.append(sid)
    with db.session() as s:
        save_reflection(s, session_id=ended[0], learner_id=learner_id,
                        answers={f.key: f"{learner_id} {HOSTILE}" for f in FIELDS}, now=clock.now)
        schedule_first_reminder(s, row=s.get(PracticeSession, ended[1]), delay=timedelta(hours=1), now=clock.now)
        add_feedback(s, session_id=ended[0], mentor_id="mentor-1", mentor_name="Mo", text=f"Well done {learner_id}",
                     now=clock.now, guild_id=guild)
        sign_off(s, session_id=ended[0], mentor_id="mentor-1", now=clock.now, guild_id=guild)
        for sid, action in ((ended[0], "open"), (ended[0], "signoff"), (ended[1], "export")):
            record_access(s, row=s.get(PracticeSession, sid), actor_id="mentor-1", actor_name="Mo", action=action,
                          now=clock.now)
        scheduler = make_scheduler()
        for correct in (True, False):
            record_answer(s, learner_id=learner_id, card_id=CARD, correct=correct, answer_ms=4000,
                          now=clock.now, scheduler=scheduler)
        ensure_daily(s, learner_id=learner_id, now=clock.now)
        outbox.store(s, kind=DAILY_KIND, learner_id=learner_id, payload={"due": 2}, now=clock.now)  # unsent
        s.add(CohortAnswer(quiz_id=quiz_id, learner_id=learner_id, learner_name=learner_id, card_id=CARD,
                           choice="30 days", correct=True, answered_at=clock.now))
        set_daily_dm(s, guild_id=guild, learner_id=learner_id, enabled=False)
    active = svc.start(learner_id=learner_id, scenario_id="faulty-kettle", guild_id=guild,
                       channel_id=f"thread-{learner_id}-active", seed=9).session_id
    return Learner(learner_id, [*ended, active], ended[0], active)


def populate(db: Database, catalogue: Any, clock: ManualClock, *, keep_signed_off: bool) -> tuple[Learner, Learner]:
    """Two learners on one server whose policy keeps (or not) signed-off evidence."""
    with db.session() as s:
        s.add(GuildSettings(guild_id="G1", keep_signed_off=keep_signed_off))
        schedule = CohortSchedule(guild_id="G1", channel_id="C1", rule="0 18 * * mon", created_by="mentor-1",
                                  created_at=clock.now)
        s.add(schedule)
        s.flush()
        quiz = CohortQuiz(schedule_id=schedule.id, guild_id="G1", channel_id="C1", card_ids=[CARD],
                          scheduled_for=clock.now)
        s.add(quiz)
        s.flush()
        quiz_id = quiz.id or 0
    svc = RolePlayService(db, catalogue, clock)
    zed = make_learner(db, svc, clock, learner_id="learner-zed", guild="G1", quiz_id=quiz_id)
    amy = make_learner(db, svc, clock, learner_id="learner-amy", guild="G1", quiz_id=quiz_id)
    return zed, amy


def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the models declare, as JSON-ready dicts sorted for comparison."""
    out: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = [json.loads(json.dumps(dict(r._mapping), default=str, sort_keys=True))
                    for r in conn.execute(table.select())]
            out[table.name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return out


def _session_columns(table_name: str) -> list[str]:
    """Columns that point at a practice session, by foreign key or by name."""
    table = SQLModel.metadata.tables[table_name]
    cols = []
    for column in table.columns:
        points = any(isinstance(fk, ForeignKey) and fk.column.table.name == "practice_session"
                     for fk in column.foreign_keys)
        if points or column.name == "session_id" or (table_name == "practice_session" and column.name == "id"):
            cols.append(column.name)
    return cols


def about(table: str, row: dict[str, Any], learner: Learner) -> bool:
    """Does this row say anything about the learner: their id anywhere in it, or one of their sessions?"""
    if learner.learner_id in json.dumps(row):
        return True
    if any(row.get(c) in learner.sessions for c in _session_columns(table)):
        return True
    payload = row.get("payload")
    if isinstance(payload, str):
        payload = json.loads(payload)
    return isinstance(payload, dict) and payload.get("session_id") in learner.sessions


def rows_about(snapshot: dict[str, list[dict[str, Any]]], learner: Learner) -> dict[str, list[dict[str, Any]]]:
    return {t: [r for r in rows if about(t, r, learner)] for t, rows in snapshot.items()}
