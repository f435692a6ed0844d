"""Reflective-log reminders: planned only where someone can be reminded, and they stop.

Two survivors of issue 13's mutation check: reminders that never stopped, and reminders planned
for terminal sessions (nobody there to remind).
"""

from __future__ import annotations

from datetime import timedelta

from bot import jobs
from bot.clock import ManualClock
from bot.config import Settings
from bot.paths import PROJECT_ROOT
from bot.reflection import MAX_REMINDERS, REMINDER_KIND, on_reminder, reminder_id, schedule_first_reminder
from bot.services import build_services
from bot.storage.db import Database
from bot.storage.models import PracticeSession, ScheduledJob


def test_reminders_stop_after_the_last_one(sqlite_database: Database) -> None:
    clock = ManualClock()
    with sqlite_database.session() as s:
        row = PracticeSession(learner_id="123", guild_id="g", scenario_id="faulty-kettle", started_at=clock.now,
                              status="ended", outcome="resolved", ended_at=clock.now)
        s.add(row)
        s.flush()
        schedule_first_reminder(s, row=row, delay=timedelta(minutes=30), now=clock.now)
        sid = row.id
    runner = jobs.JobRunner(sqlite_database)
    runner.register(REMINDER_KIND, on_reminder)
    numbers = []
    clock.advance(minutes=30)
    for _ in range(MAX_REMINDERS + 3):
        numbers += [e.reminder_number for e in runner.run_due(clock.now)]
        clock.advance(days=1)
    assert MAX_REMINDERS == 7
    assert numbers == list(range(1, MAX_REMINDERS + 1))
    with sqlite_database.session() as s:
        assert s.get(ScheduledJob, reminder_id(sid or 0)) is None


def test_only_a_session_held_on_discord_plans_a_reminder(sqlite_database: Database) -> None:
    clock = ManualClock()
    settings = Settings(database_url="sqlite://", scenarios_dir=PROJECT_ROOT / "scenarios", discord_token=None)
    services = build_services(settings, clock=clock, db=sqlite_database)
    terminal = services.roleplay.start(learner_id="local:pat", scenario_id="faulty-kettle").session_id
    discord = services.roleplay.start(learner_id="123", scenario_id="faulty-kettle", guild_id="g",
                                      channel_id="t").session_id
    services.roleplay.end(terminal)
    services.roleplay.end(discord)
    with sqlite_database.session() as s:
        planned = {j.id for j in jobs.pending(s, kind=REMINDER_KIND)}
        reminder = s.get(ScheduledJob, reminder_id(discord))
    assert planned == {reminder_id(discord)}
    assert reminder is not None
    assert reminder.fire_at == clock.now + timedelta(minutes=settings.reflection_reminder_minutes)
