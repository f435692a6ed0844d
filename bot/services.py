"""Everything a face needs, built once at start and passed in (never imported as globals)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session as DbSession

from bot import reflection
from bot.clock import Clock, utcnow
from bot.config import Settings
from bot.content.catalogue import Catalogue
from bot.guild import guild_settings
from bot.jobs import JobRunner
from bot.outbox import Outbox
from bot.privacy import retention
from bot.quiz.wiring import QuizParts, build_quizzes
from bot.roleplay.service import RolePlayService
from bot.storage.db import Database
from bot.storage.models import PracticeSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """The core's parts, each built whole before the faces see them."""

    settings: Settings
    db: Database
    catalogue: Catalogue
    roleplay: RolePlayService
    jobs: JobRunner
    clock: Clock
    quiz: QuizParts
    outbox: Outbox  # messages to send (daily reminders), kept until they leave


def build_services(settings: Settings, *, clock: Clock = utcnow, db: Database | None = None) -> Services:
    """Load content, open (and migrate) the database, wire the session-end hooks and job handlers."""
    catalogue = Catalogue.load([settings.scenarios_dir])
    for problem in catalogue.problems:
        log.error("skipped a bad scenario file: %s", problem)
    db = db or Database(settings.database_url)
    jobs = JobRunner(db)
    jobs.register(reflection.REMINDER_KIND, reflection.on_reminder)
    outbox = Outbox(db)
    quiz = build_quizzes(settings, jobs, outbox)
    jobs.register(retention.PURGE_KIND, retention.on_purge)
    roleplay = RolePlayService(db, catalogue, clock, on_finish=[_after_session(settings, clock, quiz)])
    with db.session() as session:
        retention.ensure_purge_job(session, now=clock())
    return Services(settings, db, catalogue, roleplay, jobs, clock, quiz, outbox)


def _after_session(settings: Settings, clock: Clock, quiz: QuizParts
                   ) -> Callable[[DbSession, PracticeSession], None]:
    """The hook run when a role-play ends: plan the reflective-log reminder; bring missed ideas due."""

    def after(session: DbSession, row: PracticeSession) -> None:
        now = clock()
        if row.guild_id:  # reminders are delivered on Discord; the terminal has no one to remind
            minutes = guild_settings(session, guild_id=row.guild_id).reminder_minutes or \
                settings.reflection_reminder_minutes
            reflection.schedule_first_reminder(session, row=row, delay=timedelta(minutes=minutes), now=now)
        quiz.after_session(session, row, now)

    return after
