"""The role-play service's rules at their edges, on a real SQLite file and the shipped scenarios:
reply cleaning, what a start stores, which sessions time out, deadlines, the end of a session.
Written against mutation testing (`./composure mutants bot/roleplay/service.py`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot import messages
from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay.service import (
    EXPIRE_BATCH,
    MAX_REPLY_CHARS,
    AlreadyActive,
    NotYourSession,
    ReplyRejected,
    RolePlayService,
    SessionNotFound,
    SessionOver,
    SessionPaused,
    TurnResult,
    clean_reply,
)
from bot.storage.db import Database
from bot.storage.models import PracticeSession, Turn

KETTLE = "faulty-kettle"


# --- cleaning a reply -------------------------------------------------------------------------

def test_a_reply_of_exactly_the_limit_is_kept_and_one_more_is_refused() -> None:
    assert clean_reply("a" * MAX_REPLY_CHARS) == "a" * MAX_REPLY_CHARS
    with pytest.raises(ReplyRejected) as refused:
        clean_reply("a" * (MAX_REPLY_CHARS + 1))
    assert str(refused.value) == messages.REPLY_TOO_LONG.format(length=MAX_REPLY_CHARS + 1, limit=MAX_REPLY_CHARS)


def test_cleaning_drops_control_characters_and_outer_space_only() -> None:
    assert clean_reply("  a\x00b\x07c\x7f\x9fd\ud800e  ") == "abcde"
    assert clean_reply("line one\n\tline two") == "line one\n\tline two"
    assert clean_reply("👍") == "👍"  # a symbol says something
    assert clean_reply("x" * MAX_REPLY_CHARS + "\x00\x00") == "x" * MAX_REPLY_CHARS  # counted after cleaning


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "...", "?!", "\n\t"])
def test_a_reply_with_nothing_to_say_is_refused_with_the_empty_message(text: str) -> None:
    with pytest.raises(ReplyRejected) as refused:
        clean_reply(text)
    assert str(refused.value) == messages.REPLY_EMPTY


# --- starting -------------------------------------------------------------------------------

def test_a_start_stores_who_where_and_how_long_to_reply(svc: RolePlayService, catalogue: Catalogue,
                                                       clock: ManualClock) -> None:
    scenario = catalogue.get(KETTLE)
    result = svc.start(learner_id="L", scenario_id=KETTLE, learner_name="N" * 150, guild_id="g", channel_id="c",
                       seed=7)
    assert result.customer is not None
    assert (result.customer.persona, result.customer.deadline) == (
        scenario.persona.name, clock.now + timedelta(seconds=scenario.reply_seconds))
    row = svc.get(result.session_id)
    assert (row.learner_name, row.guild_id, row.channel_id, row.seed) == ("N" * 100, "g", "c", 7)
    assert (row.reply_seconds, row.started_at, row.status, row.turn_count) == (
        scenario.reply_seconds, clock.now, "active", 1)
    assert row.reply_due_at == result.customer.deadline
    (opening,) = svc.turns(result.session_id)
    assert (opening.speaker, opening.text, opening.deadline_at) == ("customer", result.customer.text,
                                                                    result.customer.deadline)


def test_a_start_without_a_name_or_a_seed_stores_no_name_and_draws_a_seed(svc: RolePlayService) -> None:
    seeds = []
    for n in range(20):
        sid = svc.start(learner_id=f"L{n}", scenario_id=KETTLE).session_id
        row = svc.get(sid)
        assert row.learner_name == ""
        seeds.append(row.seed)
    # the replay after a restart needs the seed stored; drawn from the whole range a 32-bit column holds
    assert all(seed is not None and 0 <= seed < 2**31 for seed in seeds)
    assert max(seeds) > 2**16


def test_a_chosen_reply_time_replaces_the_scenarios(svc: RolePlayService, clock: ManualClock) -> None:
    result = svc.start(learner_id="L", scenario_id=KETTLE, reply_seconds=300)
    assert result.customer is not None and result.customer.deadline == clock.now + timedelta(seconds=300)
    assert svc.get(result.session_id).reply_seconds == 300


def test_a_second_start_names_the_session_already_open(svc: RolePlayService) -> None:
    first = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    with pytest.raises(AlreadyActive) as refused:
        svc.start(learner_id="L", scenario_id=KETTLE)
    assert refused.value.session_id == first
    assert svc.active_for("L") is not None and svc.active_for("L").id == first  # type: ignore[union-attr]
    assert svc.active_for("someone else") is None


# --- which sessions time out ------------------------------------------------------------------

def test_the_bot_never_times_out_a_terminal_session(svc: RolePlayService, clock: ManualClock) -> None:
    terminal = svc.start(learner_id="local:pat", scenario_id=KETTLE).session_id
    discord = svc.start(learner_id="123", scenario_id=KETTLE, guild_id="g", channel_id="t").session_id
    clock.advance(hours=1)
    assert svc.overdue(clock.now, in_guilds_only=True) == [discord]
    results = svc.expire_deadlines(clock.now, in_guilds_only=True)
    assert [r.session_id for r in results] == [discord]
    assert [(t.kind, t.text) for t in svc.turns(discord)[1:]] == [("silence", ""), ("line", results[0].customer.text)]
    assert [t.kind for t in svc.turns(terminal)] == ["line"]  # untouched
    later = svc.expire_deadlines(clock.now + timedelta(hours=1))
    assert [r.session_id for r in later] == [terminal, discord]  # longest waiting first


def test_overdue_sessions_are_listed_longest_waiting_first(svc: RolePlayService, clock: ManualClock) -> None:
    first = svc.start(learner_id="a", scenario_id=KETTLE, reply_seconds=600).session_id
    second = svc.start(learner_id="b", scenario_id=KETTLE, reply_seconds=60).session_id
    clock.advance(seconds=61)
    assert svc.overdue(clock.now) == [second]
    clock.advance(seconds=600)
    assert svc.overdue(clock.now) == [second, first]
    assert svc.overdue(clock.now, limit=1) == [second]


def test_one_tick_times_out_every_overdue_session_across_batches(svc: RolePlayService, clock: ManualClock) -> None:
    ids = [svc.start(learner_id=f"L{n}", scenario_id=KETTLE, guild_id="g").session_id
           for n in range(EXPIRE_BATCH + 2)]
    clock.advance(hours=1)
    results = svc.expire_deadlines(clock.now)
    assert sorted(r.session_id for r in results) == ids
    assert all(isinstance(r, TurnResult) and r.customer is not None for r in results)
    assert svc.overdue(clock.now) == []


def test_a_batch_times_out_no_more_than_its_limit(svc: RolePlayService, clock: ManualClock) -> None:
    ids = [svc.start(learner_id=f"L{n}", scenario_id=KETTLE).session_id for n in range(3)]
    clock.advance(hours=1)
    results, claimed = svc.expire_batch(clock.now, limit=2)
    assert (claimed, [r.session_id for r in results]) == (2, ids[:2])
    results, claimed = svc.expire_batch(clock.now, limit=2)
    assert (claimed, [r.session_id for r in results]) == (1, ids[2:])


def test_a_session_whose_scenario_is_gone_is_paused_and_the_others_go_on(
        svc: RolePlayService, sqlite_database: Database, clock: ManualClock) -> None:
    broken = svc.start(learner_id="a", scenario_id=KETTLE, channel_id="t1").session_id
    fine = svc.start(learner_id="b", scenario_id=KETTLE).session_id
    with sqlite_database.session() as s:
        row = s.get(PracticeSession, broken)
        assert row is not None
        row.scenario_id = "no-longer-there"
        s.add(row)
    svc.live.drop(broken)
    clock.advance(hours=1)
    results = svc.expire_deadlines(clock.now)
    assert [type(r) for r in results] == [SessionPaused, TurnResult]
    assert results[0] == SessionPaused(broken, "a", "t1", "no-longer-there")
    assert results[1].session_id == fine
    assert svc.get(broken).reply_due_at is None  # it waits instead of being reported every tick
    assert svc.expire_deadlines(clock.now + timedelta(hours=1))[0].session_id == fine
    with pytest.raises(SessionNotFound):
        svc.paused(999)


# --- deadlines ------------------------------------------------------------------------------

def test_a_silence_for_another_deadline_is_stale(svc: RolePlayService, clock: ManualClock) -> None:
    result = svc.start(learner_id="L", scenario_id=KETTLE)
    assert result.customer is not None and result.customer.deadline is not None
    deadline = result.customer.deadline
    clock.now = deadline + timedelta(seconds=5)
    assert svc.silence(result.session_id, deadline=deadline - timedelta(seconds=2)) is None
    assert svc.silence(result.session_id, deadline=deadline + timedelta(seconds=2)) is None
    recorded = svc.silence(result.session_id, deadline=deadline - timedelta(seconds=1))
    assert recorded is not None and recorded.customer is not None
    silence = svc.turns(result.session_id)[1]
    assert (silence.speaker, silence.kind, silence.text, silence.late) == ("learner", "silence", "", False)
    assert svc.silence(999) is None


def test_a_silence_is_not_due_before_the_deadline_itself(svc: RolePlayService, clock: ManualClock) -> None:
    result = svc.start(learner_id="L", scenario_id=KETTLE)
    assert result.customer is not None and result.customer.deadline is not None
    clock.now = result.customer.deadline - timedelta(seconds=1)
    assert svc.silence(result.session_id) is None
    assert svc.expire_deadlines(clock.now) == []
    clock.now = result.customer.deadline
    assert svc.silence(result.session_id) is not None


def test_extending_a_deadline_gives_a_full_reply_time_from_now(svc: RolePlayService, clock: ManualClock) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, reply_seconds=90).session_id
    clock.advance(seconds=500)
    deadline = svc.extend_deadline(sid)
    assert deadline == clock.now + timedelta(seconds=90)
    assert svc.get(sid).reply_due_at == deadline
    assert svc.turns(sid)[-1].deadline_at == deadline
    assert svc.overdue(clock.now) == []
    svc.end(sid)
    assert svc.extend_deadline(sid) is None


def test_a_reply_clears_the_deadline_until_the_customer_answers(svc: RolePlayService, clock: ManualClock) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, reply_seconds=60).session_id
    clock.advance(seconds=10)
    result = svc.reply(sid, "I'm sorry to hear that. What happened?", message_id="9")
    assert result.customer is not None and result.customer.deadline == clock.now + timedelta(seconds=60)
    assert (result.ended, result.outcome, result.report) == (False, None, None)  # no report until the end
    assert svc.get(sid).reply_due_at == result.customer.deadline
    learner = svc.turns(sid)[1]
    assert (learner.speaker, learner.kind, learner.late, learner.discord_message_id) == ("learner", "line", False,
                                                                                       "9")
    assert learner.marks == list(result.learner_marks) and learner.mood == result.customer.mood
    assert learner.evidence == result.evidence and result.evidence  # the words that earned each mark


def test_the_newest_message_id_is_compared_as_a_number(svc: RolePlayService) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    assert svc.last_message_id(sid) is None
    svc.reply(sid, "Hello, how can I help?", message_id="9")
    svc.reply(sid, "What happened to the kettle?", message_id="10")
    assert svc.last_message_id(sid) == "10"


# --- the end --------------------------------------------------------------------------------

def test_the_end_stores_the_outcome_marks_and_report_and_runs_the_hooks(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    seen: list[tuple[int | None, str, str | None]] = []

    def hook(session: Session, row: PracticeSession) -> None:
        seen.append((row.id, row.status, row.outcome))

    svc = RolePlayService(sqlite_database, catalogue, clock, on_finish=[hook])
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.reply(sid, "I'm so sorry about your kettle. What happened?")
    clock.advance(seconds=30)
    result = svc.end(sid)
    assert (result.outcome, result.ended) == ("ended_by_learner", True)
    assert result.customer is not None and result.customer.deadline is None
    assert seen == [(sid, "ended", "ended_by_learner")]
    row = svc.get(sid)
    assert (row.status, row.outcome, row.ended_at, row.reply_due_at) == ("ended", "ended_by_learner", clock.now, None)
    assert result.report == row.report and row.report
    assert isinstance(row.session_marks, list)
    assert svc.active_for("L") is None and svc.active_sessions() == []
    assert svc.resume(sid) is None
    with pytest.raises(SessionOver):
        svc.end(sid)


def test_resume_answers_nothing_when_nothing_is_pending(svc: RolePlayService) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    assert svc.resume(sid) is None
    assert [s.id for s in svc.active_sessions()] == [sid]


def test_turns_come_back_in_order_with_the_session(svc: RolePlayService, sqlite_database: Database) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.reply(sid, "Hello, I'm sorry to hear that.")
    svc.reply(sid, "What happened?")
    turns = svc.turns(sid)
    assert [t.position for t in turns] == [0, 1, 2, 3, 4]
    assert [t.speaker for t in turns] == ["customer", "learner", "customer", "learner", "customer"]
    with sqlite_database.session() as s:
        assert s.get(PracticeSession, sid).turn_count == 5  # type: ignore[union-attr]
        assert all(isinstance(t, Turn) for t in turns)


# --- the session's marks, from the whole conversation ------------------------------------------

def play(svc: RolePlayService, clock: ManualClock, scenario_id: str, replies: list[str], *,
         late: int = 0) -> PracticeSession:
    """Play replies (the first `late` of them after the deadline), end the session, return its row."""
    result = svc.start(learner_id="L", scenario_id=scenario_id, seed=0)
    for n, reply in enumerate(replies):
        if result.ended:
            break
        assert result.customer is not None and result.customer.deadline is not None
        clock.now = result.customer.deadline + timedelta(seconds=5 if n < late else -5)
        result = svc.reply(result.session_id, reply)
    if not result.ended:
        svc.end(result.session_id)
    return svc.get(result.session_id)


def reasons(row: PracticeSession) -> dict[str, str]:
    assert row.report is not None
    return {m["mark"]: m["reason"] for m in row.report["session_marks"]}


SCRIPTS = Path(__file__).resolve().parents[1] / "scenario_scripts"
# listen, empathise, the refund she chose, log it, check (the script the outcome tests play)
GOOD_KETTLE = [line for line in (SCRIPTS / KETTLE / "resolved.txt").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]


def test_a_refund_within_authority_that_is_checked_is_credited(svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, KETTLE, GOOD_KETTLE)
    assert row.outcome == "resolved"
    marks = set(row.session_marks)
    assert {"listened_first", "within_authority", "confirmed_resolution"} <= marks
    # a calm customer needs no boundary; an offer within £150 is not beyond authority; replies on time
    assert not marks & {"no_boundary", "exceeded_authority", "slow_replies", "missed_escalation"}


def test_an_amount_beyond_authority_is_marked_with_the_amount(svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, KETTLE, [GOOD_KETTLE[0], "I'll refund you £500 today as a gesture."])
    assert "exceeded_authority" in row.session_marks
    assert "£500.00" in reasons(row)["exceeded_authority"] and "£150.00" in reasons(row)["exceeded_authority"]


def test_two_late_replies_are_slow(svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, KETTLE, GOOD_KETTLE[:2], late=2)
    assert "slow_replies" in row.session_marks
    row = play(RolePlayService(svc.db, svc.catalogue, clock), clock, KETTLE, GOOD_KETTLE[:2], late=0)
    assert "slow_replies" not in row.session_marks


def test_a_hand_off_the_scenario_forbids_costs_its_mark_and_reason(svc: RolePlayService, clock: ManualClock,
                                                                 catalogue: Catalogue) -> None:
    (trap,) = [t for t in catalogue.get(KETTLE).traps if t.id == "passed-on"]
    row = play(svc, clock, KETTLE, [GOOD_KETTLE[0], "I'll pass this on to my team leader who will call you back."])
    assert reasons(row)["premature_escalation"] == trap.reason


def test_a_required_escalation_never_made_is_missed(svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, "billing-overcharge-escalation", ["I'm sorry to hear that. What happened?"])
    assert "missed_escalation" in row.session_marks


def test_an_offer_and_a_check_the_customer_never_accepted_are_not_a_confirmed_resolution(
        svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, KETTLE, ["I'll process a full refund of £89 to your card today. Is that OK?"])
    assert row.outcome == "ended_by_learner"
    assert "confirmed_resolution" not in row.session_marks


def test_a_session_held_in_a_channel_is_found_by_it_and_closed_when_abandoned(svc: RolePlayService) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, guild_id="g", channel_id="t").session_id
    found = svc.active_in_channel("t")
    assert found is not None and (found.id, found.learner_id) == (sid, "L")
    assert svc.active_in_channel("elsewhere") is None
    result = svc.close_abandoned(sid)
    assert (result.session_id, result.outcome) == (sid, "ended_by_learner")
    assert svc.active_in_channel("t") is None


@pytest.mark.parametrize("restarted", [False, True])
def test_only_the_learner_ends_their_session_and_the_end_is_stored(
        svc: RolePlayService, sqlite_database: Database, catalogue: Catalogue, clock: ManualClock,
        restarted: bool) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.reply(sid, "I'm sorry to hear that. What happened?", learner_id="L")
    ender = RolePlayService(sqlite_database, catalogue, clock) if restarted else svc  # nothing in memory
    with pytest.raises(NotYourSession):
        ender.end(sid, learner_id="intruder")
    assert ender.get(sid).status == "active"
    if restarted:
        ender = RolePlayService(sqlite_database, catalogue, clock)
    result = ender.end(sid, learner_id="L")
    assert (result.outcome, ender.get(sid).status) == ("ended_by_learner", "ended")
    end_turn = ender.turns(sid)[-2]
    assert (end_turn.speaker, end_turn.kind, end_turn.text) == ("learner", "end", "")
    with pytest.raises(SessionOver) as refused:
        ender.end(sid, learner_id="L")
    assert str(refused.value) == messages.SESSION_OVER
    with pytest.raises(SessionOver):
        ender.reply(sid, "Hello?", learner_id="L")


# --- refusals and repairs -----------------------------------------------------------------

def test_refusals_say_why(svc: RolePlayService) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    with pytest.raises(NotYourSession) as refused:
        RolePlayService(svc.db, svc.catalogue, svc.clock).reply(sid, "Hello", learner_id="intruder")
    assert str(refused.value) == messages.NOT_YOUR_SESSION
    for missing in (lambda: svc.end(999), lambda: svc.paused(999), lambda: svc.get(999)):
        with pytest.raises(SessionNotFound) as not_found:
            missing()
        assert str(not_found.value) == messages.NO_SUCH_SESSION.format(session_id=999)


def test_a_paused_session_is_logged_with_its_scenario(svc: RolePlayService, caplog: pytest.LogCaptureFixture) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    with caplog.at_level(logging.ERROR, logger="bot.roleplay.service"):
        svc.paused(sid)
    assert [r.getMessage() for r in caplog.records] == [
        f"session {sid}: scenario '{KETTLE}' cannot be loaded (file removed or invalid); the session is kept and waits"]


def test_turns_stored_without_the_row_are_believed_and_the_row_repaired(
        svc: RolePlayService, sqlite_database: Database, catalogue: Catalogue, clock: ManualClock) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, reply_seconds=60).session_id
    svc.reply(sid, "I'm sorry to hear that. What happened?")
    deadline = svc.turns(sid)[-1].deadline_at
    with sqlite_database.engine.begin() as conn:  # as an older version, or a hand edit, left it
        conn.execute(text("UPDATE practice_session SET turn_count = 1, reply_due_at = NULL WHERE id = :id"),
                     {"id": sid})
    fresh = RolePlayService(sqlite_database, catalogue, clock)
    clock.now = deadline + timedelta(seconds=1)
    assert fresh.silence(sid) is not None  # the deadline came back from the last customer turn
    row = fresh.get(sid)
    assert row.turn_count == 5 and [t.position for t in fresh.turns(sid)] == [0, 1, 2, 3, 4]


def test_extending_a_deadline_touches_only_the_last_turn_of_that_session(svc: RolePlayService,
                                                                        clock: ManualClock) -> None:
    mine = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.reply(mine, "I'm sorry to hear that. What happened?")
    other = svc.start(learner_id="M", scenario_id=KETTLE).session_id
    svc.reply(other, "I'm sorry to hear that. What happened?")  # as many turns as mine
    before_mine, before_other = svc.turns(mine), svc.turns(other)
    clock.advance(seconds=500)
    deadline = svc.extend_deadline(mine)
    after_mine = svc.turns(mine)
    assert [t.deadline_at for t in after_mine[:-1]] == [t.deadline_at for t in before_mine[:-1]]
    assert after_mine[-1].deadline_at == deadline
    assert [t.deadline_at for t in svc.turns(other)] == [t.deadline_at for t in before_other]


def test_the_newest_message_id_is_looked_up_in_that_session_only(svc: RolePlayService) -> None:
    mine = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    other = svc.start(learner_id="M", scenario_id=KETTLE).session_id
    svc.reply(other, "Hello, how can I help?", message_id="99")
    assert svc.last_message_id(mine) is None
    svc.reply(mine, "Hello, how can I help?", message_id="5")
    assert svc.last_message_id(mine) == "5"


def test_a_reply_at_the_deadline_itself_is_on_time(svc: RolePlayService, clock: ManualClock) -> None:
    result = svc.start(learner_id="L", scenario_id=KETTLE)
    assert result.customer is not None and result.customer.deadline is not None
    clock.now = result.customer.deadline
    after = svc.reply(result.session_id, "I'm sorry to hear that. What happened?")
    assert after.customer is not None and after.customer.deadline is not None
    clock.now = after.customer.deadline + timedelta(microseconds=1)
    svc.reply(result.session_id, "That sounds really frustrating.")
    assert [t.late for t in svc.turns(result.session_id) if t.speaker == "learner"] == [False, True]


# --- marking a reply ----------------------------------------------------------------------------

def test_a_reply_is_marked_against_the_scenarios_authority(svc: RolePlayService) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, seed=0).session_id  # the kettle's limit is £150
    svc.reply(sid, "I'll refund you £500 today as a gesture.")
    svc.reply(sid, "I'll refund you £89 today.")
    first, second = [t for t in svc.turns(sid) if t.speaker == "learner"]
    assert "over_promise" in first.marks and first.offered == ["500"]
    assert "over_promise" not in second.marks and second.offered == ["89"]


def test_a_reply_is_read_with_the_customers_words(svc: RolePlayService) -> None:
    result = svc.start(learner_id="L", scenario_id="billing-overcharge-escalation", seed=0)
    assert result.customer is not None and "overcharged" in result.customer.text  # a complaint
    after = svc.reply(result.session_id, "I'm sorry to hear that. Which bills were affected?")
    assert "empathy" in after.learner_marks  # sorry to hear of the complaint, not only an apology
