"""Regressions: the daily allowance of new cards holds, and penalised session marks bring cards due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.quiz.cards import Deck
from bot.quiz.schedule import due_cards, make_scheduler, record_answer
from bot.quiz.wiring import mistakes_to_cards
from bot.storage.models import PracticeSession

DECK = Deck.load([Path(__file__).resolve().parents[2] / "scenarios" / "cards"])
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_new_cards_stay_within_the_daily_allowance_when_learners_revise_twice_a_day(sqlite_database):
    ids = [f"c{i:02}" for i in range(40)]
    scheduler = make_scheduler()
    introduced: set[str] = set()
    for minutes in range(0, 10 * 60, 10):  # a keen learner revises every ten minutes for ten hours
        now = NOW + timedelta(minutes=minutes)
        with sqlite_database.session() as s:
            for card_id in due_cards(s, learner_id="L", now=now, deck_ids=ids, limit=50, new_per_day=10):
                introduced.add(card_id)
                record_answer(s, learner_id="L", card_id=card_id, correct=True, answer_ms=15_000, now=now,
                              scheduler=scheduler)
    assert len(introduced) == 10


@pytest.mark.parametrize(("session_mark", "card_id"), [
    ("jumped_to_solution", "jump-to-solutions"),
    ("premature_escalation", "premature-escalation"),
    ("missed_escalation", "escalate-when-out-of-depth"),
    ("no_boundary", "boundaries-true-false"),
    ("exceeded_authority", "compensation-limits"),
])
def test_a_penalised_session_mark_brings_the_cards_on_its_misconception_due(sqlite_database, session_mark,
                                                                            card_id):
    with sqlite_database.session() as s:
        row = PracticeSession(learner_id="L", scenario_id="faulty-kettle", started_at=NOW, status="ended",
                              session_marks=[session_mark])
        s.add(row)
        s.flush()
        assert card_id in mistakes_to_cards(s, DECK, row, NOW)
