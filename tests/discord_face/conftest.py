"""A fake Discord with one server, and Composure bots that log in to it on a manual clock."""

from __future__ import annotations

import logging
import os
import threading
import traceback
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from fake_discord import FakeDiscord
from sqlalchemy import event

from bot.app import ComposureBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.paths import PROJECT_ROOT
from bot.services import build_services
from bot.storage.db import Database


@dataclass
class Server:
    fake: FakeDiscord
    guild: int
    practice: int
    cohort: int
    learner: int
    other_learner: int
    mentor: int
    mentor_role: int
    admin: int
    db_url: str
    clock: ManualClock = field(default_factory=ManualClock)

    def settings(self, scenarios_dir: Path | None = None) -> Settings:
        return Settings(database_url=self.db_url, scenarios_dir=scenarios_dir or PROJECT_ROOT / "scenarios",
                        reflection_reminder_minutes=60, discord_token=None)

    @asynccontextmanager
    async def bot(self, scenarios_dir: Path | None = None, *, message_content: bool = True):
        """A freshly built bot (new services, same database): two in a row are a restart."""
        db = Database(self.db_url)
        services = build_services(self.settings(scenarios_dir), clock=self.clock, db=db)
        bot = ComposureBot(services, tick_seconds=None, sync_guild_id=self.guild)
        bot._connection._intents.message_content = message_content  # as if run without the intent
        on_the_loop = _database_work_on_the_loop(db)
        try:
            async with self.fake.running(bot) as running:
                yield running
        finally:
            db.dispose()
        assert not on_the_loop, "the Discord face used the database on the event loop at:\n" + "\n".join(
            sorted(set(on_the_loop)))


def _database_work_on_the_loop(db: Database) -> list[str]:
    """Where the bot's code took a database connection on the event loop's thread (one slow query
    there holds every learner's reply): each checkout's nearest line in cogs/ or bot/app.py."""
    loop_thread = threading.current_thread()
    found: list[str] = []

    def checkout(*_: object) -> None:
        if threading.current_thread() is not loop_thread:
            return
        ours = [f for f in traceback.extract_stack() if f"{os.sep}cogs{os.sep}" in f.filename
                or f.filename.endswith(f"bot{os.sep}app.py")]
        if ours:
            found.append(f"{Path(ours[-1].filename).relative_to(PROJECT_ROOT)}:{ours[-1].lineno} {ours[-1].name}")

    event.listen(db.engine, "checkout", checkout)
    return found


@pytest.fixture(scope="session", autouse=True)
def assessment_model_loaded() -> None:
    """Load the model once per run, before any bot: the bot loads it off the event loop at start,
    and on a loaded machine that can outlast the fake's ten seconds to log in."""
    from bot.app import warm_up

    warm_up()


@pytest_asyncio.fixture
async def server(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING)
    async with FakeDiscord() as fake:
        gid = fake.add_guild("Training provider")
        mentor_role = fake.add_role(gid, "Mentor")
        admin_role = fake.add_role(gid, "Admins", admin=True)
        practice = fake.add_text_channel(gid, "practice")
        cohort = fake.add_text_channel(gid, "cohort-a")
        learner = fake.add_member(gid, name="lee")
        other = fake.add_member(gid, name="sam")
        mentor = fake.add_member(gid, name="mo", roles=[mentor_role])
        admin = fake.add_member(gid, name="ada", roles=[admin_role])
        yield Server(fake, gid, practice, cohort, learner, other, mentor, mentor_role, admin,
                     f"sqlite:///{tmp_path / 'bot.db'}")
        assert fake.unhandled == [], fake.unhandled
        assert fake.errors == [], fake.errors
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors
