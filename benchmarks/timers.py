"""Timer work when much falls due at once: 1,000 overdue reply deadlines and 5,000 daily reminders.

Run: .venv/bin/python benchmarks/timers.py [--sessions 1000] [--reminders 5000]
On a fresh SQLite file (PostgreSQL when DATABASE_URL is set). Prints, for each kind of work,
the total time and the longest single batch (what one turn of the event loop would wait if a
batch ran on it; the bot runs batches on a worker thread), beside the baseline of the old tick,
which did all of it in one synchronous call on the loop. Also the query that finds overdue
sessions, through the indexed column, beside the old scan of the turn table. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot import jobs  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.content.catalogue import Catalogue  # noqa: E402
from bot.jobs import JobRunner  # noqa: E402
from bot.quiz.daily import DAILY_KIND, on_daily  # noqa: E402
from bot.roleplay.service import RolePlayService  # noqa: E402
from bot.storage.db import Database  # noqa: E402

OLD_OVERDUE = """
SELECT t.session_id FROM turn t JOIN (
  SELECT turn.session_id, max(turn.position) AS pos FROM turn
  JOIN practice_session ON practice_session.id = turn.session_id
  WHERE practice_session.status = 'active' AND practice_session.guild_id IS NOT NULL
  GROUP BY turn.session_id) last ON t.session_id = last.session_id AND t.position = last.pos
WHERE t.speaker = 'customer' AND t.deadline_at <= :now ORDER BY t.session_id
"""


def batches(run: Callable[[set], tuple[list, int]], size: int) -> tuple[float, float, int]:
    """Run batches until one comes back short; total seconds, longest batch, items."""
    passed: set = set()
    longest = total = 0.0
    items = 0
    while True:
        began = time.perf_counter()
        _, claimed = run(passed)
        took = time.perf_counter() - began
        total += took
        longest = max(longest, took)
        items += claimed
        if claimed < size:
            return total, longest, items


def timed(fn: Callable[[], object], repeat: int = 20) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def run(url: str, sessions: int, reminders: int) -> None:
    db = Database(url)
    catalogue = Catalogue.load([ROOT / "scenarios"])
    clock = ManualClock(datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    svc = RolePlayService(db, catalogue, clock)
    scenario_ids = sorted(catalogue.scenarios)
    for n in range(sessions):
        svc.start(learner_id=f"l{n}", scenario_id=scenario_ids[n % len(scenario_ids)], guild_id="g",
                  channel_id=f"c{n}", reply_seconds=60, seed=n)
    with db.session() as s:
        for n in range(reminders):
            jobs.schedule(s, job_id=f"{DAILY_KIND}:u{n}", kind=DAILY_KIND, fire_at=clock.now, now=clock.now,
                          payload={"learner_id": f"u{n}"})
    now = clock.advance(seconds=61)
    with db.engine.connect() as conn:
        turns = conn.execute(text("SELECT count(*) FROM turn")).scalar()
        old_query = timed(lambda: conn.execute(text(OLD_OVERDUE), {"now": now.replace(tzinfo=None)}).all())
    new_query = timed(lambda: svc.overdue(now, in_guilds_only=True))
    print(f"overdue query over {turns:,} turns: indexed column {new_query * 1000:.2f} ms; "
          f"old scan of turns {old_query * 1000:.2f} ms")

    total, longest, items = batches(lambda p: svc.expire_batch(now, in_guilds_only=True, passed=p), 20)
    print(f"{items} deadlines expired: total {total:.2f} s; longest batch of 20 {longest * 1000:.1f} ms "
          f"(the old tick: one call on the loop, i.e. a {total:.2f} s stall)")
    runner = JobRunner(db)
    runner.register(DAILY_KIND, on_daily)
    total, longest, items = batches(lambda p: runner.run_batch(now, passed=p), 20)
    print(f"{items} reminders run: total {total:.2f} s; longest batch of 20 {longest * 1000:.1f} ms "
          f"(the old tick: a {total:.2f} s stall)")
    with db.engine.connect() as conn:
        spread = conn.execute(text(
            "SELECT count(DISTINCT substr(CAST(fire_at AS TEXT), 12, 5)) FROM scheduled_job WHERE kind = :k"),
            {"k": DAILY_KIND}).scalar()
    print(f"next morning's {reminders} reminders fall in {spread} distinct minutes of the 08:00 hour; "
          f"sent at 5 a second they need {reminders / 5 / 60:.0f} minutes")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--reminders", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        from reply_path import pg_schema

        url, drop = pg_schema(url)
        try:
            run(url, args.sessions, args.reminders)
        finally:
            drop()
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/timers.db", args.sessions, args.reminders)


if __name__ == "__main__":
    main()
