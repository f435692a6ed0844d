"""`/privacy export` and `/privacy delete`: thin; what is stored, exported and kept is decided in bot.privacy."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.app import ComposureBot
from bot.privacy.erasure import erase_learner, plan_erasure
from bot.privacy.export import export_learner
from bot.privacy.wording import confirmation, counted
from cogs._services import in_session
from cogs.privacy._views import ConfirmDelete


class PrivacyCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data: get a copy, or delete it")

    def __init__(self, bot: ComposureBot) -> None:
        self.bot = bot
        self.services = bot.services

    @privacy.command(name="export", description="Get a copy of everything Composure stores about you, by DM")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        limit = min(self.services.settings.export_part_bytes, interaction.filesize_limit)
        parts = await in_session(self.bot, export_learner, learner_id=str(interaction.user.id),
                                 now=self.services.clock(), limit=limit)
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
        active = await self.bot.off_loop(self.services.roleplay.active_for, learner_id)
        if active is not None:
            await interaction.response.send_message(messages.DELETE_ACTIVE.format(session_id=active.id),
                                                    ephemeral=True)
            return
        plan = await in_session(self.bot, plan_erasure, learner_id=learner_id)
        if plan.nothing_stored:
            await interaction.response.send_message(messages.NOTHING_STORED, ephemeral=True)
            return
        view = ConfirmDelete(interaction.user.id, self._confirmed)
        await interaction.response.send_message(confirmation(plan), view=view, ephemeral=True)

    async def _confirmed(self, interaction: discord.Interaction) -> None:
        learner_id = str(interaction.user.id)
        active = await self.bot.off_loop(self.services.roleplay.active_for, learner_id)  # started one since being asked
        if active is not None:
            await interaction.response.edit_message(content=messages.DELETE_ACTIVE.format(session_id=active.id),
                                                    view=None)
            return
        # every row of the learner in one transaction: thousands of turns
        result = await in_session(self.bot, erase_learner, learner_id=learner_id)
        text = messages.DELETE_DONE.format(gone=counted(result.summary))
        if result.kept:
            text += "\n" + messages.DELETE_DONE_KEPT.format(ids=", ".join(str(k.session_id) for k in result.kept))
        await interaction.response.edit_message(content=text, view=None)
