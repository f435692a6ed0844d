"""Builds and runs the Discord client: the one core module that imports discord.

A single `tick()` drives all time-based work: due jobs from the `scheduled_job` table and
overdue reply deadlines. APScheduler calls it every few seconds in production; tests call it
after moving a manual clock, so nothing sleeps and nothing is lost across a restart (the
database holds every deadline and job).
"""

from __future__ import annotations

import asyncio
import logging
import pkgutil
from collections.abc import Callable
from datetime import UTC
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.ext import commands

import cogs
from bot.config import Settings
from bot.jobs import BATCH as JOB_BATCH
from bot.roleplay.service import EXPIRE_BATCH
from bot.services import Services, build_services

log = logging.getLogger(__name__)
TICK_SECONDS = 5


def warm_up() -> None:
    """Load the reply classifier and the sentence embedding (seconds) before anyone replies."""
    from bot.assessment import assess_reply

    assess_reply("I'm sorry to hear that.", "My order is late.")


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

    async def setup_hook(self) -> None:
        self.tree.on_error = self.on_app_command_error
        await asyncio.to_thread(warm_up)  # load the assessment model now, off the loop, not at the first reply
        for name in extension_names():
            await self.load_extension(name)
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
            now = self.services.clock()
            roleplay, jobs = self.services.roleplay, self.services.jobs
            await self._in_batches(lambda passed: roleplay.expire_batch(now, in_guilds_only=True, passed=passed),
                                   EXPIRE_BATCH)
            await self._in_batches(lambda passed: jobs.run_batch(now, passed=passed), JOB_BATCH)
            self.dispatch("composure_tick")  # cogs retry what Discord could not serve earlier

    async def _in_batches(self, batch: Callable[[set], tuple[list, int]], size: int) -> None:
        passed: set = set()
        while True:
            events, claimed = await asyncio.to_thread(batch, passed)
            for event in events:
                self.dispatch("composure_event", event)
            if claimed < size:
                return

    async def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
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
    """Build the services, log in and run until stopped."""
    services = build_services(settings)
    async with build_bot(services, settings) as bot:
        await bot.start(settings.token or "")


def run_bot(settings: Settings) -> int:
    """Entry point for `python -m bot run`."""
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token. Check DISCORD_TOKEN in .env (Bot tab, Reset Token).")
        return 2
    except discord.PrivilegedIntentsRequired:
        log.error("Enable the MESSAGE CONTENT intent for the bot in the developer portal (Bot tab).")
        return 2
    return 0
