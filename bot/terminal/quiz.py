"""`python -m bot quiz`: revise due cards in the terminal; answers are timed for the FSRS rating."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.clock import Clock, utcnow
from bot.config import Settings
from bot.quiz.cards import Deck
from bot.quiz.revision import answer, next_question
from bot.quiz.schedule import make_scheduler
from bot.storage.db import Database


def run_terminal_quiz(db: Database, deck: Deck, learner_id: str, *, read: Callable[[str], str] = input,
                      write: Callable[[str], None] = print, clock: Clock = utcnow,
                      retention: float = 0.9, timer: Callable[[], float] = time.monotonic) -> int:
    """Ask due cards until none are left or the learner types q; returns how many were answered."""
    scheduler = make_scheduler(retention)
    answered = 0
    while True:
        question, waiting = next_question(db, deck, learner_id=learner_id, now=clock())
        if question is None:
            write("Nothing is due. Well done! Come back tomorrow." if answered else "No cards are due right now.")
            return answered
        write(f"\n[{waiting} due] {question.text}")
        for choice in question.choices:
            write(f"  {choice.key}) {choice.label}")
        keys = {c.key for c in question.choices}
        started = timer()
        while True:
            try:
                raw = read("Your answer (letter, or q to stop): ").strip().upper()
            except EOFError:
                return answered
            if raw in ("Q", "QUIT"):
                write(f"Stopped after {answered} card(s).")
                return answered
            if raw in keys:
                break
            write(f"Please type one of {', '.join(sorted(keys))}, or q.")
        feedback = answer(db, deck, scheduler, learner_id=learner_id, card_id=question.card.id, key=raw,
                          answer_ms=int((timer() - started) * 1000), now=clock())
        answered += 1
        write(("✓ Correct. " if feedback.correct else f"✗ Not quite: the answer is “{feedback.right_answer}”. ")
              + feedback.explanation)
        write(f"(next review: {feedback.result.next_due:%d %b %H:%M} UTC)")


def quiz(db: Database, settings: Settings, learner_id: str, learner_name: str) -> int:
    """Entry point for the CLI."""
    deck = Deck.load([settings.scenarios_dir / "cards"])
    for problem in deck.problems:
        print(f"warning: skipped a bad card file:\n  {problem}")
    if not deck.cards:
        print("error: no quiz cards could be loaded.")
        return 2
    print(f"Revision for {learner_name}: answer with the letter; cards come back when you need them.")
    run_terminal_quiz(db, deck, learner_id, retention=settings.desired_retention)
    return 0
