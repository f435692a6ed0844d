"""One Composure bot process for the multi-process tests: the real bot, built by `bot.app.build_bot`
from the environment's settings (so SHARD_COUNT and SHARD_IDS decide its shards), logged in to the
fake Discord at FAKE_DISCORD_URL, on a manual clock that the test moves through stdin.

stdin:  `tick ISO-TIME` sets the clock and runs one tick.
stdout: `ready` once logged in, `ticked` after each tick, `event KIND SESSION` for each timer result,
        `holding JOB` when HOLD_KIND is set and the first job of that kind is claimed: it then blocks
        for ever inside the claiming transaction, row lock held (a process about to be killed mid-batch).
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from datetime import datetime
from typing import Any

import discord
import yarl
from sqlmodel import Session

from bot.app import build_bot
from bot.clock import ManualClock
from bot.config import get_settings
from bot.jobs import JobRunner
from bot.services import build_services
from bot.storage.claims import claim_for
from bot.storage.models import ScheduledJob


def say(line: str) -> None:
    print(line, flush=True)


def hold_the_first(runner: JobRunner, kind: str) -> None:
    """The first job of `kind` never finishes: its transaction stays open with the row locked."""

    def holding(session: Session, job: ScheduledJob, now: datetime) -> list[Any]:
        say(f"holding {job.id}")
        threading.Event().wait()
        return []

    runner.register(kind, holding)


async def main() -> None:
    base = os.environ["FAKE_DISCORD_URL"]
    discord.http.Route.BASE = f"{base}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base.replace("http://", "ws://") + "/gw")
    settings = get_settings()
    clock = ManualClock(datetime.fromisoformat(os.environ["COMPOSURE_NOW"]))
    services = build_services(settings, clock=clock)
    if os.environ.get("HOLD_KIND"):
        hold_the_first(services.jobs, os.environ["HOLD_KIND"])
    bot = build_bot(services, settings, tick_seconds=None)
    bot.shard_claim = claim_for(services.db.engine, settings.shard_count, settings.shard_ids)
    assert bot.shard_claim is not None
    bot.shard_claim.hold()  # as `bot.app.serve` does: these processes run different shards, so both hold
    bot._connection.guild_ready_timeout = 0.05  # as FakeDiscord.running does: no 2 s wait for guilds

    dispatch = bot.dispatch

    def noting_dispatch(event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Print each timer result as the tick hands it over, so it is out before `ticked`."""
        if event_name == "composure_event":
            say(f"event {type(args[0]).__name__} {getattr(args[0], 'session_id', '')}")
        dispatch(event_name, *args, **kwargs)

    bot.dispatch = noting_dispatch  # type: ignore[method-assign]  # a test's window on the tick
    async with bot:
        runner = asyncio.create_task(bot.start(settings.token or ""))
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait([runner, ready], return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()  # the start-up error, with its traceback on stderr
            return
        say("ready")
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, _, argument = line.strip().partition(" ")
            if command == "tick":
                clock.now = datetime.fromisoformat(argument)
                await bot.tick()
                say("ticked")
        await bot.close()
        await runner


if __name__ == "__main__":
    asyncio.run(main())
