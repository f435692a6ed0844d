"""Timing out overdue sessions in batches: a failure or a busy session holds up no other, and is
met once per tick. Written against mutation testing (`./composure mutants bot/roleplay/expiry.py`)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import Connection

from bot.clock import ManualClock
from bot.roleplay.service import EXPIRE_BATCH, RolePlayService, TurnResult
from bot.storage import progress

KETTLE = "faulty-kettle"


def _overdue_sessions(svc: RolePlayService, clock: ManualClock, count: int) -> list[int]:
    ids = [svc.start(learner_id=f"L{n}", scenario_id=KETTLE, guild_id="g", reply_seconds=60).session_id
           for n in range(count)]
    clock.advance(minutes=5)
    return ids


def _failing(svc: RolePlayService, broken: int) -> Counter[int]:
    """Make one session's silence fail as a database error would; count every attempt at each session."""
    attempts: Counter[int] = Counter()
    expire = svc._expire

    def failing(conn: Connection, session_id: int, now: datetime) -> TurnResult | None:
        attempts[session_id] += 1
        if session_id == broken:
            raise RuntimeError("the database went away")
        return expire(conn, session_id, now)

    svc._expire = failing
    return attempts


def test_a_failing_session_is_tried_once_per_tick_and_every_other_times_out(
        svc: RolePlayService, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    ids = _overdue_sessions(svc, clock, EXPIRE_BATCH + 2)  # more than one batch
    broken = ids[0]  # the longest overdue: claimed first in every batch that may take it
    attempts = _failing(svc, broken)
    with caplog.at_level(logging.ERROR):
        results = svc.expire_deadlines(clock.now)
    assert sorted(r.session_id for r in results) == ids[1:]
    assert attempts[broken] == 1 and set(attempts.values()) == {1}
    assert [r.getMessage() for r in caplog.records] == [
        f"the silence of session {broken} failed; it is kept for the next run"]
    assert svc.overdue(clock.now) == [broken]  # rolled back, kept for the next tick
    assert svc.live.get(broken) is None  # its memory may be past what was stored: read again next time
    del svc._expire  # the database is back
    assert [r.session_id for r in svc.expire_deadlines(clock.now)] == [broken]


def test_one_batch_on_its_own_keeps_a_failure_and_goes_on(svc: RolePlayService, clock: ManualClock) -> None:
    broken, fine = _overdue_sessions(svc, clock, 2)
    attempts = _failing(svc, broken)
    results, claimed = svc.expire_batch(clock.now, limit=5)
    assert ([r.session_id for r in results], claimed) == ([fine], 2)
    assert attempts == Counter({broken: 1, fine: 1})


def test_a_session_busy_with_a_reply_is_left_for_the_next_tick(svc: RolePlayService, clock: ManualClock) -> None:
    busy, *others = _overdue_sessions(svc, clock, 3)
    holding, release = threading.Event(), threading.Event()

    def reply_in_progress() -> None:
        with svc.in_order(busy):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=reply_in_progress)
    thread.start()
    try:
        assert holding.wait(30)
        assert [r.session_id for r in svc.expire_deadlines(clock.now)] == others
    finally:
        release.set()
        thread.join(30)
    assert [r.session_id for r in svc.expire_deadlines(clock.now)] == [busy]


def test_a_session_times_out_at_its_deadline_itself(svc: RolePlayService, clock: ManualClock) -> None:
    started = svc.start(learner_id="L", scenario_id=KETTLE, guild_id="g")
    assert started.customer is not None and started.customer.deadline is not None
    clock.now = started.customer.deadline
    assert [r.session_id for r in svc.expire_deadlines(clock.now)] == [started.session_id]


def test_a_terminal_session_times_out_unless_only_server_sessions_are_asked_for(
        svc: RolePlayService, clock: ManualClock) -> None:
    terminal = svc.start(learner_id="local:sam", scenario_id=KETTLE, reply_seconds=60).session_id
    clock.advance(minutes=5)
    assert svc.expire_deadlines(clock.now, in_guilds_only=True) == []
    assert [r.session_id for r in svc.expire_deadlines(clock.now)] == [terminal]


def test_a_claim_that_fails_ends_the_tick_and_the_next_one_times_them_out(
        svc: RolePlayService, clock: ManualClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    ids = _overdue_sessions(svc, clock, 2)
    claim = progress.claim_overdue
    failures = iter([RuntimeError("the database went away")])

    def flaky(*args: object, **kwargs: object) -> int | None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return claim(*args, **kwargs)

    monkeypatch.setattr(progress, "claim_overdue", flaky)
    with caplog.at_level(logging.ERROR):
        assert svc.expire_deadlines(clock.now) == []  # nothing claimed: nothing more this tick
    assert [r.getMessage() for r in caplog.records] == [
        "claiming an overdue session failed; the next tick tries again"]
    assert [r.session_id for r in svc.expire_deadlines(clock.now)] == ids
