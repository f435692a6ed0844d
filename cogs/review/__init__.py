"""Mentor review: queue, show, feedback, sign-off, export, watch."""

from bot.app import ComposureBot
from cogs.review._cog import ReviewCog


async def setup(bot: ComposureBot) -> None:
    """Load the cog (discord.py calls this for the extension)."""
    await bot.add_cog(ReviewCog(bot))
