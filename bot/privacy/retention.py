"""Retention: each server's `/setup retention` decides how long finished role-plays are kept.

A daily job (`retention-purge`, in the scheduled_job table like every timer) deletes sessions that
ended more than N days ago, sparing signed-off evidence when the server keeps it, and logs counts
only; it also deletes messages to learners that waited in the outbox too long to be worth sending
(bot/outbox.py). It re-plans itself for the next day, and start-up plans it if missing, so a restart neither
loses nor duplicates it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot import jobs, outbox
from bot.guild import SettingsError, guild_settings
from bot.storage.forget import delete_sessions
from bot.storage.models import GuildSettings, PracticeSession, ScheduledJob

log = logging.getLogger(__name__)

PURGE_KIND = PURGE_JOB_ID = "retention-purge"
PURGE_HOUR_UTC = 3  # a quiet hour
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True)
class RetentionPurged:
    """What one purge removed, per server: counts, never content."""

    at: datetime
    sessions_by_guild: dict[str, int]
    rows: dict[str, int]


def set_retention(session: DbSession, *, guild_id: str, days: int, keep_signed_off: bool) -> GuildSettings:
    """Store a server's policy; 0 days keeps sessions until someone deletes them."""
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise SettingsError(f"Retention must be between 1 and {MAX_RETENTION_DAYS} days, or 0 to keep sessions.")
    settings = guild_settings(session, guild_id=guild_id)
    settings.retention_days = days or None
    settings.keep_signed_off = keep_signed_off
    session.add(settings)
    return settings


def expired_sessions(session: DbSession, *, now: datetime) -> dict[str, list[int]]:
    """Finished sessions past their server's retention, by server; evidence spared where kept."""
    expired: dict[str, list[int]] = {}
    for settings in session.exec(select(GuildSettings).where(col(GuildSettings.retention_days).is_not(None))):
        cutoff = now - timedelta(days=settings.retention_days or 0)
        query = select(PracticeSession.id).where(
            PracticeSession.guild_id == settings.guild_id, PracticeSession.status == "ended",
            col(PracticeSession.ended_at) < cutoff)
        if settings.keep_signed_off:
            query = query.where(col(PracticeSession.signed_off_at).is_(None))
        ids = [i for i in session.exec(query) if i is not None]
        if ids:
            expired[settings.guild_id] = ids
    return expired


def purge_expired(session: DbSession, *, now: datetime) -> RetentionPurged:
    """Delete every expired session with everything hanging off it, and messages too old to send."""
    expired = expired_sessions(session, now=now)
    rows: dict[str, int] = {}
    for ids in expired.values():
        for table, count in delete_sessions(session, session_ids=ids).items():
            rows[table] = rows.get(table, 0) + count
    rows["outbox_message"] = outbox.drop_stale(session, now=now)  # messages to learners never sent
    result = RetentionPurged(now, {g: len(ids) for g, ids in expired.items()}, rows)
    log.info("retention purge: %d session(s) in %d server(s); rows %s", sum(result.sessions_by_guild.values()),
             len(result.sessions_by_guild), dict(sorted(rows.items())))
    return result


def next_run(now: datetime) -> datetime:
    """The next PURGE_HOUR_UTC strictly after now."""
    when = now.replace(hour=PURGE_HOUR_UTC, minute=0, second=0, microsecond=0)
    return when if when > now else when + timedelta(days=1)


def ensure_purge_job(session: DbSession, *, now: datetime) -> ScheduledJob:
    """Plan the daily purge unless it is already planned (start-up calls this every time)."""
    return session.get(ScheduledJob, PURGE_JOB_ID) or jobs.schedule(
        session, job_id=PURGE_JOB_ID, kind=PURGE_KIND, fire_at=next_run(now), now=now)


def on_purge(session: DbSession, job: ScheduledJob, now: datetime) -> list[RetentionPurged]:
    """Job handler: purge, then plan tomorrow's run."""
    jobs.schedule(session, job_id=PURGE_JOB_ID, kind=PURGE_KIND, fire_at=next_run(now), now=now)
    return [purge_expired(session, now=now)]
