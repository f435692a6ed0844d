"""Time to find a learner's due cards among 1,000,000 learner-cards on SQLite.

Run: .venv/bin/python benchmarks/due_cards.py [--learners 10000] [--cards 100] [--queries 200]
Builds (once, cached in the temp folder) a migrated SQLite file holding learners x cards rows
with due dates spread over a year, then times `due_cards` for random learners and prints the
median and 95th percentile. Goal: under 200 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bot.quiz.schedule import due_cards
from bot.storage.db import Database
from bot.storage.models import LearnerCard


def build(path: Path, learners: int, cards: int) -> Database:
    fresh = not path.exists()
    db = Database(f"sqlite:///{path}")
    if fresh:
        rng = random.Random(1)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        began = time.perf_counter()
        with db.session() as s:
            for learner in range(learners):
                rows = [{"learner_id": f"learner-{learner:06}", "card_id": f"card-{card:03}",
                         "due": start + timedelta(minutes=rng.randrange(525_600)), "state": 2, "step": None,
                         "stability": 10.0, "difficulty": 5.0, "last_review": start, "reps": 3, "lapses": 0}
                        for card in range(cards)]
                s.execute(insert(LearnerCard), rows)
        print(f"built {learners * cards:,} rows in {time.perf_counter() - began:.1f} s")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    path = Path(tempfile.gettempdir()) / f"composure-bench-{args.learners}x{args.cards}.db"
    db = build(path, args.learners, args.cards)
    deck_ids = [f"card-{c:03}" for c in range(args.cards)]
    now = datetime(2026, 7, 1, tzinfo=UTC)
    with db.session() as s:
        total = s.execute(text("SELECT count(*) FROM learner_card")).scalar()
    print(f"learner-cards in the table: {total:,}")
    # limit 20: the usual /quiz call; limit 500: more than are due, so the new-card top-up query runs too
    for limit in (20, 500):
        rng = random.Random(2)
        timings = []
        with db.session() as s:
            for _ in range(args.queries):
                learner = f"learner-{rng.randrange(args.learners):06}"
                began = time.perf_counter()
                found = due_cards(s, learner_id=learner, now=now, deck_ids=deck_ids, limit=limit)
                timings.append((time.perf_counter() - began) * 1000)
                assert found
        timings.sort()
        print(f"due_cards(limit={limit}) over {args.queries} random learners: median "
              f"{statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95) - 1]:.2f} ms, "
              f"max {timings[-1]:.2f} ms (goal < 200 ms)")
    db.dispose()


if __name__ == "__main__":
    main()
