"""Timers that survive restarts: the `scheduled_job` table is the truth, the scheduler a cache.

Each job has a deterministic id (`reflect-reminder:12`, `cohort-open:3`), so scheduling twice
replaces rather than duplicates. Handlers are plain functions of (db, job, now) that return
events (plain dataclasses) for a face to announce; they never talk to Discord themselves.
Tests drive `run_due(now)` with a moved clock instead of sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.storage.db import Database
from bot.storage.models import ScheduledJob

log = logging.getLogger(__name__)

Handler = Callable[[Session, ScheduledJob, datetime], Sequence[Any]]


def schedule(session: Session, *, job_id: str, kind: str, fire_at: datetime,
             now: datetime, payload: dict[str, Any] | None = None) -> ScheduledJob:
    """Create or move a job (same id: replaced)."""
    job = session.get(ScheduledJob, job_id)
    if job is None:
        job = ScheduledJob(id=job_id, kind=kind, fire_at=fire_at, created_at=now, payload=payload or {})
    else:
        job.kind, job.fire_at, job.payload = kind, fire_at, payload or {}
    session.add(job)
    return job


def cancel(session: Session, *, job_id: str) -> bool:
    """Remove a job if it exists; True when something was removed."""
    job = session.get(ScheduledJob, job_id)
    if job is None:
        return False
    session.delete(job)
    return True


def pending(session: Session, *, kind: str | None = None) -> list[ScheduledJob]:
    """All jobs not yet run, soonest first."""
    query = select(ScheduledJob).order_by(col(ScheduledJob.fire_at), col(ScheduledJob.id))
    if kind is not None:
        query = query.where(ScheduledJob.kind == kind)
    return list(session.exec(query))


class JobRunner:
    """Runs due jobs through the handler registered for their kind, one transaction per job."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        """Attach the handler for one kind of job."""
        self.handlers[kind] = handler

    def run_due(self, now: datetime) -> list[Any]:
        """Run every job due at `now`; a job is deleted before its handler runs and may re-add itself."""
        events: list[Any] = []
        with self.db.session() as session:
            due_ids = list(session.exec(
                select(ScheduledJob.id).where(ScheduledJob.fire_at <= now)
                .order_by(col(ScheduledJob.fire_at), col(ScheduledJob.id))
            ))
        for job_id in due_ids:
            try:
                with self.db.session() as session:
                    job = session.get(ScheduledJob, job_id)
                    if job is None or job.fire_at > now:
                        continue  # ran or moved meanwhile
                    handler = self.handlers.get(job.kind)
                    session.delete(job)
                    if handler is None:
                        log.warning("no handler for job %s (kind %s); dropped", job.id, job.kind)
                        continue
                    session.flush()
                    events.extend(handler(session, job, now))
            except Exception:
                log.exception("job %s failed; it is kept for the next run", job_id)
        return events
