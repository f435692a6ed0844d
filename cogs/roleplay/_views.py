"""The persistent 'Write reflective log' button and its modal."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.progress.gibbs import read_log
from bot.reflection import FIELDS, ReflectionError, save_reflection
from cogs._services import bot_of, in_session


class ReflectionModal(discord.ui.Modal):
    """Gibbs' cycle in five text inputs."""

    def __init__(self, session_id: int) -> None:
        super().__init__(title="Reflective log", timeout=None, custom_id=f"composure:reflect-modal:{session_id}")
        self.session_id = session_id
        self.inputs: dict[str, discord.ui.TextInput[ReflectionModal]] = {}
        for field in FIELDS:
            text_input: discord.ui.TextInput[ReflectionModal] = discord.ui.TextInput(
                label=field.label[:45], placeholder=field.placeholder[:100], required=field.required,
                max_length=field.max_length, style=discord.TextStyle.paragraph, custom_id=field.key)
            self.inputs[field.key] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        answers = {key: item.value for key, item in self.inputs.items()}
        try:
            await in_session(bot, save_reflection, session_id=self.session_id, learner_id=str(interaction.user.id),
                             answers=answers, now=bot.services.clock())
        except ReflectionError as exc:
            await interaction.response.send_message(f"⚠️ {exc}", ephemeral=True)
            return
        feedback = discord.Embed(title="Feedback on your log", colour=discord.Colour.teal(),
                                 description="\n".join(read_log(answers).lines())[:4000])
        await interaction.response.send_message(
            "Thank you: your reflective log is saved and your mentor can now review the session.",
            embed=feedback, ephemeral=True)


class ReflectButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
                    template=r"composure:reflect:(?P<sid>\d+)"):
    """Survives restarts: the session id lives in the custom_id."""

    def __init__(self, session_id: int) -> None:
        super().__init__(discord.ui.Button(label="Write reflective log", style=discord.ButtonStyle.primary,
                                           emoji="📝", custom_id=f"composure:reflect:{session_id}"))
        self.session_id = session_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> ReflectButton:
        return cls(int(match["sid"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        bot = bot_of(interaction)
        row = await bot.off_loop(bot.services.roleplay.get, self.session_id)
        if row.learner_id != str(interaction.user.id):
            await interaction.response.send_message("Only the learner who played this session can "
                                                    "write its reflective log.", ephemeral=True)
            return False
        return True

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReflectionModal(self.session_id))


def reflect_view(session_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReflectButton(session_id))
    return view
