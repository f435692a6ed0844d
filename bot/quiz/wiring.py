"""Connect quizzes to the rest: the deck, the job handlers, and role-play mistakes feeding the deck."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Scheduler
from sqlmodel import Session as DbSession
from sqlmodel import select

from bot.assessment.whole_call import PENALISED_ANY
from bot.config import Settings
from bot.jobs import JobRunner
from bot.outbox import Outbox
from bot.quiz.cards import Deck
from bot.quiz.cohort import CLOSE_KIND, OPEN_KIND, make_handlers
from bot.quiz.daily import DAILY_KIND, on_daily, still_wanted
from bot.quiz.schedule import bring_due, make_scheduler
from bot.storage.models import PracticeSession, Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuizParts:
    """The quiz feature's parts that the faces use: the card deck and the FSRS scheduler."""

    deck: Deck
    scheduler: Scheduler

    def after_session(self, session: DbSession, row: PracticeSession, now: datetime) -> list[str]:
        """A finished role-play's mistakes bring their cards due (see `mistakes_to_cards`)."""
        return mistakes_to_cards(session, self.deck, row, now)


def build_quizzes(settings: Settings, jobs: JobRunner, outbox: Outbox) -> QuizParts:
    """Load the deck from <scenarios>/cards and register the quiz jobs (and the reminders' outbox check)."""
    deck = Deck.load([settings.scenarios_dir / "cards"])
    for problem in deck.problems:
        log.error("skipped a bad card file: %s", problem)
    on_open, on_close = make_handlers(deck, timedelta(minutes=settings.cohort_grace_minutes))
    jobs.register(OPEN_KIND, on_open)
    jobs.register(CLOSE_KIND, on_close)
    jobs.register(DAILY_KIND, on_daily)
    outbox.register(DAILY_KIND, still_wanted)
    return QuizParts(deck, make_scheduler(settings.desired_retention))


def mistakes_to_cards(session: DbSession, deck: Deck, row: PracticeSession, now: datetime) -> list[str]:
    """A penalised mark in a role-play brings the cards on that misconception due at once."""
    marks: set[str] = set(row.session_marks or ())
    for turn_marks in session.exec(select(Turn.marks).where(Turn.session_id == row.id)):
        marks.update(turn_marks)
    card_ids = deck.for_marks(marks & PENALISED_ANY)
    bring_due(session, learner_id=row.learner_id, card_ids=card_ids, now=now)
    return card_ids
