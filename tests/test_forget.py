"""One path deletes everything stored about a learner, and nothing about anyone else."""

from __future__ import annotations

from sqlmodel import select

from bot.clock import ManualClock
from bot.reflection import FIELDS, save_reflection
from bot.roleplay.service import RolePlayService
from bot.storage.forget import forget_learner
from bot.storage.models import PracticeSession, Reflection, ScheduledJob, Turn


def test_forget_learner(database, catalogue):
    clock = ManualClock()
    svc = RolePlayService(database, catalogue, clock)
    mine = svc.start(learner_id="me", scenario_id="faulty-kettle").session_id
    theirs = svc.start(learner_id="them", scenario_id="faulty-kettle").session_id
    svc.end(mine)
    with database.session() as s:
        save_reflection(s, session_id=mine, learner_id="me", answers={f.key: "x" for f in FIELDS}, now=clock.now)
        s.add(ScheduledJob(id=f"reflect-reminder:{mine}", kind="reflect-reminder", fire_at=clock.now,
                           created_at=clock.now, payload={"session_id": mine}))
    with database.session() as s:
        counts = forget_learner(s, learner_id="me")
    assert counts["sessions"] == 1 and counts["turn"] >= 2 and counts["reflection"] == 1
    with database.session() as s:
        assert [r.id for r in s.exec(select(PracticeSession))] == [theirs]
        assert {t.session_id for t in s.exec(select(Turn))} == {theirs}
        assert s.exec(select(Reflection)).first() is None
        assert s.exec(select(ScheduledJob)).first() is None
