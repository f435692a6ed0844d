"""Services are built whole: the role-play service's end hook, wired in `build_services`, plans the
reflective-log reminder (on Discord only) and brings the cards on the learner's mistakes due."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.paths import PROJECT_ROOT
from bot.quiz.schedule import due_count
from bot.reflection import reminder_id
from bot.services import build_services
from bot.storage.db import Database
from bot.storage.models import ScheduledJob


@pytest.mark.parametrize("guild_id", [None, "G1"])
def test_a_finished_roleplay_brings_its_mistakes_due_and_plans_a_reminder_only_on_discord(database_url, guild_id):
    clock = ManualClock()
    settings = Settings(database_url=database_url, scenarios_dir=PROJECT_ROOT / "scenarios", discord_token=None,
                        desired_retention=0.85)
    services = build_services(settings, clock=clock, db=Database(database_url))
    try:
        assert services.quiz.scheduler.desired_retention == 0.85  # the quiz parts follow the settings
        started = services.roleplay.start(learner_id="L1", scenario_id="faulty-kettle", guild_id=guild_id,
                                          channel_id="C1" if guild_id else None)
        services.roleplay.reply(started.session_id, "calm down, it's only a kettle", learner_id="L1")
        services.roleplay.end(started.session_id, learner_id="L1")
        dismissive_cards = services.quiz.deck.for_marks(["dismissive"])
        assert dismissive_cards
        with services.db.session() as s:
            assert due_count(s, learner_id="L1", now=clock.now) == len(dismissive_cards)
            reminder = s.get(ScheduledJob, reminder_id(started.session_id))
        assert (reminder is not None) == (guild_id is not None)
    finally:
        services.db.dispose()
