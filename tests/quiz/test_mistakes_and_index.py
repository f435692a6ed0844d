"""Role-play mistakes bring their cards due at once; due-card queries stay on the (learner_id, due) index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from bot.quiz.cards import Deck
from bot.quiz.schedule import due_cards, due_count, make_scheduler, record_answer
from bot.quiz.wiring import mistakes_to_cards
from bot.storage.models import LearnerCard, PracticeSession, Turn

DECK = Deck.load([Path(__file__).resolve().parents[2] / "scenarios" / "cards"])
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _role_play(session, learner_id: str, reply_marks: list[list[str]]) -> PracticeSession:
    row = PracticeSession(learner_id=learner_id, scenario_id="faulty-kettle", started_at=NOW, status="ended")
    session.add(row)
    session.flush()
    for i, marks in enumerate(reply_marks):
        session.add(Turn(session_id=row.id, position=2 * i, speaker="customer", text="It broke!", created_at=NOW))
        session.add(Turn(session_id=row.id, position=2 * i + 1, speaker="learner", text="...", marks=marks,
                         created_at=NOW))
    session.flush()
    return row


def test_a_penalised_reply_brings_its_cards_due_now_even_those_scheduled_for_later(database):
    policy_cards = DECK.for_marks(["policy_wall"])
    reviewed = policy_cards[0]
    with database.session() as s:
        record_answer(s, learner_id="L", card_id=reviewed, correct=True, answer_ms=3000, now=NOW - timedelta(days=1),
                      scheduler=make_scheduler())
        assert s.get(LearnerCard, ("L", reviewed)).due > NOW  # learnt yesterday, not due for days
        assert due_count(s, learner_id="L", now=NOW) == 0
    with database.session() as s:
        row = _role_play(s, "L", [["empathy", "policy_wall"], ["action"]])
        brought = mistakes_to_cards(s, DECK, row, NOW)
    assert brought == policy_cards and len(brought) >= 2
    with database.session() as s:
        assert due_count(s, learner_id="L", now=NOW) == len(policy_cards)
        first = due_cards(s, learner_id="L", now=NOW, deck_ids=DECK.ids(), limit=len(policy_cards), new_per_day=0)
        assert sorted(first) == policy_cards
        assert s.get(LearnerCard, ("L", reviewed)).reps == 1  # its history is kept, only the due date moved


def test_credited_marks_alone_bring_nothing_due(database):
    with database.session() as s:
        row = _role_play(s, "L", [["empathy", "paraphrase"], ["action", "check", "thanks"]])
        assert mistakes_to_cards(s, DECK, row, NOW) == []
        assert due_count(s, learner_id="L", now=NOW) == 0


def test_another_learners_mistake_does_not_touch_this_learner(database):
    with database.session() as s:
        row = _role_play(s, "other", [["unprofessional"]])
        assert mistakes_to_cards(s, DECK, row, NOW)
        assert due_count(s, learner_id="L", now=NOW) == 0


def test_due_queries_search_the_learner_due_index_and_never_scan(sqlite_database):
    """SQLite's plan for every learner_card query of due_cards and due_count must be an index search."""
    with sqlite_database.session() as s:
        for learner in ("A", "B", "C"):
            for i in range(40):
                s.add(LearnerCard(learner_id=learner, card_id=f"c{i}", due=NOW + timedelta(hours=i - 20), reps=1,
                                  last_review=NOW - timedelta(days=1)))
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "learner_card" in statement:
            statements.append((statement, parameters))

    event.listen(sqlite_database.engine, "before_cursor_execute", capture)
    try:
        with sqlite_database.session() as s:
            found = due_cards(s, learner_id="B", now=NOW, deck_ids=[f"c{i}" for i in range(45)], limit=100)
            count = due_count(s, learner_id="B", now=NOW)
    finally:
        event.remove(sqlite_database.engine, "before_cursor_execute", capture)
    assert count == 21 and found[:21] == [f"c{i}" for i in range(21)]  # most overdue first
    assert len(statements) >= 3
    plans = []
    with sqlite_database.engine.connect() as conn:
        for statement, parameters in statements:
            plans += [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    assert not [p for p in plans if p.startswith("SCAN")], plans
    assert any("ix_learner_card_due (learner_id=? AND due<?)" in p for p in plans), plans
