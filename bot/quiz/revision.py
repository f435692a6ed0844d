"""Taking a revision quiz, for any face: the next question, and what an answer means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Scheduler

from bot.quiz.cards import Deck, Question, present
from bot.quiz.daily import ensure_daily
from bot.quiz.schedule import AnswerResult, due_cards, record_answer
from bot.storage.db import Database


@dataclass(frozen=True)
class Feedback:
    """What the learner is told after answering a card."""

    correct: bool
    right_answer: str
    explanation: str
    result: AnswerResult
    remaining: int


def next_question(db: Database, deck: Deck, *, learner_id: str, now: datetime) -> tuple[Question | None, int]:
    """The next due card as a question, and how many are waiting in all (0: nothing due)."""
    with db.session() as s:
        ids = due_cards(s, learner_id=learner_id, now=now, deck_ids=deck.ids(), limit=50)
        ensure_daily(s, learner_id=learner_id, now=now)
    if not ids:
        return None, 0
    return present(deck.cards[ids[0]]), len(ids)


def answer(db: Database, deck: Deck, scheduler: Scheduler, *, learner_id: str, card_id: str, key: str,
           answer_ms: int, now: datetime) -> Feedback:
    """Mark an answer, move the card's schedule, and say what was right and why."""
    card = deck.cards.get(card_id)
    if card is None:
        raise KeyError(f"no card {card_id!r}")
    question = present(card)
    correct = question.is_correct(key)
    with db.session() as s:
        result = record_answer(s, learner_id=learner_id, card_id=card_id, correct=correct, answer_ms=answer_ms,
                               now=now, scheduler=scheduler, kind=card.kind)
        remaining = len(due_cards(s, learner_id=learner_id, now=now, deck_ids=deck.ids(), limit=50))
    right = next(c.label for c in question.choices if c.key == question.correct)
    return Feedback(correct, right, card.explanation, result, remaining)
