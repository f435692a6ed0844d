"""Timers that survive restarts: the `scheduled_job` table is the truth, the scheduler a cache.

Each job has a deterministic id (`reflect-reminder:12`, `cohort-open:3`), so scheduling twice
replaces rather than duplicates. Handlers are plain functions of (db, job, now) that return
events (plain dataclasses) for a face to announce; they never talk to Discord themselves.
Tests drive `run_due(now)` with a moved clock instead of sleeping; the bot runs `run_batch` off
the event loop, a small batch at a time, in every process (see `JobRunner`).

A job whose handler fails is kept and tried again later, waiting twice as long each time
(1, 2, 4, 8 minutes); after `MAX_ATTEMPTS` failures it is dead-lettered (`failed_at` set): it no
longer runs, and admins see it in `/setup show` and `composure jobs` until it is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.storage.db import Database
from bot.storage.models import ScheduledJob

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)

Handler = Callable[[DbSession, ScheduledJob, datetime], Sequence[object]]  # events for a face to announce


def schedule(session: DbSession, *, job_id: str, kind: str, fire_at: datetime,
             now: datetime, payload: dict[str, Any] | None = None) -> ScheduledJob:
    """Create or move a job (same id: replaced)."""
    job = session.get(ScheduledJob, job_id)
    if job is None:
        job = ScheduledJob(id=job_id, kind=kind, fire_at=fire_at, created_at=now, payload=payload or {})
    else:
        job.kind, job.fire_at, job.payload = kind, fire_at, payload or {}
        job.attempts, job.last_error, job.failed_at = 0, None, None  # planned afresh
    session.add(job)
    return job


def dead_letters(session: DbSession) -> list[ScheduledJob]:
    """Jobs that failed every attempt and no longer run, oldest failure first."""
    return list(session.exec(select(ScheduledJob).where(col(ScheduledJob.failed_at).is_not(None))
                             .order_by(col(ScheduledJob.failed_at), col(ScheduledJob.id))))


def retry(session: DbSession, *, job_id: str, now: datetime) -> bool:
    """Give a dead-lettered (or waiting) job a fresh set of attempts, due now."""
    job = session.get(ScheduledJob, job_id)
    if job is None:
        return False
    job.attempts, job.last_error, job.failed_at, job.fire_at = 0, None, None, now
    session.add(job)
    return True


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failure: 1, 2, 4, 8 minutes."""
    factor: float = 2 ** (attempts - 1)
    return FIRST_RETRY * factor


def cancel(session: DbSession, *, job_id: str) -> bool:
    """Remove a job if it exists; True when something was removed."""
    job = session.get(ScheduledJob, job_id)
    if job is None:
        return False
    session.delete(job)
    return True


def pending(session: DbSession, *, kind: str | None = None) -> list[ScheduledJob]:
    """All jobs not yet run, soonest first."""
    query = select(ScheduledJob).order_by(col(ScheduledJob.fire_at), col(ScheduledJob.id))
    if kind is not None:
        query = query.where(ScheduledJob.kind == kind)
    return list(session.exec(query))


BATCH = 20  # jobs claimed per call of `run_batch`: small, so the event loop gets a turn between batches


def _lost_connection(exc: Exception) -> bool:
    """The connection died under the job (a restart, a failover, a killed backend)."""
    return bool(getattr(exc, "connection_invalidated", False))


class JobRunner:
    """Runs due jobs through the handler registered for their kind, one transaction per job.

    Each job is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL), deleted, and
    handled in the same transaction: every process sharing the database takes different jobs,
    none runs twice, and a process that dies mid-job leaves it, rolled back, to the others.
    SQLite has one process (the bot) running jobs, and the clause is left out there.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        """Attach the handler for one kind of job."""
        self.handlers[kind] = handler

    def run_due(self, now: datetime) -> list[object]:
        """Run every job due at `now` (each once, even if it plans itself again before `now`)."""
        events: list[object] = []
        passed: set[str] = set()
        while True:
            found, claimed = self.run_batch(now, passed=passed)
            events.extend(found)
            if claimed < BATCH:
                return events

    def run_batch(self, now: datetime, *, limit: int = BATCH,
                  passed: set[str] | None = None) -> tuple[list[object], int]:
        """Claim and run up to `limit` due jobs; returns their events and how many were claimed.

        `passed` collects the ids to leave alone for the rest of this tick: a job that failed
        (it is kept for the next tick) or one that planned itself again at or before `now`.
        """
        passed = set() if passed is None else passed
        events: list[object] = []
        claimed = 0
        while claimed < limit:
            job_id = None
            try:
                with self.db.session() as session:
                    query = (select(ScheduledJob).where(col(ScheduledJob.fire_at) <= now,
                                                        col(ScheduledJob.failed_at).is_(None))
                             .order_by(col(ScheduledJob.fire_at), col(ScheduledJob.id)).limit(1)
                             .with_for_update(skip_locked=True))
                    if passed:
                        query = query.where(col(ScheduledJob.id).not_in(passed))
                    job = session.exec(query).first()
                    if job is None:
                        break
                    job_id, kind = job.id, job.kind
                    claimed += 1
                    handler = self.handlers.get(kind)
                    session.delete(job)
                    if handler is None:
                        log.warning("no handler for job %s (kind %s); dropped", job_id, kind)
                        continue
                    session.flush()
                    events.extend(handler(session, job, now))
                    session.flush()
                    again = session.get(ScheduledJob, job_id)
                    if again is not None and again.fire_at <= now:
                        passed.add(job_id)
            except Exception as exc:
                if job_id is None:
                    log.exception("claiming a due job failed; trying again next tick")
                    break
                passed.add(job_id)
                if _lost_connection(exc):  # not the job's fault: it is rolled back, for any process now
                    log.warning("job %s: the database connection was lost; left for the next run", job_id)
                    break
                self._failed(job_id, exc, now)
        return events, claimed

    def _failed(self, job_id: str, exc: Exception, now: datetime) -> None:
        """Count the failure: try again after a longer wait, or dead-letter it after the last try."""
        with self.db.session() as session:
            job = session.get(ScheduledJob, job_id)
            if job is None:
                return
            job.attempts += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if job.attempts >= MAX_ATTEMPTS:
                job.failed_at = now
                log.error("job %s failed %d times; dead-lettered (composure jobs retry %s)",
                          job_id, job.attempts, job_id, exc_info=exc)
            else:
                job.fire_at = now + backoff(job.attempts)
                log.warning("job %s failed (attempt %d of %d); next try at %s: %s",
                            job_id, job.attempts, MAX_ATTEMPTS, job.fire_at, job.last_error)
            session.add(job)
