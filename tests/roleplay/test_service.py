"""The role-play service against a real database: storage order, refusals, restarts, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.content.catalogue import UnknownScenario
from bot.roleplay import service as service_module
from bot.roleplay.service import (
    MAX_REPLY_CHARS,
    AlreadyActive,
    NotYourSession,
    ReplyRejected,
    RolePlayService,
    SessionOver,
)
from bot.storage.models import PracticeSession, Turn

LEARNER = "learner-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def svc(database, catalogue, clock) -> RolePlayService:
    return RolePlayService(database, catalogue, clock)


def test_start_stores_session_and_opening_line(svc, clock):
    result = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle", seed=3)
    turns = svc.turns(result.session_id)
    assert [t.speaker for t in turns] == ["customer"]
    assert turns[0].text == result.customer.text
    row = svc.get(result.session_id)
    assert row.status == "active" and row.scenario_id == "faulty-kettle"
    assert result.customer.deadline == clock.now + timedelta(seconds=row.reply_seconds)


def test_one_active_session_per_learner(svc):
    first = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle")
    with pytest.raises(AlreadyActive) as err:
        svc.start(learner_id=LEARNER, scenario_id="abusive-caller")
    assert err.value.session_id == first.session_id
    svc.start(learner_id="someone-else", scenario_id="abusive-caller")


def test_unknown_scenario_names_the_choices(svc, database):
    with pytest.raises(UnknownScenario) as err:
        svc.start(learner_id=LEARNER, scenario_id="no-such-customer")
    assert "faulty-kettle" in str(err.value)
    with database.session() as s:
        assert s.exec(select(PracticeSession)).first() is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x01\x02", "\u200b"])
def test_empty_replies_are_refused_and_nothing_is_stored(svc, text):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    with pytest.raises(ReplyRejected, match="empty"):
        svc.reply(sid, text)
    assert len(svc.turns(sid)) == 1
    assert svc.get(sid).status == "active"


def test_huge_reply_is_refused_with_the_limit(svc):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    with pytest.raises(ReplyRejected, match=f"{MAX_REPLY_CHARS:,}"):
        svc.reply(sid, "I am so sorry. " * 2000)
    assert len(svc.turns(sid)) == 1
    svc.reply(sid, "I'm so sorry about the kettle, what happened when you took it back?")
    assert len(svc.turns(sid)) == 3


def test_odd_characters_are_kept_verbatim_except_control_bytes(svc):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    text = "I'm sorry 😔 — that’s awful. مرحبا  ½ \u202eok\x00 what happened?"
    svc.reply(sid, text)
    stored = svc.turns(sid)[1]
    assert stored.text == text.replace("\x00", "")
    assert stored.speaker == "learner"


def test_only_the_owner_may_reply(svc):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    with pytest.raises(NotYourSession):
        svc.reply(sid, "hello", learner_id="intruder")
    assert len(svc.turns(sid)) == 1


def test_reply_is_stored_before_the_reaction_and_resumed_after_a_crash(database, catalogue, clock, monkeypatch):
    svc = RolePlayService(database, catalogue, clock)
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle", seed=1).session_id

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(service_module, "assess_reply", crash)
    with pytest.raises(RuntimeError):
        svc.reply(sid, "I'm really sorry, that sounds so frustrating.")
    turns = svc.turns(sid)
    assert [t.speaker for t in turns] == ["customer", "learner"]
    assert turns[-1].text == "I'm really sorry, that sounds so frustrating."
    monkeypatch.undo()

    restarted = RolePlayService(database, catalogue, clock)  # a new process on the same store
    result = restarted.resume(sid)
    assert result is not None and result.customer is not None
    turns = restarted.turns(sid)
    assert [t.speaker for t in turns] == ["customer", "learner", "customer"]
    assert "apology" in turns[1].marks
    assert restarted.resume(sid) is None  # nothing pending any more


def test_replay_gives_the_same_conversation_as_an_uninterrupted_run(database, catalogue, clock):
    replies = ["Oh no, I'm so sorry. What happened when you took it back?",
               "So it stopped working after three weeks and the shop turned you away, is that right?"]
    a = RolePlayService(database, catalogue, clock)
    sid_a = a.start(learner_id="a", scenario_id="faulty-kettle", seed=7).session_id
    for r in replies:
        a.reply(sid_a, r)
    b = RolePlayService(database, catalogue, clock)
    sid_b = b.start(learner_id="b", scenario_id="faulty-kettle", seed=7).session_id
    b.reply(sid_b, replies[0])
    b2 = RolePlayService(database, catalogue, clock)  # restart between the two replies
    b2.reply(sid_b, replies[1])
    assert [t.text for t in a.turns(sid_a)] == [t.text for t in b2.turns(sid_b)]


def test_silence_only_after_the_deadline(svc, clock):
    result = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle")
    sid = result.session_id
    assert svc.silence(sid) is None
    assert svc.expire_deadlines(clock.now) == []
    clock.now = result.customer.deadline + timedelta(seconds=1)
    assert svc.overdue(clock.now) == [sid]
    events = svc.expire_deadlines(clock.now)
    assert [e.session_id for e in events] == [sid]
    turns = svc.turns(sid)
    assert [(t.speaker, t.kind) for t in turns[-2:]] == [("learner", "silence"), ("customer", "line")]
    assert svc.silence(sid) is None  # a fresh deadline now runs


def test_late_reply_is_flagged(svc, clock):
    result = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle")
    clock.now = result.customer.deadline + timedelta(seconds=30)
    svc.reply(result.session_id, "Sorry for the wait, what happened?")
    assert svc.turns(result.session_id)[1].late is True


def test_three_silences_and_the_customer_leaves_with_a_report(svc, clock, database):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    result = None
    for _ in range(3):
        clock.advance(seconds=3600)
        result = svc.silence(sid)
    assert result is not None and result.outcome == "customer_left"
    row = svc.get(sid)
    assert row.status == "ended" and row.outcome == "customer_left"
    assert "slow_replies" in row.session_marks
    assert row.report["missed_deadlines"] == 3
    assert row.report["silences"] == 3 and row.report["learner_turns"] == 0  # a silence is not a reply
    with pytest.raises(SessionOver):
        svc.reply(sid, "hello?")


def test_end_by_learner_keeps_everything(svc):
    sid = svc.start(learner_id=LEARNER, scenario_id="abusive-caller").session_id
    svc.reply(sid, "I'm sorry to hear about the bill. Which charge looks wrong to you?")
    result = svc.end(sid, learner_id=LEARNER)
    assert result.outcome == "ended_by_learner"
    kinds = [(t.speaker, t.kind) for t in svc.turns(sid)]
    assert kinds[-2:] == [("learner", "end"), ("customer", "line")]
    assert svc.get(sid).report["outcome"] == "ended_by_learner"


def test_turn_positions_are_unique_and_ordered(svc, database):
    sid = svc.start(learner_id=LEARNER, scenario_id="faulty-kettle").session_id
    for text in ["Sorry about that.", "What happened?", "I'll refund it."]:
        if svc.get(sid).status != "active":
            break
        svc.reply(sid, text)
    with database.session() as s:
        positions = list(s.exec(select(Turn.position).where(Turn.session_id == sid).order_by(Turn.position)))
    assert positions == list(range(len(positions)))
