"""Messages a face must send (the daily reminders), stored in the transaction that decided to send them.

A job handler calls `store` beside its other writes, so the message is committed with the job's
re-planning or not at all: a reminder handed out is never lost by a stop or a crash before it
left. A face drains the `outbox_message` table through `Outbox`: it claims a small batch in order,
sends each, and settles each one (sent, refused, failed). A row is deleted once sent, refused or
given up on, so the table holds only what is still to go.

A claim moves the rows' `available_at` a lease ahead; on PostgreSQL it takes them with
`FOR UPDATE SKIP LOCKED`, so processes sharing the database claim different rows and each is sent
once. A process that dies holding a claim leaves its rows to be claimed again when the lease ends
(a SQLite file serves one bot process, so its start releases them at once). A message whose send
succeeded but whose settling did not reach the database is sent again: at least once, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session as DbSession
from sqlmodel import col, delete, func, select

from bot.jobs import backoff
from bot.storage.db import Database
from bot.storage.models import OutboxMessage

log = logging.getLogger(__name__)
BATCH = 20  # claimed at once: four seconds of DMs at five a second, so a crash strands few
LEASE = timedelta(minutes=10)  # far longer than a batch takes to send, even behind Discord's 429s
MAX_ATTEMPTS = 5  # failed sends (5xx, timeouts) before the message is given up
STALE_AFTER = timedelta(hours=12)  # a morning's "cards due" still unsent by evening is dropped

StillWanted = Callable[[DbSession, OutboxMessage], bool]  # False: dropped unsent (e.g. the learner opted out)


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, for a face to send and then settle."""

    id: int
    kind: str
    learner_id: str
    payload: dict[str, Any]
    attempts: int


def store(session: DbSession, *, kind: str, learner_id: str, payload: dict[str, Any],
          now: datetime) -> OutboxMessage:
    """Add a message to send, in the caller's transaction."""
    row = OutboxMessage(kind=kind, learner_id=learner_id, payload=payload, created_at=now, available_at=now)
    session.add(row)
    return row


def drop_stale(session: DbSession, *, now: datetime) -> int:
    """Delete what no process sent within STALE_AFTER (the daily retention purge: nothing waits for ever)."""
    return int(session.exec(delete(OutboxMessage).where(col(OutboxMessage.created_at) < now - STALE_AFTER)).rowcount)


def waiting(session: DbSession) -> int:
    """How many messages are still to be sent (claimed ones included)."""
    return int(session.exec(select(func.count()).select_from(OutboxMessage)).one())


class Outbox:
    """Claims and settles outbox messages, one short transaction per call (a face runs them off its loop)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.checks: dict[str, StillWanted] = {}

    def register(self, kind: str, still_wanted: StillWanted) -> None:
        """Attach the check that a message of this kind is still wanted when it is claimed."""
        self.checks[kind] = still_wanted

    def claim(self, now: datetime, limit: int = BATCH) -> list[Outgoing]:
        """The next `limit` messages in the order they were stored, each leased to the caller.

        Messages no longer wanted (their check says so, or they are older than STALE_AFTER) are
        deleted with a log line on the way, so they never hold up the rest.
        """
        claimed: list[Outgoing] = []
        with self.db.session() as session:
            while len(claimed) < limit:
                rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.available_at) <= now)
                                    .order_by(col(OutboxMessage.id)).limit(limit - len(claimed))
                                    .with_for_update(skip_locked=True)).all()
                if not rows:
                    break
                for row in rows:
                    reason = self._unwanted(session, row, now)
                    if reason:
                        log.info("outbox: %s for %s dropped unsent: %s", row.kind, row.learner_id, reason)
                        session.delete(row)
                        continue
                    row.available_at = now + LEASE
                    session.add(row)
                    claimed.append(Outgoing(row.id or 0, row.kind, row.learner_id, dict(row.payload), row.attempts))
                session.flush()
        return claimed

    def _unwanted(self, session: DbSession, row: OutboxMessage, now: datetime) -> str | None:
        if now - row.created_at > STALE_AFTER:
            return f"stored {row.created_at:%Y-%m-%d %H:%M} UTC, too old to send"
        check = self.checks.get(row.kind)
        if check is not None and not check(session, row):
            return "no longer wanted"
        return None

    def sent(self, item: Outgoing) -> None:
        """The message left: forget it."""
        self._delete(item.id)

    def refused(self, item: Outgoing, reason: str) -> None:
        """The platform will never take this message (DMs closed, user gone): drop it, not retried."""
        log.info("outbox: %s for %s dropped, refused: %s", item.kind, item.learner_id, reason)
        self._delete(item.id)

    def failed(self, item: Outgoing, error: str, now: datetime) -> None:
        """A send that may work later: try again after a longer wait, or give up after MAX_ATTEMPTS."""
        with self.db.session() as session:
            row = session.get(OutboxMessage, item.id)
            if row is None:
                return
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                log.warning("outbox: %s for %s given up after %d failed sends: %s", row.kind, row.learner_id,
                            row.attempts, error)
                session.delete(row)
                return
            row.available_at = now + backoff(row.attempts)
            session.add(row)
            log.warning("outbox: %s for %s failed (attempt %d of %d); next try at %s: %s", row.kind,
                        row.learner_id, row.attempts, MAX_ATTEMPTS, row.available_at, error)

    def release(self, item_ids: Collection[int], now: datetime) -> None:
        """Hand claimed messages back unsent (a clean stop), to be claimed again at once."""
        if item_ids:
            with self.db.session() as session:
                session.connection().execute(update(OutboxMessage)
                                             .where(col(OutboxMessage.id).in_(sorted(item_ids)))
                                             .values(available_at=now))

    def recover(self, now: datetime) -> None:
        """At start on a SQLite file (one bot process): a claim still held is a dead process's; free it."""
        if self.db.engine.url.get_backend_name() != "sqlite":
            return  # PostgreSQL: another live process may hold it; its lease runs out if it died
        with self.db.session() as session:
            session.connection().execute(update(OutboxMessage).where(col(OutboxMessage.available_at) > now)
                                         .values(available_at=now))

    def _delete(self, item_id: int) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, item_id)
            if row is not None:
                session.delete(row)
