"""The tick hands out each event only when its announcement handlers fit in ANNOUNCING_AT_ONCE.

A thousand deadlines expiring at once would otherwise start a thousand announcement tasks together,
and each turn of the event loop would run them all (a stall of seconds); even a batch's worth at once
made turns of 100-200 ms.
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
from bot.services import Services, build_services

ROOT = Path(__file__).resolve().parents[2]
LISTENERS = 3  # each listener is one task per event


def overdue_sessions(tmp_path: Path, count: int) -> tuple[ManualClock, Services]:
    """`count` role-plays in a guild whose reply deadline has just passed."""
    clock = ManualClock()
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path}/t.db", scenarios_dir=ROOT / "scenarios"),
                              clock=clock)
    for n in range(count):
        services.roleplay.start(learner_id=f"l{n}", scenario_id="faulty-kettle", guild_id="g", channel_id=str(n),
                                reply_seconds=60, seed=n)
    clock.advance(seconds=61)
    return clock, services


async def test_the_tick_waits_for_announcements_before_claiming_more(tmp_path: Path) -> None:
    _, services = overdue_sessions(tmp_path, 4 * EXPIRE_BATCH)
    shown = asyncio.Semaphore(0)  # the test lets one answer through at a time: Discord being slow
    produced, finished, running, most_running = 0, 0, 0, 0
    outstanding_at_claim: list[int] = []

    async def slow_show(event: object) -> None:
        nonlocal finished, running, most_running
        if isinstance(event, TurnResult):
            running += 1
            most_running = max(most_running, running)
            await shown.acquire()
            running -= 1
            finished += 1

    async def off_loop(batch: Callable[[set[Any]], tuple[list[Any], int]], passed: set[Any]) -> tuple[list[Any], int]:
        nonlocal produced
        outstanding_at_claim.append(LISTENERS * produced - finished)
        events, claimed = await asyncio.to_thread(batch, passed)
        produced += sum(isinstance(e, TurnResult) for e in events)
        return events, claimed

    async def let_through() -> None:  # one waiting answer every few turns of the loop: slower than they come
        while True:
            if running and shown.locked():
                shown.release()
            for _ in range(5):
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
    assert most_running == ANNOUNCING_AT_ONCE  # never more at once, and the room is used
    services.db.dispose()


async def test_each_events_handlers_start_before_the_next_event_is_handed_out(tmp_path: Path) -> None:
    _, services = overdue_sessions(tmp_path, 2 * EXPIRE_BATCH)
    handed_out: list[object] = []
    latest_when_started: list[bool] = []

    async def show(event: object) -> None:  # quick: there is always room, only the yield spreads them
        latest_when_started.append(handed_out[-1] is event)

    async with ComposureBot(services, tick_seconds=None) as bot:
        bot.add_listener(show, "on_composure_event")
        dispatch = bot.dispatch

        def counting_dispatch(event_name: str, /, *args: Any, **kwargs: Any) -> None:
            if event_name == "composure_event":
                handed_out.append(args[0])
            dispatch(event_name, *args, **kwargs)

        bot.dispatch = counting_dispatch
        await asyncio.wait_for(bot.tick(), timeout=120)
        await bot.close()
    assert len(latest_when_started) == 2 * EXPIRE_BATCH
    assert all(latest_when_started)  # no handler waited behind a later event's
    services.db.dispose()


async def test_announcements_stuck_on_discord_do_not_stop_the_timers(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    clock, services = overdue_sessions(tmp_path, 3 * EXPIRE_BATCH)
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
