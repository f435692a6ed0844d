"""The tick claims its next batch only once the announcements of the last have mostly been shown.

A thousand deadlines expiring at once would otherwise start a thousand announcement tasks together,
and each turn of the event loop would run them all (a stall of seconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import ANNOUNCING_AT_ONCE, ComposureBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.roleplay.expiry import EXPIRE_BATCH
from bot.roleplay.service import TurnResult
from bot.services import build_services

ROOT = Path(__file__).resolve().parents[2]
LISTENERS = 3  # each listener is one task per event


async def test_the_tick_waits_for_announcements_before_claiming_more(tmp_path: Path) -> None:
    clock = ManualClock()
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/t.db", scenarios_dir=ROOT / "scenarios"),
                              clock=clock)
    for n in range(4 * EXPIRE_BATCH):
        services.roleplay.start(learner_id=f"l{n}", scenario_id="faulty-kettle", guild_id="g", channel_id=str(n),
                                reply_seconds=60, seed=n)
    clock.advance(seconds=61)
    shown = asyncio.Semaphore(0)  # the test lets one answer through at a time: Discord being slow
    produced, finished = 0, 0
    outstanding_at_claim: list[int] = []

    async def slow_show(event: object) -> None:
        nonlocal finished
        if isinstance(event, TurnResult):
            await shown.acquire()
            finished += 1

    async def off_loop(batch: Callable[[set[Any]], tuple[list[Any], int]], passed: set[Any]) -> tuple[list[Any], int]:
        nonlocal produced
        outstanding_at_claim.append(LISTENERS * produced - finished)
        events, claimed = await asyncio.to_thread(batch, passed)
        produced += sum(isinstance(e, TurnResult) for e in events)
        return events, claimed

    async def let_through() -> None:
        while True:
            shown.release()
            await asyncio.sleep(0)

    async with ComposureBot(services, tick_seconds=None) as bot:
        for _ in range(LISTENERS):
            bot.add_listener(slow_show, "on_composure_event")
        bot.off_loop = off_loop
        releaser = asyncio.create_task(let_through())
        await asyncio.wait_for(bot.tick(), timeout=120)
        releaser.cancel()
        await bot.close()
    assert produced == 4 * EXPIRE_BATCH  # every overdue session answered
    assert len(outstanding_at_claim) >= 4
    assert max(outstanding_at_claim) <= ANNOUNCING_AT_ONCE < LISTENERS * EXPIRE_BATCH
    services.db.dispose()


async def test_announcements_stuck_on_discord_do_not_stop_the_timers(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock()
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/t.db", scenarios_dir=ROOT / "scenarios"),
                              clock=clock)
    for n in range(3 * EXPIRE_BATCH):
        services.roleplay.start(learner_id=f"l{n}", scenario_id="faulty-kettle", guild_id="g", channel_id=str(n),
                                reply_seconds=60, seed=n)
    clock.advance(seconds=61)
    never = asyncio.Event()

    async def stuck(event: object) -> None:
        await never.wait()

    async with ComposureBot(services, tick_seconds=None) as bot:
        for _ in range(LISTENERS):
            bot.add_listener(stuck, "on_composure_event")
        bot.announcing_patience = 0.0  # the test does not wait out the real patience
        await asyncio.wait_for(bot.tick(), timeout=120)
        await bot.close()
    assert services.roleplay.overdue(clock.now) == []  # every batch was claimed all the same
    assert "announcements still running" in caplog.text
    services.db.dispose()
