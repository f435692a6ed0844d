"""The longest event-loop stall of the real bot while 1,000 deadlines expire and 5,000 reminders fall due.

Run: .venv/bin/python benchmarks/loop_lag.py [--sessions 1000] [--reminders 5000] [--window 20]
The bot logs in to the loopback fake Discord (tests/fake_discord) on a SQLite file holding
`--sessions` role-plays whose deadline has passed and `--reminders` daily-reminder jobs due, each
for a Discord user with a revision card due, so every reminder is queued for a DM. The fake
Discord serves from a child process, as Discord is another machine in production: the probe
measures the bot's loop, not the fake's JSON-schema audit, and the collector walks only the bot's
objects (its pauses during the run are printed). A probe task sleeps 5 ms at a
time and records how late it wakes. One `tick()` runs; the probe keeps going until every
customer's answer has been posted and `--window` seconds of paced reminder DMs have gone out
(the rest wait in the outbox table).
Beside it, in the same run, the old tick's shape: the same work (on a second file) done in one
synchronous call on the loop (skipped with --no-baseline). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import discord
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fake_discord import FakeDiscord  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot import jobs, outbox  # noqa: E402
from bot.app import ComposureBot, warm_up  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.quiz.daily import DAILY_KIND  # noqa: E402
from bot.services import Services, build_services  # noqa: E402
from bot.storage.models import LearnerCard  # noqa: E402


class Pauses:
    """The collector's pauses (it stops every thread, the event loop's too) while in use."""

    def __init__(self) -> None:
        self.seconds: list[tuple[float, int]] = []
        self._began = 0.0

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds.append((time.perf_counter() - self._began, info["generation"]))

    def __enter__(self) -> Pauses:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._note)

    def summary(self) -> str:
        full = [s for s, generation in self.seconds if generation == 2]
        return (f"{len(self.seconds)} garbage collections, {len(full)} full, the longest "
                f"{max((s for s, _ in self.seconds), default=0) * 1000:.0f} ms; "
                f"{len(gc.get_objects())} objects tracked ({gc.get_freeze_count()} frozen at start)")


class Probe:
    """Measures how late a 5 ms sleep wakes: the time the loop was held by something else."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(0.005)
            self.lags.append(loop.time() - began - 0.005)

    @property
    def worst(self) -> float:
        return max(self.lags, default=0.0)

    def summary(self) -> str:
        lags = sorted(self.lags) or [0.0]
        return (f"longest event-loop stall {lags[-1] * 1000:.0f} ms (p99 {lags[int(len(lags) * 0.99)] * 1000:.0f} ms, "
                f"p50 {lags[len(lags) // 2] * 1000:.1f} ms over {len(lags)} probe wakes)")

    def __enter__(self) -> Probe:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def _serve_fake(conn: Connection, channels: int, users: int) -> None:
    """The child process: a fake Discord with a guild, `channels` text channels and `users` users;
    answers "count" requests over the pipe until told to stop."""

    async def serve() -> None:
        fake = FakeDiscord()
        await fake.start()
        gid = fake.add_guild("Bench")
        conn.send((fake.port, gid, [fake.add_text_channel(gid, f"practice-{n}") for n in range(channels)],
                   [fake.add_user(f"learner-{n}") for n in range(users)]))
        loop = asyncio.get_running_loop()
        while True:
            asked = await loop.run_in_executor(None, conn.recv)
            if asked == "stop":
                break
            prefix = asked
            conn.send(sum(1 for r in fake.requests if r.method == "POST" and r.path.startswith(prefix)))
        await fake.close()

    asyncio.run(serve())


class FakeInItsOwnProcess:
    """The fake Discord served from a child process, as Discord is another machine in production:
    its work (the JSON-schema audit of every exchange, its records) is not the bot's."""

    def __init__(self, channels: int, users: int) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(target=_serve_fake, args=(child, channels, users),
                                                                     daemon=True)
        self._process.start()
        port, self.guild, self.channels, self.users = self._conn.recv()
        discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gw")

    def posts(self, prefix: str) -> int:
        """POST requests the fake has served whose path starts with `prefix`."""
        self._conn.send(prefix)
        return int(self._conn.recv())

    def close(self) -> None:
        self._conn.send("stop")
        self._process.join(30)


async def until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    """Check `predicate` every 50 ms on a worker thread (asking the fake's process must not hold the loop)."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def seed(services: Services, clock: ManualClock, guild: str, channels: list[int], learners: list[int]) -> None:
    ids = sorted(services.catalogue.scenarios)
    for n, channel in enumerate(channels):
        services.roleplay.start(learner_id=f"learner-{n}", scenario_id=ids[n % len(ids)], guild_id=guild,
                                channel_id=str(channel), reply_seconds=60, seed=n)
    due = clock.now - timedelta(hours=1)
    with services.db.session() as s:
        for learner in learners:
            jobs.schedule(s, job_id=f"{DAILY_KIND}:{learner}", kind=DAILY_KIND,
                          fire_at=clock.now + timedelta(seconds=30), now=clock.now,
                          payload={"learner_id": str(learner)})
        s.execute(insert(LearnerCard), [{"learner_id": str(learner), "card_id": "bench-card", "due": due}
                                        for learner in learners])


async def measure(sessions: int, reminders: int, window: float, baseline: bool) -> None:
    warm_up()
    fake = FakeInItsOwnProcess(sessions, reminders)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await run(fake, tmp, sessions, reminders, window, baseline)
    finally:
        fake.close()


async def run(fake: FakeInItsOwnProcess, tmp: str, sessions: int, reminders: int, window: float,
              baseline: bool) -> None:
    gid, channels, learners = fake.guild, fake.channels, fake.users
    clock = ManualClock()
    new = build_services(Settings(database_url=f"sqlite:///{tmp}/new.db", scenarios_dir=ROOT / "scenarios"),
                         clock=clock)
    bot = ComposureBot(new, tick_seconds=None)
    bot._connection.guild_ready_timeout = 0.05
    running = asyncio.create_task(bot.start("fake-token"))
    await until(lambda: bot.is_ready() or running.done(), 60, "the bot to log in")
    with Probe() as probe:  # the floor: the same bot, idle, on this machine at this moment
        await asyncio.sleep(5)
    print(f"idle bot, same run: {probe.summary()}")
    began = time.perf_counter()
    seed(new, clock, str(gid), channels, learners)  # after log-in: nothing for the start-up recovery to do
    print(f"seeded {sessions} sessions and {reminders} reminders in {time.perf_counter() - began:.0f} s")
    now = clock.advance(seconds=61)
    with Probe() as probe, Pauses() as pauses:
        await asyncio.sleep(0.02)
        began = time.perf_counter()
        await bot.tick()
        await until(lambda: fake.posts("/webhooks/") >= sessions, 900, "every customer's answer")
        answered = time.perf_counter() - began
        await asyncio.sleep(window)
        dms = await asyncio.to_thread(fake.posts, "/users/@me/channels")
        queued = await asyncio.to_thread(new.db.run, outbox.waiting)
        await asyncio.sleep(0.05)
    print(f"the bot: tick and {sessions} answers posted in {answered:.1f} s; {dms} reminder DMs sent by "
          f"{answered + window:.0f} s, {queued} waiting in the outbox (sent + waiting should be "
          f"{reminders}, give or take the one being sent); "
          f"{probe.summary()}")
    print(f"  meanwhile: {pauses.summary()}")
    await bot.close()
    await asyncio.gather(running, return_exceptions=True)
    new.db.dispose()
    if not baseline:
        return
    old = build_services(Settings(database_url=f"sqlite:///{tmp}/old.db", scenarios_dir=ROOT / "scenarios"),
                         clock=clock)
    clock.advance(seconds=-61)
    seed(old, clock, str(gid), channels, learners)
    clock.advance(seconds=61)
    with Probe() as probe:
        await asyncio.sleep(0.02)  # the probe is asleep, waiting for the loop, before the call
        began = time.perf_counter()
        expired = old.roleplay.expire_deadlines(now, in_guilds_only=True)  # the old tick, on the loop
        old.jobs.run_due(now)
        took = time.perf_counter() - began
        await asyncio.sleep(0.05)
    print(f"baseline, the old tick (one synchronous call on the loop): {len(expired)} deadlines and "
          f"the reminders in {took:.1f} s; longest stall {probe.worst * 1000:.0f} ms")
    old.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--window", type=float, default=20.0, help="seconds of paced DMs measured after the answers")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false")
    args = parser.parse_args()
    asyncio.run(measure(args.sessions, args.reminders, args.window, args.baseline))


if __name__ == "__main__":
    main()
