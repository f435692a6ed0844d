"""/cohort report for mentors: the heat-map PNG and the report's sections as an ephemeral embed."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import discord

from bot.progress.chart import cohort_heatmap_png
from bot.progress.cohort import cohort_report, heatmap_rows, report_sections
from cogs._checks import require_mentor
from cogs._followup import followup
from cogs._paging import paged_embeds, send_embeds
from cogs._services import bot_of, in_session

HEATMAP_NAME = "cohort-heatmap.png"
MAX_DAYS = 366


async def send_cohort_report(interaction: discord.Interaction, days: int) -> None:
    """Answer /cohort report: mentors only, the last `days` days of this server."""
    if not await require_mentor(interaction):
        return
    if not 1 <= days <= MAX_DAYS:
        await interaction.response.send_message(f"⚠️ Choose a period of 1 to {MAX_DAYS} days.", ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    bot = bot_of(interaction)
    services = bot.services
    until = services.clock()
    since = until - timedelta(days=days)
    report = await in_session(bot, cohort_report, guild_id=str(interaction.guild_id), since=since, until=until,
                              catalogue=services.catalogue, deck=services.quiz.deck)
    names, rates = heatmap_rows(report)
    title = f"Share of replies per mark, {since:%d %b} – {until:%d %b %Y}"
    png = await asyncio.to_thread(cohort_heatmap_png, names, report.marks, rates, title)
    embeds = paged_embeds(f"Cohort report: the last {days} days", f"{len(report.learners)} learner(s), "
                          f"{sum(r.sessions for r in report.learners)} finished role-play(s).",
                          list(report_sections(report).items()), colour=discord.Colour.dark_teal())
    embeds[0].set_image(url=f"attachment://{HEATMAP_NAME}")
    await send_embeds(followup(interaction), embeds, first_kwargs={
        "file": discord.File(io.BytesIO(png), filename=HEATMAP_NAME)}, ephemeral=True)
