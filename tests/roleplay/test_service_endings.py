"""How a role-play ends, through the real service on a real SQLite file and the shipped scenarios:
the whole set of session marks, the examiner's expectations in the report, the end hooks sharing the
end's transaction, and an end that fails being tried again whole.
Written against mutation testing (`./composure mutants bot/roleplay/service.py`).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot import jobs, messages
from bot.clock import ManualClock
from bot.content.catalogue import Catalogue
from bot.roleplay import service as service_module
from bot.roleplay.service import RolePlayService, SessionOver, TurnResult
from bot.storage.db import Database
from bot.storage.models import PracticeSession, ScheduledJob
from tests.roleplay.playing import play as play_script
from tests.roleplay.playing import script
from tests.roleplay.test_service_rules import GOOD_KETTLE, KETTLE, play

SCRIPTS = Path(__file__).resolve().parents[1] / "scenario_scripts"
ABUSIVE = "abusive-caller"
WAIT = 20  # seconds: only reached when the behaviour is broken


def met(row: PracticeSession) -> list[tuple[str, bool]]:
    assert row.report is not None
    return [(e["text"], e["met"]) for e in row.report["expectations"]]


# --- the marks and the examiner's expectations ----------------------------------------------------

def test_a_good_call_earns_exactly_its_marks_and_meets_every_expectation(
        svc: RolePlayService, clock: ManualClock, catalogue: Catalogue) -> None:
    row = play(svc, clock, KETTLE, GOOD_KETTLE)
    assert (row.outcome, row.session_marks) == (
        "resolved", ["listened_first", "followed_model", "within_authority", "confirmed_resolution"])
    assert met(row) == [(e.text, True) for e in catalogue.get(KETTLE).examiner_expects]
    assert row.report is not None and row.report["tips"] == []


def test_a_hand_off_misses_what_it_left_undone_and_the_report_says_what_to_do(
        svc: RolePlayService, clock: ManualClock, catalogue: Catalogue) -> None:
    expects = catalogue.get(KETTLE).examiner_expects
    row = play(svc, clock, KETTLE, [GOOD_KETTLE[0], "I'll pass this on to my team leader who will call you back."])
    assert row.session_marks == ["listened_first", "followed_model", "premature_escalation"]
    assert met(row) == [(e.text, n < 2) for n, e in enumerate(expects)]  # listened and apologised, no more
    assert row.report is not None
    assert [e.tip for e in expects[2:]] == [tip for tip in row.report["tips"] if tip in {e.tip for e in expects}]


def test_an_abusive_customer_with_no_boundary_costs_the_mark(svc: RolePlayService, clock: ManualClock) -> None:
    row = play(svc, clock, ABUSIVE, ["I'm sorry to hear about the bill. Which charge looks wrong to you?"])
    assert (row.outcome, row.session_marks) == ("ended_by_learner", ["no_boundary"])
    calm = play(RolePlayService(svc.db, svc.catalogue, clock), clock, KETTLE, ["I'm sorry to hear that."])
    assert "no_boundary" not in calm.session_marks  # a customer the scenario calls calm needs none


def test_an_expectation_that_applies_only_to_one_ending_is_judged_only_there(
        sqlite_database: Database, catalogue: Catalogue) -> None:
    played = play_script(sqlite_database, catalogue, ABUSIVE, script(SCRIPTS / ABUSIVE / "ended_by_learner.txt"))
    assert played.outcome == "ended_by_learner"
    judged = {e["text"]: e["met"] for e in played.report["expectations"]}
    (ending,) = [e for e in catalogue.get(ABUSIVE).examiner_expects if e.applies_when is not None]
    assert judged[ending.text] is True  # ended by the learner, with a boundary and a record
    resolved = play_script(sqlite_database, catalogue, ABUSIVE, script(SCRIPTS / ABUSIVE / "resolved.txt"),
                           learner="other")
    assert resolved.outcome == "resolved"
    assert ending.text not in {e["text"] for e in resolved.report["expectations"]}


def test_disclosing_someone_elses_data_misses_the_expectation_to_protect_it(
        sqlite_database: Database, catalogue: Catalogue) -> None:
    scenario = "subject-access-request"
    disclosure = script(SCRIPTS / scenario / "failures" / "disclosure.txt")
    played = play_script(sqlite_database, catalogue, scenario, disclosure)
    (protect,) = [e for e in catalogue.get(scenario).examiner_expects if e.shown_by.avoid_failures]
    assert [f["id"] for f in played.report["serious_failures"]] == list(protect.shown_by.avoid_failures)
    assert {e["text"]: e["met"] for e in played.report["expectations"]}[protect.text] is False


# --- the end hooks ----------------------------------------------------------------------------

def reminder_hook(session: Session, row: PracticeSession) -> None:
    """As the reflection reminders do: plan a timer in the end's own transaction."""
    jobs.schedule(session, job_id=f"after:{row.id}", kind="after", fire_at=row.ended_at, now=row.ended_at)


def test_an_end_hook_writes_in_the_ends_transaction(sqlite_database: Database, catalogue: Catalogue,
                                                    clock: ManualClock) -> None:
    svc = RolePlayService(sqlite_database, catalogue, clock, on_finish=[reminder_hook])
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.end(sid)
    with sqlite_database.session() as s:
        assert [j.id for j in s.exec(select(ScheduledJob))] == [f"after:{sid}"]


def test_a_time_out_whose_end_fails_is_kept_whole_for_the_next_tick(
        sqlite_database: Database, catalogue: Catalogue, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    failures = ["the reminders' store is away"]

    def flaky_hook(session: Session, row: PracticeSession) -> None:
        if failures:
            raise RuntimeError(failures.pop())
        reminder_hook(session, row)

    svc = RolePlayService(sqlite_database, catalogue, clock, on_finish=[flaky_hook])
    sid = svc.start(learner_id="L", scenario_id=KETTLE, guild_id="g").session_id
    for _ in range(2):
        clock.advance(hours=1)
        assert [r.session_id for r in svc.expire_deadlines(clock.now)] == [sid]
    before = svc.turns(sid)
    clock.advance(hours=1)
    with caplog.at_level(logging.ERROR):
        assert svc.expire_deadlines(clock.now) == []  # the third silence would end it: the hook failed
    assert "reminders' store is away" in caplog.text
    assert [(t.position, t.kind) for t in svc.turns(sid)] == [(t.position, t.kind) for t in before]  # nothing kept
    assert svc.overdue(clock.now) == [sid]  # still waiting for its silence
    (result,) = svc.expire_deadlines(clock.now)
    assert isinstance(result, TurnResult) and result.outcome == "customer_left"
    assert [t.kind for t in svc.turns(sid) if t.speaker == "learner"] == ["silence"] * 3
    with sqlite_database.session() as s:
        assert [j.id for j in s.exec(select(ScheduledJob))] == [f"after:{sid}"]


# --- a paused session -------------------------------------------------------------------------

def test_a_paused_session_waits_for_the_learner_instead_of_timing_out(svc: RolePlayService,
                                                                      clock: ManualClock) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    svc.paused(sid)  # its scenario could not be loaded for a moment
    assert len(svc.live) == 0
    clock.advance(hours=1)
    assert svc.silence(sid) is None and svc.expire_deadlines(clock.now) == []
    assert len(svc.turns(sid)) == 1
    result = svc.reply(sid, "Sorry for the wait. What happened?")  # the learner's reply starts the clock again
    assert result.customer is not None and result.customer.deadline == clock.now + timedelta(
        seconds=svc.get(sid).reply_seconds)


def test_a_reply_to_a_call_its_last_stored_reply_ended_is_refused_and_the_end_kept(
        svc: RolePlayService, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE, seed=0).session_id
    for line in GOOD_KETTLE[:-1]:
        svc.reply(sid, line)

    def power_cut(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(service_module, "assess_reply", power_cut)
        with pytest.raises(RuntimeError):
            svc.reply(sid, GOOD_KETTLE[-1])  # the check that ends the call, stored but never answered
    with pytest.raises(SessionOver) as refused:
        svc.reply(sid, "Hello? Are you still there?")
    assert str(refused.value) == messages.SESSION_OVER
    row = svc.get(sid)
    assert (row.status, row.outcome) == ("ended", "resolved")
    assert [t.text for t in svc.turns(sid) if t.speaker == "learner"] == GOOD_KETTLE


# --- the timers ----------------------------------------------------------------------------------

def test_a_batch_times_out_only_sessions_held_on_discord_when_asked(svc: RolePlayService, clock: ManualClock) -> None:
    svc.start(learner_id="local:pat", scenario_id=KETTLE)
    discord = svc.start(learner_id="123", scenario_id=KETTLE, guild_id="g").session_id
    clock.advance(hours=1)
    results, claimed = svc.expire_batch(clock.now, in_guilds_only=True)
    assert (claimed, [r.session_id for r in results]) == (1, [discord])


def test_a_session_busy_with_a_reply_is_left_for_the_next_tick(svc: RolePlayService, clock: ManualClock) -> None:
    sid = svc.start(learner_id="L", scenario_id=KETTLE).session_id
    clock.advance(hours=1)
    held, done = threading.Event(), threading.Event()

    def reply_in_progress() -> None:
        with svc.in_order(sid):
            held.set()
            done.wait(WAIT)

    worker = threading.Thread(target=reply_in_progress)
    worker.start()
    passed: set[int] = set()
    try:
        assert held.wait(WAIT)
        results, claimed = svc.expire_batch(clock.now, passed=passed)
    finally:
        done.set()
        worker.join(WAIT)
    assert (results, claimed, passed) == ([], 1, {sid})  # claimed, found busy, left for the next tick
    assert svc.expire_batch(clock.now, passed=passed) == ([], 0)  # not claimed again in this tick
    (result,) = svc.expire_deadlines(clock.now)  # the next tick
    assert result.session_id == sid


# --- the report after a restart -------------------------------------------------------------------

OFFER = "I'm so sorry. I'll refund you £500 today as a gesture."


def played_through(db: Database, catalogue: Catalogue, learner: str, *, restarting: bool) -> PracticeSession:
    """Three replies and the end, each a minute apart; with `restarting`, each by a freshly started service."""
    clock = ManualClock()
    service = RolePlayService(db, catalogue, clock)
    sid = service.start(learner_id=learner, scenario_id=KETTLE, seed=5).session_id
    for words in [GOOD_KETTLE[0], OFFER, GOOD_KETTLE[1], None]:
        clock.advance(minutes=1)
        if restarting:
            service = RolePlayService(db, catalogue, clock)
        if words is None:
            service.end(sid)
        else:
            service.reply(sid, words)
    return service.get(sid)


def test_a_restart_before_every_event_changes_nothing_in_the_report(sqlite_database: Database,
                                                                    catalogue: Catalogue) -> None:
    kept = played_through(sqlite_database, catalogue, "kept", restarting=False)
    restarted = played_through(sqlite_database, catalogue, "restarted", restarting=True)
    assert kept.report is not None and restarted.report is not None
    assert {**restarted.report, "session_id": kept.id} == kept.report
    assert "£500.00" in {m["mark"]: m["reason"] for m in kept.report["session_marks"]}["exceeded_authority"]
    assert kept.report["offers"] == ["500"]
    (apology,) = [m for m in kept.report["credited"] if m["mark"] == "apology"]
    assert apology["quotes"] == ["Oh no, I'm so sorry.", "I'm so sorry."]  # the sentences that earned it
    assert len(kept.report["mood_curve"]) == 5  # the opening line and the customer's four answers
