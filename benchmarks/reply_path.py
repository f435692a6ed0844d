"""One learner reply (channel lookup + `reply`) with many open sessions, beside raw driver writes.

Run: .venv/bin/python benchmarks/reply_path.py [--sessions 1000] [--replies 10000]
On a fresh SQLite file (or on PostgreSQL when DATABASE_URL is set: a throwaway schema), opens
`--sessions` role-plays and sends `--replies` replies to random ones (a session that ends is
replaced by a new one). Prints p50/p99 per reply, the "recording" part (the reply minus
assessment and the persona engine), and the same rows written through the raw driver
(sqlite3 or psycopg: the same statements, two commits) in the same run; then the CPU time
of each (on a busy machine the wall-clock figures mostly measure the other processes). Then the cost of the
1st and the 60th reply of one long session. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.content.catalogue import Catalogue  # noqa: E402
from bot.roleplay import service as service_module  # noqa: E402
from bot.roleplay.engine import PersonaEngine  # noqa: E402
from bot.roleplay.service import RolePlayService  # noqa: E402
from bot.storage.checkpoint import BACKSTOP_PAGES  # noqa: E402
from bot.storage.db import Database, normalise_url  # noqa: E402

REPLIES = [  # a mix that earns different marks, so assessment and the engine take their usual paths
    "I'm really sorry about this. When did it first go wrong?",
    "So you've been let down twice now and nobody called you back, is that right?",
    "I can hear how upset you are, and that's completely understandable.",
    "I'll look at your order on my side and log a complaint for you today.",
    "Thanks for bearing with me while I check.",
    "Can you tell me what the shop said when you went back?",
]
LONG_SESSION_LINES = ["Could you tell me a bit more about that?", "I see. What happened next?",
                      "Right. And how did that leave you?"]


class Stopwatch:
    """Adds up the time spent inside wrapped functions (assessment and the persona engine)."""

    def __init__(self) -> None:
        self.total = 0.0

    def wrap(self, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - began
        return timed


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms"


class RawWriter:
    """The reply's rows through the bare driver: lookup, then (advance + learner turn), then
    (marks + advance + customer turn), each group one commit."""

    def __init__(self, url: str, path: str | None) -> None:
        self.pg = path is None
        if self.pg:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
            self.p = "%s"
        else:
            import sqlite3

            self.conn = sqlite3.connect(path, timeout=30)
            # the bot's pragmas (bot.storage.db); its Database's checkpoint thread serves this file too
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL",
                           f"wal_autocheckpoint={BACKSTOP_PAGES}"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.p = "?"
        self.count: dict[int, int] = {}

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.p)

    def open_sessions(self, n: int, now: datetime) -> list[int]:
        ids = []
        cur = self.conn.cursor()
        for i in range(n):
            cur.execute(self.sql(
                "INSERT INTO practice_session (learner_id, learner_name, guild_id, channel_id, scenario_id, seed, "
                "reply_seconds, status, started_at, session_marks, report, reflection_waived, turn_count) "
                "VALUES (?, '', 'raw', ?, 'faulty-kettle', 1, 3600, 'active', ?, '[]', '{}', ?, 0) RETURNING id"),
                (f"raw-{i}", f"raw-{i}", now.replace(tzinfo=None), False))
            ids.append(cur.fetchone()[0])
        self.conn.commit()
        for sid in ids:
            self.count[sid] = 0
        return ids

    def insert_turn(self, cur, sid: int, pos: int, speaker: str, words: str, now: datetime, due) -> None:
        cur.execute(self.sql(
            "INSERT INTO turn (session_id, position, speaker, kind, text, marks, evidence, offered, mood, late, "
            "created_at, deadline_at) VALUES (?, ?, ?, 'line', ?, '[]', '{}', '[]', ?, ?, ?, ?)"),
            (sid, pos, speaker, words, None if speaker == "learner" else 0, False, now.replace(tzinfo=None), due))

    def reply(self, sid: int, words: str, now: datetime) -> None:
        cur = self.conn.cursor()
        cur.execute(self.sql("SELECT id, learner_id FROM practice_session WHERE channel_id = ? AND status = 'active'"),
                    (f"raw-{sid}",))
        cur.fetchall()
        n = self.count[sid]
        cur.execute(self.sql("UPDATE practice_session SET turn_count = ?, reply_due_at = NULL "
                             "WHERE id = ? AND status = 'active' AND turn_count = ?"), (n + 1, sid, n))
        self.insert_turn(cur, sid, n, "learner", words, now, None)
        self.conn.commit()
        due = (now + timedelta(seconds=3600)).replace(tzinfo=None)
        cur.execute(self.sql("UPDATE turn SET marks = ?, evidence = ?, offered = ?, mood = ? "
                             "WHERE session_id = ? AND position = ?"),
                    (json.dumps(["apology"]), json.dumps({"apology": words}), "[]", 1, sid, n))
        cur.execute(self.sql("UPDATE practice_session SET turn_count = ?, reply_due_at = ? "
                             "WHERE id = ? AND status = 'active' AND turn_count = ?"), (n + 2, due, sid, n + 1))
        self.insert_turn(cur, sid, n + 1, "customer", "Right. Go on then.", now, due)
        self.conn.commit()
        self.count[sid] = n + 2

    def close(self) -> None:
        self.conn.close()


def pg_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A throwaway schema on the given server, reached through search_path."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}", drop


def run(url: str, sqlite_path: str | None, sessions: int, replies: int) -> None:
    db = Database(url)
    catalogue = Catalogue.load([ROOT / "scenarios"])
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    svc = RolePlayService(db, catalogue, clock=lambda: now)
    watch = Stopwatch()
    service_module.assess_reply = watch.wrap(service_module.assess_reply)
    for name in ("hear", "silence", "end_by_learner"):
        setattr(PersonaEngine, name, watch.wrap(getattr(PersonaEngine, name)))
    service_module.replay = watch.wrap(service_module.replay)
    scenario_ids = sorted(catalogue.scenarios)
    rng = random.Random(7)
    counter = iter(range(10**9))

    def open_one() -> str:
        i = next(counter)
        channel = f"ch-{i}"
        svc.start(learner_id=f"learner-{i}", scenario_id=scenario_ids[i % len(scenario_ids)],
                  guild_id="g", channel_id=channel, reply_seconds=3600, seed=i)
        return channel

    began = time.perf_counter()
    channels = [open_one() for _ in range(sessions)]
    print(f"opened {sessions} sessions in {time.perf_counter() - began:.1f} s")
    for i in range(100):  # warm-up: compiled statements, model, connection pool
        channel = channels[i % len(channels)]
        row = svc.active_in_channel(channel)
        if svc.reply(row.id, REPLIES[i % len(REPLIES)], learner_id=row.learner_id).ended:
            channels[i % len(channels)] = open_one()
    raw = RawWriter(url, sqlite_path)
    raw_ids = raw.open_sessions(sessions, now)
    reply_ms, recording_ms, raw_ms = [], [], []
    reply_cpu_ms, raw_cpu_ms = [], []  # this thread's CPU time: what load on a shared machine inflates least
    ended = 0
    for _ in range(replies):  # the raw writes are interleaved so both meet the same machine load
        slot = rng.randrange(len(channels))
        words = REPLIES[rng.randrange(len(REPLIES))]
        watch.total = 0.0
        cpu = time.thread_time()
        began = time.perf_counter()
        row = svc.active_in_channel(channels[slot])
        result = svc.reply(row.id, words, learner_id=row.learner_id)
        elapsed = time.perf_counter() - began
        reply_cpu_ms.append((time.thread_time() - cpu) * 1000)
        reply_ms.append(elapsed * 1000)
        recording_ms.append((elapsed - watch.total) * 1000)
        if result.ended:
            ended += 1
            channels[slot] = open_one()
        cpu = time.thread_time()
        began = time.perf_counter()
        raw.reply(raw_ids[rng.randrange(len(raw_ids))], words, now)
        raw_ms.append((time.perf_counter() - began) * 1000)
        raw_cpu_ms.append((time.thread_time() - cpu) * 1000)
    raw.close()
    print(f"{replies} replies over {sessions} open sessions ({ended} sessions ended and were replaced):")
    print(f"  reply (lookup + reply):          {percentiles(reply_ms)}")
    print(f"  recording (minus assess+engine): {percentiles(recording_ms)}")
    print(f"  raw driver, same rows:           {percentiles(raw_ms)}")
    print(f"  recording / raw at p50:          {statistics.median(recording_ms) / statistics.median(raw_ms):.1f}x")
    print(f"  reply, CPU time of this thread:  {percentiles(reply_cpu_ms)}")
    print(f"  raw driver, CPU time:            {percentiles(raw_cpu_ms)}")
    long_session(svc, now)
    db.dispose()


def long_session(svc: RolePlayService, now: datetime) -> None:
    """Reply cost at stored turn 1 and turn 59 of one session (a scenario allowed 40 replies).

    Each position is the median over 20 sessions, played side by side so that machine load
    falls on every position alike.
    """
    scenario = svc.catalogue.get("late-delivery-third-contact")
    svc.catalogue.scenarios["long-bench"] = scenario.model_copy(update={"id": "long-bench", "max_learner_turns": 40})
    sids = [svc.start(learner_id=f"long-{n}", scenario_id="long-bench", reply_seconds=3600, seed=n).session_id
            for n in range(20)]
    by_turn: dict[int, list[float]] = {}
    for reply in range(30):
        for sid in sids:
            position = 2 * reply + 1  # the stored position of this learner reply
            began = time.perf_counter()
            svc.reply(sid, LONG_SESSION_LINES[reply % len(LONG_SESSION_LINES)])
            by_turn.setdefault(position, []).append((time.perf_counter() - began) * 1000)
    print("one session, reply at stored turn: "
          + ", ".join(f"{t}: {statistics.median(by_turn[t]):.2f} ms" for t in (1, 11, 31, 59)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=10_000)
    parser.add_argument("--no-pre-ping", action="store_true",
                        help="PostgreSQL: open the engine without pool_pre_ping, to see what the ping costs")
    args = parser.parse_args()
    if args.no_pre_ping:
        import bot.storage.db as db_module

        plain = db_module.create_engine
        db_module.create_engine = lambda url, **kw: plain(url, **{**kw, "pool_pre_ping": False})
        print("pool_pre_ping off")
    pg_url = os.environ.get("DATABASE_URL", "")
    if pg_url.startswith("postgres"):
        url, drop = pg_schema(pg_url)
        print("PostgreSQL")
        try:
            run(url, None, args.sessions, args.replies)
        finally:
            drop()
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        print("SQLite file")
        run(f"sqlite:///{path}", path, args.sessions, args.replies)


if __name__ == "__main__":
    main()
