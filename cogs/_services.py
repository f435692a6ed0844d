"""The core's services as the cogs see them: typed, from the bot that holds them."""

from __future__ import annotations

import discord

from bot.app import ComposureBot
from bot.services import Services


def services_of(interaction: discord.Interaction) -> Services:
    """The services of the bot this interaction reached (discord.py types its client loosely)."""
    client = interaction.client
    if not isinstance(client, ComposureBot):
        raise TypeError(f"Composure's cogs run on ComposureBot, not {type(client).__name__}")
    return client.services
