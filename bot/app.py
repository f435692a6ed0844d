"""Builds and runs the Discord client: the one core module that imports discord.

A single `tick()` drives all time-based work: due jobs from the `scheduled_job` table and
overdue reply deadlines. APScheduler calls it every few seconds in production; tests call it
after moving a manual clock, so nothing sleeps and nothing is lost across a restart (the
database holds every deadline and job).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC
from typing import Any, TypeVar

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.ext import commands

import cogs
from bot.config import Settings
from bot.jobs import BATCH as JOB_BATCH
from bot.roleplay.expiry import EXPIRE_BATCH
from bot.services import Services, build_services
from bot.storage.claims import ShardClaim, ShardsTaken, claim_for

log = logging.getLogger(__name__)
TICK_SECONDS = 5
K = TypeVar("K")  # what a batch remembers it has passed over: session ids, job ids
# Announcement handlers (one task per cog listener per event) allowed to run at once: the tick hands
# out the next event only when there is room. Every running handler adds its step to a turn of the
# event loop (and discord.py scans all its rate-limit buckets for each new route), so a thousand at
# once made a turn take seconds, and forty made the longest turns 100-200 ms; ten still keep
# Discord's 50 requests a second busy.
ANNOUNCING_AT_ONCE = 10
ANNOUNCING_PATIENCE = 30  # seconds the tick waits for one of them to finish before it stops waiting
# How long a worker thread may hold the GIL while the event loop waits for it (Python's default is
# 5 ms). The loop takes the GIL back after every socket call, so under batch work on a worker thread
# each of those waits could cost the full interval: the convoy effect. A turn of the loop that makes
# 40 socket calls waited up to 40 ms at 1 ms; 0.2 ms cut the turns over 20 ms by a third
# (benchmarks/loop_lag.py), and only a thread that wants the GIL makes the holder switch.
GIL_SWITCH_SECONDS = 0.0002


def warm_up() -> None:
    """Load the reply classifier and the sentence embedding (seconds) before anyone replies, and
    read the phrase patterns' needles (a tenth of a second) that only a long reply uses."""
    from bot.assessment import assess_reply
    from bot.assessment.replies import PREFILTER_FROM

    assess_reply("I'm sorry to hear that.", "My order is late.")
    assess_reply("I'm sorry to hear that. " * (PREFILTER_FROM // 20), "My order is late.")


def extension_names() -> list[str]:
    """Every cog package or module under cogs/, skipping private ones (leading underscore)."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


def intents() -> discord.Intents:
    """Guilds and guild messages, plus message content (privileged) to read learners' replies."""
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.message_content = True
    return value


class ComposureBot(commands.Bot):
    """The Discord face; holds the services and the ticking scheduler, nothing else."""

    def __init__(self, services: Services, *, tick_seconds: float | None = TICK_SECONDS,
                 sync_guild_id: int | None = None, shard_count: int | None = None,
                 shard_ids: list[int] | None = None) -> None:
        # AutoShardedBot's options; the plain Bot gets none (discord.py types them per class)
        shards: dict[str, Any] = {} if shard_count is None else {"shard_count": shard_count, "shard_ids": shard_ids}
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), help_command=None,
                         allowed_mentions=discord.AllowedMentions(everyone=False, roles=False), **shards)
        self.services = services
        self.tick_seconds = tick_seconds
        self.sync_guild_id = sync_guild_id
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._tick_lock = asyncio.Lock()
        self._announcing: set[asyncio.Task[None]] = set()
        self.off_loop: Callable[..., Awaitable[Any]] = asyncio.to_thread  # how batches leave the loop
        self.announcing_patience: float = ANNOUNCING_PATIENCE
        self.shard_claim: ShardClaim = None  # held by `serve` for the life of the process
        self._switch_before: float | None = None  # the process's GIL switch interval, put back on close

    async def setup_hook(self) -> None:
        self.tree.error(self.on_app_command_error)
        self._switch_before = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        await asyncio.to_thread(warm_up)  # load the assessment model now, off the loop, not at the first reply
        for name in extension_names():
            await self.load_extension(name)
        # The model, the catalogue and the cogs live as long as the process: moved out of the
        # collector's sight, a full collection no longer walks them (it held the loop for seconds).
        gc.freeze()
        if self.tick_seconds:
            self.scheduler.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds), id="composure-tick",
                                   replace_existing=True, coalesce=True, max_instances=1)
            self.scheduler.start()
        if self.sync_guild_id:
            guild = discord.Object(self.sync_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        if not self.intents.message_content:  # learners' replies would arrive blank
            log.error("running without the Message Content intent: learners' replies cannot be read. "
                      "Enable it in the developer portal (Bot tab) and restart.")

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   error: app_commands.AppCommandError) -> None:
        """Refusals were already answered by the check; anything else gets a calm message and a log line."""
        if isinstance(error, app_commands.CheckFailure):
            return
        log.error("command %s failed", interaction.command and interaction.command.qualified_name,
                  exc_info=error)
        text = "⚠️ Something went wrong on my side. Nothing you wrote was lost; please try again."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    async def tick(self) -> None:
        """Run what is due now, a small batch at a time on a worker thread so the loop stays free.

        Each result is dispatched as `composure_event` for a cog to show. Every process sharing
        PostgreSQL ticks: the database hands each due deadline and job to one of them.
        """
        async with self._tick_lock:
            if not await self._shards_still_ours():
                return
            now = self.services.clock()
            roleplay, jobs = self.services.roleplay, self.services.jobs

            def deadlines(passed: set[int]) -> tuple[Sequence[object], int]:
                return roleplay.expire_batch(now, in_guilds_only=True, passed=passed)

            def due_jobs(passed: set[str]) -> tuple[Sequence[object], int]:
                return jobs.run_batch(now, passed=passed)

            await self._in_batches(deadlines, EXPIRE_BATCH)
            await self._in_batches(due_jobs, JOB_BATCH)
            self.dispatch("composure_tick")  # cogs retry what Discord could not serve earlier

    async def _shards_still_ours(self) -> bool:
        """Take the shards again if the database lost the claim (a dropped connection); if another
        process took them meanwhile, stop: two processes would answer each learner twice."""
        if self.shard_claim is None:
            return True
        try:
            await self.off_loop(self.shard_claim.keep)
        except ShardsTaken as exc:
            log.error("stopping: %s", exc)
            await self.close()
            return False
        return True

    async def _in_batches(self, batch: Callable[[set[K]], tuple[Sequence[object], int]], size: int) -> None:
        passed: set[K] = set()
        patient = True  # until announcements stay stuck for the whole patience: then this batch waits no more
        while True:
            events, claimed = await self.off_loop(batch, passed)
            for event in events:
                if patient:
                    patient = await self._room_to_announce()
                self.dispatch("composure_event", event)
                await asyncio.sleep(0)  # its handlers take their first step before the next event's
            if claimed < size:
                return

    def _schedule_event(self, coro: Callable[..., Coroutine[Any, Any, Any]], event_name: str,
                        *args: Any, **kwargs: Any) -> asyncio.Task[None]:  # noqa: ANN401 (discord.py passes the event's arguments through)
        """discord.py's one place that starts a listener's task; announcements are counted here."""
        task: asyncio.Task[None] = super()._schedule_event(coro, event_name, *args, **kwargs)
        if event_name == "on_composure_event":
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)
        return task

    async def _room_to_announce(self) -> bool:
        """Wait until one more event's handlers fit in ANNOUNCING_AT_ONCE (back-pressure).

        Returns False when none finished within the patience: handlers stuck on Discord must not
        stop the timers, so the caller stops waiting for them.
        """
        most = max(0, ANNOUNCING_AT_ONCE - len(self.extra_events.get("on_composure_event", [])))
        while len(self._announcing) > most:
            done, _ = await asyncio.wait(set(self._announcing), timeout=self.announcing_patience,
                                         return_when=asyncio.FIRST_COMPLETED)
            if not done:
                log.warning("%d announcements still running after %d s; the tick goes on",
                            len(self._announcing), self.announcing_patience)
                return False
        return True

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        gc.unfreeze()  # what setup_hook froze may be collected again (tests start many bots in one process)
        if self._switch_before is not None:
            sys.setswitchinterval(self._switch_before)
            self._switch_before = None
        await super().close()


class ShardedComposureBot(ComposureBot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot: one gateway connection per shard it runs."""


def build_bot(services: Services, settings: Settings, *, tick_seconds: float | None = TICK_SECONDS) -> ComposureBot:
    """The plain bot (one connection, every guild), or with SHARD_COUNT set the sharded one running
    SHARD_IDS (all shards when unset) out of SHARD_COUNT."""
    if settings.shard_count is None:
        return ComposureBot(services, tick_seconds=tick_seconds, sync_guild_id=settings.dev_guild_id)
    shard_ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedComposureBot(services, tick_seconds=tick_seconds, sync_guild_id=settings.dev_guild_id,
                               shard_count=settings.shard_count, shard_ids=shard_ids)


async def serve(settings: Settings) -> None:
    """Build the services, claim this process's shards (ShardsTaken if another process runs one),
    log in and run until stopped."""
    services = build_services(settings)
    claim = claim_for(services.db.engine, settings.shard_count, settings.shard_ids)
    if claim is not None:
        claim.hold()
    try:
        async with build_bot(services, settings) as bot:
            bot.shard_claim = claim
            await bot.start(settings.token or "")
    finally:
        if claim is not None:
            claim.release()


def run_bot(settings: Settings) -> int:
    """Entry point for `python -m bot run`."""
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token. Check DISCORD_TOKEN in .env (Bot tab, Reset Token).")
        return 2
    except ShardsTaken as exc:
        log.error("not started: %s", exc)
        return 2
    except discord.PrivilegedIntentsRequired:
        log.error("Enable the MESSAGE CONTENT intent for the bot in the developer portal (Bot tab).")
        return 2
    return 0
