"""FSRS scheduling per learner and card on a real database."""

from __future__ import annotations

from fsrs import Rating

from bot.clock import ManualClock
from bot.quiz.schedule import bring_due, due_cards, due_count, make_scheduler, rating_for, record_answer
from bot.storage.models import CardReview, LearnerCard

IDS = [f"card-{i:02}" for i in range(30)]


def test_rating_from_correctness_and_time():
    assert rating_for(False, 1000) == Rating.Again
    assert rating_for(True, 3000) == Rating.Easy
    assert rating_for(True, 15000) == Rating.Good
    assert rating_for(True, 60000) == Rating.Hard


def test_new_cards_are_rationed_and_answers_move_them(database):
    clock = ManualClock()
    sched = make_scheduler()
    with database.session() as s:
        first = due_cards(s, learner_id="L", now=clock.now, deck_ids=IDS, limit=50, new_per_day=10)
        assert first == IDS[:10]
        for cid in first:
            record_answer(s, learner_id="L", card_id=cid, correct=cid != "card-03", answer_ms=5000, now=clock.now,
                          scheduler=sched)
    with database.session() as s:
        assert due_cards(s, learner_id="L", now=clock.now, deck_ids=IDS, limit=50, new_per_day=10) == []
        wrong = s.get(LearnerCard, ("L", "card-03"))
        right = s.get(LearnerCard, ("L", "card-04"))
        assert wrong.due < right.due and wrong.lapses == 1
        assert len(list(s.exec(CardReview.__table__.select()))) == 10  # type: ignore[attr-defined]
    clock.advance(hours=1)
    with database.session() as s:
        assert "card-03" in due_cards(s, learner_id="L", now=clock.now, deck_ids=IDS, limit=50)
    clock.advance(days=1, hours=1)
    with database.session() as s:
        upcoming = due_cards(s, learner_id="L", now=clock.now, deck_ids=IDS, limit=50, new_per_day=10)
        assert IDS[10:20] == [c for c in upcoming if c in IDS[10:20]]


def test_a_penalised_mark_brings_cards_due_now(database):
    clock = ManualClock()
    sched = make_scheduler()
    with database.session() as s:
        record_answer(s, learner_id="L", card_id="card-01", correct=True, answer_ms=2000, now=clock.now,
                      scheduler=sched)
        assert due_count(s, learner_id="L", now=clock.now) == 0
        bring_due(s, learner_id="L", card_ids=["card-01", "card-29"], now=clock.now)
    with database.session() as s:
        assert due_count(s, learner_id="L", now=clock.now) == 2
        assert due_cards(s, learner_id="L", now=clock.now, deck_ids=IDS, limit=2, new_per_day=0) == [
            "card-01", "card-29"]


def test_learners_do_not_share_schedules(database):
    clock = ManualClock()
    with database.session() as s:
        record_answer(s, learner_id="A", card_id="card-01", correct=True, answer_ms=2000, now=clock.now,
                      scheduler=make_scheduler())
        assert "card-01" in due_cards(s, learner_id="B", now=clock.now, deck_ids=IDS, limit=50)
        assert "card-01" not in due_cards(s, learner_id="A", now=clock.now, deck_ids=IDS, limit=50)


def test_desired_retention_changes_intervals(database):
    clock = ManualClock()
    with database.session() as s:
        a = record_answer(s, learner_id="A", card_id="c", correct=True, answer_ms=20000, now=clock.now,
                          scheduler=make_scheduler(0.8))
        b = record_answer(s, learner_id="B", card_id="c", correct=True, answer_ms=20000, now=clock.now,
                          scheduler=make_scheduler(0.97))
        for _ in range(2):
            clock.advance(days=3)
            a = record_answer(s, learner_id="A", card_id="c", correct=True, answer_ms=20000, now=clock.now,
                              scheduler=make_scheduler(0.8))
            b = record_answer(s, learner_id="B", card_id="c", correct=True, answer_ms=20000, now=clock.now,
                              scheduler=make_scheduler(0.97))
    assert a.next_due > b.next_due
