"""Each learner's FSRS schedule per card: what is due, and what an answer does to it.

The rating comes from correctness and answer time; a penalised mark in a role-play makes the
cards on that misconception due at once. Queries go through the (learner_id, due) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from sqlmodel import Session as DbSession
from sqlmodel import col, func, select

from bot.storage.models import CardReview, LearnerCard

FAST_MS, SLOW_MS = 8_000, 30_000
# (fast, slow) per kind: a true/false line is read in seconds, four orders of four steps are not
THRESHOLDS_MS = {"true_false": (5_000, 20_000), "multiple_choice": (FAST_MS, SLOW_MS),
                 "best_reply": (12_000, 45_000), "order_steps": (15_000, 60_000)}
NEW_CARDS_PER_DAY = 10


def rating_for(correct: bool, answer_ms: int, kind: str | None = None) -> Rating:
    """Wrong: Again. Right: Easy when fast, Good, or Hard when slow (thresholds by kind; 8 s / 30 s by default)."""
    if not correct:
        return Rating.Again
    fast, slow = THRESHOLDS_MS.get(kind or "", (FAST_MS, SLOW_MS))
    if answer_ms < fast:
        return Rating.Easy
    return Rating.Good if answer_ms <= slow else Rating.Hard


def make_scheduler(desired_retention: float = 0.9) -> Scheduler:
    """Default FSRS parameters; no fuzzing so schedules are repeatable (tests, support questions)."""
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


def _to_fsrs(row: LearnerCard) -> FsrsCard:
    return FsrsCard(state=State(row.state), step=row.step, stability=row.stability, difficulty=row.difficulty,
                    due=row.due, last_review=row.last_review)


def due_cards(session: DbSession, *, learner_id: str, now: datetime, deck_ids: list[str], limit: int = 10,
              new_per_day: int = NEW_CARDS_PER_DAY) -> list[str]:
    """Cards due now, most overdue first, topped up with new cards up to a daily allowance."""
    due = list(session.exec(
        select(LearnerCard.card_id).where(LearnerCard.learner_id == learner_id, col(LearnerCard.due) <= now)
        .order_by(col(LearnerCard.due)).limit(limit)))
    known_in_deck = set(deck_ids)
    due = [cid for cid in due if cid in known_in_deck]
    if len(due) >= limit:
        return due
    seen = set(session.exec(select(LearnerCard.card_id).where(LearnerCard.learner_id == learner_id)))
    # only cards the allowance introduced count against it, not those a role-play's mistakes brought due
    introduced_today = session.exec(select(func.count(func.distinct(CardReview.card_id))).where(
        CardReview.learner_id == learner_id, col(CardReview.new_card),
        col(CardReview.reviewed_at) >= now - timedelta(days=1))).one()
    allowance = max(0, new_per_day - int(introduced_today))
    fresh = [cid for cid in deck_ids if cid not in seen][:allowance]
    return (due + fresh)[:limit]


def due_count(session: DbSession, *, learner_id: str, now: datetime) -> int:
    """How many of a learner's cards are due (new cards not counted)."""
    return int(session.exec(select(func.count()).select_from(LearnerCard).where(
        LearnerCard.learner_id == learner_id, col(LearnerCard.due) <= now)).one())


@dataclass(frozen=True)
class AnswerResult:
    """What an answer did to a card's schedule."""

    card_id: str
    rating: Rating
    next_due: datetime


def record_answer(session: DbSession, *, learner_id: str, card_id: str, correct: bool, answer_ms: int,
                  now: datetime, scheduler: Scheduler, kind: str | None = None) -> AnswerResult:
    """Store the review and the card's new FSRS state."""
    row = session.get(LearnerCard, (learner_id, card_id))
    new_card = row is None  # never scheduled: this answer uses one of the day's new cards
    if row is None:
        row = LearnerCard(learner_id=learner_id, card_id=card_id, due=now)
    rating = rating_for(correct, max(0, answer_ms), kind)
    card, _log = scheduler.review_card(_to_fsrs(row), rating, review_datetime=now)
    row.due, row.state, row.step = card.due, int(card.state), card.step
    row.stability, row.difficulty, row.last_review = card.stability, card.difficulty, card.last_review
    row.reps += 1
    row.lapses += 0 if correct else 1
    session.add(row)
    session.add(CardReview(learner_id=learner_id, card_id=card_id, rating=int(rating), correct=correct,
                           answer_ms=max(0, answer_ms), reviewed_at=now, new_card=new_card))
    return AnswerResult(card_id, rating, card.due)


def bring_due(session: DbSession, *, learner_id: str, card_ids: list[str], now: datetime) -> int:
    """Make these cards due now (creating new ones): a misconception just showed in a role-play."""
    for card_id in card_ids:
        row = session.get(LearnerCard, (learner_id, card_id))
        if row is None:
            row = LearnerCard(learner_id=learner_id, card_id=card_id, due=now)
        elif row.due > now:
            row.due = now
        session.add(row)
    return len(card_ids)
