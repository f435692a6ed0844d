"""Portfolio exports for mentors: a session as PDF, a learner's signed-off sessions as a ZIP.

Kept apart from the review cog: the PDFs are drawn off the event loop from records loaded first.
"""

from __future__ import annotations

import asyncio
import io

import discord

from bot import review_desk
from bot.mentoring import ReviewError, SessionRecord
from bot.progress.portfolio import learner_zip, pdf_name
from bot.progress.portfolio_pdf import session_pdf
from bot.review_desk import Actor
from cogs._followup import followup
from cogs._services import services_of


def actor(interaction: discord.Interaction) -> Actor:
    """The mentor behind an interaction, as the access log names them."""
    return Actor(str(interaction.user.id), interaction.user.display_name)

async def send_session_pdf(interaction: discord.Interaction, record: SessionRecord) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    body = await asyncio.to_thread(session_pdf, record)
    await followup(interaction)(f"Session {record.row.id} for the portfolio:", ephemeral=True,
                                    file=discord.File(io.BytesIO(body), filename=pdf_name(record)))


async def send_learner_zip(interaction: discord.Interaction, learner: discord.abc.User) -> None:
    services = services_of(interaction)
    try:
        records = await asyncio.to_thread(
            review_desk.export_portfolio, services.db, learner_id=str(learner.id),
            guild_id=str(interaction.guild_id), now=services.clock(), actor=actor(interaction))
    except ReviewError:
        await interaction.response.send_message(f"⚠️ {learner.display_name} has no signed-off sessions to export "
                                                "yet.", ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    body = await asyncio.to_thread(learner_zip, records)
    name = f"composure-portfolio-{learner.display_name}-{learner.id}.zip"
    await followup(interaction)(f"{len(records)} signed-off session(s) of {learner.display_name}, one PDF each:",
                                    ephemeral=True, file=discord.File(io.BytesIO(body), filename=name))
