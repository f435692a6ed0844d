"""The core's services as the cogs see them: typed, from the bot that holds them, and its database
used off the event loop (one slow query there would hold every learner's reply)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import discord
from sqlmodel import Session as DbSession

from bot.app import ComposureBot
from bot.services import Services

P = ParamSpec("P")
T = TypeVar("T")


def bot_of(interaction: discord.Interaction) -> ComposureBot:
    """The bot this interaction reached (discord.py types its client loosely)."""
    client = interaction.client
    if not isinstance(client, ComposureBot):
        raise TypeError(f"Composure's cogs run on ComposureBot, not {type(client).__name__}")
    return client


def services_of(interaction: discord.Interaction) -> Services:
    """The services of the bot this interaction reached."""
    return bot_of(interaction).services


async def in_session(bot: ComposureBot, work: Callable[Concatenate[DbSession, P], T],
                     *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(session, ...)` in one transaction on a worker thread (the bot's `off_loop`)."""
    result: T = await bot.off_loop(bot.services.db.run, work, *args, **kwargs)
    return result
