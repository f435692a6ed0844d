"""`/privacy export` and `/privacy delete`: thin; what is stored, exported and kept is decided in bot.privacy."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.app import ComposureBot
from bot.privacy.erasure import ErasurePlan, ErasureResult, erase_learner, plan_erasure
from bot.privacy.export import ExportPart, export_learner
from bot.privacy.wording import confirmation, counted
from cogs.privacy._views import ConfirmDelete


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data: get a copy, or delete it")

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services

    def _export(self, learner_id: str, limit: int) -> list[ExportPart]:
        with self.services.db.session() as s:
            return export_learner(s, learner_id=learner_id, now=self.services.clock(), limit=limit)

    def _plan(self, learner_id: str) -> ErasurePlan:
        with self.services.db.session() as s:
            return plan_erasure(s, learner_id=learner_id)

    def _erase(self, learner_id: str) -> ErasureResult:
        """Every row of the learner in one transaction: thousands of turns, so off the event loop."""
        with self.services.db.session() as s:
            return erase_learner(s, learner_id=learner_id)

    @privacy.command(name="export", description="Get a copy of everything Composure stores about you, by DM")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        limit = min(self.services.settings.export_part_bytes, interaction.filesize_limit)
        parts = await asyncio.to_thread(self._export, str(interaction.user.id), limit)
        try:
            for index, part in enumerate(parts, 1):
                await interaction.user.send(messages.EXPORT_DM_HEADER.format(index=index, total=len(parts)),
                                            file=discord.File(io.BytesIO(part.data), filename=part.filename))
        except discord.Forbidden:
            await interaction.followup.send(messages.EXPORT_DM_CLOSED, ephemeral=True)
            return
        await interaction.followup.send(messages.EXPORT_STARTED.format(parts=len(parts)), ephemeral=True)

    @privacy.command(name="delete", description="Delete what Composure stores about you (asks first)")
    async def delete(self, interaction: discord.Interaction) -> None:
        learner_id = str(interaction.user.id)
        active = self.services.roleplay.active_for(learner_id)
        if active is not None:
            await interaction.response.send_message(messages.DELETE_ACTIVE.format(session_id=active.id),
                                                    ephemeral=True)
            return
        plan = await asyncio.to_thread(self._plan, learner_id)
        if plan.nothing_stored:
            await interaction.response.send_message(messages.NOTHING_STORED, ephemeral=True)
            return
        view = ConfirmDelete(interaction.user.id, self._confirmed)
        await interaction.response.send_message(confirmation(plan), view=view, ephemeral=True)

    async def _confirmed(self, interaction: discord.Interaction) -> None:
        learner_id = str(interaction.user.id)
        active = self.services.roleplay.active_for(learner_id)  # started one since being asked
        if active is not None:
            await interaction.response.edit_message(content=messages.DELETE_ACTIVE.format(session_id=active.id),
                                                    view=None)
            return
        result = await asyncio.to_thread(self._erase, learner_id)
        text = messages.DELETE_DONE.format(gone=counted(result.summary))
        if result.kept:
            text += "\n" + messages.DELETE_DONE_KEPT.format(ids=", ".join(str(k.session_id) for k in result.kept))
        await interaction.response.edit_message(content=text, view=None)
