"""What the role-play service keeps in memory between events, and what it reads again.

Issue 9 asks that no turn is loaded twice: a session's engine and turns stay in memory while it is
active, so every event on a warm session (a reply, a silence, the end, a timed-out deadline) writes
without reading the turns back. The database stays the truth: memory that another process (or a
crash) left behind is never trusted over it. On a real SQLite file, statements traced by the driver.
Written against mutation testing (`./composure mutants bot/roleplay/service.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay import service as service_module
from bot.roleplay.service import AlreadyActive, RolePlayService
from bot.storage.db import Database

KETTLE = "faulty-kettle"
HELLO = "I'm so sorry this has happened. Could you tell me what happened?"
LISTEN = "That sounds really frustrating, and I understand why you're upset."


@pytest.fixture
def statements(sqlite_database: Database) -> Iterator[list[str]]:
    """Every SQL statement the driver runs on the test's database, from here on."""
    seen: list[str] = []

    @event.listens_for(sqlite_database.engine, "connect")
    def trace(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_trace_callback(seen.append)

    sqlite_database.engine.dispose()  # new connections, traced
    yield seen
    event.remove(sqlite_database.engine, "connect", trace)


def turn_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM turn" in s]


def speakers(svc: RolePlayService, session_id: int) -> list[tuple[str, str]]:
    return [(t.speaker, t.kind) for t in svc.turns(session_id)]


# --- a warm session reads no turns ----------------------------------------------------------

def test_a_warm_session_falls_silent_and_ends_without_reading_its_turns(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    sid = svc.start(learner_id="L", scenario_id=KETTLE, seed=3).session_id
    svc.reply(sid, HELLO)
    clock.advance(hours=1)
    statements.clear()
    assert svc.silence(sid) is not None
    assert turn_reads(statements) == []
    statements.clear()
    assert svc.end(sid).outcome == "ended_by_learner"
    assert turn_reads(statements) == []
    assert speakers(svc, sid)[-4:] == [("learner", "silence"), ("customer", "line"), ("learner", "end"),
                                       ("customer", "line")]


def test_a_warm_session_times_out_without_reading_its_turns(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    sid = svc.start(learner_id="L", scenario_id=KETTLE, guild_id="g", seed=3).session_id
    svc.reply(sid, HELLO)
    clock.advance(hours=1)
    statements.clear()
    (result,) = svc.expire_deadlines(clock.now, in_guilds_only=True)
    assert result.session_id == sid
    assert turn_reads(statements) == []
    assert speakers(svc, sid)[-2:] == [("learner", "silence"), ("customer", "line")]


def test_a_cold_session_is_read_once_then_kept(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    sid = RolePlayService(sqlite_database, catalogue, clock).start(learner_id="L", scenario_id=KETTLE).session_id
    restarted = RolePlayService(sqlite_database, catalogue, clock)  # a new process: nothing in memory
    statements.clear()
    restarted.reply(sid, HELLO)
    assert len(turn_reads(statements)) == 1
    statements.clear()
    restarted.reply(sid, LISTEN)
    clock.advance(hours=1)
    restarted.silence(sid)
    restarted.end(sid)
    assert turn_reads(statements) == []


# --- memory holds active sessions only ----------------------------------------------------------

def test_a_session_leaves_memory_when_it_ends(sqlite_database: Database, catalogue: Catalogue,
                                             clock: ManualClock) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    ended = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    left = svc.start(learner_id="M", scenario_id=KETTLE).session_id
    going_on = svc.start(learner_id="N", scenario_id=KETTLE).session_id
    assert len(svc.live) == 3
    svc.end(ended)
    for _ in range(3):  # the customer waits three silences, then leaves
        clock.advance(hours=1)
        last = svc.silence(left)
    assert last is not None and last.outcome == "customer_left"
    assert len(svc.live) == 1 and svc.live.get(going_on) is not None


# --- memory never wins over the store ---------------------------------------------------------

def test_a_reply_stored_before_a_crash_is_answered_first_even_after_a_deadline_extension(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    sid = svc.start(learner_id="L", scenario_id=KETTLE, seed=2).session_id

    def power_cut(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(service_module, "assess_reply", power_cut)
        with pytest.raises(RuntimeError):
            svc.reply(sid, HELLO)
    assert svc.extend_deadline(sid) is None  # the customer owes an answer: there is no deadline to extend
    svc.reply(sid, LISTEN)
    turns = svc.turns(sid)
    assert [(t.speaker, t.text) for t in turns if t.speaker == "learner"] == [("learner", HELLO), ("learner", LISTEN)]
    assert [t.speaker for t in turns] == ["customer", "learner", "customer", "learner", "customer"]
    assert "apology" in turns[1].marks  # the first reply was marked when it was answered


def rival_answers_first(monkeypatch: pytest.MonkeyPatch, rival: Callable[[], object], *,
                        crash_on: str | None = None) -> None:
    """Run `rival()` once, between a reply being stored and this process answering it; the first
    answer to the reply `crash_on` (the rival's) fails as if the power went."""
    real = service_module.assess_reply
    fired: list[str] = []

    def assess_after_the_rival(text: str, *args: Any, **kwargs: Any) -> Any:
        if not fired:
            fired.append("rival")
            rival()
        elif text == crash_on and "crash" not in fired:
            fired.append("crash")
            raise RuntimeError("power cut")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(service_module, "assess_reply", assess_after_the_rival)


def test_a_reply_answered_meanwhile_by_another_process_is_answered_once(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    sid = mine.start(learner_id="L", scenario_id=KETTLE, seed=4).session_id
    other = RolePlayService(sqlite_database, catalogue, clock)
    answered: list[object] = []
    rival_answers_first(monkeypatch, lambda: answered.append(other.resume(sid)))
    result = mine.reply(sid, HELLO)
    assert answered and answered[0] is not None  # the other process gave the customer's answer
    assert (result.session_id, result.customer, result.outcome) == (sid, None, None)  # so this one says nothing
    assert speakers(mine, sid) == [("customer", "line"), ("learner", "line"), ("customer", "line")]
    assert mine.get(sid).turn_count == 3
    again = mine.reply(sid, LISTEN)  # and this process carries on from what the other stored
    assert again.customer is not None
    assert [t.position for t in mine.turns(sid)] == [0, 1, 2, 3, 4]


def test_a_reply_another_process_stored_but_never_answered_is_answered_here(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    sid = mine.start(learner_id="L", scenario_id=KETTLE, seed=4).session_id
    other = RolePlayService(sqlite_database, catalogue, clock)

    def answer_then_crash() -> None:
        other.resume(sid)  # answers HELLO
        with pytest.raises(RuntimeError):
            other.reply(sid, LISTEN)  # stored, never answered: that process died

    rival_answers_first(monkeypatch, answer_then_crash, crash_on=LISTEN)
    result = mine.reply(sid, HELLO)
    turns = mine.turns(sid)
    assert [(t.speaker, t.text) for t in turns if t.speaker == "learner"] == [("learner", HELLO), ("learner", LISTEN)]
    assert [t.speaker for t in turns] == ["customer", "learner", "customer", "learner", "customer"]
    assert result.customer is not None and result.customer.text == turns[-1].text  # this process answered LISTEN


def test_a_silence_seen_with_an_old_deadline_waits_for_the_new_one(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    first = mine.start(learner_id="L", scenario_id=KETTLE, reply_seconds=60, seed=1)
    sid = first.session_id
    assert first.customer is not None and first.customer.deadline is not None
    clock.advance(seconds=50)
    RolePlayService(sqlite_database, catalogue, clock).reply(sid, HELLO)  # another process: a new deadline
    clock.now = first.customer.deadline + timedelta(seconds=1)  # past the deadline this process remembers
    assert mine.silence(sid) is None
    assert mine.expire_deadlines(clock.now) == []
    assert speakers(mine, sid) == [("customer", "line"), ("learner", "line"), ("customer", "line")]
    clock.advance(seconds=60)  # past the new one
    assert mine.silence(sid) is not None
    assert speakers(mine, sid)[-2:] == [("learner", "silence"), ("customer", "line")]


@pytest.mark.parametrize("hooked", [False, True])
def test_a_warm_reply_takes_one_pooled_connection_for_its_two_transactions(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, hooked: bool) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock, on_finish=[lambda *_: None] if hooked else [])
    sid = svc.start(learner_id="L", scenario_id=KETTLE, seed=3).session_id
    checkouts: list[object] = []
    event.listen(sqlite_database.engine, "checkout", lambda *_: checkouts.append(True))
    svc.reply(sid, HELLO)
    svc.reply(sid, LISTEN)
    assert len(checkouts) == 2


def test_a_session_another_process_ended_leaves_this_ones_memory(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    sid = mine.start(learner_id="L", scenario_id=KETTLE).session_id
    RolePlayService(sqlite_database, catalogue, clock).end(sid)
    assert mine.extend_deadline(sid) is None  # it is over: nothing to extend
    assert len(mine.live) == 0


def test_a_reply_after_a_restart_is_stored_as_the_face_sent_it(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    sid = RolePlayService(sqlite_database, catalogue, clock).start(learner_id="L", scenario_id=KETTLE).session_id
    restarted = RolePlayService(sqlite_database, catalogue, clock)
    restarted.reply(sid, HELLO, learner_id="L", message_id="7")
    stored = restarted.turns(sid)[1]
    assert (stored.speaker, stored.kind, stored.text, stored.discord_message_id) == ("learner", "line", HELLO, "7")
    assert restarted.last_message_id(sid) == "7"


def test_a_timer_for_the_deadline_another_process_set_is_heard_through_stale_memory(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    sid = mine.start(learner_id="L", scenario_id=KETTLE, reply_seconds=60, seed=1).session_id
    clock.advance(seconds=50)
    answer = RolePlayService(sqlite_database, catalogue, clock).reply(sid, HELLO)  # memory here is now stale
    assert answer.customer is not None and answer.customer.deadline is not None
    clock.now = answer.customer.deadline + timedelta(seconds=1)
    assert mine.silence(sid, deadline=answer.customer.deadline) is not None
    assert speakers(mine, sid)[-2:] == [("learner", "silence"), ("customer", "line")]


def test_an_early_timer_on_a_cold_session_reads_it_once(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    sid = RolePlayService(sqlite_database, catalogue, clock).start(learner_id="L", scenario_id=KETTLE).session_id
    restarted = RolePlayService(sqlite_database, catalogue, clock)
    statements.clear()
    assert restarted.silence(sid) is None  # not due yet
    assert len(turn_reads(statements)) == 1


def test_a_reply_after_a_deadline_extension_writes_the_session_row_twice_as_any_reply(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    clock.advance(seconds=30)
    assert svc.extend_deadline(sid) == svc.get(sid).reply_due_at == clock.now + timedelta(
        seconds=svc.get(sid).reply_seconds)
    statements.clear()
    svc.reply(sid, HELLO)
    assert len([s for s in statements if s.startswith("UPDATE practice_session")]) == 2  # the words, the answer


def test_a_process_with_stale_memory_times_the_session_out_by_its_next_tick(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    mine = RolePlayService(sqlite_database, catalogue, clock)
    sid = mine.start(learner_id="L", scenario_id=KETTLE, guild_id="g", reply_seconds=60, seed=1).session_id
    clock.advance(seconds=10)
    RolePlayService(sqlite_database, catalogue, clock).reply(sid, HELLO)  # memory here is now stale
    clock.advance(hours=1)  # past both deadlines
    mine.expire_deadlines(clock.now)  # this tick may find its memory out of date...
    mine.expire_deadlines(clock.now)  # ...the next one hears the silence
    assert speakers(mine, sid)[-2:] == [("learner", "silence"), ("customer", "line")]


def test_a_second_start_is_refused_before_anything_is_written(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, statements: list[str]) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock)
    first = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    statements.clear()
    with pytest.raises(AlreadyActive) as refused:
        svc.start(learner_id="L", scenario_id=KETTLE)
    assert refused.value.session_id == first
    assert [s for s in statements if s.startswith("INSERT")] == []
