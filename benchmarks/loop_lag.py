"""The longest event-loop stall of the real bot while 1,000 deadlines expire and 5,000 reminders fall due.

Run: .venv/bin/python benchmarks/loop_lag.py [--sessions 1000] [--reminders 5000]
The bot logs in to the loopback fake Discord (tests/fake_discord) on a SQLite file holding
`--sessions` role-plays whose deadline has passed and `--reminders` daily-reminder jobs due. A
probe task sleeps 5 ms at a time and records how late it wakes. One `tick()` runs, and the
probe keeps going until every customer's answer has been posted. Beside it, in the same run, the
old tick's shape: the same work (on a second file) done in one synchronous call on the loop.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fake_discord import FakeDiscord  # noqa: E402

from bot import jobs  # noqa: E402
from bot.app import ComposureBot, warm_up  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.quiz.daily import DAILY_KIND  # noqa: E402
from bot.services import Services, build_services  # noqa: E402


class Probe:
    """Measures how late a 5 ms sleep wakes: the time the loop was held by something else."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - began - 0.005)

    def __enter__(self) -> Probe:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def seed(services: Services, clock: ManualClock, guild: str, channels: list[int], reminders: int) -> None:
    ids = sorted(services.catalogue.scenarios)
    for n, channel in enumerate(channels):
        services.roleplay.start(learner_id=f"learner-{n}", scenario_id=ids[n % len(ids)], guild_id=guild,
                                channel_id=str(channel), reply_seconds=60, seed=n)
    with services.db.session() as s:
        for n in range(reminders):
            jobs.schedule(s, job_id=f"{DAILY_KIND}:r{n}", kind=DAILY_KIND, fire_at=clock.now + timedelta(seconds=30),
                          now=clock.now, payload={"learner_id": f"r{n}"})


async def measure(sessions: int, reminders: int) -> None:
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as fake:
            gid = fake.add_guild("Bench")
            channels = [fake.add_text_channel(gid, f"practice-{n}") for n in range(sessions)]
            clock = ManualClock()
            old = build_services(Settings(database_url=f"sqlite:///{tmp}/old.db", scenarios_dir=ROOT / "scenarios"),
                                 clock=clock)
            new = build_services(Settings(database_url=f"sqlite:///{tmp}/new.db", scenarios_dir=ROOT / "scenarios"),
                                 clock=clock)
            bot = ComposureBot(new, tick_seconds=None)
            async with fake.running(bot):  # seeded after log-in: nothing for the start-up recovery to do
                began = time.perf_counter()
                for services in (old, new):
                    seed(services, clock, str(gid), channels, reminders)
                print(f"seeded {sessions} sessions and {reminders} reminders twice in "
                      f"{time.perf_counter() - began:.0f} s")
                now = clock.advance(seconds=61)
                with Probe() as probe:
                    await asyncio.sleep(0.02)
                    began = time.perf_counter()
                    await bot.tick()
                    await fake.wait_for(lambda: len(fake.find_requests("POST", r"/webhooks/.*")) >= sessions,
                                        timeout=600, what="every customer's answer")
                    took = time.perf_counter() - began
                    await asyncio.sleep(0.05)
                print(f"the bot: tick and {sessions} answers posted in {took:.1f} s; "
                      f"longest event-loop stall {probe.worst * 1000:.0f} ms")
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
            new.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--reminders", type=int, default=5000)
    args = parser.parse_args()
    asyncio.run(measure(args.sessions, args.reminders))


if __name__ == "__main__":
    main()
