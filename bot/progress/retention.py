"""Quiz retention by topic, from each card's FSRS memory state: the chance of recalling it now."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from fsrs import Scheduler
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from bot.quiz.cards import Deck
from bot.quiz.schedule import _to_fsrs
from bot.storage.models import CardReview, LearnerCard


@dataclass(frozen=True)
class TopicRetention:
    """How well a learner recalls one quiz topic now."""

    topic: str
    cards: int  # cards in the deck on this topic
    reviewed: int  # of those, cards this learner has answered at least once
    recall: float | None  # mean FSRS retrievability of the reviewed cards now (None: none reviewed)
    answers: int
    correct: int


def retention_by_topic(session: DbSession, *, learner_id: str, deck: Deck, scheduler: Scheduler,
                       now: datetime) -> list[TopicRetention]:
    """One row per deck topic, in the deck's topic order; cards no longer in the deck are left out."""
    recalls: dict[str, list[float]] = defaultdict(list)
    rows = session.exec(select(LearnerCard).where(LearnerCard.learner_id == learner_id,
                                                  col(LearnerCard.last_review).is_not(None)))
    for row in rows:
        card = deck.get(row.card_id)
        if card is not None:
            recalls[card.topic].append(scheduler.get_card_retrievability(_to_fsrs(row), current_datetime=now))
    answers: dict[str, list[bool]] = defaultdict(list)
    for card_id, correct in session.exec(select(CardReview.card_id, CardReview.correct)
                                         .where(CardReview.learner_id == learner_id)):
        card = deck.get(card_id)
        if card is not None:
            answers[card.topic].append(correct)
    topics = dict.fromkeys(c.topic for c in deck.cards.values())
    return [TopicRetention(topic, len(deck.ids(topic)), len(recalls[topic]),
                           sum(recalls[topic]) / len(recalls[topic]) if recalls[topic] else None,
                           len(answers[topic]), sum(answers[topic]))
            for topic in sorted(topics)]
