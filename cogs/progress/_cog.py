"""The learner's progress as an ephemeral embed with a chart; the figures come from bot.progress."""

from __future__ import annotations

import asyncio
import io
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands
from sqlmodel import Session as DbSession

from bot.app import ComposureBot
from bot.guild import guild_settings
from bot.progress.chart import mark_rates_png
from bot.progress.learner import LearnerProgress, learner_progress, retention_lines, streak_line, trend_lines
from bot.progress.wording import WORDING
from cogs._followup import followup
from cogs._paging import clip
from cogs._services import in_session

CHART_NAME = "progress.png"


def progress_embed(progress: LearnerProgress) -> discord.Embed:
    embed = discord.Embed(title="Your progress", colour=discord.Colour.teal(),
                          description=f"Role-plays finished: **{len(progress.sessions)}**")
    if progress.suggestion is not None:
        embed.add_field(name=f"🎯 Next practice: {progress.suggestion.scenario_id}",
                        value=clip(progress.suggestion.reason, 1024), inline=False)
    trends = "\n".join(trend_lines(progress)) or WORDING["no_sessions"]
    embed.add_field(name="📈 Share of replies per mark (first → latest)", value=clip(trends, 1024), inline=False)
    if progress.weaknesses:
        embed.add_field(name="🔎 Weakest lately", inline=False,
                        value=clip("\n".join(f"• {w.describe()}" for w in progress.weaknesses[:5]), 1024))
    embed.add_field(name="🧠 Quiz retention by topic", inline=False,
                    value=clip("\n".join(retention_lines(progress)) or WORDING["no_quiz"], 1024))
    embed.add_field(name="🔥 Streak", value=streak_line(progress), inline=False)
    if progress.sessions:
        embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


class ProgressCog(commands.Cog):
    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services

    @app_commands.command(name="progress", description="Your marks over time, quiz retention, streak and what to "
                                                        "practise next (only you see it)")
    async def progress(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        services = self.services
        guild_id, learner_id, now = interaction.guild_id, str(interaction.user.id), services.clock()

        def gather(s: DbSession) -> LearnerProgress:
            tz = ZoneInfo(guild_settings(s, guild_id=str(guild_id)).timezone) if guild_id else ZoneInfo("UTC")
            return learner_progress(s, learner_id=learner_id, catalogue=services.catalogue, deck=services.quiz.deck,
                                    scheduler=services.quiz.scheduler, now=now, tz=tz)

        progress = await in_session(self.bot, gather)
        files = []
        if progress.sessions:
            png = await asyncio.to_thread(mark_rates_png, progress.sessions)
            files.append(discord.File(io.BytesIO(png), filename=CHART_NAME))
        await followup(interaction)(embed=progress_embed(progress), files=files, ephemeral=True)
