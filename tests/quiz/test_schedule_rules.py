"""The scheduling rules at their edges: thresholds per card kind, counters, rationing, limits.

Written against mutation testing (`./composure mutants bot/quiz/schedule.py`): each test pins a
behaviour a learner or a mentor would notice if it changed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating

from bot.clock import ManualClock
from bot.quiz.schedule import (
    FAST_MS,
    SLOW_MS,
    THRESHOLDS_MS,
    due_cards,
    due_count,
    make_scheduler,
    rating_for,
    record_answer,
)
from bot.storage.db import Database
from bot.storage.models import CardReview, LearnerCard

DECK = [f"card-{i:02}" for i in range(30)]


@pytest.mark.parametrize("kind", [*THRESHOLDS_MS, None, "unknown-kind"])
def test_a_right_answer_is_easy_below_fast_good_up_to_slow_and_hard_after(kind: str | None) -> None:
    fast, slow = THRESHOLDS_MS.get(kind or "", (FAST_MS, SLOW_MS))
    assert rating_for(True, fast - 1, kind) == Rating.Easy
    assert rating_for(True, fast, kind) == Rating.Good
    assert rating_for(True, slow, kind) == Rating.Good
    assert rating_for(True, slow + 1, kind) == Rating.Hard
    assert rating_for(False, fast - 1, kind) == Rating.Again


def test_each_kind_of_card_is_timed_by_its_own_thresholds() -> None:
    # six seconds: slow for a true/false line, quick for a multiple choice, very quick for ordering steps
    assert rating_for(True, 6_000, "true_false") == Rating.Good
    assert rating_for(True, 6_000, None) == Rating.Easy
    assert rating_for(True, 25_000, "true_false") == Rating.Hard
    assert rating_for(True, 40_000, "order_steps") == Rating.Good
    assert rating_for(True, 40_000, "multiple_choice") == Rating.Hard


def test_record_answer_rates_by_the_card_kind(sqlite_database: Database) -> None:
    clock = ManualClock()
    with sqlite_database.session() as s:
        timed = record_answer(s, learner_id="L", card_id="tf", correct=True, answer_ms=6_000, now=clock.now,
                              scheduler=make_scheduler(), kind="true_false")
        untyped = record_answer(s, learner_id="L", card_id="mc", correct=True, answer_ms=6_000, now=clock.now,
                                scheduler=make_scheduler())
    assert (timed.card_id, timed.rating) == ("tf", Rating.Good)
    assert (untyped.card_id, untyped.rating) == ("mc", Rating.Easy)
    with sqlite_database.session() as s:
        ratings = {r.card_id: r.rating for r in s.exec(CardReview.__table__.select())}  # type: ignore[attr-defined]
    assert ratings == {"tf": int(Rating.Good), "mc": int(Rating.Easy)}


def test_answers_count_repetitions_and_lapses_and_keep_their_times(sqlite_database: Database) -> None:
    clock = ManualClock()
    sched = make_scheduler()
    answers = [(True, 0), (False, -40), (True, 9_000), (True, 4_000)]
    with sqlite_database.session() as s:
        for correct, ms in answers:
            record_answer(s, learner_id="L", card_id="c", correct=correct, answer_ms=ms, now=clock.now,
                          scheduler=sched)
            clock.advance(days=2)
    with sqlite_database.session() as s:
        row = s.get(LearnerCard, ("L", "c"))
        assert row is not None and (row.reps, row.lapses) == (4, 1)
        times = [r.answer_ms for r in s.exec(CardReview.__table__.select())]  # type: ignore[attr-defined]
    assert times == [0, 0, 9_000, 4_000]  # a clock that ran backwards is stored as no time, not negative


def test_a_stored_schedule_follows_the_same_path_as_fsrs_in_memory(sqlite_database: Database) -> None:
    """Reading a card back from the database loses nothing FSRS needs (state, step, due, last review)."""
    clock = ManualClock()
    sched = make_scheduler()
    in_memory = FsrsCard()
    gaps = [timedelta(0), timedelta(minutes=10), timedelta(days=1), timedelta(days=9), timedelta(days=2),
            timedelta(days=40)]
    for i, gap in enumerate(gaps):
        clock.now += gap
        correct = i != 4
        with sqlite_database.session() as s:
            stored = record_answer(s, learner_id="L", card_id="c", correct=correct, answer_ms=10_000,
                                   now=clock.now, scheduler=sched)
        in_memory, _ = sched.review_card(in_memory, Rating.Good if correct else Rating.Again,
                                         review_datetime=clock.now)
        assert stored.next_due == in_memory.due, i


def test_the_same_answers_on_the_same_days_give_the_same_dates(sqlite_database: Database) -> None:
    """No fuzzing: two learners who answer alike are scheduled alike (support can explain a date)."""
    dues: dict[str, list[object]] = {"A": [], "B": []}
    for learner in dues:
        clock = ManualClock()
        for _ in range(6):
            with sqlite_database.session() as s:
                result = record_answer(s, learner_id=learner, card_id="c", correct=True, answer_ms=10_000,
                                       now=clock.now, scheduler=make_scheduler())
            dues[learner].append(result.next_due)
            clock.now = result.next_due
    assert dues["A"] == dues["B"]
    assert dues["A"][-1] - dues["A"][-2] > timedelta(days=3)  # long enough intervals for fuzzing to show


def test_the_default_retention_is_ninety_percent(sqlite_database: Database) -> None:
    clock = ManualClock()
    with sqlite_database.session() as s:
        dues = []
        for learner, sched in (("A", make_scheduler()), ("B", make_scheduler(0.9)), ("C", make_scheduler(0.8))):
            for _ in range(3):
                result = record_answer(s, learner_id=learner, card_id="c", correct=True, answer_ms=10_000,
                                       now=clock.now, scheduler=sched)
            dues.append(result.next_due)
    assert dues[0] == dues[1] != dues[2]


def _make_due(database: Database, learner: str, cards: dict[str, timedelta], now: ManualClock) -> None:
    with database.session() as s:
        for card_id, ago in cards.items():
            s.add(LearnerCard(learner_id=learner, card_id=card_id, due=now.now - ago))


def test_the_most_overdue_cards_come_first_and_no_more_than_the_limit(database: Database) -> None:
    clock = ManualClock()
    # card ids run against their due dates, so neither id nor insertion order gives the answer
    overdue = {DECK[i]: timedelta(hours=i) for i in range(15)}
    _make_due(database, "L", overdue, clock)
    with database.session() as s:
        assert due_cards(s, learner_id="L", now=clock.now, deck_ids=DECK) == DECK[14:4:-1]
        assert due_cards(s, learner_id="L", now=clock.now, deck_ids=DECK, limit=3) == DECK[14:11:-1]
        assert due_count(s, learner_id="L", now=clock.now) == 15


def test_another_learners_due_cards_are_not_mine(database: Database) -> None:
    clock = ManualClock()
    _make_due(database, "other", {"card-01": timedelta(hours=2), "card-02": timedelta(hours=1)}, clock)
    _make_due(database, "L", {"card-03": timedelta(hours=1)}, clock)
    with database.session() as s:
        assert due_cards(s, learner_id="L", now=clock.now, deck_ids=DECK, new_per_day=0) == ["card-03"]
        assert due_count(s, learner_id="L", now=clock.now) == 1


def test_cards_first_seen_exactly_a_day_ago_still_count_against_todays_new_cards(database: Database) -> None:
    clock = ManualClock()
    with database.session() as s:
        for card_id in DECK[:3]:
            record_answer(s, learner_id="L", card_id=card_id, correct=True, answer_ms=10_000, now=clock.now,
                          scheduler=make_scheduler())
    clock.advance(days=1)
    with database.session() as s:
        fresh = [c for c in due_cards(s, learner_id="L", now=clock.now, deck_ids=DECK, limit=50, new_per_day=5)
                 if c not in DECK[:3]]
    assert fresh == DECK[3:5]
    clock.advance(seconds=1)
    with database.session() as s:
        fresh = [c for c in due_cards(s, learner_id="L", now=clock.now, deck_ids=DECK, limit=50, new_per_day=5)
                 if c not in DECK[:3]]
    assert fresh == DECK[3:8]
