"""The ephemeral confirmation shown before a learner's data is deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot import messages


class ConfirmDelete(discord.ui.View):
    """Two buttons; only the learner who asked can press them, and only for five minutes."""

    def __init__(self, owner_id: int, on_confirm: Callable[[discord.Interaction], Awaitable[None]]) -> None:
        super().__init__(timeout=300)
        self.owner_id, self.on_confirm = owner_id, on_confirm

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(messages.NOT_YOUR_BUTTON, ephemeral=True)
            return False
        return True

    @discord.ui.button(label=messages.DELETE_BUTTON, style=discord.ButtonStyle.danger,
                       custom_id="composure:privacy:delete")
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmDelete]) -> None:
        self.stop()
        await self.on_confirm(interaction)

    @discord.ui.button(label=messages.CANCEL_BUTTON, style=discord.ButtonStyle.secondary,
                       custom_id="composure:privacy:cancel")
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmDelete]) -> None:
        self.stop()
        await interaction.response.edit_message(content=messages.DELETE_CANCELLED, view=None)
