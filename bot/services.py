"""Everything a face needs, built once at start and passed in (never imported as globals)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot import reflection
from bot.clock import Clock, utcnow
from bot.config import Settings
from bot.content.catalogue import Catalogue
from bot.guild import guild_settings
from bot.jobs import JobRunner
from bot.privacy import retention
from bot.quiz.cards import Deck
from bot.quiz.wiring import wire as wire_quizzes
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database
from bot.storage.models import PracticeSession

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    catalogue: Catalogue
    roleplay: RolePlayService
    jobs: JobRunner
    clock: Clock
    deck: Deck | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def build_services(settings: Settings, *, clock: Clock = utcnow, db: Database | None = None) -> Services:
    """Load content, open (and migrate) the database, wire the session-end hooks and job handlers."""
    catalogue = Catalogue.load([settings.scenarios_dir])
    for problem in catalogue.problems:
        log.error("skipped a bad scenario file: %s", problem)
    db = db or Database(settings.database_url)
    runner = JobRunner(db)
    runner.register(reflection.REMINDER_KIND, reflection.on_reminder)
    services = Services(settings, db, catalogue, None, runner, clock)  # type: ignore[arg-type]
    hooks = [lambda s, row: _after_session(services, s, row)]
    services.roleplay = RolePlayService(db, catalogue, clock, on_finish=hooks)
    wire_quizzes(services)
    runner.register(retention.PURGE_KIND, retention.on_purge)
    with db.session() as session:
        retention.ensure_purge_job(session, now=clock())
    return services


def _after_session(services: Services, session: Session, row: PracticeSession) -> None:
    """When a role-play ends: plan the reflective-log reminder; bring missed ideas due in the quiz."""
    now = services.clock()
    if row.guild_id:  # reminders are delivered on Discord; the terminal has no one to remind
        minutes = guild_settings(session, guild_id=row.guild_id).reminder_minutes or \
            services.settings.reflection_reminder_minutes
        reflection.schedule_first_reminder(session, row=row, delay=timedelta(minutes=minutes), now=now)
    hook = services.extras.get("quiz_after_session")
    if hook is not None:
        hook(session, row, now)
