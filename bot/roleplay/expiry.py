"""Reply deadlines that pass: overdue sessions claimed in small batches and their silences recorded.

Split from the role-play service, which keeps the public methods (`overdue`, `expire_deadlines`,
`expire_batch`) with their defaults, and delegates here. Each overdue session is claimed in its own transaction: on
PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, so processes sharing the store take
different sessions and one that dies mid-way leaves its session, rolled back, to the others.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from bot.content.catalogue import UnknownScenario
from bot.storage import progress

if TYPE_CHECKING:
    from bot.roleplay.service import RolePlayService, SessionPaused, TurnResult

log = logging.getLogger(__name__)
EXPIRE_BATCH = 20  # overdue sessions claimed per batch: the event loop gets a turn between batches


def overdue(service: RolePlayService, now: datetime, *, in_guilds_only: bool, limit: int | None) -> list[int]:
    """Active sessions whose customer has waited past the reply deadline, longest first.

    The bot passes in_guilds_only so that it never times out a terminal session that shares
    its database; the terminal keeps its own clock.
    """
    with service.db.engine.connect() as conn:
        return progress.overdue_ids(conn, now=now, in_guilds_only=in_guilds_only, limit=limit)


def expire_deadlines(service: RolePlayService, now: datetime, *,
                     in_guilds_only: bool) -> list[TurnResult | SessionPaused]:
    """Let every overdue customer react to the silence; returns what each customer said (or
    that a session's scenario cannot be loaded: one broken file never stops the others)."""
    results: list[TurnResult | SessionPaused] = []
    passed: set[int] = set()
    while True:
        found, claimed = expire_batch(service, now, limit=EXPIRE_BATCH, in_guilds_only=in_guilds_only, passed=passed)
        results.extend(found)
        if claimed < EXPIRE_BATCH:
            return results


def expire_batch(service: RolePlayService, now: datetime, *, limit: int, in_guilds_only: bool,
                 passed: set[int] | None) -> tuple[list[TurnResult | SessionPaused], int]:
    """Claim up to `limit` overdue sessions, one transaction each, and record their silences.

    `passed` collects sessions to leave for the next tick (busy or failed). Returns the results
    and how many sessions were claimed (fewer than `limit`: nothing more is due).
    """
    passed = set() if passed is None else passed
    results: list[TurnResult | SessionPaused] = []
    claimed = 0
    while claimed < limit:
        session_id = None
        try:
            with service.db.engine.begin() as conn:
                session_id = progress.claim_overdue(conn, now=now, in_guilds_only=in_guilds_only, passed=passed)
                if session_id is None:
                    break
                claimed += 1
                lock = service.in_order(session_id)
                if not lock.acquire(blocking=False):  # a reply is being handled: it comes first
                    passed.add(session_id)
                    continue
                try:
                    result = service._expire(conn, session_id, now)
                finally:
                    lock.release()
                if result is None:
                    passed.add(session_id)
                else:
                    results.append(result)
        except UnknownScenario:  # one broken scenario file never stops the sessions after it
            assert session_id is not None  # raised by the silence, after the claim
            service.live.drop(session_id)
            passed.add(session_id)
            results.append(service.paused(session_id))
        except Exception:
            if session_id is None:
                log.exception("claiming an overdue session failed; the next tick tries again")
                break
            log.exception("the silence of session %s failed; it is kept for the next run", session_id)
            service.live.drop(session_id)
            passed.add(session_id)
    return results, claimed


def expire_claimed(service: RolePlayService, conn: Connection, session_id: int,
                   now: datetime) -> TurnResult | None:
    """The silence of a claimed session, inside the claiming transaction; None if it is not due."""
    live = service.live.get(session_id)
    if live is None or live.reply_due_at is None or live.reply_due_at > now:
        live = service._load(session_id)
    due = live.reply_due_at
    if live.status != "active" or live.pending or due is None or due > now:
        return None
    if not service._record(live, "silence", "", now, conn=conn):
        return None
    return service._react(live, now, conn=conn)
